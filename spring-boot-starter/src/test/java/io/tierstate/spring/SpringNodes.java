package io.tierstate.spring;

import io.tierstate.testkit.RedisServer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Starts application contexts standing for nodes of one service: same Redis, same namespace. */
final class SpringNodes implements AutoCloseable {
  private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();
  private final String namespace = "spring-" + UUID.randomUUID().toString().substring(0, 8);
  private final RedisServer redis;

  SpringNodes(RedisServer redis) {
    this.redis = redis;
  }

  ConfigurableApplicationContext start(String... properties) {
    List<String> all = new ArrayList<>(List.of(
        "tierstate.redis.url=" + redis.uri(),
        "tierstate.namespace=" + namespace,
        "spring.main.banner-mode=off",
        "logging.level.root=WARN"));
    all.addAll(List.of(properties));
    ConfigurableApplicationContext context = new SpringApplicationBuilder(CatalogFixture.class)
        .web(WebApplicationType.NONE)
        .properties(all.toArray(String[]::new))
        .run();
    contexts.add(context);
    return context;
  }

  @Override
  public void close() {
    contexts.forEach(ConfigurableApplicationContext::close);
  }
}
