package io.tierstate.session;

import io.lettuce.core.ScriptOutputType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tierstate.RedisUnavailableException;
import io.tierstate.internal.redis.LuaScript;
import io.tierstate.internal.redis.RedisExecutor;
import io.tierstate.metrics.MeterNames;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server-side sessions in Redis, shared by every node: obtain it with {@link
 * io.tierstate.Tierstate#sessions()}.
 *
 * <p><b>Ids.</b> A session id is 256 bits from {@link java.security.SecureRandom} in URL-safe
 * base64, followed by a dot and an opaque 32-hex-digit routing tag of the user. Redis stores only
 * the SHA-256 of the id, so a dump of Redis hands out no live session. The raw id is returned once,
 * by {@link #create}.
 *
 * <p><b>Expiry.</b> A session ends when it is not {@linkplain #touch touched} within its idle
 * timeout, or at its absolute timeout, whichever comes first; touching never extends it past the
 * absolute timeout. All times are the Redis server's clock, so nodes with skewed clocks agree.
 *
 * <p><b>Device limit.</b> Creation adds the session and ends the user's least recently active
 * sessions beyond {@code maxDevices} in one Lua script, so any number of concurrent logins, on any
 * number of nodes, leave at most {@code maxDevices} sessions.
 *
 * <p><b>Redis is required.</b> Sessions have no local fallback: when Redis cannot be used, every
 * method throws {@link RedisUnavailableException}, {@code get} included, so that a Redis outage is
 * never mistaken for "signed out" (or "signed in"); answer such requests with 503.
 *
 * <p><b>Tenants.</b> A session id alone finds the session: check {@link Session#tenantId()} against
 * the tenant of the request before trusting it.
 *
 * <p><b>Ids from requests.</b> Methods taking a session id refuse a null, empty or over-long id
 * with {@link IllegalArgumentException}; any other string that is not a live session id (expired,
 * deleted, forged, tampered) is simply not found.
 *
 * <p><b>Handles.</b> {@link #getUserSessions} lists sessions by {@linkplain SessionInfo#handle()
 * handle}, never by id: a handle names a session to its owner but cannot be used as one. {@link
 * #deleteUserSession} ends a session by its handle, within one user's sessions only.
 *
 * <p>Thread-safe.
 */
public final class SessionManager {
  private static final Logger log = LoggerFactory.getLogger(SessionManager.class);
  private static final byte[] NONE = {};

  private final RedisExecutor redis;
  private final SessionKeys keys;
  private final LuaScript createScript = LuaScript.load(SessionManager.class, "create.lua");
  private final LuaScript touchScript = LuaScript.load(SessionManager.class, "touch.lua");
  private final LuaScript rotateScript = LuaScript.load(SessionManager.class, "rotate.lua");
  private final LuaScript deleteScript = LuaScript.load(SessionManager.class, "delete.lua");
  private final LuaScript deleteUserScript =
      LuaScript.load(SessionManager.class, "delete-user.lua");
  private final LuaScript listScript = LuaScript.load(SessionManager.class, "list.lua");
  private final LuaScript updateScript = LuaScript.load(SessionManager.class, "update.lua");
  private final LuaScript trackScript = LuaScript.load(SessionManager.class, "track.lua");
  private final Counter created;
  private final Counter deleted;
  private final Counter evicted;
  private final Counter ipMismatch;
  private final Counter userAgentMismatch;
  private final Counter tenantMismatch;

  private SessionManager(RedisExecutor redis, String namespace, MeterRegistry registry) {
    this.redis = redis;
    this.keys = new SessionKeys(namespace);
    this.created = Counter.builder(MeterNames.SESSIONS_CREATED).register(registry);
    this.deleted = Counter.builder(MeterNames.SESSIONS_DELETED).register(registry);
    this.evicted = Counter.builder(MeterNames.SESSIONS_EVICTED).register(registry);
    this.ipMismatch =
        Counter.builder(MeterNames.SESSIONS_VALIDATION_FAILURES)
            .tag("reason", "ip")
            .register(registry);
    this.userAgentMismatch =
        Counter.builder(MeterNames.SESSIONS_VALIDATION_FAILURES)
            .tag("reason", "user-agent")
            .register(registry);
    this.tenantMismatch =
        Counter.builder(MeterNames.SESSIONS_VALIDATION_FAILURES)
            .tag("reason", "tenant")
            .register(registry);
  }

  /**
   * Internal: {@link io.tierstate.Tierstate} creates the one instance of a node.
   *
   * @param namespace the key namespace of the node's configuration
   */
  public static SessionManager create(
      RedisExecutor redis, String namespace, MeterRegistry registry) {
    return new SessionManager(redis, namespace, registry);
  }

  /**
   * Creates a session and, when the user is over {@code spec.maxDevices()}, ends their least
   * recently active sessions in the same atomic step.
   *
   * @return the raw id (visible only here) and the stored session
   * @throws IllegalArgumentException if {@code spec} is null
   * @throws RedisUnavailableException if Redis cannot be used; no session was created, or one was
   *     created whose id is lost and which expires unused
   */
  public CreatedSession create(NewSession spec) {
    if (spec == null) {
      throw new IllegalArgumentException("spec must not be null");
    }
    String slot = SessionIds.slot(spec.tenantId(), spec.userId());
    String id = SessionIds.generate(slot);
    SessionIds.Parsed parsed = parsedOrThrow(id);
    List<byte[]> args = new ArrayList<>();
    args.add(bytes(Long.toString(spec.idleTimeout().toMillis())));
    args.add(bytes(Long.toString(spec.absoluteTimeout().toMillis())));
    args.add(bytes(Integer.toString(spec.maxDevices())));
    args.add(bytes(parsed.hash()));
    args.add(bytes(keys.prefix(slot)));
    Map<String, String> fields = new HashMap<>();
    fields.put("t", spec.tenantId());
    fields.put("u", spec.userId());
    fields.put("r", String.join(",", spec.roles()));
    putIfPresent(fields, "e", spec.email());
    putIfPresent(fields, "ip", spec.ipAddress());
    putIfPresent(fields, "ua", spec.userAgent());
    putIfPresent(fields, "dev", spec.deviceId());
    spec.attributes().forEach((name, value) -> fields.put("a:" + name, value));
    fields.forEach(
        (name, value) -> {
          args.add(bytes(name));
          args.add(bytes(value));
        });
    String[] scriptKeys = {keys.session(slot, parsed.hash()), keys.index(slot)};
    List<Object> result =
        redis.call(
            "create session",
            c ->
                createScript.<List<Object>>run(
                    c, ScriptOutputType.MULTI, scriptKeys, args.toArray(byte[][]::new)));
    long now = (Long) result.get(0);
    List<String> evictedHashes = new ArrayList<>();
    for (Object hash : result.subList(1, result.size())) {
      evictedHashes.add(text(hash));
    }
    created.increment();
    evicted.increment(evictedHashes.size());
    long idle = spec.idleTimeout().toMillis();
    long absolute = spec.absoluteTimeout().toMillis();
    long expiry = now + Math.min(idle, absolute);
    track(
        spec.tenantId(),
        "add",
        expiry,
        slot + ":" + parsed.hash(),
        evictedHashes.stream().map(h -> slot + ":" + h).toList());
    Session session =
        new Session(
            spec.tenantId(),
            spec.userId(),
            spec.roles(),
            spec.email(),
            spec.ipAddress(),
            spec.userAgent(),
            spec.deviceId(),
            spec.attributes(),
            Instant.ofEpochMilli(now),
            Instant.ofEpochMilli(now),
            Instant.ofEpochMilli(expiry),
            Instant.ofEpochMilli(now + absolute));
    return new CreatedSession(id, session);
  }

  /**
   * The session with this id, if it is live. Does not count as activity (see {@link #touch}).
   *
   * @throws IllegalArgumentException if {@code sessionId} is null, empty or longer than a session
   *     id
   * @throws RedisUnavailableException if Redis cannot be used
   */
  public Optional<Session> get(String sessionId) {
    return get(sessionId, Validation.none());
  }

  /**
   * The session with this id, if it is live and passes {@code validation}; a failed check returns
   * empty, counts {@value MeterNames#SESSIONS_VALIDATION_FAILURES}, and deletes the session when
   * {@link Validation#revokeOnMismatch()} is set.
   *
   * @throws IllegalArgumentException if {@code sessionId} is null, empty or longer than a session
   *     id, or {@code validation} is null
   * @throws RedisUnavailableException if Redis cannot be used
   */
  public Optional<Session> get(String sessionId, Validation validation) {
    SessionArguments.requireSessionId(sessionId);
    if (validation == null) {
      throw new IllegalArgumentException("validation must not be null");
    }
    SessionIds.Parsed parsed = SessionIds.parse(sessionId);
    if (parsed == null) {
      return Optional.empty();
    }
    String key = keys.session(parsed.slot(), parsed.hash());
    Map<String, byte[]> raw = redis.hgetall("get session", key);
    Map<String, String> fields = new HashMap<>();
    raw.forEach((name, value) -> fields.put(name, text(value)));
    Session session = decode(fields);
    if (session == null) {
      return Optional.empty();
    }
    if (validation.tenantId() != null && !validation.tenantId().equals(session.tenantId())) {
      tenantMismatch.increment();
      return Optional.empty(); // another tenant's session: neither returned nor revoked
    }
    boolean ipOk =
        validation.ipAddress() == null || validation.ipAddress().equals(session.ipAddress());
    boolean uaOk =
        validation.userAgent() == null || validation.userAgent().equals(session.userAgent());
    if (!ipOk) {
      ipMismatch.increment();
    }
    if (!uaOk) {
      userAgentMismatch.increment();
    }
    if (ipOk && uaOk) {
      return Optional.of(session);
    }
    if (validation.revokeOnMismatch()) {
      delete(sessionId);
    }
    return Optional.empty();
  }

  /**
   * Records activity: resets the idle expiry, capped by the absolute expiry, and sets the last
   * activity time.
   *
   * @return whether the session was live
   * @throws IllegalArgumentException if {@code sessionId} is null, empty or longer than a session
   *     id
   * @throws RedisUnavailableException if Redis cannot be used
   */
  public boolean touch(String sessionId) {
    SessionIds.Parsed parsed = parseId(sessionId);
    if (parsed == null) {
      return false;
    }
    String[] scriptKeys = {keys.session(parsed.slot(), parsed.hash()), keys.index(parsed.slot())};
    List<Object> result =
        redis.call(
            "touch session",
            c ->
                touchScript.<List<Object>>run(
                    c, ScriptOutputType.MULTI, scriptKeys, bytes(parsed.hash())));
    if (result.isEmpty()) {
      return false;
    }
    track(
        text(result.get(2)),
        "update",
        (Long) result.get(1),
        parsed.slot() + ":" + parsed.hash(),
        List.of());
    return true;
  }

  /**
   * Puts attributes into a session (others are kept); does not count as activity.
   *
   * @return whether the session was live
   * @throws IllegalArgumentException if {@code sessionId} is null, empty or too long, the
   *     attributes break the rules of {@link NewSession.Builder#attributes}, or the session would
   *     have more than {@value NewSession#MAX_ATTRIBUTES} attributes (nothing changes then)
   * @throws RedisUnavailableException if Redis cannot be used
   */
  public boolean update(String sessionId, Map<String, String> attributes) {
    return update(sessionId, null, attributes);
  }

  /**
   * Replaces a session's roles (after a permission change) and puts attributes into it.
   *
   * @param roles the new roles, or null to keep them
   * @return whether the session was live
   * @throws IllegalArgumentException if {@code sessionId} is null, empty or too long, the roles or
   *     attributes break the rules of {@link NewSession.Builder}, or the session would have more
   *     than {@value NewSession#MAX_ATTRIBUTES} attributes (nothing changes then)
   * @throws RedisUnavailableException if Redis cannot be used
   */
  public boolean update(
      String sessionId, @Nullable Set<String> roles, Map<String, String> attributes) {
    SessionArguments.requireSessionId(sessionId);
    Set<String> checkedRoles = roles == null ? null : SessionArguments.requireRoles(roles);
    Map<String, String> checked = SessionArguments.requireAttributes(attributes);
    SessionIds.Parsed parsed = SessionIds.parse(sessionId);
    if (parsed == null) {
      return false;
    }
    List<byte[]> args = new ArrayList<>();
    args.add(bytes(checkedRoles == null ? "0" : "1"));
    args.add(checkedRoles == null ? NONE : bytes(String.join(",", checkedRoles)));
    args.add(bytes(Integer.toString(NewSession.MAX_ATTRIBUTES)));
    checked.forEach(
        (name, value) -> {
          args.add(bytes("a:" + name));
          args.add(bytes(value));
        });
    String[] scriptKeys = {keys.session(parsed.slot(), parsed.hash())};
    long result =
        redis.call(
            "update session",
            c ->
                updateScript.<Long>run(
                    c, ScriptOutputType.INTEGER, scriptKeys, args.toArray(byte[][]::new)));
    if (result < 0) {
      throw new IllegalArgumentException(
          "the session would have more than "
              + NewSession.MAX_ATTRIBUTES
              + " attributes; it was not changed");
    }
    return result == 1;
  }

  /**
   * Ends a session (sign-out).
   *
   * @return whether the session was live
   * @throws IllegalArgumentException if {@code sessionId} is null, empty or longer than a session
   *     id
   * @throws RedisUnavailableException if Redis cannot be used
   */
  public boolean delete(String sessionId) {
    SessionIds.Parsed parsed = parseId(sessionId);
    if (parsed == null) {
      return false;
    }
    String[] scriptKeys = {keys.session(parsed.slot(), parsed.hash()), keys.index(parsed.slot())};
    byte[] tenant =
        redis.call(
            "delete session",
            c ->
                deleteScript.<byte[]>run(
                    c, ScriptOutputType.VALUE, scriptKeys, bytes(parsed.hash())));
    if (tenant == null) {
      return false;
    }
    deleted.increment();
    track(text(tenant), "none", 0, "", List.of(parsed.slot() + ":" + parsed.hash()));
    return true;
  }

  /**
   * Ends every session of a user, on every node at once (sign out everywhere, password change).
   *
   * @return how many sessions were live
   * @throws IllegalArgumentException if the tenant or user id is invalid (see {@link NewSession})
   * @throws RedisUnavailableException if Redis cannot be used
   */
  public int deleteUserSessions(String tenantId, String userId) {
    SessionArguments.requireUser(tenantId, userId);
    String slot = SessionIds.slot(tenantId, userId);
    String[] scriptKeys = {keys.index(slot)};
    List<Object> hashes =
        redis.call(
            "delete user sessions",
            c ->
                deleteUserScript.<List<Object>>run(
                    c, ScriptOutputType.MULTI, scriptKeys, bytes(keys.prefix(slot))));
    deleted.increment(hashes.size());
    if (!hashes.isEmpty()) {
      track(tenantId, "none", 0, "", hashes.stream().map(h -> slot + ":" + text(h)).toList());
    }
    return hashes.size();
  }

  /**
   * A user's live sessions, most recently active first; index entries of expired sessions are
   * removed on the way. Each carries its {@linkplain SessionInfo#handle() handle}, not its id.
   *
   * @throws IllegalArgumentException if the tenant or user id is invalid (see {@link NewSession})
   * @throws RedisUnavailableException if Redis cannot be used
   */
  public List<SessionInfo> getUserSessions(String tenantId, String userId) {
    List<SessionInfo> sessions = new ArrayList<>();
    for (Listed listed : listUserSessions(tenantId, userId)) {
      Session s = listed.session();
      sessions.add(
          new SessionInfo(
              SessionIds.handle(listed.hash()),
              s.deviceId(),
              s.ipAddress(),
              s.userAgent(),
              s.createdAt(),
              s.lastActiveAt(),
              s.expiresAt()));
    }
    return sessions;
  }

  /**
   * The handle that {@link #getUserSessions} shows for the session with this id, so that a caller
   * can tell its own session in the list. Does not look at Redis: the session need not be live.
   *
   * @return the handle, or empty if {@code sessionId} is not shaped like a session id
   * @throws IllegalArgumentException if {@code sessionId} is null, empty or longer than a session
   *     id
   */
  public Optional<String> handleOf(String sessionId) {
    SessionIds.Parsed parsed = parseId(sessionId);
    return parsed == null ? Optional.empty() : Optional.of(SessionIds.handle(parsed.hash()));
  }

  /**
   * Ends one session of a user, named by its {@linkplain SessionInfo#handle() handle} (a "your
   * devices" page signing out one device). Only this user's sessions are searched, so a handle of
   * anybody else's session is simply not found.
   *
   * @return whether a live session of this user had this handle
   * @throws IllegalArgumentException if the tenant or user id is invalid (see {@link NewSession}),
   *     or {@code handle} is null, empty or longer than a handle
   * @throws RedisUnavailableException if Redis cannot be used
   */
  public boolean deleteUserSession(String tenantId, String userId, String handle) {
    SessionArguments.requireHandle(handle);
    for (Listed listed : listUserSessions(tenantId, userId)) {
      if (SessionIds.handle(listed.hash()).equals(handle)) {
        String slot = SessionIds.slot(tenantId, userId);
        String[] scriptKeys = {keys.session(slot, listed.hash()), keys.index(slot)};
        byte[] tenant =
            redis.call(
                "delete session",
                c ->
                    deleteScript.<byte[]>run(
                        c, ScriptOutputType.VALUE, scriptKeys, bytes(listed.hash())));
        if (tenant == null) {
          return false; // it ended between the listing and the deletion
        }
        deleted.increment();
        track(text(tenant), "none", 0, "", List.of(slot + ":" + listed.hash()));
        return true;
      }
    }
    return false;
  }

  /** A live session of a user and the hash of its id. */
  private record Listed(String hash, Session session) {}

  /** The user's live sessions, most recently active first, pruning expired index entries. */
  private List<Listed> listUserSessions(String tenantId, String userId) {
    SessionArguments.requireUser(tenantId, userId);
    String slot = SessionIds.slot(tenantId, userId);
    String[] scriptKeys = {keys.index(slot)};
    List<Object> result =
        redis.call(
            "list user sessions",
            c ->
                listScript.<List<Object>>run(
                    c, ScriptOutputType.MULTI, scriptKeys, bytes(keys.prefix(slot))));
    List<Listed> sessions = new ArrayList<>();
    for (int i = 1; i < result.size(); i += 2) {
      List<?> pairs = (List<?>) result.get(i);
      Map<String, String> fields = new HashMap<>();
      for (int j = 0; j + 1 < pairs.size(); j += 2) {
        fields.put(text(pairs.get(j)), text(pairs.get(j + 1)));
      }
      Session s = decode(fields);
      // The routing tag is a hash prefix: a colliding user's sessions are never shown.
      if (s != null && s.tenantId().equals(tenantId) && s.userId().equals(userId)) {
        sessions.add(new Listed(text(result.get(i - 1)), s));
      }
    }
    return sessions;
  }

  /**
   * Moves a session to a new id at once, keeping its data and expiry; the old id stops resolving in
   * the same step. Call it when privileges change, such as at sign-in, against session fixation.
   *
   * @return the new raw id, or empty if the session was not live
   * @throws IllegalArgumentException if {@code sessionId} is null, empty or longer than a session
   *     id
   * @throws RedisUnavailableException if Redis cannot be used
   */
  public Optional<String> rotate(String sessionId) {
    SessionIds.Parsed old = parseId(sessionId);
    if (old == null) {
      return Optional.empty();
    }
    String newId = SessionIds.generate(old.slot());
    SessionIds.Parsed fresh = parsedOrThrow(newId);
    String[] scriptKeys = {
      keys.session(old.slot(), old.hash()),
      keys.session(fresh.slot(), fresh.hash()),
      keys.index(old.slot())
    };
    List<Object> result =
        redis.call(
            "rotate session",
            c ->
                rotateScript.<List<Object>>run(
                    c, ScriptOutputType.MULTI, scriptKeys, bytes(old.hash()), bytes(fresh.hash())));
    if (result.isEmpty()) {
      return Optional.empty();
    }
    track(
        text(result.get(2)),
        "add",
        (Long) result.get(1),
        fresh.slot() + ":" + fresh.hash(),
        List.of(old.slot() + ":" + old.hash()));
    return Optional.of(newId);
  }

  /**
   * Counts of live sessions across all tenants.
   *
   * @throws RedisUnavailableException if Redis cannot be used
   */
  public SessionStats stats() {
    return new SessionStats(count(keys.allLive()));
  }

  /**
   * The number of live sessions of a tenant.
   *
   * @throws IllegalArgumentException if the tenant id is null, longer than {@value
   *     NewSession#MAX_ID_LENGTH} characters or not a valid key segment
   * @throws RedisUnavailableException if Redis cannot be used
   */
  public long countTenantSessions(String tenantId) {
    SessionArguments.requireTenant(tenantId);
    return count(keys.tenantLive(tenantId));
  }

  /**
   * The number of live sessions of a user.
   *
   * @throws IllegalArgumentException if the tenant or user id is invalid (see {@link NewSession})
   * @throws RedisUnavailableException if Redis cannot be used
   */
  public long countUserSessions(String tenantId, String userId) {
    return getUserSessions(tenantId, userId).size();
  }

  private long count(String key) {
    String[] scriptKeys = {key};
    return redis.call(
        "count sessions",
        c ->
            trackScript.<Long>run(
                c, ScriptOutputType.INTEGER, scriptKeys, bytes("none"), bytes("0"), NONE));
  }

  private void track(
      String tenantId, String mode, long expiry, String member, List<String> removed) {
    trackOne(keys.tenantLive(tenantId), mode, expiry, member, removed);
    trackOne(keys.allLive(), mode, expiry, member, removed);
  }

  private void trackOne(String key, String mode, long expiry, String member, List<String> removed) {
    List<byte[]> args =
        new ArrayList<>(List.of(bytes(mode), bytes(Long.toString(expiry)), bytes(member)));
    removed.forEach(r -> args.add(bytes(r)));
    String[] scriptKeys = {key};
    try {
      redis.call(
          "track sessions",
          c ->
              trackScript.<Long>run(
                  c, ScriptOutputType.INTEGER, scriptKeys, args.toArray(byte[][]::new)));
    } catch (RedisUnavailableException e) {
      // The session operation itself succeeded; the counts catch up when the entry expires.
      log.debug("session statistics not updated", e);
    }
  }

  private static SessionIds.Parsed parsedOrThrow(String id) {
    SessionIds.Parsed parsed = SessionIds.parse(id);
    if (parsed == null) {
      throw new IllegalStateException("generated a malformed session id");
    }
    return parsed;
  }

  private static @Nullable Session decode(Map<String, String> f) {
    String tenant = f.get("t");
    String user = f.get("u");
    String roles = f.get("r");
    Long createdAt = number(f.get("c"));
    Long lastActive = number(f.get("l"));
    Long absolute = number(f.get("x"));
    Long idle = number(f.get("i"));
    if (tenant == null
        || user == null
        || roles == null
        || createdAt == null
        || lastActive == null
        || absolute == null
        || idle == null) {
      return null;
    }
    Map<String, String> attributes = new HashMap<>();
    f.forEach(
        (name, value) -> {
          if (name.startsWith("a:")) {
            attributes.put(name.substring(2), value);
          }
        });
    Set<String> roleSet =
        roles.isEmpty() ? Set.of() : new LinkedHashSet<>(Arrays.asList(roles.split(",")));
    return new Session(
        tenant,
        user,
        roleSet,
        f.get("e"),
        f.get("ip"),
        f.get("ua"),
        f.get("dev"),
        attributes,
        Instant.ofEpochMilli(createdAt),
        Instant.ofEpochMilli(lastActive),
        Instant.ofEpochMilli(Math.min(lastActive + idle, absolute)),
        Instant.ofEpochMilli(absolute));
  }

  private static @Nullable Long number(@Nullable String value) {
    if (value == null) {
      return null;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static void putIfPresent(
      Map<String, String> fields, String name, @Nullable String value) {
    if (value != null) {
      fields.put(name, value);
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(Object value) {
    return value instanceof byte[] b
        ? new String(b, StandardCharsets.UTF_8)
        : String.valueOf(value);
  }

  /**
   * Checks a session id's form and parses it: null for a well-formed string that is not a session
   * id of ours (a forged or stale cookie), which callers treat as "not found".
   */
  private static SessionIds.@Nullable Parsed parseId(String sessionId) {
    SessionArguments.requireSessionId(sessionId);
    return SessionIds.parse(sessionId);
  }
}
