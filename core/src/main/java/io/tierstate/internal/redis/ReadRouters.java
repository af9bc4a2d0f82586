package io.tierstate.internal.redis;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import javax.net.ssl.SSLSocketFactory;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Where {@link DirectReads} sends a key's read, for each kind of deployment. */
final class ReadRouters {
  private static final Logger log = LoggerFactory.getLogger(ReadRouters.class);

  private ReadRouters() {}

  /** Every read goes to the one server. */
  static DirectReads.Router standalone(RedisURI server) {
    InetSocketAddress address = new InetSocketAddress(server.getHost(), server.getPort());
    return new DirectReads.Router() {
      @Override
      public InetSocketAddress serverFor(String key) {
        return address;
      }

      @Override
      public boolean multiKeyReads() {
        return true;
      }
    };
  }

  /** Reads go to the primary of the key's slot in Lettuce's current view of the Cluster. */
  static DirectReads.Router cluster(Supplier<Partitions> topology) {
    return new DirectReads.Router() {
      private final Map<String, InetSocketAddress> addresses = new ConcurrentHashMap<>();

      @Override
      public @Nullable InetSocketAddress serverFor(String key) {
        RedisClusterNode node = topology.get().getMasterBySlot(SlotHash.getSlot(key));
        if (node == null || node.getUri() == null) {
          return null;
        }
        RedisURI uri = node.getUri();
        InetSocketAddress known = addresses.get(node.getNodeId());
        if (known != null
            && known.getPort() == uri.getPort()
            && known.getHostString().equals(uri.getHost())) {
          return known;
        }
        InetSocketAddress address = new InetSocketAddress(uri.getHost(), uri.getPort());
        addresses.put(node.getNodeId(), address);
        return address;
      }

      @Override
      public boolean multiKeyReads() {
        return false; // one MGET must not span slots
      }
    };
  }

  /**
   * Reads go to the primary that the Sentinels name, asked again after a connection to it fails.
   */
  static DirectReads.Router sentinel(
      List<RedisURI> sentinels,
      String masterId,
      Duration connectTimeout,
      Duration timeout,
      @Nullable SSLSocketFactory tls) {
    return new SentinelRouter(sentinels, masterId, connectTimeout, timeout, tls);
  }

  private static final class SentinelRouter implements DirectReads.Router {
    private static final long ASK_AGAIN_NANOS = Duration.ofMillis(500).toNanos();

    private final List<InetSocketAddress> sentinels;
    private final String masterId;
    private final Duration connectTimeout;
    private final Duration timeout;
    private final @Nullable SSLSocketFactory tls;
    private final AtomicBoolean asking = new AtomicBoolean();
    private volatile @Nullable InetSocketAddress primary;
    private volatile long askAgainAt = System.nanoTime();

    SentinelRouter(
        List<RedisURI> sentinels,
        String masterId,
        Duration connectTimeout,
        Duration timeout,
        @Nullable SSLSocketFactory tls) {
      this.sentinels =
          sentinels.stream().map(s -> new InetSocketAddress(s.getHost(), s.getPort())).toList();
      this.masterId = masterId;
      this.connectTimeout = connectTimeout;
      this.timeout = timeout;
      this.tls = tls;
    }

    @Override
    public @Nullable InetSocketAddress serverFor(String key) {
      InetSocketAddress known = primary;
      if (known != null) {
        return known;
      }
      // One caller asks the Sentinels; the others read through Lettuce meanwhile.
      if (System.nanoTime() - askAgainAt < 0 || !asking.compareAndSet(false, true)) {
        return null;
      }
      try {
        InetSocketAddress found = askSentinels();
        primary = found;
        if (found == null) {
          askAgainAt = System.nanoTime() + ASK_AGAIN_NANOS;
        }
        return found;
      } finally {
        asking.set(false);
      }
    }

    private @Nullable InetSocketAddress askSentinels() {
      for (InetSocketAddress sentinel : sentinels) {
        try (RespConnection connection =
            RespConnection.open(sentinel, connectTimeout, timeout, tls)) {
          Object reply = connection.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterId);
          if (reply instanceof List<?> hostAndPort
              && hostAndPort.size() == 2
              && hostAndPort.get(0) instanceof byte[] host
              && hostAndPort.get(1) instanceof byte[] port) {
            return new InetSocketAddress(text(host), Integer.parseInt(text(port)));
          }
          log.debug("Sentinel {} does not know primary '{}': {}", sentinel, masterId, reply);
        } catch (IOException | RuntimeException e) {
          log.debug("Sentinel {} did not answer: {}", sentinel, e.toString());
        }
      }
      return null;
    }

    @Override
    public boolean multiKeyReads() {
      return true;
    }

    @Override
    public void failed(InetSocketAddress address) {
      if (address.equals(primary)) {
        primary = null;
      }
    }

    /** Between a failover and Sentinel's news of it, the named server may already be a replica. */
    @Override
    public void verify(RespConnection connection) throws IOException {
      Object role = connection.call("ROLE");
      if (!(role instanceof List<?> parts)
          || parts.isEmpty()
          || !(parts.get(0) instanceof byte[] name)
          || !text(name).equals("master")) {
        failed(connection.address());
        throw new IOException(connection.address() + " is not the primary of '" + masterId + "'");
      }
    }

    private static String text(byte[] bytes) {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }
}
