package io.tierstate.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The command line every benchmark main shares: {@code --quick} or {@code --full}, {@code --out
 * FILE}, and the options a main names (each taking one value), with errors that say what to write.
 *
 * @param mode quick or full
 * @param out the report's path, or null for the main's default
 * @param options the named options given, by name (without the dashes)
 */
record RunArgs(RunMode mode, @Nullable Path out, Map<String, String> options) {

  /**
   * Parses {@code args}.
   *
   * @param optionNames the further options this main takes, without dashes (each with one value)
   * @throws IllegalArgumentException naming the argument that is unknown, lacks its value, or the
   *     missing mode
   */
  static RunArgs parse(String[] args, String... optionNames) {
    List<String> named = List.of(optionNames);
    RunMode mode = null;
    Path out = null;
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--quick" -> mode = RunMode.QUICK;
        case "--full" -> mode = RunMode.FULL;
        default -> {
          String name = arg.startsWith("--") ? arg.substring(2) : "";
          if (!name.equals("out") && !named.contains(name)) {
            throw new IllegalArgumentException("unknown argument '" + arg + "'; use " + usage(named));
          }
          if (i + 1 == args.length) {
            throw new IllegalArgumentException(arg + " needs a value; use " + usage(named));
          }
          String value = args[++i];
          if (name.equals("out")) {
            out = Path.of(value);
          } else {
            options.put(name, value);
          }
        }
      }
    }
    if (mode == null) {
      throw new IllegalArgumentException("say --quick or --full; use " + usage(named));
    }
    return new RunArgs(mode, out, Map.copyOf(options));
  }

  private static String usage(List<String> named) {
    StringBuilder usage = new StringBuilder("--quick or --full [--out FILE]");
    named.forEach(name -> usage.append(" [--").append(name).append(" VALUE]"));
    return usage.toString();
  }

  /** The 1-, 5- and 15-minute load averages, from /proc/loadavg, as {@code 1.20 0.80 0.50}. */
  static String loadAverage() {
    try {
      String[] fields =
          Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII).strip().split(" ", -1);
      return fields.length < 3 ? "unknown" : fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException e) {
      return "unknown";
    }
  }
}
