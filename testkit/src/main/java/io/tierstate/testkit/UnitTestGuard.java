package io.tierstate.testkit;

/**
 * Refuses to start a server process in a unit-test run. The build sets {@value #PROPERTY} for
 * surefire ({@code mvn test}), so a test that starts Redis or PostgreSQL but is not named {@code
 * *IntegrationTests} fails with a message that says so, instead of quietly slowing the unit run
 * down and making it need the binaries.
 */
final class UnitTestGuard {
  /** The system property that marks a unit-test run. */
  static final String PROPERTY = "tierstate.testkit.unit-test-run";

  private UnitTestGuard() {}

  /**
   * @param what the server about to start, for the message
   * @throws IllegalStateException if this JVM runs unit tests
   */
  static void checkMayStart(String what) {
    if (Boolean.getBoolean(PROPERTY)) {
      throw new IllegalStateException(
          "a unit test tried to start "
              + what
              + "; a test that starts a server must be named *IntegrationTests (failsafe, mvn verify),"
              + " not run by surefire (mvn test)");
    }
  }
}
