package io.tierstate.server.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.DecodedJWT;
import io.javalin.http.Context;
import io.tierstate.server.ServerConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Access tokens: HS256-signed JWTs carrying only the user id ({@code sub}), the tenant id ({@code
 * tid}) and the session id ({@code sid}); everything else lives in the session in Redis. A token
 * is sent as the HttpOnly {@code accessToken} cookie.
 *
 * <p>Thread-safe.
 */
public final class AccessTokens {
  /** The name of the cookie that carries the token. */
  public static final String COOKIE = "accessToken";

  private static final String ISSUER = "tierstate";
  private static final long LEEWAY_SECONDS = 5;
  /** The request attribute that keeps the verification of the request's token. */
  private static final String VERIFIED = "tierstate.access-token";

  private final Algorithm algorithm;
  private final JWTVerifier verifier;
  private final JWTVerifier expiredVerifier;
  private final Duration ttl;
  private final Clock clock;

  /** Creates the issuer and verifier from the auth configuration. */
  public AccessTokens(ServerConfig.Auth config) {
    this(config, Clock.systemUTC());
  }

  AccessTokens(ServerConfig.Auth config, Clock clock) {
    this.algorithm = Algorithm.HMAC256(config.jwtSecret());
    this.verifier = JWT.require(algorithm).withIssuer(ISSUER).acceptLeeway(LEEWAY_SECONDS).build();
    // For logout only: an expired token still names the session to end.
    this.expiredVerifier = JWT.require(algorithm).withIssuer(ISSUER)
        .acceptExpiresAt(config.sessionMaxAge().toSeconds()).build();
    this.ttl = config.accessTokenTtl();
    this.clock = clock;
  }

  /** The claims of a verified token. */
  record Claims(String userId, String tenantId, String sessionId, Instant expiresAt) {}

  /** The outcome of verifying a token: claims, or why not. */
  sealed interface Verification {}

  /** A valid token. */
  record Valid(Claims claims) implements Verification {}

  /** An expired token (the client should refresh). */
  record Expired() implements Verification {}

  /** A forged, tampered or malformed token. */
  record Invalid() implements Verification {}

  /** Issues a token for a session; returns it and its expiry. */
  Issued issue(String userId, String tenantId, String sessionId) {
    Instant now = clock.instant();
    Instant expiresAt = now.plus(ttl);
    String token = JWT.create()
        .withIssuer(ISSUER)
        .withSubject(userId)
        .withClaim("tid", tenantId)
        .withClaim("sid", sessionId)
        .withIssuedAt(now)
        .withJWTId(UUID.randomUUID().toString()) // two tokens issued in one second still differ
        .withExpiresAt(expiresAt)
        .sign(algorithm);
    return new Issued(token, expiresAt);
  }

  /** A freshly issued token. */
  record Issued(String token, Instant expiresAt) {}

  /** The token's lifetime (and the cookie's Max-Age). */
  Duration ttl() {
    return ttl;
  }

  Verification verify(String token) {
    try {
      return claims(verifier.verify(token));
    } catch (TokenExpiredException e) {
      return new Expired();
    } catch (JWTVerificationException e) {
      return new Invalid();
    }
  }

  /** The claims of a token with a valid signature even if it expired, or null. */
  @Nullable Claims verifyIgnoringExpiry(String token) {
    try {
      return claims(expiredVerifier.verify(token)) instanceof Valid v ? v.claims() : null;
    } catch (JWTVerificationException e) {
      return null;
    }
  }

  /**
   * The verification of {@code token} from the request's cookie, done once per request although
   * the rate limit and the auth filter both ask for it.
   */
  Verification verify(Context ctx, String token) {
    if (ctx.attribute(VERIFIED) instanceof VerifiedToken done && done.token().equals(token)) {
      return done.verification();
    }
    Verification verification = verify(token);
    ctx.attribute(VERIFIED, new VerifiedToken(token, verification));
    return verification;
  }

  private record VerifiedToken(String token, Verification verification) {}

  /**
   * The user id in the request's access-token cookie if the token is valid, else null. Checks the
   * signature and expiry only, not the session: for identifying a caller cheaply (rate limits).
   */
  public @Nullable String userIdOf(Context ctx) {
    String token = ctx.cookie(COOKIE);
    if (token == null || token.isEmpty()) {
      return null;
    }
    return verify(ctx, token) instanceof Valid valid ? valid.claims().userId() : null;
  }

  private static Verification claims(@Nullable DecodedJWT jwt) {
    if (jwt == null) {
      return new Invalid();
    }
    String subject = jwt.getSubject();
    String tenant = jwt.getClaim("tid").asString();
    String session = jwt.getClaim("sid").asString();
    Instant expiresAt = jwt.getExpiresAtAsInstant();
    if (subject == null || tenant == null || session == null || expiresAt == null) {
      return new Invalid();
    }
    return new Valid(new Claims(subject, tenant, session, expiresAt));
  }
}
