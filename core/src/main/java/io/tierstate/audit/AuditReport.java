package io.tierstate.audit;

import java.time.Duration;

/**
 * What the {@link ConsistencyAuditor} found, ready to serialize as JSON.
 *
 * @param enabled whether the auditor samples (a verifier is registered)
 * @param consistent samples whose cached value matched the source of truth, since the start
 * @param staleInWindow samples found stale but gone, replaced or matching within the propagation
 *     window, since the start
 * @param inconsistent samples still stale after the propagation window (each one repaired), since
 *     the start
 * @param errors samples the verifier could not decide (it threw or timed out), since the start
 * @param pending stale samples waiting for their re-check now
 * @param window the window {@code ratio} and {@code nines} cover
 * @param windowSamples decided samples (errors left out) in the window
 * @param windowInconsistent inconsistent samples in the window
 * @param ratio consistent (or stale within the window) over decided samples in the window; NaN
 *     before any
 * @param nines the ratio as nines ({@code 3} for 99.9%), counting one more inconsistency among one
 *     more sample, so at most {@code log10(windowSamples + 1)}; NaN before any sample
 * @param meanSampleCost the mean time one sample took (cache read and verifier), since the start
 */
public record AuditReport(
    boolean enabled,
    long consistent,
    long staleInWindow,
    long inconsistent,
    long errors,
    int pending,
    Duration window,
    long windowSamples,
    long windowInconsistent,
    double ratio,
    double nines,
    Duration meanSampleCost) {}
