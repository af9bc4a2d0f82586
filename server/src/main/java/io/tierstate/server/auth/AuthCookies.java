package io.tierstate.server.auth;

import io.javalin.http.Context;
import java.time.Duration;

/**
 * Writes the auth cookies. Both are HttpOnly (no script can read them) and SameSite=Lax (not sent
 * on cross-site subrequests or POSTs), Secure when COOKIE_SECURE is set. The refresh token's path
 * is the refresh endpoint alone, so it travels with no other request. Thread-safe.
 */
final class AuthCookies {
  static final String REFRESH_COOKIE = "refreshToken";
  static final String REFRESH_PATH = "/api/v1/auth/refresh";

  private final boolean secure;

  AuthCookies(boolean secure) {
    this.secure = secure;
  }

  void setAccess(Context ctx, String token, Duration ttl) {
    add(ctx, AccessTokens.COOKIE, token, "/", ttl.toSeconds());
  }

  void setRefresh(Context ctx, String token, Duration ttl) {
    add(ctx, REFRESH_COOKIE, token, REFRESH_PATH, ttl.toSeconds());
  }

  /** Expires both cookies in the browser. */
  void clear(Context ctx) {
    add(ctx, AccessTokens.COOKIE, "", "/", 0);
    add(ctx, REFRESH_COOKIE, "", REFRESH_PATH, 0);
  }

  private void add(Context ctx, String name, String value, String path, long maxAgeSeconds) {
    // Written by hand: the servlet Cookie API of Jetty 11 has no SameSite attribute.
    ctx.res().addHeader("Set-Cookie", name + "=" + value + "; Path=" + path + "; Max-Age=" + maxAgeSeconds
        + "; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : ""));
  }
}
