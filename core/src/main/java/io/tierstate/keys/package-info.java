/** Key names: validation and tenant-isolated key builders. */
@NullMarked
package io.tierstate.keys;

import org.jspecify.annotations.NullMarked;
