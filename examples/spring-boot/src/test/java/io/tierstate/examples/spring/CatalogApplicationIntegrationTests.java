package io.tierstate.examples.spring;

import static io.tierstate.examples.spring.CatalogNodes.get;
import static io.tierstate.examples.spring.CatalogNodes.put;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tierstate.examples.spring.CatalogNodes.CacheManagerKind;
import io.tierstate.testkit.PostgresServer;
import io.tierstate.testkit.RedisServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two instances of the catalog sharing one PostgreSQL and one Redis, driven over HTTP. */
class CatalogApplicationIntegrationTests {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static PostgresServer postgres;
  private static RedisServer redis;
  private static CatalogNodes nodes;
  private static String a;
  private static String b;

  @BeforeAll
  static void start() {
    postgres = PostgresServer.start();
    redis = RedisServer.start();
    nodes = new CatalogNodes(postgres, postgres.createDatabase("catalog_it"), redis);
    a = nodes.start(CacheManagerKind.TIERSTATE);
    b = nodes.start(CacheManagerKind.TIERSTATE);
  }

  @AfterAll
  static void stop() {
    nodes.close();
    redis.close();
    postgres.close();
  }

  @Test
  void aProductIsReadFromPostgresOnceForBothInstances() throws Exception {
    double before = dbQueries(a) + dbQueries(b);
    JsonNode first = json(get(a + "/products/101"));
    assertThat(first.get("name").asText()).isEqualTo("product 101");
    assertThat(json(get(a + "/products/101"))).isEqualTo(first);
    assertThat(json(get(b + "/products/101"))).isEqualTo(first);
    assertThat(dbQueries(a) + dbQueries(b) - before).isEqualTo(1);
  }

  @Test
  void anUpdateOnOneInstanceIsReadFreshOnTheOther() throws Exception {
    assertThat(json(get(b + "/products/202")).get("version").asLong()).isEqualTo(1);
    assertThat(json(get(b + "/products?category=category-2")).findValuesAsText("name")).contains("product 202");

    HttpResponse<String> updated = put(a + "/products/202", "{\"name\":\"Lamp\",\"priceCents\":1999}");
    assertThat(updated.statusCode()).isEqualTo(200);
    long version = json(updated).get("version").asLong();
    assertThat(version).isEqualTo(2);

    Await.until(Duration.ofSeconds(5), () -> version(b + "/products/202") == version);
    assertThat(json(get(a + "/products/202")).get("name").asText()).isEqualTo("Lamp");
    Await.until(Duration.ofSeconds(5),
        () -> get(b + "/products?category=category-2").body().contains("\"Lamp\""));
  }

  @Test
  void badInputIsA400NamingTheProblemAndAnUnknownProductA404() {
    assertThat(get(a + "/products/999999").statusCode()).isEqualTo(404);
    assertThat(get(a + "/products/abc").statusCode()).isEqualTo(400);
    HttpResponse<String> category = get(a + "/products?category=No%20Such");
    assertThat(category.statusCode()).isEqualTo(400);
    assertThat(category.body()).contains("category must be");
    HttpResponse<String> price = put(a + "/products/3", "{\"name\":\"x\",\"priceCents\":-1}");
    assertThat(price.statusCode()).isEqualTo(400);
    assertThat(price.body()).contains("priceCents must be");
    assertThat(put(a + "/products/3", "{not json").statusCode()).isEqualTo(400);
    assertThat(put(a + "/products/999999", "{\"name\":\"x\",\"priceCents\":1}").statusCode()).isEqualTo(404);
  }

  @Test
  void actuatorListsAndClearsTheCachesAndReportsTierstatesHealth() throws Exception {
    JsonNode caches = json(get(a + "/actuator/caches"));
    assertThat(caches.at("/cacheManagers/cacheManager/caches").fieldNames()).toIterable()
        .contains("products", "categories");

    json(get(a + "/products/303"));
    json(get(b + "/products/303"));
    double before = dbQueries(a) + dbQueries(b);
    assertThat(CatalogNodes.delete(a + "/actuator/caches/products").statusCode()).isEqualTo(204);
    // The clear reaches B's L1 through the invalidation log, a few milliseconds later (the
    // propagation bound in docs/guarantees.md): B serves its entry until then, then loads once.
    Await.until(Duration.ofSeconds(5), () -> {
      version(b + "/products/303");
      return totalDbQueries() > before;
    });
    json(get(b + "/products/303"));
    assertThat(dbQueries(a) + dbQueries(b) - before).as("B reloads once after A cleared the cache").isEqualTo(1);

    JsonNode health = json(get(a + "/actuator/health"));
    assertThat(health.at("/components/tierstate/status").asText()).isEqualTo("UP");
    assertThat(health.at("/components/tierstate/details/status").asText()).isEqualTo("HEALTHY");
    assertThat(health.at("/components/tierstate/details/redis.ping/status").asText()).isEqualTo("HEALTHY");
  }

  private static long version(String url) {
    try {
      return json(get(url)).get("version").asLong();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Database queries of both instances, as their meters report them. */
  private static double totalDbQueries() {
    try {
      return dbQueries(a) + dbQueries(b);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  static double dbQueries(String base) throws Exception {
    return json(get(base + "/actuator/metrics/catalog.db.queries")).at("/measurements/0/value").asDouble();
  }

  static JsonNode json(HttpResponse<String> response) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
    return JSON.readTree(response.body());
  }
}
