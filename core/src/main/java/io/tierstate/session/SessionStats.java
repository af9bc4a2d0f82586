package io.tierstate.session;

/**
 * Session counts, read from the live-session sets that Tierstate maintains (members scored by
 * expiry, pruned lazily). A session whose removal from these sets failed while Redis was
 * unreachable is counted until its expiry passes.
 *
 * <p>Immutable and thread-safe.
 *
 * @param liveSessions sessions of every tenant that have not expired or been deleted
 */
public record SessionStats(long liveSessions) {}
