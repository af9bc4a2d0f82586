/** Codecs: how values become bytes in Redis and back, with the type named by the caller. */
@NullMarked
package io.tierstate.codec;

import org.jspecify.annotations.NullMarked;
