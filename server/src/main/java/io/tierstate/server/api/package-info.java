/**
 * Pieces shared by the data API's features (users, reference data, events): JSON representations
 * with strong ETags and conditional GETs, strict query parameters, ids from paths, and the switch
 * that turns data caching off for load comparisons.
 */
@NullMarked
package io.tierstate.server.api;

import org.jspecify.annotations.NullMarked;
