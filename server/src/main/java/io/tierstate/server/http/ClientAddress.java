package io.tierstate.server.http;

import io.javalin.http.Context;

/**
 * The client's IP address: the TCP peer, or the last {@code X-Forwarded-For} entry when the
 * server runs behind a proxy that sets it (TRUST_FORWARDED_FOR=true). Never trust the header
 * otherwise: a client could claim any address and dodge per-IP limits.
 *
 * <p>Immutable and thread-safe.
 */
public final class ClientAddress {
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
        String last = hops[hops.length - 1].strip();
        if (!last.isEmpty()) {
          return last;
        }
      }
    }
    return ctx.req().getRemoteAddr();
  }
}
