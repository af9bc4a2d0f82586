/**
 * Benchmarks of Tierstate against the libraries a user would pick instead, in the style of
 * Caffeine's: every subject sits behind one {@link io.tierstate.bench.CacheAdapter} (named by
 * {@link io.tierstate.bench.Implementation}), so that all are measured by the same code.
 *
 * <p>{@link io.tierstate.bench.Scenarios} is the single entry point: {@code --quick} runs every
 * scenario briefly and checks only correctness (the test command runs it), {@code --full} runs
 * them properly, JMH's {@link io.tierstate.bench.GetBenchmark} included, and writes {@code
 * docs/benchmarks.md}. {@code bench/run.sh --quick|--full} builds and runs it.
 */
@NullMarked
package io.tierstate.bench;

import org.jspecify.annotations.NullMarked;
