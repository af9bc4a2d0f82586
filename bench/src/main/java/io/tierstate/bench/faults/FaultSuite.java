package io.tierstate.bench.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The fault suite under load (issue 16): runs each {@link Fault} against two library nodes under a
 * bounded mixed load and writes the table to {@code docs/reliability.md}, between the {@code
 * faults} markers.
 *
 * <pre>
 * bench/faults.sh                          # every fault, full durations (about 8 minutes)
 * bench/faults.sh --quick                  # short durations, report printed only
 * bench/faults.sh --faults REDIS_PAUSED,ONE_NODE_PARTITIONED
 * </pre>
 *
 * <p>The short form of the test command is {@code FaultSuiteIntegrationTests}.
 */
public final class FaultSuite {
  static final String START = "<!-- faults:start -->";
  static final String END = "<!-- faults:end -->";

  /** Full durations: 5 s of warm-up, the fault held 5 s, 10 s after; 8 threads, 800 calls a second. */
  static final FaultRun.Timing FULL =
      new FaultRun.Timing(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(10), 8, 800);
  /** The test command's: 2 s, 3 s, 5 s; 4 threads, 400 calls a second. */
  static final FaultRun.Timing QUICK =
      new FaultRun.Timing(Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(5), 4, 400);

  private FaultSuite() {}

  /**
   * Runs the suite.
   *
   * @param args {@code --quick} or {@code --full} (the default), {@code --faults A,B} to run only
   *     those, {@code --out FILE} for the report of a full run (default {@code docs/reliability.md})
   */
  public static void main(String[] args) throws Exception {
    boolean quick = false;
    Path out = Path.of("docs/reliability.md");
    List<Fault> faults = Arrays.asList(Fault.values());
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> quick = true;
        case "--full" -> quick = false;
        case "--out" -> out = Path.of(value(args, ++i, "--out"));
        case "--faults" -> faults = parseFaults(value(args, ++i, "--faults"));
        default -> throw new IllegalArgumentException(
            "unknown argument '" + args[i] + "'; use [--quick|--full] [--faults A,B] [--out FILE]");
      }
    }
    String loadBefore = loadAverage();
    Instant started = Instant.now();
    List<FaultResult> results = run(faults, quick ? QUICK : FULL, System.out::println);
    String markdown = markdown(results, quick ? QUICK : FULL);
    System.out.println(markdown);
    if (!quick && faults.size() == Fault.values().length) {
      String block =
          START + "\n\nMeasured by `bench/faults.sh` on " + started.truncatedTo(ChronoUnit.SECONDS) + " ("
              + Duration.between(started, Instant.now()).toSeconds() + " s), "
              + Runtime.getRuntime().availableProcessors() + " cores, load average " + loadBefore
              + " at the start and " + loadAverage() + " at the end.\n\n" + markdown + END + "\n";
      Files.writeString(out, splice(Files.readString(out), block), StandardCharsets.UTF_8);
      System.out.println("Wrote " + out.toAbsolutePath());
    } else {
      System.out.println("Not written to " + out + ": only a full run of every fault is.");
    }
    System.exit(0);
  }

  /** Runs {@code faults} one after the other on one PostgreSQL, printing progress to {@code log}. */
  static List<FaultResult> run(List<Fault> faults, FaultRun.Timing timing, java.util.function.Consumer<String> log)
      throws Exception {
    List<FaultResult> results = new ArrayList<>();
    try (SourceOfTruth db = SourceOfTruth.start()) {
      long seed = 16;
      for (Fault fault : faults) {
        log.accept("fault " + fault + ": " + fault.description() + " ...");
        FaultResult result = FaultRun.run(fault, timing, db, seed++);
        log.accept("  " + summary(result));
        results.add(result);
      }
    }
    return results;
  }

  /** The goals this result missed, in words; empty when it met them all. */
  static List<String> missedGoals(FaultResult r) {
    List<String> missed = new ArrayList<>();
    if (r.serverErrors() > 0) {
      missed.add(r.serverErrors() + " answers were 500");
    }
    if (r.staleReadsAfterHeal() > 0) {
      missed.add(r.staleReadsAfterHeal() + " stale reads after the heal");
    }
    if (r.staleEntriesAtEnd() > 0) {
      missed.add(r.staleEntriesAtEnd() + " stale entries at the end");
    }
    if (r.writeBehindKeysLost() > 0 && !r.fault().redisDataMayBeLost()) {
      missed.add(r.writeBehindKeysLost() + " write-behind keys lost");
    }
    if (r.writeBehindOlderDeliveries() > 0) {
      missed.add(r.writeBehindOlderDeliveries() + " older write-behind values written over newer ones");
    }
    if (r.healthyMillis() < 0) {
      missed.add("not healthy within " + FaultRun.RECOVERY_BOUND.toSeconds() + " s");
    }
    return missed;
  }

  static String markdown(List<FaultResult> results, FaultRun.Timing timing) {
    StringBuilder md = new StringBuilder();
    md.append("Load: ").append(timing.threads()).append(" threads, about ").append(timing.callsPerSecond())
        .append(" calls a second over two library nodes; ").append(timing.warm().toSeconds())
        .append(" s before the fault, held faults last ").append(timing.hold().toSeconds()).append(" s, ")
        .append(timing.after().toSeconds()).append(" s of load after the heal; propagation bound ")
        .append(FaultRun.PROPAGATION_BOUND.toSeconds()).append(" s.\n\n");
    md.append("| fault | deployment | lasted | calls | errors during | errors after | 500s "
        + "| p99 ms before / during / after | nodes back | healthy | stale reads after heal (checked) "
        + "| stale entries at end | write-behind keys lost / older written over newer (writes) | sessions kept | goals |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (FaultResult r : results) {
      List<String> missed = missedGoals(r);
      md.append("| ").append(r.fault().description())
          .append(" | ").append(r.fault().topology().label())
          .append(" | ").append(seconds(r.faultMillis()))
          .append(" | ").append(number(r.calls()))
          .append(" | ").append(errors(r.outcomesDuring()))
          .append(" | ").append(errors(r.outcomesAfter()))
          .append(" | ").append(r.serverErrors())
          .append(" | ").append(ms(r.p99().before())).append(" / ").append(ms(r.p99().during()))
          .append(" / ").append(ms(r.p99().after()))
          .append(" | ").append(r.reconnectMillis() < 0 ? "no" : seconds(r.reconnectMillis()))
          .append(" | ").append(r.healthyMillis() < 0 ? "no" : seconds(r.healthyMillis()))
          .append(" | ").append(r.staleReadsAfterHeal()).append(" (").append(number(r.readsCheckedAfterHeal()))
          .append(")")
          .append(" | ").append(r.staleEntriesAtEnd())
          .append(" | ").append(r.writeBehindKeysLost()).append(" / ").append(r.writeBehindOlderDeliveries())
          .append(" (").append(number(r.writeBehindAcknowledged()))
          .append(")")
          .append(" | ").append(r.sessionsKept()).append(" of ").append(r.sessionsBefore())
          .append(" | ").append(missed.isEmpty() ? "met" : "**" + String.join("; ", missed) + "**")
          .append(" |\n");
    }
    md.append('\n');
    List<String> notes = new ArrayList<>();
    for (FaultResult r : results) {
      r.notes().forEach(note -> notes.add(r.fault().description() + ": " + note));
      if (r.writeBehindDeadLetters() > 0) {
        notes.add(r.fault().description() + ": " + r.writeBehindDeadLetters()
            + " write-behind entries dead-lettered after failing every retry");
      }
      if (r.staleReadsDuring() > 0) {
        notes.add(r.fault().description() + ": " + r.staleReadsDuring()
            + " stale reads before the node was back (inside the degraded window of guarantee 4)");
      }
      r.unexpected().forEach((outcome, message) ->
          notes.add(r.fault().description() + ": " + outcome + ", first seen: `" + message.replace('`', '\'') + "`"));
    }
    if (!notes.isEmpty()) {
      md.append("Notes from this run:\n\n");
      notes.forEach(n -> md.append("- ").append(n).append('\n'));
      md.append('\n');
    }
    return md.toString();
  }

  private static String summary(FaultResult r) {
    List<String> missed = missedGoals(r);
    long answeredDuring = r.outcomesDuring().values().stream().mapToLong(Long::longValue).sum();
    return r.calls() + " calls (" + answeredDuring + " during), during " + errors(r.outcomesDuring()) + ", after " + errors(r.outcomesAfter())
        + ", p99 " + ms(r.p99().before()) + "/" + ms(r.p99().during()) + "/" + ms(r.p99().after()) + " ms"
        + ", back " + r.reconnectMillis() + " ms, healthy " + r.healthyMillis() + " ms"
        + ", stale after heal " + r.staleReadsAfterHeal() + "/" + r.readsCheckedAfterHeal()
        + ", stale during " + r.staleReadsDuring()
        + ", stale at end " + r.staleEntriesAtEnd()
        + ", wb lost " + r.writeBehindKeysLost() + ", older " + r.writeBehindOlderDeliveries()
        + " of " + r.writeBehindAcknowledged() + " writes"
        + ", dead letters " + r.writeBehindDeadLetters()
        + ", sessions " + r.sessionsKept() + "/" + r.sessionsBefore()
        + (missed.isEmpty() ? "" : " MISSED: " + missed)
        + (r.notes().isEmpty() ? "" : " " + r.notes())
        + (r.unexpected().isEmpty() ? "" : " " + r.unexpected());
  }

  /** The error answers of a phase, as {@code 503 redis_unavailable: 120}; "none" without any. */
  private static String errors(Map<String, Long> outcomes) {
    String listed = outcomes.entrySet().stream()
        .filter(e -> Outcomes.isError(e.getKey()))
        .map(e -> e.getKey() + ": " + number(e.getValue()))
        .collect(Collectors.joining(", "));
    return listed.isEmpty() ? "none" : listed;
  }

  private static List<Fault> parseFaults(String names) {
    List<Fault> faults = new ArrayList<>();
    for (String name : names.split(",", -1)) {
      try {
        faults.add(Fault.valueOf(name.strip().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("unknown fault '" + name + "'; the faults are "
            + Arrays.toString(Fault.values()), e);
      }
    }
    return faults;
  }

  private static String value(String[] args, int i, String name) {
    if (i >= args.length) {
      throw new IllegalArgumentException(name + " needs a value");
    }
    return args[i];
  }

  /** {@code doc} with its faults block replaced by {@code block}, or the block appended. */
  static String splice(String doc, String block) {
    int start = doc.indexOf(START);
    int end = doc.indexOf(END);
    if (start < 0 || end < start) {
      return doc + "\n" + block;
    }
    int after = end + END.length();
    if (after < doc.length() && doc.charAt(after) == '\n') {
      after++;
    }
    return doc.substring(0, start) + block + doc.substring(after);
  }

  private static String ms(double millis) {
    return Double.isNaN(millis) ? "n/a" : String.format(Locale.ROOT, millis < 10 ? "%.1f" : "%.0f", millis);
  }

  private static String seconds(long millis) {
    return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
  }

  private static String number(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  private static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII).strip().split(" ", -1);
      return fields.length < 3 ? "unknown" : fields[0] + " " + fields[1] + " " + fields[2];
    } catch (IOException e) {
      return "unknown";
    }
  }
}
