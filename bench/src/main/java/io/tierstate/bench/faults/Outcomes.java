package io.tierstate.bench.faults;

import io.tierstate.RedisUnavailableException;
import io.tierstate.writebehind.WriteBehindOptions;
import org.jspecify.annotations.Nullable;

/**
 * What an answer would be over HTTP, by the reference server's rules ({@code HttpErrors}): a
 * failure whose cause chain holds a {@link RedisUnavailableException} is {@code 503
 * redis_unavailable}; one caused by PostgreSQL being unreachable ({@link
 * WriteBehindOptions#isConnectionFailure}: an exhausted pool, SQLSTATE class 08, 57P01 to 57P03) is
 * {@code 503 database_unavailable}; anything else is a {@code 500}, named by
 * its exception, which the suite counts as a defect.
 */
final class Outcomes {
  static final String OK = "200";
  static final String RATE_LIMITED = "429 rate_limited";
  static final String LOCK_BUSY = "409 lock_busy";
  static final String REDIS_UNAVAILABLE = "503 redis_unavailable";
  static final String DATABASE_UNAVAILABLE = "503 database_unavailable";
  static final String SESSION_NOT_FOUND = "404 session_not_found";

  private Outcomes() {}

  /** The answer a failure would get. */
  static String of(Throwable failure) {
    for (@Nullable Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof RedisUnavailableException) {
        return REDIS_UNAVAILABLE;
      }
    }
    if (WriteBehindOptions.isConnectionFailure(failure)) {
      return DATABASE_UNAVAILABLE;
    }
    return "500 " + failure.getClass().getSimpleName();
  }

  /** Whether an answer is a server error the suite does not allow. */
  static boolean isServerError(String outcome) {
    return outcome.startsWith("500");
  }

  /** Whether an answer is an error at all (the 409 of a busy lock and the 429 are answers). */
  static boolean isError(String outcome) {
    return outcome.startsWith("5") || outcome.equals(SESSION_NOT_FOUND);
  }
}
