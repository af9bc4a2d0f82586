/**
 * The consistency auditor: each node samples its cached entries, re-reads them from the source of
 * truth through verifiers the application registers per key family, and measures how consistent the
 * cache is (as "nines"), repairing and alerting on every entry still stale after the propagation
 * window. See {@link io.tierstate.audit.ConsistencyAuditor} and docs/consistency-audit.md.
 */
@NullMarked
package io.tierstate.audit;

import org.jspecify.annotations.NullMarked;
