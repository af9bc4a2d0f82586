package io.tierstate.server.api;

import io.javalin.Javalin;
import io.tierstate.server.Feature;
import io.tierstate.server.ServerContext;
import io.tierstate.server.http.Access;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /openapi.json}: the API's OpenAPI 3.1 description, the classpath resource {@value
 * #RESOURCE}. It is written by hand, next to the code; {@code OpenApiIntegrationTests} compares it with the
 * routes registered on a running server, both ways, so a route added or removed without it fails
 * the build.
 */
public final class OpenApiFeature implements Feature {
  /** Where the document lives on the classpath. */
  public static final String RESOURCE = "/openapi.json";

  @Override
  public void register(Javalin app, ServerContext context) {
    byte[] document = document();
    String etag = Representations.strongEtag(document);
    app.get("/openapi.json", ctx -> {
      ctx.header("ETag", etag).header("Cache-Control", "public, no-cache");
      if (Representations.matches(ctx.header("If-None-Match"), etag)) {
        ctx.status(304);
        return;
      }
      ctx.contentType("application/json").result(document);
    }, Access.PUBLIC);
  }

  /** The document's bytes. */
  public static byte[] document() {
    try (InputStream in = OpenApiFeature.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the classpath resource " + RESOURCE + " is missing from the build");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
