package io.tierstate.bench;

import java.util.Arrays;
import java.util.SplittableRandom;

/** How benchmarks pick which of their keys to read next. */
public enum KeyDistribution {
  /** Every key equally likely. */
  UNIFORM {
    @Override
    int[] draw(int keys, int count, long seed) {
      SplittableRandom random = new SplittableRandom(seed);
      int[] indexes = new int[count];
      for (int i = 0; i < count; i++) {
        indexes[i] = random.nextInt(keys);
      }
      return indexes;
    }
  },
  /**
   * Zipf with exponent {@value #ZIPF_EXPONENT}: the key of rank r is read with a probability
   * proportional to 1/r^s, the skew of real read traffic (a few hot keys, a long tail). Ranks are
   * scattered over the key indexes by a fixed shuffle, so that hot keys are not neighbours.
   */
  ZIPF {
    @Override
    int[] draw(int keys, int count, long seed) {
      double[] cumulative = new double[keys];
      double sum = 0;
      for (int rank = 1; rank <= keys; rank++) {
        sum += 1 / Math.pow(rank, ZIPF_EXPONENT);
        cumulative[rank - 1] = sum;
      }
      int[] keyOfRank = new int[keys];
      SplittableRandom shuffle = new SplittableRandom(0x5EED);
      for (int i = 0; i < keys; i++) {
        keyOfRank[i] = i;
      }
      for (int i = keys - 1; i > 0; i--) {
        int j = shuffle.nextInt(i + 1);
        int t = keyOfRank[i];
        keyOfRank[i] = keyOfRank[j];
        keyOfRank[j] = t;
      }
      SplittableRandom random = new SplittableRandom(seed);
      int[] indexes = new int[count];
      for (int i = 0; i < count; i++) {
        int found = Arrays.binarySearch(cumulative, random.nextDouble() * sum);
        int rank = found >= 0 ? found : Math.min(-found - 1, keys - 1);
        indexes[i] = keyOfRank[rank];
      }
      return indexes;
    }
  };

  /** The Zipf exponent s. */
  public static final double ZIPF_EXPONENT = 0.99;

  /**
   * Draws {@code count} key indexes from {@code 0} to {@code keys - 1}, ahead of a measurement so
   * that drawing is not measured. The same seed gives the same sequence.
   */
  abstract int[] draw(int keys, int count, long seed);
}
