package io.tierstate.jcache;

import java.lang.management.ManagementFactory;
import javax.cache.CacheException;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.MBeanRegistrationException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.NotCompliantMBeanException;
import javax.management.ObjectName;

/** Registers a cache's MXBeans in the platform MBean server under the names JSR-107 defines. */
final class MBeans {
  private MBeans() {}

  static void register(Object bean, String type, String managerUri, String cacheName) {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    ObjectName name = name(type, managerUri, cacheName);
    try {
      if (!server.isRegistered(name)) {
        server.registerMBean(bean, name);
      }
    } catch (InstanceAlreadyExistsException e) {
      // another thread registered it
    } catch (MBeanRegistrationException | NotCompliantMBeanException e) {
      throw new CacheException("cannot register the MXBean " + name, e);
    }
  }

  static void unregister(String type, String managerUri, String cacheName) {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    ObjectName name = name(type, managerUri, cacheName);
    try {
      if (server.isRegistered(name)) {
        server.unregisterMBean(name);
      }
    } catch (InstanceNotFoundException e) {
      // already gone
    } catch (MBeanRegistrationException e) {
      throw new CacheException("cannot unregister the MXBean " + name, e);
    }
  }

  private static ObjectName name(String type, String managerUri, String cacheName) {
    try {
      return new ObjectName("javax.cache:type=" + type + ",CacheManager=" + safe(managerUri) + ",Cache=" + safe(cacheName));
    } catch (MalformedObjectNameException e) {
      throw new CacheException("cannot name the MXBean of cache " + cacheName, e);
    }
  }

  /** JSR-107's rule: the characters that ObjectName values cannot hold become dots. */
  private static String safe(String text) {
    return text.replaceAll("[,:=\n]", ".");
  }
}
