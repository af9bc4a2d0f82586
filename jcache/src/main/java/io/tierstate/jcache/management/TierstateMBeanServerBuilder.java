package io.tierstate.jcache.management;

import javax.management.MBeanServer;
import javax.management.MBeanServerBuilder;
import javax.management.MBeanServerDelegate;

/**
 * An {@link MBeanServerBuilder} whose servers identify themselves as {@value #AGENT_ID}, so that a
 * JMX client (the JCache TCK among them) can find the server that holds Tierstate's cache MXBeans.
 * Selected with {@code -Djavax.management.builder.initial=io.tierstate.jcache.management.TierstateMBeanServerBuilder}.
 *
 * <p>Thread-safe.
 */
public final class TierstateMBeanServerBuilder extends MBeanServerBuilder {
  /** The MBean server id that servers built here report. */
  public static final String AGENT_ID = "TierstateMBeanServer";

  /** Creates the builder; called by the JMX runtime. */
  public TierstateMBeanServerBuilder() {}

  @Override
  public MBeanServer newMBeanServer(String defaultDomain, MBeanServer outer, MBeanServerDelegate delegate) {
    return super.newMBeanServer(defaultDomain, outer, new Delegate());
  }

  @Override
  public MBeanServerDelegate newMBeanServerDelegate() {
    return new Delegate();
  }

  private static final class Delegate extends MBeanServerDelegate {
    @Override
    public String getMBeanServerId() {
      return AGENT_ID;
    }
  }
}
