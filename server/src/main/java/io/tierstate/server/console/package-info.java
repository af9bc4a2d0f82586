/**
 * The web console's built files, served from the classpath ({@code console/}, put there by the
 * {@code tierstate-console} jar): hashed assets cached for a year, {@code index.html} for every
 * client-side route, strict security headers on every answer.
 */
@NullMarked
package io.tierstate.server.console;

import org.jspecify.annotations.NullMarked;
