package io.tierstate.internal.hotkeys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

import io.tierstate.cache.HotKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The hot-key sketch's accuracy: the top keys of a Zipf stream are found with their rates, the
 * rates are scaled back from the sampling, they decay with the half-life, and memory stays bounded.
 * Time is a fake clock that each simulated read moves, so a minute of traffic runs in milliseconds.
 */
class HotKeySamplerUnitTests {
  private static final Duration HALF_LIFE = Duration.ofSeconds(10);

  /** A clock the test moves by hand. */
  private static final class FakeClock {
    long nanos = 1_000_000_000L;

    void advance(Duration by) {
      nanos += by.toNanos();
    }
  }

  private final FakeClock clock = new FakeClock();

  private HotKeySampler sampler(int oneIn) {
    return new HotKeySampler(oneIn, HALF_LIFE, () -> clock.nanos);
  }

  /** {@code key} read {@code perSecond} times a second for {@code seconds}, evenly spaced. */
  private void steady(HotKeySampler sampler, String key, int perSecond, int seconds) {
    long step = 1_000_000_000L / perSecond;
    for (long i = 0; i < (long) perSecond * seconds; i++) {
      clock.nanos += step;
      sampler.read(key);
    }
  }

  private static double rate(List<HotKey> top, String key) {
    return top.stream()
        .filter(h -> h.key().equals(key))
        .mapToDouble(HotKey::readsPerSecond)
        .findFirst()
        .orElse(0);
  }

  @Test
  void theTopKeysOfAZipfStreamAreFoundInOrderWithTheirRates() {
    int keys = 10_000;
    int readsPerSecond = 100_000;
    int reads = 2_000_000; // 20 s of traffic: two half-lives
    Zipf zipf = new Zipf(keys, 1.0, 42);
    HotKeySampler sampler = sampler(8);
    long step = 1_000_000_000L / readsPerSecond;
    for (int i = 0; i < reads; i++) {
      clock.nanos += step;
      sampler.read("tenant:7:product:" + zipf.next());
    }

    List<HotKey> top = sampler.top(20);

    assertThat(top).hasSize(20);
    List<String> found = top.stream().map(HotKey::key).toList();
    // Ranks 1-3 are 2x, 1.5x, 1.33x apart: their order is certain.
    assertThat(found.subList(0, 3))
        .containsExactly("tenant:7:product:0", "tenant:7:product:1", "tenant:7:product:2");
    assertThat(Set.copyOf(found.subList(0, 10))).isEqualTo(trueTop(10));
    Set<String> topTwenty = new HashSet<>(trueTop(20));
    topTwenty.retainAll(found);
    assertThat(topTwenty)
        .as("of the true top 20 (ranks 18-22 differ by a few percent)")
        .hasSizeGreaterThanOrEqualTo(18);
    for (int rank = 0; rank < 10; rank++) {
      double truth = readsPerSecond * zipf.probability(rank);
      assertThat(rate(top, "tenant:7:product:" + rank))
          .as("rank %d, true rate %.0f/s", rank + 1, truth)
          .isCloseTo(truth, within(truth * 0.10));
    }
    assertThat(top)
        .extracting(HotKey::readsPerSecond)
        .as("hottest first")
        .isSortedAccordingTo((a, b) -> Double.compare(b, a));
  }

  private static Set<String> trueTop(int n) {
    return IntStream.range(0, n).mapToObj(i -> "tenant:7:product:" + i).collect(Collectors.toSet());
  }

  @Test
  void aSteadyRateIsEstimatedScaledBackFromTheSampling() {
    HotKeySampler everyRead = sampler(1);
    steady(everyRead, "k", 1000, 60);
    assertThat(rate(everyRead.top(20), "k")).isCloseTo(1000, within(10.0));

    HotKeySampler oneInTen = sampler(10);
    steady(oneInTen, "k", 1000, 60);
    // about 100 sampled reads a second: a few percent of noise
    assertThat(rate(oneInTen.top(20), "k")).isCloseTo(1000, within(100.0));
  }

  @Test
  void aRateChangedWhileReadingKeepsTheEstimateRight() {
    HotKeySampler sampler = sampler(4);
    steady(sampler, "k", 2000, 30);
    sampler.sampling(32);
    steady(sampler, "k", 2000, 30);
    // Sampled reads weigh the rate they were drawn at: the estimate stays near the true rate
    // across the change (counted as one in 4, it would read 8x too low for the later reads).
    assertThat(rate(sampler.top(20), "k")).isCloseTo(2000, within(200.0));

    sampler.sampling(0);
    steady(sampler, "k", 2000, 10);
    assertThat(sampler.enabled()).isFalse();
    assertThat(rate(sampler.top(20), "k"))
        .as("no read sampled for one half-life: the estimate halved")
        .isCloseTo(1000, within(100.0));
  }

  @Test
  void samplingTurnedOnAtRunTimeStartsTheSketch() {
    HotKeySampler sampler = sampler(0);
    steady(sampler, "k", 1000, 5);
    assertThat(sampler.top(20)).isEmpty();
    assertThat(sampler.tracked()).isZero();

    sampler.sampling(1);
    steady(sampler, "k", 1000, 60);
    assertThat(sampler.enabled()).isTrue();
    // The window counts from the sampler's start, when nothing was sampled yet: a little low.
    assertThat(rate(sampler.top(20), "k")).isCloseTo(1000, within(120.0));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> sampler.sampling(-2))
        .withMessage("oneIn must be >= 0, but was -2");
  }

  @Test
  void aKeyThatStopsBeingReadHalvesItsRateEveryHalfLifeAndLeavesTheList() {
    HotKeySampler sampler = sampler(1);
    steady(sampler, "k", 1000, 60);
    double before = rate(sampler.top(20), "k");

    clock.advance(HALF_LIFE);
    double after = rate(sampler.top(20), "k");

    // 0.5, and a little less: the young sampler's correction shrinks between 60 s and 70 s
    assertThat(after / before).isCloseTo(0.5 * 0.9844 / 0.9922, within(0.005));
    clock.advance(Duration.ofMinutes(5));
    assertThat(sampler.top(20)).as("faded below two sampled reads").isEmpty();
  }

  @Test
  void recentHotKeysReplaceOldOnes() {
    HotKeySampler sampler = sampler(4);
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 150_000; i++) { // 30 s of old-0..4 at 1000/s each
      clock.nanos += 200_000;
      sampler.read("old-" + random.nextInt(5));
    }
    for (int i = 0; i < 300_000; i++) { // then 60 s of new-0..4 only
      clock.nanos += 200_000;
      sampler.read("new-" + random.nextInt(5));
    }

    List<HotKey> top = sampler.top(20);

    assertThat(top.subList(0, 5))
        .extracting(HotKey::key)
        .containsExactlyInAnyOrder("new-0", "new-1", "new-2", "new-3", "new-4");
    for (HotKey hot : top) {
      if (hot.key().startsWith("old-")) {
        // six half-lives: 1000/s has faded to about 16/s
        assertThat(hot.readsPerSecond()).as(hot.key()).isLessThan(1000 / 32.0);
      }
    }
  }

  @Test
  void ratesSurviveTheLandmarkMovingAndALongPause() {
    HotKeySampler sampler = sampler(1);
    steady(sampler, "k", 100, 1000); // λ·1000 s ≈ 69: the landmark moves twice
    assertThat(rate(sampler.top(20), "k")).isCloseTo(100, within(1.0));

    clock.advance(Duration.ofDays(1));
    assertThat(sampler.top(20)).isEmpty();
    steady(sampler, "k", 100, 60);
    assertThat(rate(sampler.top(20), "k"))
        .as("60 s after a day's pause")
        .isCloseTo(100, within(3.0));
  }

  @Test
  void memoryStaysBoundedWhateverTheNumberOfKeysAndAHotOneIsStillFound() {
    HotKeySampler sampler = sampler(1);
    for (int i = 0; i < 200_000; i++) {
      clock.nanos += 10_000;
      sampler.read(i % 10 == 0 ? "hot" : "cold-" + i);
    }
    assertThat(sampler.tracked()).isEqualTo(HotKeySampler.CAPACITY);
    List<HotKey> top = sampler.top(20);
    assertThat(top.get(0).key()).isEqualTo("hot");
    assertThat(top.get(0).readsPerSecond()).isCloseTo(10_000, within(500.0));
    assertThat(top).as("keys read once are not hot").hasSize(1);
  }

  @Test
  void oneSampledReadDoesNotMakeAKeyHot() {
    HotKeySampler sampler = sampler(1);
    sampler.read("once");
    clock.advance(Duration.ofMillis(10));
    assertThat(sampler.top(20)).isEmpty();
    sampler.read("once");
    sampler.read("once");
    assertThat(sampler.top(20)).extracting(HotKey::key).containsExactly("once");
  }

  @Test
  void topHonoursItsLimit() {
    HotKeySampler sampler = sampler(1);
    for (int k = 0; k < 30; k++) {
      for (int i = 0; i <= k; i++) {
        clock.nanos += 1_000_000;
        sampler.read("k" + k);
      }
    }
    assertThat(sampler.top(20)).hasSize(20).first().extracting(HotKey::key).isEqualTo("k29");
    assertThat(sampler.top(3)).extracting(HotKey::key).containsExactly("k29", "k28", "k27");
    assertThat(sampler.top(0)).isEmpty();
  }

  @Test
  void samplingOffRecordsNothing() {
    HotKeySampler off = sampler(0);
    assertThat(off.enabled()).isFalse();
    steady(off, "k", 1000, 10);
    assertThat(off.top(20)).isEmpty();
    assertThat(off.tracked()).isZero();
    assertThat(sampler(1).enabled()).isTrue();
  }

  @Test
  void anyOneInNIsScaledBackIncludingOnesThatDoNotDivideTheRandomRange() {
    for (int oneIn : new int[] {2, 3, 7}) {
      HotKeySampler sampler = sampler(oneIn);
      steady(sampler, "k", 2000, 60);
      assertThat(rate(sampler.top(20), "k")).as("one in %d", oneIn).isCloseTo(2000, within(120.0));
    }
  }

  @Test
  void badArgumentsAreRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new HotKeySampler(-1, HALF_LIFE, () -> 0))
        .withMessage("oneIn must be >= 0, but was -1");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new HotKeySampler(1, Duration.ZERO, () -> 0))
        .withMessageContaining("halfLife must be positive");
  }

  /** Zipf-distributed ranks 0..n-1 (rank 0 the most frequent), by inverse CDF on a fixed seed. */
  private static final class Zipf {
    private final double[] cdf;
    private final double[] probabilities;
    private final SplittableRandom random;

    Zipf(int n, double exponent, long seed) {
      probabilities = new double[n];
      double sum = 0;
      for (int i = 0; i < n; i++) {
        probabilities[i] = 1 / Math.pow(i + 1, exponent);
        sum += probabilities[i];
      }
      cdf = new double[n];
      double running = 0;
      for (int i = 0; i < n; i++) {
        probabilities[i] /= sum;
        running += probabilities[i];
        cdf[i] = running;
      }
      random = new SplittableRandom(seed);
    }

    int next() {
      int i = Arrays.binarySearch(cdf, random.nextDouble());
      return Math.min(cdf.length - 1, i >= 0 ? i : -i - 1);
    }

    double probability(int rank) {
      return probabilities[rank];
    }
  }
}
