package io.tierstate.server.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tierstate.server.testing.ApiClient;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * What a dashboard viewer costs the server, on the server's own process: one process of the
 * shaded server jar (as the README runs it) on a real PostgreSQL and Redis, and five viewers in
 * this JVM that poll exactly as the console's dashboard page does ({@code GET /api/v1/dashboard
 * ?since=<last seq>} and {@code /api/v1/dashboard/regions} every 2 s, {@code /api/v1/dashboard/nodes}
 * every 5 s). The server's CPU time ({@code /proc/<pid>/stat} through {@link ProcessHandle}) is
 * read over alternating phases of nobody watching and five viewers, in the same run, so a drift of
 * the machine's load falls on both. Before that, each endpoint that feeds the page is asked back
 * to back by one client in interleaved rounds, with the session check as a control, for its
 * latency distribution (which also warms the JIT up: the CPU phases measure a steady state).
 *
 * <p>Run by {@code bench/dashboard.sh} ({@code -Ddashboard.bench=true}); the report goes to {@code
 * target/dashboard-bench.md}. {@code -Ddashboard.bench.rounds=N} and {@code
 * -Ddashboard.bench.phaseSeconds=S} change the rounds (default 4) and the phase length (30 s);
 * {@code -Ddashboard.bench.serverJvmOptions=...} is given to the server process as {@code
 * JAVA_TOOL_OPTIONS} (a JFR recording, say).
 */
class DashboardBenchmarkIT {
  private static final int VIEWERS = 5;
  private static final List<String> EMAILS = List.of("admin@acme.test", "admin@globex.test", "root@tierstate.test",
      "admin@acme.test", "admin@globex.test");
  private static final String PASSWORD = "tierstate-demo";
  private static final List<String> ENDPOINTS = List.of("/api/v1/dashboard?since=", "/api/v1/dashboard/regions",
      "/api/v1/dashboard/nodes");
  private static final int REQUESTS_PER_ENDPOINT = 2_000;
  /** Not the dashboard's: what any signed-in page asks, for the floor of an authenticated request. */
  private static final String CONTROL = "/api/v1/auth/session";
  /** The key of each viewer's first feed poll of a phase in the latencies. */
  private static final String FIRST_POLL = "first poll";

  @Test
  void aViewerCostsTheServerLittleAndTheFeedAnswersFast() throws Exception {
    assumeTrue(Boolean.getBoolean("dashboard.bench"), "run with -Ddashboard.bench=true (bench/dashboard.sh)");
    int rounds = Integer.getInteger("dashboard.bench.rounds", 4);
    Duration phase = Duration.ofSeconds(Integer.getInteger("dashboard.bench.phaseSeconds", 30));
    Path report = Path.of("target", "dashboard-bench.md").toAbsolutePath();
    // -Ddashboard.bench.serverJvmOptions='-XX:StartFlightRecording=...' profiles the server process.
    String jvmOptions = System.getProperty("dashboard.bench.serverJvmOptions", "");
    Map<String, String> env = new LinkedHashMap<>();
    env.put("SERVER_TIMING", "true"); // the server's own time per request, to tell it from the client's
    if (!jvmOptions.isBlank()) {
      env.put("JAVA_TOOL_OPTIONS", jvmOptions);
    }
    try (ConsoleStack stack = ConsoleStack.start(1, env)) {
      String url = stack.urls().get(0);
      ProcessHandle server = stack.process(0);
      List<ApiClient> viewers = new ArrayList<>();
      for (int i = 0; i < VIEWERS; i++) {
        ApiClient viewer = new ApiClient(url, "10.9.0." + (i + 1));
        viewer.login(EMAILS.get(i), PASSWORD);
        viewers.add(viewer);
      }
      // Back to back, one client: the latency of each endpoint without the 2 s pauses, in
      // interleaved rounds so that the machine's load falls on all alike, with the session check
      // (every page asks it) as the floor of an authenticated request. It also warms the JIT up
      // for the CPU phases, which measure a server in its steady state.
      ApiClient client = viewers.get(2); // the platform administrator: the whole service
      Map<String, List<Double>> steady = new LinkedHashMap<>();
      Map<String, Breakdown> breakdowns = new LinkedHashMap<>();
      List<String> measured = new ArrayList<>(ENDPOINTS);
      measured.add(CONTROL);
      long since = 0;
      long sinceRaw = 0;
      double[] serverGcBefore = serverGc(url);
      long[] clientGcBefore = clientGc();
      long roundsStart = System.nanoTime();
      // A second client of another make on its own keep-alive connection: what java.net.http adds.
      try (KeepAliveClient raw = new KeepAliveClient(server(url), client.cookieHeader("/api/"), client.clientIp())) {
        for (int i = -200; i < REQUESTS_PER_ENDPOINT; i++) { // the first 200 rounds are a warm-up
          for (String endpoint : measured) {
            String name = endpoint.replace("?since=", "?since=<last>");
            String path = endpoint.endsWith("=") ? endpoint + since : endpoint;
            long gcBefore = gcCount();
            long start = System.nanoTime();
            ApiClient.Answer answer = client.get(path);
            double millis = (System.nanoTime() - start) / 1e6;
            boolean gc = gcCount() != gcBefore;
            assertThat(answer.status()).as(path + " " + answer).isEqualTo(200);
            if (endpoint.endsWith("=")) {
              since = Math.max(since, lastSeq(answer.json())); // as the page does: only what is newer next
            }
            String rawPath = endpoint.endsWith("=") ? endpoint + sinceRaw : endpoint;
            gcBefore = gcCount();
            long rawStart = System.nanoTime();
            KeepAliveClient.Reply reply = raw.get(rawPath);
            double rawMillis = (System.nanoTime() - rawStart) / 1e6;
            boolean rawGc = gcCount() != gcBefore;
            assertThat(reply.status()).as(rawPath + " " + reply.body()).isEqualTo(200);
            if (endpoint.endsWith("=")) {
              sinceRaw = Math.max(sinceRaw, lastSeq(ApiClient.JSON.readTree(reply.body())));
            }
            if (i >= 0) {
              steady.computeIfAbsent(name, e -> new ArrayList<>()).add(millis);
              Breakdown b = breakdowns.computeIfAbsent(name, e -> new Breakdown());
              b.add(millis, answer.header("Server-Timing"), gc, rawMillis, reply.serverTiming(), rawGc);
            }
          }
        }
      }

      double[] serverGcAfter = serverGc(url);
      long[] clientGcAfter = clientGc();
      String gcLine = String.format(Locale.ROOT, "%nGarbage collection during these rounds (%.0f s): the server JVM"
          + " %.0f collections, %.0f ms of pauses in all, the longest %.1f ms (Micrometer's recent maximum);"
          + " the client JVM %d collections, %d ms in all.%n", (System.nanoTime() - roundsStart) / 1e9,
          serverGcAfter[0] - serverGcBefore[0], serverGcAfter[1] - serverGcBefore[1], serverGcAfter[2],
          clientGcAfter[0] - clientGcBefore[0], clientGcAfter[1] - clientGcBefore[1]);

      Map<String, List<Double>> polled = new ConcurrentHashMap<>();
      watch(viewers, Duration.ofSeconds(15), polled); // warm-up of the viewers' connections, the first health report
      polled.clear();

      List<double[]> cpu = new ArrayList<>(); // per round: idle ms/s, watching ms/s
      for (int round = 0; round < rounds; round++) {
        double idle = cpuMillisPerSecond(server, phase, () -> { });
        double watching = cpuMillisPerSecond(server, phase, () -> watch(viewers, phase, polled));
        cpu.add(new double[] {idle, watching});
      }

      String text = report(rounds, phase, cpu, polled, steady) + breakdown(breakdowns) + gcLine;
      Files.writeString(report, text, StandardCharsets.UTF_8);
      System.out.println(text);

      double perViewer = perViewerShare(cpu);
      assertThat(polled.get(ENDPOINTS.get(0))).as("the viewers polled").hasSizeGreaterThan(rounds * VIEWERS);
      // Far above the 1 % target: catches a feed that got much worse, the report tells the figure.
      assertThat(perViewer).as("a viewer's share of one core").isLessThan(0.10);
    }
  }

  /**
   * Each viewer polls as the page does for {@code length}: the feed and the regions every 2 s, the
   * nodes every 5 s, each with the last sequence number it has seen; latencies by endpoint.
   */
  private static void watch(List<ApiClient> viewers, Duration length, Map<String, List<Double>> latencies) {
    AtomicReference<String> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    long end = System.nanoTime() + length.toNanos();
    for (int v = 0; v < viewers.size(); v++) {
      ApiClient viewer = viewers.get(v);
      long offsetMillis = v * 2000L / viewers.size(); // the page's polls are not in step with each other's
      threads.add(Thread.startVirtualThread(() -> {
        long since = 0;
        long nextNodes = 0;
        boolean first = true;
        try {
          Thread.sleep(offsetMillis);
          while (System.nanoTime() < end) {
            long tick = System.nanoTime();
            // The first poll after a quiet spell waits for the health checks: reported apart.
            ApiClient.Answer feed = timed(viewer, first ? FIRST_POLL : ENDPOINTS.get(0),
                "/api/v1/dashboard?since=" + since, latencies);
            first = false;
            for (JsonNode sample : feed.json().path("samples")) {
              since = Math.max(since, sample.path("seq").asLong());
            }
            timed(viewer, ENDPOINTS.get(1), ENDPOINTS.get(1), latencies);
            if (tick >= nextNodes) {
              timed(viewer, ENDPOINTS.get(2), ENDPOINTS.get(2), latencies);
              nextNodes = tick + Duration.ofSeconds(5).toNanos();
            }
            long left = Duration.ofSeconds(2).toNanos() - (System.nanoTime() - tick);
            if (left > 0) {
              Thread.sleep(Duration.ofNanos(left));
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (RuntimeException | AssertionError e) {
          failure.compareAndSet(null, e.toString());
        }
      }));
    }
    for (Thread thread : threads) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    assertThat(failure.get()).as("every poll answered 200").isNull();
  }

  private static ApiClient.Answer timed(ApiClient viewer, String endpoint, String path,
      Map<String, List<Double>> latencies) {
    long start = System.nanoTime();
    ApiClient.Answer answer = viewer.get(path);
    double millis = (System.nanoTime() - start) / 1e6;
    if (answer.status() != 200) {
      throw new AssertionError(path + " answered " + answer);
    }
    latencies.computeIfAbsent(endpoint, e -> Collections.synchronizedList(new ArrayList<>())).add(millis);
    return answer;
  }

  /** The server process's CPU time over {@code length} (while {@code during} runs), per second of wall time. */
  private static double cpuMillisPerSecond(ProcessHandle server, Duration length, Runnable during)
      throws InterruptedException {
    long wallStart = System.nanoTime();
    Duration before = cpu(server);
    during.run();
    long left = length.toNanos() - (System.nanoTime() - wallStart);
    if (left > 0) {
      Thread.sleep(Duration.ofNanos(left));
    }
    Duration after = cpu(server);
    double seconds = (System.nanoTime() - wallStart) / 1e9;
    return after.minus(before).toNanos() / 1e6 / seconds;
  }

  private static Duration cpu(ProcessHandle server) {
    return server.info().totalCpuDuration()
        .orElseThrow(() -> new IllegalStateException("no CPU time for process " + server.pid()));
  }

  /** The extra CPU of the watching phases over the idle ones, per viewer, as a share of one core. */
  private static double perViewerShare(List<double[]> cpu) {
    double idle = cpu.stream().mapToDouble(r -> r[0]).average().orElseThrow();
    double watching = cpu.stream().mapToDouble(r -> r[1]).average().orElseThrow();
    return (watching - idle) / 1000.0 / VIEWERS;
  }

  private static String report(int rounds, Duration phase, List<double[]> cpu, Map<String, List<Double>> polled,
      Map<String, List<Double>> steady) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "Server CPU (the server process alone), %d rounds of %d s idle then %d s with"
        + " %d viewers:%n%n", rounds, phase.toSeconds(), phase.toSeconds(), VIEWERS));
    out.append("| round | idle | 5 viewers | per viewer |\n|---|---:|---:|---:|\n");
    for (int i = 0; i < cpu.size(); i++) {
      double[] r = cpu.get(i);
      out.append(String.format(Locale.ROOT, "| %d | %.1f ms/s | %.1f ms/s | %.2f %% of a core |%n", i + 1, r[0], r[1],
          (r[1] - r[0]) / 10.0 / VIEWERS));
    }
    out.append(String.format(Locale.ROOT, "| all | %.1f ms/s | %.1f ms/s | **%.2f %% of a core** |%n%n",
        cpu.stream().mapToDouble(r -> r[0]).average().orElseThrow(),
        cpu.stream().mapToDouble(r -> r[1]).average().orElseThrow(), perViewerShare(cpu) * 100));
    out.append("Latency in milliseconds, measured by the client (loopback HTTP/1.1, JSON parsed):\n\n");
    out.append("| endpoint | how | requests | p50 | p90 | p99 | max |\n|---|---|---:|---:|---:|---:|---:|\n");
    for (String endpoint : ENDPOINTS) {
      out.append(row(endpoint.replace("?since=", "?since=<last>"), VIEWERS + " viewers polling"
          + (endpoint.equals(ENDPOINTS.get(0)) ? ", but each phase's first poll" : ""), polled.get(endpoint)));
    }
    out.append(row(ENDPOINTS.get(0).replace("?since=", "?since=<last>"),
        "each viewer's first poll after an idle phase (waits for the health checks)", polled.get(FIRST_POLL)));
    steady.forEach((endpoint, millis) -> out.append(row(endpoint,
        endpoint.equals(CONTROL) ? "control: the session check, same rounds" : "one client, back to back", millis)));
    return out.toString();
  }

  private static String row(String endpoint, String how, List<Double> millis) {
    List<Double> sorted = new ArrayList<>(millis);
    Collections.sort(sorted);
    return String.format(Locale.ROOT, "| `%s` | %s | %d | %.2f | %.2f | %.2f | %.2f |%n", endpoint, how, sorted.size(),
        quantile(sorted, 0.50), quantile(sorted, 0.90), quantile(sorted, 0.99), sorted.get(sorted.size() - 1));
  }

  private static double quantile(List<Double> sorted, double q) {
    return sorted.get(Math.max(0, (int) Math.ceil(sorted.size() * q) - 1));
  }

  /** {@code host:port} of a base URL such as {@code http://127.0.0.1:8080}. */
  private static String server(String url) {
    return url.substring(url.indexOf("//") + 2);
  }

  /** The server JVM's GC pauses from its {@code /metrics}: count, sum in ms, recent maximum in ms. */
  private static double[] serverGc(String url) throws Exception {
    String text = ApiClient.HTTP.send(HttpRequest.newBuilder(URI.create(url + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    double[] gc = new double[3];
    for (String line : text.split("\n")) {
      if (line.startsWith("jvm_gc_pause_seconds")) {
        double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        if (line.startsWith("jvm_gc_pause_seconds_count")) {
          gc[0] += value;
        } else if (line.startsWith("jvm_gc_pause_seconds_sum")) {
          gc[1] += value * 1000;
        } else if (line.startsWith("jvm_gc_pause_seconds_max")) {
          gc[2] = Math.max(gc[2], value * 1000);
        }
      }
    }
    return gc;
  }

  /** This JVM's (the client's) collections and their time in ms so far. */
  private static long[] clientGc() {
    long[] gc = new long[2];
    for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
      gc[0] += Math.max(0, bean.getCollectionCount());
      gc[1] += Math.max(0, bean.getCollectionTime());
    }
    return gc;
  }

  /** Collections of every garbage collector of this JVM (the client's) so far. */
  private static long gcCount() {
    long count = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      count += Math.max(0, gc.getCollectionCount());
    }
    return count;
  }

  /** Per endpoint: the client's time against the server's own ({@code Server-Timing}), for both clients. */
  private static final class Breakdown {
    final List<Double> client = new ArrayList<>();
    final List<Double> server = new ArrayList<>();
    final List<Double> rateLimit = new ArrayList<>();
    final List<Double> auth = new ArrayList<>();
    final List<Double> outside = new ArrayList<>();
    final List<Double> clientNoGc = new ArrayList<>();
    final List<Double> raw = new ArrayList<>();
    final List<Double> rawServer = new ArrayList<>();
    final List<Double> rawOutside = new ArrayList<>();
    int clientGcs;
    int rawGcs;

    void add(double millis, String timing, boolean gc, double rawMillis, String rawTiming, boolean rawGc) {
      Map<String, Double> t = timings(timing);
      client.add(millis);
      server.add(t.get("total"));
      rateLimit.add(t.getOrDefault("ratelimit", 0.0));
      auth.add(t.getOrDefault("auth", 0.0));
      outside.add(millis - t.get("total"));
      if (gc) {
        clientGcs++;
      } else {
        clientNoGc.add(millis);
      }
      Map<String, Double> r = timings(rawTiming);
      raw.add(rawMillis);
      rawServer.add(r.get("total"));
      rawOutside.add(rawMillis - r.get("total"));
      if (rawGc) {
        rawGcs++;
      }
    }

    static Map<String, Double> timings(String header) {
      assertThat(header).as("Server-Timing").isNotNull();
      Map<String, Double> out = new LinkedHashMap<>();
      for (String metric : header.split(",")) {
        String[] parts = metric.strip().split(";dur=");
        out.put(parts[0], Double.parseDouble(parts[1]));
      }
      return out;
    }
  }

  private static String breakdown(Map<String, Breakdown> breakdowns) {
    StringBuilder out = new StringBuilder();
    out.append("\nWhere a back-to-back request's time goes (the same rounds; ms, p50 / p99): the client's time;"
        + " the server's own from its `Server-Timing` header (first before-handler to last after-handler),"
        + " of which the rate limit and the auth check; the client's time outside it; the client's time"
        + " for the requests during which its JVM ran no GC; and a second client, one keep-alive socket"
        + " with a hand-written HTTP/1.1 exchange, asked right after each java.net.http request:\n\n");
    out.append("| endpoint | client | server | rate limit | auth | outside the server | client, no GC in the request"
        + " (GCs met) | socket client | its server | its outside (GCs met) |\n");
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    breakdowns.forEach((endpoint, b) -> out.append(String.format(Locale.ROOT,
        "| `%s` | %s | %s | %s | %s | %s | %s (%d) | %s | %s | %s (%d) |%n", endpoint, pair(b.client),
        pair(b.server), pair(b.rateLimit), pair(b.auth), pair(b.outside), pair(b.clientNoGc), b.clientGcs,
        pair(b.raw), pair(b.rawServer), pair(b.rawOutside), b.rawGcs)));
    return out.toString();
  }

  private static String pair(List<Double> millis) {
    List<Double> sorted = new ArrayList<>(millis);
    Collections.sort(sorted);
    return String.format(Locale.ROOT, "%.2f / %.2f", quantile(sorted, 0.50), quantile(sorted, 0.99));
  }

  private static long lastSeq(JsonNode body) {
    JsonNode samples = body.path("samples");
    return samples.isEmpty() ? 0 : samples.get(samples.size() - 1).path("seq").asLong();
  }
}
