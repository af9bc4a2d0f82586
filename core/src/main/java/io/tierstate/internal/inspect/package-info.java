/**
 * Internal: a read-only view of what a node's cache holds, for the consistency auditor ({@link
 * io.tierstate.audit}). Not an API: it may change in any release, and it is left out of the
 * Javadoc.
 */
@NullMarked
package io.tierstate.internal.inspect;

import org.jspecify.annotations.NullMarked;
