package io.tierstate.internal.session;

import io.tierstate.keys.CacheKeys;
import io.tierstate.session.NewSession;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** The one place where session arguments are checked; messages name the argument and its value. */
public final class SessionArguments {
  private static final int SHOWN_LENGTH = 40;

  private SessionArguments() {}

  /** Checks a tenant id and a user id with the key rules of {@link CacheKeys} (segments). */
  public static void requireUser(@Nullable String tenantId, @Nullable String userId) {
    if (tenantId == null) {
      throw new IllegalArgumentException("tenantId must not be null");
    }
    if (userId == null) {
      throw new IllegalArgumentException("userId must not be null");
    }
    requireLength("tenantId", tenantId, NewSession.MAX_ID_LENGTH);
    requireLength("userId", userId, NewSession.MAX_ID_LENGTH);
    CacheKeys.tenant(tenantId).user(userId);
  }

  public static void requireTenant(@Nullable String tenantId) {
    if (tenantId == null) {
      throw new IllegalArgumentException("tenantId must not be null");
    }
    requireLength("tenantId", tenantId, NewSession.MAX_ID_LENGTH);
    CacheKeys.tenant(tenantId);
  }

  public static String requireSessionId(@Nullable String sessionId) {
    if (sessionId == null) {
      throw new IllegalArgumentException("sessionId must not be null");
    }
    if (sessionId.isEmpty()) {
      throw new IllegalArgumentException("sessionId must not be empty");
    }
    if (sessionId.length() > SessionIds.MAX_LENGTH) {
      throw new IllegalArgumentException(
          "sessionId is "
              + sessionId.length()
              + " characters long, more than the maximum of "
              + SessionIds.MAX_LENGTH);
    }
    return sessionId;
  }

  public static String requireHandle(@Nullable String handle) {
    if (handle == null) {
      throw new IllegalArgumentException("handle must not be null");
    }
    if (handle.isEmpty()) {
      throw new IllegalArgumentException("handle must not be empty");
    }
    if (handle.length() > SessionIds.HANDLE_LENGTH) {
      throw new IllegalArgumentException(
          "handle is "
              + handle.length()
              + " characters long, more than the maximum of "
              + SessionIds.HANDLE_LENGTH);
    }
    return handle;
  }

  public static @Nullable String optionalText(String what, @Nullable String value, int maxLength) {
    if (value == null) {
      return null;
    }
    requireLength(what, value, maxLength);
    requireNoControl(what, value);
    return value;
  }

  public static Duration requireTimeout(String what, @Nullable Duration timeout) {
    if (timeout == null) {
      throw new IllegalArgumentException(what + " must not be null");
    }
    if (timeout.compareTo(Duration.ofMillis(1)) < 0) {
      throw new IllegalArgumentException(what + " must be at least 1 ms, was " + timeout);
    }
    if (timeout.compareTo(NewSession.MAX_TIMEOUT) > 0) {
      throw new IllegalArgumentException(
          what + " must be at most " + NewSession.MAX_TIMEOUT + ", was " + timeout);
    }
    return timeout;
  }

  public static int requireMaxDevices(int maxDevices) {
    if (maxDevices < 0) {
      throw new IllegalArgumentException(
          "maxDevices must be 0 (unlimited) or positive, was " + maxDevices);
    }
    return maxDevices;
  }

  public static Set<String> requireRoles(@Nullable Set<String> roles) {
    if (roles == null) {
      throw new IllegalArgumentException("roles must not be null");
    }
    if (roles.size() > NewSession.MAX_ROLES) {
      throw new IllegalArgumentException(
          "roles has "
              + roles.size()
              + " entries, more than the maximum of "
              + NewSession.MAX_ROLES);
    }
    for (String role : roles) {
      if (role == null || role.isEmpty()) {
        throw new IllegalArgumentException("roles must not contain a null or empty role");
      }
      requireLength("role", role, NewSession.MAX_ROLE_LENGTH);
      for (int i = 0; i < role.length(); i++) {
        char c = role.charAt(i);
        if (c == ',' || Character.isWhitespace(c) || Character.isISOControl(c)) {
          throw new IllegalArgumentException(
              "role "
                  + shown(role)
                  + " contains a comma, whitespace or a control character at index "
                  + i);
        }
      }
    }
    return Set.copyOf(roles);
  }

  public static Map<String, String> requireAttributes(@Nullable Map<String, String> attributes) {
    if (attributes == null) {
      throw new IllegalArgumentException("attributes must not be null");
    }
    if (attributes.size() > NewSession.MAX_ATTRIBUTES) {
      throw new IllegalArgumentException(
          "attributes has "
              + attributes.size()
              + " entries, more than the maximum of "
              + NewSession.MAX_ATTRIBUTES);
    }
    for (Map.Entry<String, String> e : attributes.entrySet()) {
      String name = e.getKey();
      if (name == null || name.isEmpty()) {
        throw new IllegalArgumentException("attribute names must not be null or empty");
      }
      requireLength("attribute name", name, NewSession.MAX_ATTRIBUTE_NAME_LENGTH);
      requireNoControl("attribute name", name);
      if (e.getValue() == null) {
        throw new IllegalArgumentException("attribute " + shown(name) + " has a null value");
      }
      requireLength(
          "attribute " + shown(name), e.getValue(), NewSession.MAX_ATTRIBUTE_VALUE_LENGTH);
    }
    return Map.copyOf(attributes);
  }

  private static void requireLength(String what, String value, int maxLength) {
    if (value.length() > maxLength) {
      throw new IllegalArgumentException(
          what
              + " "
              + shown(value)
              + " is "
              + value.length()
              + " characters long, more than the maximum of "
              + maxLength);
    }
  }

  private static void requireNoControl(String what, String value) {
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        throw new IllegalArgumentException(
            what + " " + shown(value) + " contains a control character at index " + i);
      }
    }
  }

  public static String shown(String value) {
    StringBuilder out = new StringBuilder("'");
    for (int i = 0; i < Math.min(value.length(), SHOWN_LENGTH); i++) {
      char c = value.charAt(i);
      out.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    return out.append(value.length() > SHOWN_LENGTH ? "...'" : "'").toString();
  }
}
