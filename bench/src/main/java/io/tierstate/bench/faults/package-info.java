/**
 * The fault suite under load (issue 16): two Tierstate nodes serve a bounded mixed load while one
 * fault at a time is injected into Redis, the network between a node and Redis, or PostgreSQL; a
 * checker records every answer and every value's version and, once the fault has healed, compares
 * what each node serves with PostgreSQL.
 *
 * <p>{@link io.tierstate.bench.faults.FaultSuite} is the entry point ({@code bench/faults.sh}); its
 * quick form runs in the test command ({@code FaultSuiteIntegrationTests}).
 */
@NullMarked
package io.tierstate.bench.faults;

import org.jspecify.annotations.NullMarked;
