package io.tierstate.bench;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The L1 hit of two revisions of Tierstate, in one JVM, in alternating slices of 100 ms, beside
 * Caffeine alone as a control: the before/after comparison that a shared, noisy machine cannot
 * spoil. Two JMH runs made minutes apart disagreed by 2x on this path (0.71x, then 1.47x), because
 * the machine's load moved between them; here both revisions share every second's noise, and each
 * round's ratio compares slices 100 ms apart.
 *
 * <p>Each revision's benchmarks jar is loaded child-first in a class loader of its own (its own
 * Tierstate, Caffeine, Lettuce and Redis), sharing only {@link CacheAdapter} and {@link Value} with
 * this class, so one call site reads from either. Each revision runs its own {@code
 * TierstateL1Adapter} on its own Redis, with every key in L1; a read that misses L1 fails the run.
 *
 * <pre>
 * "$JAVA_HOME/bin/java" -cp HEAD.jar io.tierstate.bench.RevisionAB BASE.jar HEAD.jar [rounds]
 * </pre>
 *
 * {@code bench/compare.sh} runs it after its JMH rounds.
 */
public final class RevisionAB {
  private static final int KEYS = 10_000;
  private static final int WARM_UP_ROUNDS = 20;
  /** Classes both revisions must see as one: the interface called and the value it returns. */
  private static final Set<String> SHARED = Set.of(CacheAdapter.class.getName(), Value.class.getName());

  private RevisionAB() {}

  /**
   * Runs the comparison and prints its table.
   *
   * @param args the base jar, the head jar, and optionally the number of measured rounds (60)
   */
  public static void main(String[] args) throws Exception {
    if (args.length < 2 || args.length > 3) {
      throw new IllegalArgumentException("usage: RevisionAB BASE.jar HEAD.jar [rounds]");
    }
    Path base = existing(args[0]);
    Path head = existing(args[1]);
    int rounds = args.length == 3 ? positive(args[2]) : 60;
    Map<String, Value> entries = new LinkedHashMap<>();
    for (int i = 0; i < KEYS; i++) {
      entries.put(L1HitInterleaved.PREFIX + i, Value.of(i));
    }
    int[] order = KeyDistribution.UNIFORM.draw(KEYS, 1 << 16, 7);
    String[] names = {"Caffeine alone", "base (1st loaded)", "head (2nd)", "head (3rd)", "base (4th)"};
    // Two nodes of each revision, loaded base, head, head, base: a trial run showed the node loaded
    // second reading about 10% slower than the first when both ran the same jar. Loaded in this
    // order, a bias that grows with the loading order falls on both revisions alike, and the two
    // nodes of one revision measure the noise that remains (base 4th against base 1st).
    try (RevisionLoader base1 = new RevisionLoader(base);
        RevisionLoader head1 = new RevisionLoader(head);
        RevisionLoader head2 = new RevisionLoader(head);
        RevisionLoader base2 = new RevisionLoader(base);
        CacheAdapter caffeine = new CaffeineAdapter(KEYS * 2);
        CacheAdapter base1L1 = base1.l1Adapter(KEYS * 2);
        CacheAdapter head1L1 = head1.l1Adapter(KEYS * 2);
        CacheAdapter head2L1 = head2.l1Adapter(KEYS * 2);
        CacheAdapter base2L1 = base2.l1Adapter(KEYS * 2)) {
      CacheAdapter[] subjects = {caffeine, base1L1, head1L1, head2L1, base2L1};
      for (CacheAdapter subject : subjects) {
        subject.populate(entries);
      }
      double[][] rates = new double[subjects.length][rounds];
      String load = RunArgs.loadAverage();
      for (int round = -WARM_UP_ROUNDS; round < rounds; round++) {
        // Rotate which subject goes first, so none always follows the same one.
        for (int s = 0; s < subjects.length; s++) {
          int subject = Math.floorMod(round + s, subjects.length);
          double rate = L1HitInterleaved.readFor(subjects[subject]::get, order);
          if (round >= 0) {
            rates[subject][round] = rate;
          }
        }
      }
      for (int s = 1; s < subjects.length; s++) {
        String anomalies = subjects[s].anomalies();
        if (anomalies != null) {
          throw new IllegalStateException(names[s] + ": " + anomalies);
        }
      }
      System.out.print(report(base.getFileName() + " (base), " + head.getFileName() + " (head)", names, rates, load,
          RunArgs.loadAverage()));
    }
  }

  /**
   * The table: each subject's median rate and its ratio to Caffeine alone; then head against base
   * per round (the geometric mean of each revision's two nodes), and the same for base against base,
   * which should be 1 and shows the noise that remains.
   */
  static String report(String revisions, String[] names, double[][] rates, String loadBefore, String loadAfter) {
    int rounds = rates[0].length;
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT,
        "L1 hit of %s: one thread, %,d keys, uniform, keys built for each read; %d rounds of 100 ms slices;"
            + " load average before %s, after %s%n%n", revisions, KEYS, rounds, loadBefore, loadAfter));
    out.append("| node | median M reads/s | / Caffeine alone (median of rounds) | p10–p90 |\n");
    out.append("|---|---|---|---|\n");
    for (int s = 0; s < names.length; s++) {
      double[] vsCaffeine = ratios(rates[s], rates[0]);
      out.append(String.format(Locale.ROOT, "| %s | %.1f | %.2fx | %.2f–%.2fx |%n", names[s],
          percentile(rates[s], 50) / 1e6, percentile(vsCaffeine, 50), percentile(vsCaffeine, 10),
          percentile(vsCaffeine, 90)));
    }
    double[] headVsBase = ratios(geometricMeans(rates[2], rates[3]), geometricMeans(rates[1], rates[4]));
    double[] baseVsBase = ratios(rates[4], rates[1]);
    out.append(String.format(Locale.ROOT,
        "%nhead against base, per round: median %.2fx, p10–p90 %.2f–%.2fx"
            + " (base 4th against base 1st, the noise floor: median %.2fx, p10–p90 %.2f–%.2fx)%n",
        percentile(headVsBase, 50), percentile(headVsBase, 10), percentile(headVsBase, 90),
        percentile(baseVsBase, 50), percentile(baseVsBase, 10), percentile(baseVsBase, 90)));
    return out.toString();
  }

  static double[] geometricMeans(double[] a, double[] b) {
    double[] means = new double[a.length];
    for (int i = 0; i < means.length; i++) {
      means[i] = Math.sqrt(a[i] * b[i]);
    }
    return means;
  }

  static double[] ratios(double[] numerators, double[] denominators) {
    double[] ratios = new double[numerators.length];
    for (int i = 0; i < ratios.length; i++) {
      ratios[i] = numerators[i] / denominators[i];
    }
    return ratios;
  }

  /** The nearest-rank percentile of {@code values}. */
  static double percentile(double[] values, int percent) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  private static Path existing(String jar) {
    Path path = Path.of(jar);
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException("no benchmarks jar at " + path.toAbsolutePath());
    }
    return path;
  }

  static int positive(String text) {
    try {
      int value = Integer.parseInt(text);
      if (value > 0) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("rounds must be a positive whole number, was '" + text + "'");
  }

  /**
   * One revision's jar, loaded child-first: its classes win over the same names on this JVM's class
   * path, except {@link #SHARED} and the JDK's.
   */
  private static final class RevisionLoader extends URLClassLoader {
    private final List<AutoCloseable> opened = new ArrayList<>();

    RevisionLoader(Path jar) throws IOException {
      super(new URL[] {jar.toUri().toURL()}, RevisionAB.class.getClassLoader());
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      synchronized (getClassLoadingLock(name)) {
        Class<?> loaded = findLoadedClass(name);
        if (loaded == null && !SHARED.contains(name) && !name.startsWith("java.")) {
          try {
            loaded = findClass(name);
          } catch (ClassNotFoundException e) {
            // Not in the jar: the parent's (the JDK's, or this JVM's class path).
          }
        }
        if (loaded == null) {
          loaded = super.loadClass(name, false);
        }
        if (resolve) {
          resolveClass(loaded);
        }
        return loaded;
      }
    }

    /**
     * This revision's TierstateL1Adapter on a Redis of its own (REDIS_URL if set). Built with this
     * loader as the thread's context class loader, which Lettuce uses to find its event classes and
     * which the threads it starts inherit.
     */
    CacheAdapter l1Adapter(int maximumSize) throws ReflectiveOperationException {
      Thread thread = Thread.currentThread();
      ClassLoader previous = thread.getContextClassLoader();
      thread.setContextClassLoader(this);
      try {
        Class<?> redisClass = loadClass("io.tierstate.bench.BenchRedis");
        Object redis = redisClass.getMethod("startOrConnect").invoke(null);
        opened.add((AutoCloseable) redis);
        Constructor<?> constructor =
            loadClass("io.tierstate.bench.TierstateL1Adapter").getDeclaredConstructor(redisClass, int.class);
        constructor.setAccessible(true);
        return (CacheAdapter) constructor.newInstance(redis, maximumSize);
      } finally {
        thread.setContextClassLoader(previous);
      }
    }

    @Override
    public void close() throws IOException {
      for (AutoCloseable closeable : opened) {
        try {
          closeable.close();
        } catch (Exception e) {
          throw new IOException("closing " + closeable, e);
        }
      }
      super.close();
    }
  }
}
