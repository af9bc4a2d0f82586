package io.tierstate.server.auth;

import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tierstate.lock.LockHandle;
import io.tierstate.lock.LockService;
import io.tierstate.lock.LockTimeoutException;
import io.tierstate.RedisUnavailableException;
import io.tierstate.server.ServerConfig;
import io.tierstate.server.http.ApiError;
import io.tierstate.server.http.ClientAddress;
import io.tierstate.server.http.JsonBodies;
import io.tierstate.session.CreatedSession;
import io.tierstate.session.NewSession;
import io.tierstate.session.Session;
import io.tierstate.session.SessionInfo;
import io.tierstate.session.SessionManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The handlers of {@code /api/v1/auth/*}. Thread-safe. */
final class AuthHandlers {
  private static final Logger log = LoggerFactory.getLogger(AuthHandlers.class);
  private static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final int MAX_EMAIL = 254;
  private static final int MAX_PASSWORD = 1024;
  private static final int MAX_USER_AGENT = 512;
  private static final Duration REFRESH_LOCK_LEASE = Duration.ofSeconds(10);
  private static final Duration REFRESH_LOCK_WAIT = Duration.ofSeconds(5);
  private static final String INVALID_CREDENTIALS = "the e-mail address or the password is wrong";

  // Session attributes, besides the refresh hash.
  private static final String PERMISSIONS = "permissions";
  private static final String NAME = "name";
  private static final String TENANT_SLUG = "tenantSlug";
  private static final String TENANT_NAME = "tenantName";

  private final ServerConfig.Auth config;
  private final SessionManager sessions;
  private final LockService locks;
  private final UserAccounts accounts;
  private final AccessCache access;
  private final AccessTokens tokens;
  private final RefreshTokens refreshTokens = new RefreshTokens();
  private final PasswordHasher hasher;
  private final LoginLimits limits;
  private final AuthCookies cookies;
  private final ClientAddress clientAddress;
  private final MeterRegistry meters;

  AuthHandlers(ServerConfig.Auth config, SessionManager sessions, LockService locks, UserAccounts accounts, AccessCache access,
      AccessTokens tokens, PasswordHasher hasher, LoginLimits limits, AuthCookies cookies,
      ClientAddress clientAddress, MeterRegistry meters) {
    this.config = config;
    this.sessions = sessions;
    this.locks = locks;
    this.accounts = accounts;
    this.access = access;
    this.tokens = tokens;
    this.hasher = hasher;
    this.limits = limits;
    this.cookies = cookies;
    this.clientAddress = clientAddress;
    this.meters = meters;
  }

  /** The login request body. */
  record LoginRequest(@Nullable String email, @Nullable String password, @Nullable String deviceId) {
    @Override
    public String toString() {
      return "LoginRequest[email=" + email + ", password=****]";
    }
  }

  /** POST /api/v1/auth/login. */
  void login(Context ctx) {
    noStore(ctx);
    LoginRequest body = JsonBodies.read(ctx, LoginRequest.class);
    String email = body.email() == null ? "" : body.email().strip().toLowerCase(Locale.ROOT);
    String password = body.password() == null ? "" : body.password();
    if (email.isEmpty() || email.length() > MAX_EMAIL || !email.contains("@")) {
      throw ApiError.badRequest("invalid_field", "'email' must be an e-mail address");
    }
    if (password.isEmpty()) {
      throw ApiError.badRequest("invalid_field", "'password' is required");
    }
    if (password.length() > MAX_PASSWORD) {
      throw ApiError.badRequest("invalid_field", "'password' must be 1 to " + MAX_PASSWORD + " characters");
    }
    String deviceId = body.deviceId();
    if (deviceId != null && !DEVICE_ID.matcher(deviceId).matches()) {
      throw ApiError.badRequest("invalid_field", "'deviceId' must be 1 to 64 letters, digits, '.', '_' or '-'");
    }
    String ip = clientAddress.of(ctx);
    try {
      limits.check(ctx, ip, email);
    } catch (ApiError e) {
      countLogin("rate_limited");
      throw e;
    }

    Optional<UserAccounts.Account> found = accounts.byEmail(email);
    // Same answer, and the same work, whether the address is unknown or the password wrong.
    if (found.isEmpty()) {
      hasher.verifyDummy(password);
      countLogin("invalid_credentials");
      log.atInfo().addKeyValue("ip", ip).log("login failed");
      throw ApiError.unauthorized("invalid_credentials", INVALID_CREDENTIALS);
    }
    UserAccounts.Account account = found.get();
    if (!hasher.verify(password, account.passwordHash())) {
      countLogin("invalid_credentials");
      log.atInfo().addKeyValue("ip", ip).addKeyValue("userId", account.id()).log("login failed");
      throw ApiError.unauthorized("invalid_credentials", INVALID_CREDENTIALS);
    }
    if (account.tenantSuspended()) {
      countLogin("tenant_suspended");
      throw tenantSuspended();
    }
    if (!account.active()) {
      countLogin("suspended");
      throw ApiError.forbidden("account_suspended", "this account is suspended; contact your administrator");
    }
    UserAccess current = access.get(account.tenantId(), account.id());
    if (current == null) {
      throw ApiError.unauthorized("invalid_credentials", INVALID_CREDENTIALS);
    }
    RefreshTokens.Secret refresh = refreshTokens.newSecret();
    Map<String, String> attributes = new HashMap<>();
    attributes.put(RefreshTokens.ATTRIBUTE, refresh.hash());
    attributes.put(PERMISSIONS, String.join(",", current.permissions()));
    attributes.put(NAME, account.displayName());
    attributes.put(TENANT_SLUG, account.tenantSlug());
    attributes.put(TENANT_NAME, account.tenantName());
    String userAgent = ctx.userAgent();
    CreatedSession created = sessionStore(() -> sessions.create(
        NewSession.builder(account.tenantId().toString(), account.id().toString())
            .roles(new LinkedHashSet<>(current.roles()))
            .email(account.email())
            .ipAddress(ip)
            .userAgent(userAgent == null ? null : truncate(userAgent, MAX_USER_AGENT))
            .deviceId(deviceId != null ? deviceId : "web-" + UUID.randomUUID())
            .attributes(attributes)
            .idleTimeout(config.refreshTokenTtl())
            .absoluteTimeout(config.sessionMaxAge())
            .maxDevices(config.maxDevices())
            .build()));
    AccessTokens.Issued issued = issueCookies(ctx, account.id().toString(), account.tenantId().toString(),
        created.id(), refresh);
    countLogin("success");
    recordSignIn(account);
    log.atInfo().addKeyValue("userId", account.id()).addKeyValue("tenantId", account.tenantId())
        .addKeyValue("ip", ip).log("login");
    ctx.json(view(account.id(), account.tenantId(), current, created.session(), issued.expiresAt()));
  }

  /** POST /api/v1/auth/refresh: rotates the refresh token and issues a new access token. */
  void refresh(Context ctx) {
    noStore(ctx);
    RefreshTokens.Parsed parsed = RefreshTokens.parse(ctx.cookie(AuthCookies.REFRESH_COOKIE));
    if (parsed == null) {
      cookies.clear(ctx);
      throw ApiError.unauthorized("invalid_refresh_token", "no valid refresh token; sign in again");
    }
    // One refresh per session at a time, across nodes: check-and-rotate must not interleave, or
    // two holders of one token could both get a fresh one.
    String lockName = "auth-refresh:" + RefreshTokens.hash(parsed.sessionId()).substring(0, 32);
    LockHandle lock;
    try {
      lock = sessionStore(() -> locks.acquire(lockName, REFRESH_LOCK_LEASE, REFRESH_LOCK_WAIT));
    } catch (LockTimeoutException e) {
      throw ApiError.unavailable("refresh_busy", "another refresh of this session is in progress; try again");
    }
    try {
      rotate(ctx, parsed);
    } finally {
      lock.close();
    }
  }

  private void rotate(Context ctx, RefreshTokens.Parsed parsed) {
    Session session = sessionStore(() -> {
      try {
        return sessions.get(parsed.sessionId());
      } catch (IllegalArgumentException e) {
        return Optional.<Session>empty();
      }
    }).orElse(null);
    if (session == null) {
      cookies.clear(ctx);
      // The access cookie (even expired) says whose session it was, and so whether their tenant was suspended.
      String token = ctx.cookie(AccessTokens.COOKIE);
      AccessTokens.Claims claims = token == null || token.isEmpty() ? null : tokens.verifyIgnoringExpiry(token);
      if (claims != null && claims.sessionId().equals(parsed.sessionId())) {
        throw sessionGone(access, claims);
      }
      throw ApiError.unauthorized("session_ended", "the session has ended; sign in again");
    }
    if (!RefreshTokens.matches(parsed.secret(), session.attributes().get(RefreshTokens.ATTRIBUTE))) {
      // An old token came back after it was rotated: whoever holds the session may have stolen it.
      sessionStore(() -> sessions.delete(parsed.sessionId()));
      cookies.clear(ctx);
      log.atWarn().addKeyValue("userId", session.userId()).addKeyValue("tenantId", session.tenantId())
          .addKeyValue("ip", clientAddress.of(ctx)).log("refresh token reused: session revoked");
      throw ApiError.unauthorized("refresh_token_reused",
          "this refresh token was already used, so the session was ended for safety; sign in again");
    }
    UUID userId = UUID.fromString(session.userId());
    UUID tenantId = UUID.fromString(session.tenantId());
    UserAccess current = access.get(tenantId, userId);
    if (current != null && current.tenantSuspended()) {
      sessionStore(() -> sessions.delete(parsed.sessionId()));
      cookies.clear(ctx);
      throw tenantSuspended();
    }
    if (current == null || !current.active()) {
      sessionStore(() -> sessions.delete(parsed.sessionId()));
      cookies.clear(ctx);
      throw ApiError.unauthorized("session_ended", "the account is no longer active; sign in again");
    }
    RefreshTokens.Secret next = refreshTokens.newSecret();
    boolean live = sessionStore(() -> sessions.update(parsed.sessionId(), new LinkedHashSet<>(current.roles()),
        Map.of(RefreshTokens.ATTRIBUTE, next.hash(), PERMISSIONS, String.join(",", current.permissions())))
        && sessions.touch(parsed.sessionId()));
    if (!live) {
      cookies.clear(ctx);
      throw ApiError.unauthorized("session_ended", "the session has ended; sign in again");
    }
    AccessTokens.Issued issued = issueCookies(ctx, session.userId(), session.tenantId(), parsed.sessionId(), next);
    Session refreshed = sessionStore(() -> sessions.get(parsed.sessionId())).orElse(session);
    ctx.json(view(userId, tenantId, current, refreshed, issued.expiresAt()));
  }

  /** POST /api/v1/auth/logout: ends this session (an expired access token still names it). */
  void logout(Context ctx) {
    noStore(ctx);
    String token = ctx.cookie(AccessTokens.COOKIE);
    AccessTokens.Claims claims = token == null || token.isEmpty() ? null : tokens.verifyIgnoringExpiry(token);
    if (claims != null) {
      sessionStore(() -> {
        try {
          return sessions.delete(claims.sessionId());
        } catch (IllegalArgumentException e) {
          return false;
        }
      });
      log.atInfo().addKeyValue("userId", claims.userId()).log("logout");
    }
    cookies.clear(ctx);
    ctx.status(204);
  }

  /** POST /api/v1/auth/logout-all: ends every session of the caller, on every device. */
  void logoutAll(Context ctx) {
    noStore(ctx);
    Principal me = AuthContext.principal(ctx);
    int ended = sessionStore(() -> sessions.deleteUserSessions(me.tenantId().toString(), me.userId().toString()));
    cookies.clear(ctx);
    log.atInfo().addKeyValue("userId", me.userId()).addKeyValue("sessions", ended).log("logout everywhere");
    ctx.json(Map.of("endedSessions", ended));
  }

  /** GET /api/v1/auth/session: who am I. */
  void session(Context ctx) {
    noStore(ctx);
    Principal me = AuthContext.principal(ctx);
    Session session = me.session();
    if (session != null) {
      // The access entry the auth filter has just read (from L1): the tenant's standing as it is now.
      UserAccess current = access.get(me.tenantId(), me.userId());
      if (current == null) {
        throw ApiError.unauthorized("session_ended", "the account no longer exists; sign in again");
      }
      ctx.json(view(me.userId(), me.tenantId(), current, session, null));
      return;
    }
    List<String> roles = List.copyOf(me.roles()).stream().sorted().toList();
    List<String> permissions = List.copyOf(me.permissions()).stream().sorted().toList();
    // Degraded: Redis is down; describe the user from PostgreSQL, without session details.
    UserAccounts.Account account = accounts.byId(me.tenantId(), me.userId())
        .orElseThrow(() -> ApiError.unauthorized("session_ended", "the account no longer exists; sign in again"));
    Map<String, @Nullable Object> view = new LinkedHashMap<>();
    view.put("user", Map.of("id", account.id(), "email", account.email(), "displayName", account.displayName()));
    view.put("tenant", Map.of("id", account.tenantId(), "slug", account.tenantSlug(), "name", account.tenantName(),
        "plan", account.tenantPlan(), "status", account.tenantStatus()));
    view.put("roles", roles);
    view.put("permissions", permissions);
    view.put("session", null);
    view.put("degraded", true);
    ctx.json(view);
  }

  /**
   * GET /api/v1/auth/sessions: the caller's own sessions ("my devices"), most recently active
   * first. Each is named by its handle, never by its id: a handle cannot be used as a session.
   */
  void sessions(Context ctx) {
    noStore(ctx);
    Principal me = AuthContext.principal(ctx);
    String current = currentHandle(me);
    List<SessionInfo> listed = sessionStore(() -> sessions.getUserSessions(me.tenantId().toString(),
        me.userId().toString()));
    List<Map<String, @Nullable Object>> items = new ArrayList<>();
    for (SessionInfo info : listed) {
      Map<String, @Nullable Object> item = new LinkedHashMap<>();
      item.put("id", info.handle());
      item.put("deviceId", info.deviceId());
      item.put("ipAddress", info.ipAddress());
      item.put("userAgent", info.userAgent());
      item.put("createdAt", info.createdAt());
      item.put("lastActiveAt", info.lastActiveAt());
      item.put("expiresAt", info.expiresAt());
      item.put("current", info.handle().equals(current));
      items.add(item);
    }
    ctx.json(Map.of("items", items));
  }

  /**
   * DELETE /api/v1/auth/sessions/{sessionId}: ends one of the caller's sessions, named by its
   * handle; ending the current one also clears the cookies (signs out here). Another user's
   * session, or no session at all, is 404.
   */
  void endSession(Context ctx) {
    noStore(ctx);
    Principal me = AuthContext.principal(ctx);
    String handle = ctx.pathParam("sessionId");
    boolean ended = sessionStore(() -> {
      try {
        return sessions.deleteUserSession(me.tenantId().toString(), me.userId().toString(), handle);
      } catch (IllegalArgumentException e) {
        return false; // not shaped like a handle: not one of the caller's sessions either
      }
    });
    if (!ended) {
      throw ApiError.notFound("none of your sessions has the id '" + truncate(handle, 40)
          + "'; list them with GET /api/v1/auth/sessions");
    }
    boolean current = handle.equals(currentHandle(me));
    if (current) {
      cookies.clear(ctx);
    }
    log.atInfo().addKeyValue("userId", me.userId()).addKeyValue("current", current).log("session ended by its user");
    ctx.status(204);
  }

  private String currentHandle(Principal me) {
    try {
      return sessions.handleOf(me.sessionId()).orElse("");
    } catch (IllegalArgumentException e) {
      return "";
    }
  }

  /**
   * Adds the sign-in to the tenant's analytics. The user is signed in already, so a failure here
   * (PostgreSQL gone since the password check) is logged, not answered: analytics may undercount,
   * a sign-in never fails for it.
   */
  private void recordSignIn(UserAccounts.Account account) {
    try {
      accounts.recordSignIn(account.tenantId());
    } catch (RuntimeException e) {
      log.atWarn().addKeyValue("tenantId", account.tenantId()).setCause(e).log("sign-in not counted in analytics");
    }
  }

  /** Counts a sign-in attempt's outcome: {@code tierstate.server.logins{result}}. */
  private void countLogin(String result) {
    Counter.builder("tierstate.server.logins").description("Sign-in attempts by outcome")
        .tag("result", result).register(meters).increment();
  }

  private AccessTokens.Issued issueCookies(Context ctx, String userId, String tenantId, String sessionId,
      RefreshTokens.Secret refresh) {
    AccessTokens.Issued issued = tokens.issue(userId, tenantId, sessionId);
    cookies.setAccess(ctx, issued.token(), tokens.ttl());
    cookies.setRefresh(ctx, refresh.token(sessionId), config.refreshTokenTtl());
    return issued;
  }

  private static Map<String, @Nullable Object> view(UUID userId, UUID tenantId, UserAccess current, Session session,
      @Nullable Instant accessTokenExpiresAt) {
    Map<String, String> attributes = session.attributes();
    Map<String, @Nullable Object> user = new LinkedHashMap<>();
    user.put("id", userId);
    user.put("email", session.email());
    user.put("displayName", attributes.get(NAME));
    Map<String, @Nullable Object> tenant = new LinkedHashMap<>();
    tenant.put("id", tenantId);
    UserAccess.Tenant standing = current.tenant();
    if (standing != null) {
      tenant.put("slug", standing.slug());
      tenant.put("name", standing.name());
      tenant.put("plan", standing.plan());
      tenant.put("status", standing.status());
    } else {
      // An access entry cached before tenants had a plan and status: as the session recorded it.
      tenant.put("slug", attributes.get(TENANT_SLUG));
      tenant.put("name", attributes.get(TENANT_NAME));
      tenant.put("plan", null);
      tenant.put("status", null);
    }
    Map<String, @Nullable Object> device = new LinkedHashMap<>();
    device.put("deviceId", session.deviceId());
    device.put("ipAddress", session.ipAddress());
    device.put("userAgent", session.userAgent());
    device.put("createdAt", session.createdAt());
    device.put("lastActiveAt", session.lastActiveAt());
    device.put("expiresAt", session.expiresAt());
    device.put("absoluteExpiresAt", session.absoluteExpiresAt());
    Map<String, @Nullable Object> view = new LinkedHashMap<>();
    view.put("user", user);
    view.put("tenant", tenant);
    view.put("roles", current.roles());
    view.put("permissions", current.permissions());
    view.put("session", device);
    if (accessTokenExpiresAt != null) {
      view.put("accessTokenExpiresAt", accessTokenExpiresAt);
    }
    view.put("degraded", false);
    return view;
  }

  /** 403 {@code tenant_suspended}: the user's tenant is suspended, so its users may do nothing. */
  static ApiError tenantSuspended() {
    return ApiError.forbidden("tenant_suspended",
        "your organization's account is suspended; contact the platform administrator");
  }

  /**
   * Why the session named by a valid token is gone: 403 {@code tenant_suspended} when its user's
   * tenant is suspended (a suspension ends the sessions, and the user should learn why), else 401
   * {@code session_ended}, which is also the answer when the tenant cannot be checked.
   */
  static ApiError sessionGone(AccessCache access, AccessTokens.Claims claims) {
    try {
      UserAccess current = access.get(UUID.fromString(claims.tenantId()), UUID.fromString(claims.userId()));
      if (current != null && current.tenantSuspended()) {
        return tenantSuspended();
      }
    } catch (RuntimeException e) {
      // PostgreSQL unreachable, or not our ids: say only what is certain.
    }
    return ApiError.unauthorized("session_ended", "the session has ended; sign in again");
  }

  /** Runs a session-store call; a Redis outage becomes 503 (sessions have no fallback). */
  private static <T> T sessionStore(java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (RedisUnavailableException e) {
      throw ApiError.unavailable("session_store_unavailable",
          "the session store is unavailable, so signing in and out is not possible right now; try again in a moment");
    }
  }

  private static void noStore(Context ctx) {
    ctx.header("Cache-Control", "no-store");
  }

  private static String truncate(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max);
  }
}
