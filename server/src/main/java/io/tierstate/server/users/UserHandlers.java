package io.tierstate.server.users;

import io.javalin.http.Context;
import io.tierstate.RedisUnavailableException;
import io.tierstate.server.http.PathParams;
import io.tierstate.server.api.QueryParameters;
import io.tierstate.server.api.Representations;
import io.tierstate.server.auth.AccessCache;
import io.tierstate.server.auth.AuthContext;
import io.tierstate.server.auth.PasswordHasher;
import io.tierstate.server.auth.Principal;
import io.tierstate.server.auth.UserAccess;
import io.tierstate.server.http.ApiError;
import io.tierstate.server.http.JsonBodies;
import io.tierstate.session.SessionManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handlers of {@code /api/v1/tenants/{tenantId}/users} and {@code /api/v1/users/{userId}/permissions}.
 *
 * <p>Every handler first checks the tenant in the path against the caller's (another tenant's data
 * is 404, whatever the caller's permissions, so its existence is not revealed), then the
 * permission (403). Thread-safe.
 */
final class UserHandlers {
  private static final Logger log = LoggerFactory.getLogger(UserHandlers.class);
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s]+");
  private static final int MAX_EMAIL = 254;
  private static final int MAX_DISPLAY_NAME = 200;
  private static final int MIN_PASSWORD = 12;
  private static final int MAX_PASSWORD = 1024;
  private static final int MAX_ROLES = 20;
  private static final List<String> DEFAULT_ROLES = List.of("member");

  static final String READ = "users:read";
  static final String WRITE = "users:write";
  static final String DELETE = "users:delete";
  static final String ASSIGN = "roles:assign";
  /** The built-in role of platform administrators: only they may grant it, revoke it, or end its holders. */
  static final String PLATFORM_ADMIN_ROLE = "platform_admin";

  private final UserStore store;
  private final UserReads reads;
  private final AccessCache access;
  private final SessionManager sessions;
  private final PasswordHasher hasher;
  private final Representations representations;

  UserHandlers(UserStore store, UserReads reads, AccessCache access, SessionManager sessions, PasswordHasher hasher,
      Representations representations) {
    this.store = store;
    this.reads = reads;
    this.access = access;
    this.sessions = sessions;
    this.hasher = hasher;
    this.representations = representations;
  }

  /** The body of POST. */
  record CreateRequest(@Nullable String email, @Nullable String displayName, @Nullable String password,
      @Nullable List<String> roles) {
    @Override
    public String toString() {
      return "CreateRequest[email=" + email + ", password=****]";
    }
  }

  /** The body of PATCH; absent fields stay as they are. */
  record PatchRequest(@Nullable String displayName, @Nullable String status, @Nullable List<String> roles) {}

  /** GET /api/v1/tenants/{tenantId}/users. */
  void list(Context ctx) {
    UUID tenantId = tenant(ctx, READ);
    UserQuery query = UserQuery.from(ctx);
    representations.send(ctx, 200, reads.list(tenantId, query));
  }

  /** GET /api/v1/tenants/{tenantId}/users/{userId}. */
  void get(Context ctx) {
    UUID tenantId = tenant(ctx, READ);
    UUID userId = PathParams.uuid(ctx, "userId");
    QueryParameters.of(ctx, Set.of());
    representations.send(ctx, 200, reads.user(tenantId, userId).orElseThrow(() -> noUser(userId)));
  }

  /** POST /api/v1/tenants/{tenantId}/users. */
  void create(Context ctx) {
    UUID tenantId = tenant(ctx, WRITE);
    QueryParameters.of(ctx, Set.of());
    CreateRequest body = JsonBodies.read(ctx, CreateRequest.class);
    String email = email(body.email());
    String displayName = displayName(required(body.displayName(), "displayName"));
    String password = required(body.password(), "password");
    if (password.length() < MIN_PASSWORD || password.length() > MAX_PASSWORD) {
      throw invalid("'password' must be " + MIN_PASSWORD + " to " + MAX_PASSWORD + " characters");
    }
    List<String> roles = DEFAULT_ROLES;
    if (body.roles() != null) {
      AuthContext.requirePermission(ctx, ASSIGN);
      roles = roles(body.roles());
      if (roles.contains(PLATFORM_ADMIN_ROLE)) {
        requirePlatformAdmin(AuthContext.principal(ctx), "grant the role " + PLATFORM_ADMIN_ROLE);
      }
    }
    UserView created = store.create(tenantId, email, displayName, hasher.hash(password), roles);
    reads.changed(tenantId, created.id(), true);
    log.atInfo().addKeyValue("tenantId", tenantId).addKeyValue("userId", created.id())
        .addKeyValue("by", AuthContext.principal(ctx).userId()).log("user created");
    ctx.header("Location", "/api/v1/tenants/" + tenantId + "/users/" + created.id());
    representations.send(ctx, 201, created);
  }

  /** PATCH /api/v1/tenants/{tenantId}/users/{userId}, optionally conditional with If-Match. */
  void patch(Context ctx) {
    UUID tenantId = tenant(ctx, null);
    UUID userId = PathParams.uuid(ctx, "userId");
    QueryParameters.of(ctx, Set.of());
    Principal me = AuthContext.principal(ctx);
    PatchRequest body = JsonBodies.read(ctx, PatchRequest.class);
    if (body.displayName() == null && body.status() == null && body.roles() == null) {
      throw invalid("nothing to change: give at least one of displayName, status, roles");
    }
    if (body.displayName() != null || body.status() != null) {
      AuthContext.requirePermission(ctx, WRITE);
    }
    List<String> roles = null;
    if (body.roles() != null) {
      AuthContext.requirePermission(ctx, ASSIGN);
      roles = roles(body.roles());
    }
    String displayName = body.displayName() == null ? null : displayName(body.displayName());
    String status = body.status();
    if (status != null && !UserQuery.STATUSES.contains(status)) {
      throw invalid("'status' must be active or suspended");
    }
    if (me.userId().equals(userId) && "suspended".equals(status)) {
      throw ApiError.conflict("cannot_suspend_self", "you cannot suspend your own account");
    }
    String ifMatch = ctx.header("If-Match");
    List<String> newRoles = roles;
    UserStore.Changed changed = store.update(tenantId, userId, new UserStore.Change(displayName, status, roles),
            current -> {
              checkIfMatch(ifMatch, current);
              boolean holds = current.roles().contains(PLATFORM_ADMIN_ROLE);
              if (newRoles != null && holds != newRoles.contains(PLATFORM_ADMIN_ROLE)) {
                requirePlatformAdmin(me, (holds ? "revoke" : "grant") + " the role " + PLATFORM_ADMIN_ROLE);
              }
              if (holds && "suspended".equals(status)) {
                requirePlatformAdmin(me, "suspend a platform administrator");
              }
            })
        .orElseThrow(() -> noUser(userId));
    UserView after = changed.after();
    boolean accessChanged = !after.roles().equals(changed.before().roles())
        || !after.status().equals(changed.before().status());
    reads.changed(tenantId, userId, accessChanged);
    if ("suspended".equals(after.status()) && !"suspended".equals(changed.before().status())) {
      endSessions(tenantId, userId);
    }
    log.atInfo().addKeyValue("tenantId", tenantId).addKeyValue("userId", userId).addKeyValue("by", me.userId())
        .addKeyValue("version", after.version()).log("user changed");
    representations.send(ctx, 200, after);
  }

  /** DELETE /api/v1/tenants/{tenantId}/users/{userId}, optionally conditional with If-Match. */
  void delete(Context ctx) {
    UUID tenantId = tenant(ctx, DELETE);
    UUID userId = PathParams.uuid(ctx, "userId");
    QueryParameters.of(ctx, Set.of());
    Principal me = AuthContext.principal(ctx);
    if (me.userId().equals(userId)) {
      throw ApiError.conflict("cannot_delete_self", "you cannot delete your own account");
    }
    String ifMatch = ctx.header("If-Match");
    UserView deleted = store.delete(tenantId, userId, current -> {
          checkIfMatch(ifMatch, current);
          if (current.roles().contains(PLATFORM_ADMIN_ROLE)) {
            requirePlatformAdmin(me, "delete a platform administrator");
          }
        })
        .orElseThrow(() -> noUser(userId));
    reads.changed(tenantId, userId, true);
    endSessions(tenantId, userId);
    log.atInfo().addKeyValue("tenantId", tenantId).addKeyValue("userId", userId).addKeyValue("by", me.userId())
        .addKeyValue("version", deleted.version()).log("user deleted");
    ctx.status(204);
  }

  /**
   * GET /api/v1/users/{userId}/permissions: the caller's own, or with {@code users:read} those of
   * another user of the caller's tenant (anyone else: 404).
   */
  void permissions(Context ctx) {
    Principal me = AuthContext.principal(ctx);
    UUID userId = PathParams.uuid(ctx, "userId");
    QueryParameters.of(ctx, Set.of());
    if (!me.userId().equals(userId)) {
      AuthContext.requirePermission(ctx, READ);
    }
    // Scoped to the caller's tenant: another tenant's user is simply not found.
    UserAccess current = access.get(me.tenantId(), userId);
    if (current == null) {
      throw noUser(userId);
    }
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("userId", userId);
    view.put("tenantId", me.tenantId());
    view.put("active", current.active());
    view.put("roles", current.roles());
    view.put("permissions", current.permissions());
    representations.send(ctx, 200, view);
  }

  /** The path's tenant, which must be the caller's (404 otherwise), and the permission if given (403). */
  private static UUID tenant(Context ctx, @Nullable String permission) {
    UUID tenantId = PathParams.uuid(ctx, "tenantId");
    AuthContext.requireTenant(ctx, tenantId);
    if (permission != null) {
      AuthContext.requirePermission(ctx, permission);
    }
    return tenantId;
  }

  private static void requirePlatformAdmin(Principal me, String what) {
    if (!me.platformAdmin()) {
      throw ApiError.forbidden("forbidden", "only a platform administrator ('" + Principal.PLATFORM_ADMIN
          + "') may " + what);
    }
  }

  private void checkIfMatch(@Nullable String ifMatch, UserView current) {
    if (ifMatch != null && !Representations.matches(ifMatch, representations.etagOf(current))) {
      throw new ApiError(412, "precondition_failed",
          "the user changed since you read it (If-Match does not match its ETag); read it again and retry");
    }
  }

  private void endSessions(UUID tenantId, UUID userId) {
    try {
      int ended = sessions.deleteUserSessions(tenantId.toString(), userId.toString());
      log.atInfo().addKeyValue("userId", userId).addKeyValue("sessions", ended).log("sessions ended");
    } catch (RedisUnavailableException e) {
      // The change is committed; with the access entry invalidated the user is refused anyway.
      log.atWarn().addKeyValue("userId", userId).log("could not end the user's sessions: Redis is unavailable");
    }
  }

  private static String email(@Nullable String value) {
    String email = required(value, "email").toLowerCase(Locale.ROOT);
    if (email.length() > MAX_EMAIL || !EMAIL.matcher(email).matches()) {
      throw invalid("'email' must be an e-mail address such as jane@example.com");
    }
    return email;
  }

  private static String displayName(String value) {
    String name = value.strip();
    if (name.isEmpty() || name.length() > MAX_DISPLAY_NAME) {
      throw invalid("'displayName' must be 1 to " + MAX_DISPLAY_NAME + " characters");
    }
    return name;
  }

  private static List<String> roles(List<String> given) {
    if (given.size() > MAX_ROLES) {
      throw invalid("'roles' may name at most " + MAX_ROLES + " roles");
    }
    TreeSet<String> roles = new TreeSet<>();
    for (String role : given) {
      if (role == null || !UserQuery.ROLE.matcher(role).matches()) {
        throw invalid("'roles' must be role names such as member or tenant_admin");
      }
      roles.add(role);
    }
    return List.copyOf(roles);
  }

  private static String required(@Nullable String value, String field) {
    if (value == null || value.isBlank()) {
      throw invalid("'" + field + "' is required");
    }
    return value.strip();
  }

  private static ApiError invalid(String message) {
    return ApiError.badRequest("invalid_field", message);
  }

  private static ApiError noUser(UUID userId) {
    return ApiError.notFound("no user " + userId + " in this tenant");
  }
}
