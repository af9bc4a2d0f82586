/** JMX support for the JCache provider: the MBean server builder that names Tierstate's server. */
@NullMarked
package io.tierstate.jcache.management;

import org.jspecify.annotations.NullMarked;
