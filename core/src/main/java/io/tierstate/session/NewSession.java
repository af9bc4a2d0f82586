package io.tierstate.session;

import io.tierstate.internal.session.SessionArguments;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What to store in a new session, and how long it may live. Build one with {@link #builder(String,
 * String)}; every argument is checked when it is set or, for the tenant and user, in {@link
 * Builder#build()}.
 *
 * <p>A session expires when it is not {@linkplain SessionManager#touch touched} within {@link
 * #idleTimeout()}, and at {@link #absoluteTimeout()} after creation at the latest, whatever the
 * activity. Its Redis key lives for {@code min(idle timeout, remaining absolute time)}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param tenantId the tenant (a key segment: no {@code : { } * ? [ ] \}, whitespace or control)
 * @param userId the user (same rules)
 * @param roles the user's roles in this session
 * @param email the user's e-mail, or null
 * @param ipAddress the client address at login, or null; see {@link Validation}
 * @param userAgent the client's User-Agent at login, or null; see {@link Validation}
 * @param deviceId an id of the client device, or null
 * @param attributes application data
 * @param idleTimeout how long the session lives without activity
 * @param absoluteTimeout how long the session lives at most
 * @param maxDevices the most sessions the user may have at once, 0 for no limit; a login over the
 *     limit ends the user's least recently active sessions
 */
public record NewSession(
    String tenantId,
    String userId,
    Set<String> roles,
    @Nullable String email,
    @Nullable String ipAddress,
    @Nullable String userAgent,
    @Nullable String deviceId,
    Map<String, String> attributes,
    Duration idleTimeout,
    Duration absoluteTimeout,
    int maxDevices) {

  /** The default idle timeout: 30 minutes. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(30);

  /** The default absolute timeout: 7 days. */
  public static final Duration DEFAULT_ABSOLUTE_TIMEOUT = Duration.ofDays(7);

  /** The default device limit: 0, no limit. */
  public static final int DEFAULT_MAX_DEVICES = 0;

  /** The longest idle or absolute timeout: 366 days. */
  public static final Duration MAX_TIMEOUT = Duration.ofDays(366);

  /** The longest tenant id or user id, in characters. */
  public static final int MAX_ID_LENGTH = 128;

  /** The longest e-mail, IP address, user agent or device id, in characters. */
  public static final int MAX_FIELD_LENGTH = 1024;

  /** The most roles in a session. */
  public static final int MAX_ROLES = 64;

  /** The longest role, in characters. */
  public static final int MAX_ROLE_LENGTH = 128;

  /** The most attributes in a session. */
  public static final int MAX_ATTRIBUTES = 64;

  /** The longest attribute name, in characters. */
  public static final int MAX_ATTRIBUTE_NAME_LENGTH = 128;

  /** The longest attribute value, in characters. */
  public static final int MAX_ATTRIBUTE_VALUE_LENGTH = 4096;

  /**
   * Checks every component.
   *
   * @throws IllegalArgumentException if a component breaks the rules of its {@link Builder} setter,
   *     or the tenant or user id is null, empty, longer than {@value #MAX_ID_LENGTH} characters or
   *     not a valid key segment
   */
  public NewSession {
    SessionArguments.requireUser(tenantId, userId);
    roles = SessionArguments.requireRoles(roles);
    email = SessionArguments.optionalText("email", email, MAX_FIELD_LENGTH);
    ipAddress = SessionArguments.optionalText("ipAddress", ipAddress, MAX_FIELD_LENGTH);
    userAgent = SessionArguments.optionalText("userAgent", userAgent, MAX_FIELD_LENGTH);
    deviceId = SessionArguments.optionalText("deviceId", deviceId, MAX_FIELD_LENGTH);
    attributes = SessionArguments.requireAttributes(attributes);
    SessionArguments.requireTimeout("idleTimeout", idleTimeout);
    SessionArguments.requireTimeout("absoluteTimeout", absoluteTimeout);
    SessionArguments.requireMaxDevices(maxDevices);
  }

  /** A builder for a session of {@code userId} in {@code tenantId}, with the defaults. */
  public static Builder builder(String tenantId, String userId) {
    return new Builder(tenantId, userId);
  }

  /** Builds a {@link NewSession}. Not thread-safe. */
  public static final class Builder {
    private final String tenantId;
    private final String userId;
    private Set<String> roles = Set.of();
    private @Nullable String email;
    private @Nullable String ipAddress;
    private @Nullable String userAgent;
    private @Nullable String deviceId;
    private Map<String, String> attributes = Map.of();
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    private Duration absoluteTimeout = DEFAULT_ABSOLUTE_TIMEOUT;
    private int maxDevices = DEFAULT_MAX_DEVICES;

    private Builder(String tenantId, String userId) {
      this.tenantId = tenantId;
      this.userId = userId;
    }

    /**
     * Sets the roles.
     *
     * @throws IllegalArgumentException if there are more than {@value #MAX_ROLES}, or one is null,
     *     empty, longer than {@value #MAX_ROLE_LENGTH} or has a comma, whitespace or a control
     *     character
     */
    public Builder roles(Set<String> roles) {
      this.roles = SessionArguments.requireRoles(roles);
      return this;
    }

    /**
     * Sets the e-mail.
     *
     * @throws IllegalArgumentException if longer than {@value #MAX_FIELD_LENGTH} or has a control
     *     character
     */
    public Builder email(@Nullable String email) {
      this.email = SessionArguments.optionalText("email", email, MAX_FIELD_LENGTH);
      return this;
    }

    /**
     * Sets the client IP address.
     *
     * @throws IllegalArgumentException if longer than {@value #MAX_FIELD_LENGTH} or has a control
     *     character
     */
    public Builder ipAddress(@Nullable String ipAddress) {
      this.ipAddress = SessionArguments.optionalText("ipAddress", ipAddress, MAX_FIELD_LENGTH);
      return this;
    }

    /**
     * Sets the client User-Agent.
     *
     * @throws IllegalArgumentException if longer than {@value #MAX_FIELD_LENGTH} or has a control
     *     character
     */
    public Builder userAgent(@Nullable String userAgent) {
      this.userAgent = SessionArguments.optionalText("userAgent", userAgent, MAX_FIELD_LENGTH);
      return this;
    }

    /**
     * Sets the device id.
     *
     * @throws IllegalArgumentException if longer than {@value #MAX_FIELD_LENGTH} or has a control
     *     character
     */
    public Builder deviceId(@Nullable String deviceId) {
      this.deviceId = SessionArguments.optionalText("deviceId", deviceId, MAX_FIELD_LENGTH);
      return this;
    }

    /**
     * Sets the attributes.
     *
     * @throws IllegalArgumentException if there are more than {@value #MAX_ATTRIBUTES}, a name is
     *     null, empty, longer than {@value #MAX_ATTRIBUTE_NAME_LENGTH} or has a control character,
     *     or a value is null or longer than {@value #MAX_ATTRIBUTE_VALUE_LENGTH}
     */
    public Builder attributes(Map<String, String> attributes) {
      this.attributes = SessionArguments.requireAttributes(attributes);
      return this;
    }

    /**
     * Sets the idle timeout (default {@link #DEFAULT_IDLE_TIMEOUT}).
     *
     * @throws IllegalArgumentException if null, under 1 ms or over {@link #MAX_TIMEOUT}
     */
    public Builder idleTimeout(Duration idleTimeout) {
      this.idleTimeout = SessionArguments.requireTimeout("idleTimeout", idleTimeout);
      return this;
    }

    /**
     * Sets the absolute timeout (default {@link #DEFAULT_ABSOLUTE_TIMEOUT}).
     *
     * @throws IllegalArgumentException if null, under 1 ms or over {@link #MAX_TIMEOUT}
     */
    public Builder absoluteTimeout(Duration absoluteTimeout) {
      this.absoluteTimeout = SessionArguments.requireTimeout("absoluteTimeout", absoluteTimeout);
      return this;
    }

    /**
     * Sets the device limit (default 0, no limit).
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder maxDevices(int maxDevices) {
      this.maxDevices = SessionArguments.requireMaxDevices(maxDevices);
      return this;
    }

    /**
     * Builds the session spec.
     *
     * @throws IllegalArgumentException if the tenant or user id is invalid (see {@link NewSession})
     */
    public NewSession build() {
      return new NewSession(
          tenantId,
          userId,
          roles,
          email,
          ipAddress,
          userAgent,
          deviceId,
          attributes,
          idleTimeout,
          absoluteTimeout,
          maxDevices);
    }
  }
}
