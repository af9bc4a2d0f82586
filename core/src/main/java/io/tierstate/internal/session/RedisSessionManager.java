package io.tierstate.internal.session;

import io.lettuce.core.ScriptOutputType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tierstate.RedisUnavailableException;
import io.tierstate.internal.redis.LuaScript;
import io.tierstate.internal.redis.RedisExecutor;
import io.tierstate.metrics.MeterNames;
import io.tierstate.session.CreatedSession;
import io.tierstate.session.NewSession;
import io.tierstate.session.Session;
import io.tierstate.session.SessionInfo;
import io.tierstate.session.SessionManager;
import io.tierstate.session.SessionStats;
import io.tierstate.session.Validation;
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
 * The Redis implementation of {@link SessionManager}; obtain it through {@code Tierstate}.
 * Thread-safe.
 */
public final class RedisSessionManager implements SessionManager {
  private static final Logger log = LoggerFactory.getLogger(RedisSessionManager.class);
  private static final byte[] NONE = {};

  private final RedisExecutor redis;
  private final SessionKeys keys;
  private final LuaScript createScript = LuaScript.load(RedisSessionManager.class, "create.lua");
  private final LuaScript touchScript = LuaScript.load(RedisSessionManager.class, "touch.lua");
  private final LuaScript rotateScript = LuaScript.load(RedisSessionManager.class, "rotate.lua");
  private final LuaScript deleteScript = LuaScript.load(RedisSessionManager.class, "delete.lua");
  private final LuaScript deleteUserScript =
      LuaScript.load(RedisSessionManager.class, "delete-user.lua");
  private final LuaScript listScript = LuaScript.load(RedisSessionManager.class, "list.lua");
  private final LuaScript updateScript = LuaScript.load(RedisSessionManager.class, "update.lua");
  private final LuaScript trackScript = LuaScript.load(RedisSessionManager.class, "track.lua");
  private final Counter created;
  private final Counter deleted;
  private final Counter evicted;
  private final Counter ipMismatch;
  private final Counter userAgentMismatch;
  private final Counter tenantMismatch;

  private RedisSessionManager(RedisExecutor redis, String namespace, MeterRegistry registry) {
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
    return new RedisSessionManager(redis, namespace, registry);
  }

  @Override
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

  @Override
  public Optional<Session> get(String sessionId) {
    return get(sessionId, Validation.none());
  }

  @Override
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

  @Override
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

  @Override
  public boolean update(String sessionId, Map<String, String> attributes) {
    return update(sessionId, null, attributes);
  }

  @Override
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

  @Override
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

  @Override
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

  @Override
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

  @Override
  public Optional<String> handleOf(String sessionId) {
    SessionIds.Parsed parsed = parseId(sessionId);
    return parsed == null ? Optional.empty() : Optional.of(SessionIds.handle(parsed.hash()));
  }

  @Override
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

  @Override
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

  @Override
  public SessionStats stats() {
    return new SessionStats(count(keys.allLive()));
  }

  @Override
  public long countTenantSessions(String tenantId) {
    SessionArguments.requireTenant(tenantId);
    return count(keys.tenantLive(tenantId));
  }

  @Override
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
