/**
 * Benchmarks of Tierstate against the libraries a user would pick instead, in the style of
 * Caffeine's: every implementation sits behind one {@link io.tierstate.bench.CacheAdapter}, so that
 * all are measured by the same code. {@link io.tierstate.bench.GetBenchmark} is the JMH benchmark
 * of reads; {@link io.tierstate.bench.StampedeScenario} a plain program for concurrent misses.
 * {@code bench/run.sh} builds and runs both; {@code docs/benchmarks.md} explains the figures.
 */
@NullMarked
package io.tierstate.bench;

import org.jspecify.annotations.NullMarked;
