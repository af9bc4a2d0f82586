/**
 * Reference data built from the JDK: countries, time zones and currencies with names in a chosen
 * locale, cached in Tierstate for 24 hours per locale and served with ETags.
 */
@NullMarked
package io.tierstate.server.reference;

import org.jspecify.annotations.NullMarked;
