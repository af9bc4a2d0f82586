package io.tierstate.bench;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** Credentials as {@code REDIS_URL} spells them ({@code [user:]password@}), for peer clients. */
final class URLCredentials {
  private URLCredentials() {}

  /** Passes the URL's username and password, if any, to the setters. */
  static void apply(String url, Consumer<String> username, Consumer<String> password) {
    String userInfo = URI.create(url).getRawUserInfo();
    if (userInfo == null) {
      return;
    }
    int colon = userInfo.indexOf(':');
    password.accept(URLDecoder.decode(userInfo.substring(colon + 1), StandardCharsets.UTF_8));
    if (colon > 0) {
      username.accept(URLDecoder.decode(userInfo.substring(0, colon), StandardCharsets.UTF_8));
    }
  }
}
