package io.tierstate.jcache.tck;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tierstate.codec.Codec;
import io.tierstate.codec.JacksonCodec;
import io.tierstate.codec.TypeRef;

/**
 * The codec the TCK runs with ({@code TIERSTATE_JCACHE_CODEC}): Tierstate's JSON codec with a
 * mapper that reads fields and a mix-in for the TCK's {@code domain.Identifier}, whose only
 * constructor Jackson cannot see. This is what a user does for classes they cannot annotate.
 */
public final class TckCodec implements Codec {
  private final JacksonCodec delegate;

  public TckCodec() {
    ObjectMapper mapper = new ObjectMapper()
        .setVisibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
        .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
        .addMixIn(domain.Identifier.class, IdentifierMixIn.class);
    delegate = JacksonCodec.using(mapper);
  }

  abstract static class IdentifierMixIn {
    @JsonCreator
    IdentifierMixIn(@JsonProperty("name") String name) {}
  }

  @Override
  public byte id() {
    return delegate.id();
  }

  @Override
  public byte[] encode(Object value) {
    return delegate.encode(value);
  }

  @Override
  public <T> T decode(byte[] bytes, TypeRef<T> type) {
    return delegate.decode(bytes, type);
  }
}
