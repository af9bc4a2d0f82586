package io.tierstate.internal.cache;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanCursor;
import io.tierstate.codec.TypeRef;
import io.tierstate.internal.inspect.CachedEntries;
import io.tierstate.keys.CacheKeys;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/** {@link CachedEntries} on an engine's L1 and L2. Thread-safe; its cursors are not. */
final class EngineEntries implements CachedEntries {
  private final L1 l1;
  private final RedisTier l2;
  private final EntryCodec codec;

  EngineEntries(L1 l1, RedisTier l2, EntryCodec codec) {
    this.l1 = l1;
    this.l2 = l2;
    this.codec = codec;
  }

  @Override
  public KeyCursor l1Keys() {
    return new KeyCursor() {
      private Iterator<String> keys = l1.keys();

      @Override
      public List<String> next(int max) {
        List<String> found = new ArrayList<>(Math.min(max, 64));
        if (!keys.hasNext()) {
          keys = l1.keys(); // a new pass
        }
        while (found.size() < max && keys.hasNext()) {
          found.add(keys.next());
        }
        return found;
      }
    };
  }

  @Override
  public KeyCursor l2Keys(String pattern) {
    CacheKeys.requireValidPattern(pattern);
    return new KeyCursor() {
      private ScanCursor cursor = ScanCursor.INITIAL;

      @Override
      public List<String> next(int max) {
        if (cursor.isFinished()) {
          cursor = ScanCursor.INITIAL; // a new pass
        }
        KeyScanCursor<String> page = l2.scanPage(cursor, pattern, Math.max(10, max));
        cursor = page;
        List<String> found = new ArrayList<>();
        for (String valueKey : page.getKeys()) {
          String key = l2.cacheKeyOf(valueKey);
          if (key != null) {
            found.add(key);
          }
        }
        return found;
      }
    };
  }

  @Override
  public Optional<Object> l1Value(String key) {
    long now = CoarseClock.read();
    L1Entry entry = l1.peek(key, now);
    if (entry == null || entry.absent() || !entry.isFresh(now)) {
      return Optional.empty();
    }
    return entry.optional;
  }

  @Override
  public <T> Optional<T> l2Value(String key, TypeRef<T> type) {
    byte[] bytes = l2.get(key);
    Envelope envelope = bytes == null ? null : codec.decodeEnvelope(key, bytes);
    if (envelope == null || envelope.absent() || !envelope.isFresh(System.currentTimeMillis())) {
      return Optional.empty();
    }
    EntryCodec.Decoded<T> decoded = codec.decodeValue(key, envelope, type, null);
    return decoded == null ? Optional.empty() : Optional.ofNullable(decoded.value());
  }
}
