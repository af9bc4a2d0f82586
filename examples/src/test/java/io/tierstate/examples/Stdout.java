package io.tierstate.examples;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs an example's main() and returns what it printed (and prints it too, for the test log). */
final class Stdout {
  /** A main() that may throw. */
  interface Main {
    void run() throws Exception;
  }

  private Stdout() {}

  static String of(Main main) throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      main.run();
    } finally {
      System.setOut(original);
    }
    String output = captured.toString(StandardCharsets.UTF_8);
    original.print(output);
    return output;
  }
}
