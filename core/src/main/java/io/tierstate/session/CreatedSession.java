package io.tierstate.session;

/**
 * A session just created: the raw id, to put in an HTTP-only cookie, and the session. This is the
 * only place the raw id is ever visible; {@link #toString()} leaves it out so it does not reach
 * logs.
 *
 * <p>Immutable and thread-safe.
 *
 * @param id the raw session id (256 random bits, URL-safe)
 * @param session the stored session
 */
public record CreatedSession(String id, Session session) {
  @Override
  public String toString() {
    return "CreatedSession[id=<redacted>, session=" + session + "]";
  }
}
