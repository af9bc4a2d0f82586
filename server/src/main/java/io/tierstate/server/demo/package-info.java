/** Demo data (TIERSTATE_DEMO=true): two tenants and five users to sign in with. */
@NullMarked
package io.tierstate.server.demo;

import org.jspecify.annotations.NullMarked;
