package io.tierstate.server.http;

import io.javalin.http.Context;
import java.util.regex.Pattern;

/**
 * The client's IP address: the TCP peer, or the last {@code X-Forwarded-For} entry when the
 * server runs behind a proxy that sets it (TRUST_FORWARDED_FOR=true). Never trust the header
 * otherwise: a client could claim any address and dodge per-IP limits.
 *
 * <p>The address is a bare IP literal ({@code 127.0.0.1}, {@code 0:0:0:0:0:0:0:1}), never in
 * brackets and without a zone, since it becomes part of rate-limit keys, where brackets are glob
 * characters. A forwarded entry that is not an IP literal is ignored in favour of the peer.
 *
 * <p>Immutable and thread-safe.
 */
public final class ClientAddress {
  // IPv4 and IPv6 literals (the longest IPv6 text form, with an embedded IPv4, is 45 characters).
  private static final Pattern IP_LITERAL = Pattern.compile("[0-9A-Fa-f.:]{2,45}");

  private final boolean trustForwardedFor;

  /** Creates the resolver; {@code trustForwardedFor} from {@link io.tierstate.server.ServerConfig.Http}. */
  public ClientAddress(boolean trustForwardedFor) {
    this.trustForwardedFor = trustForwardedFor;
  }

  /** The client address of a request. */
  public String of(Context ctx) {
    if (trustForwardedFor) {
      String forwarded = ctx.header("X-Forwarded-For");
      if (forwarded != null && !forwarded.isBlank()) {
        String[] hops = forwarded.split(",", -1);
        // The proxy appends the address it saw: the last entry is the one it vouches for.
        String last = bare(hops[hops.length - 1]);
        if (IP_LITERAL.matcher(last).matches()) {
          return last;
        }
      }
    }
    return bare(ctx.req().getRemoteAddr());
  }

  /** The address without the brackets and zone of an IPv6 literal ({@code [fe80::1%eth0]}). */
  static String bare(String address) {
    String bare = address.strip();
    if (bare.startsWith("[") && bare.endsWith("]")) {
      bare = bare.substring(1, bare.length() - 1);
    }
    int zone = bare.indexOf('%');
    return zone < 0 ? bare : bare.substring(0, zone);
  }
}
