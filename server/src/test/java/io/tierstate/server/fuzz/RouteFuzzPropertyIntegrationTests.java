package io.tierstate.server.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.tierstate.server.TierstateServer;
import io.tierstate.server.testing.ApiClient;
import io.tierstate.server.testing.RawHttp;
import io.tierstate.server.testing.TestStack;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Every route of {@code /openapi.json}, fuzzed: each parameter (path, query, header) and each body
 * field gets hostile values (NUL and other control characters, invalid UTF-8, huge and empty
 * values, numbers and booleans where text belongs, deep nesting, duplicate keys, odd Unicode, SQL
 * and Redis glob injections), and bodies come with the wrong media type, sent anonymously or
 * signed in as the admin of one of two tenants. Sent as raw bytes, so nothing is cleaned on the
 * way. Whatever comes: never a 5xx, every error in the JSON error shape, nothing of the other
 * tenant in the answer, and a refused request (4xx) leaves PostgreSQL and Redis as they were.
 */
class RouteFuzzPropertyIntegrationTests {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  /**
   * Redis keys whose values a refused request may change: cache entries and their tag sets (reads
   * fill them, also asynchronously after answering) and sessions (each request records activity);
   * rate-limit counters (every request counts); and the node's announcement ({@code ts:node:<id>},
   * {@code ts:nodes}), which its heartbeat rewrites every few seconds. What a refused request must not change: the
   * invalidation log, tag versions, locks, which sessions exist, and PostgreSQL.
   *
   * <p>The health probe {@code ts:health:<id>} may appear: the dashboard's health report is refreshed in the
   * background for a few seconds after an admin's accepted poll (a SET and DEL sent together), so it can exist for a
   * moment while a later, refused request is checked.
   */
  private static final List<String> VALUES_MAY_CHANGE = List.of("ts:{", "ts:tag:", "ts:rl:", "ts:sess", "ts:node");
  private static final List<String> KEYS_MAY_APPEAR = List.of("ts:{", "ts:tag:", "ts:rl:", "ts:health:");

  private static TestStack stack;
  private static TierstateServer server;
  private static List<Operation> operations;
  private static Actor[] actors;
  private static RedisClient redisClient;
  private static StatefulRedisConnection<byte[], byte[]> redis;
  private static Map<String, String> lastState;
  private static final AtomicInteger SENT = new AtomicInteger();
  private static final Map<Integer, Integer> STATUSES = new ConcurrentSkipListMap<>();
  private static long started;

  /** A route as the OpenAPI document describes it. */
  record Operation(String method, String path, List<JsonNode> parameters, JsonNode bodySchema) {
    @Override
    public String toString() {
      return method + " " + path;
    }
  }

  /** Who sends: nobody, or the admin of one tenant, whose data the other must never see. */
  static final class Actor {
    final String name;
    final String email;
    ApiClient client;
    UUID tenantId = new UUID(0, 0);
    UUID userId = new UUID(0, 0);
    List<String> foreignMarkers = List.of();

    Actor(String name, String email) {
      this.name = name;
      this.email = email;
    }

    void signIn() {
      if (email == null) {
        client = stack.client();
        return;
      }
      client = TestStack.signedIn(server, email);
      tenantId = client.tenantId();
      userId = client.userId();
    }

    @Override
    public String toString() {
      return name;
    }
  }

  @BeforeContainer
  static void start() throws Exception {
    stack = TestStack.withServer().start();
    server = stack.server();
    actors = new Actor[] {new Actor("anonymous", null), new Actor("acme-admin", "admin@acme.test"),
        new Actor("globex-admin", "admin@globex.test")};
    for (Actor actor : actors) {
      actor.signIn();
    }
    // The other tenant's slug, name and e-mail domain (its ids may be echoed from the request itself).
    actors[1].foreignMarkers = List.of("globex");
    actors[2].foreignMarkers = List.of("acme");
    operations = operations(JSON.readTree(actors[0].client.get("/openapi.json").body()));
    slots = slots(operations);
    redisClient = RedisClient.create(stack.redis().uri());
    redis = redisClient.connect(ByteArrayCodec.INSTANCE);
    lastState = state();
    started = System.nanoTime();
  }

  @AfterContainer
  static void stop() {
    long seconds = (System.nanoTime() - started) / 1_000_000_000L;
    System.out.println("RouteFuzzPropertyIntegrationTests: sent " + SENT.get() + " requests over " + operations.size()
        + " operations (" + slots.size() + " places for hostile values) in " + seconds + " s; statuses " + STATUSES);
    if (redis != null) {
      redis.close();
      redisClient.shutdown();
    }
    stack.close();
  }

  /** Every operation of the document, with its parameters and request body schema resolved. */
  static List<Operation> operations(JsonNode document) {
    List<Operation> all = new ArrayList<>();
    document.get("paths").properties().forEach(path -> path.getValue().properties().forEach(method -> {
      List<JsonNode> parameters = new ArrayList<>();
      method.getValue().path("parameters").forEach(parameters::add);
      JsonNode schema = method.getValue().path("requestBody").path("content").path("application/json").path("schema");
      if (schema.has("$ref")) {
        String name = schema.get("$ref").asText().substring("#/components/schemas/".length());
        schema = document.get("components").get("schemas").get(name);
      }
      all.add(new Operation(method.getKey().toUpperCase(java.util.Locale.ROOT), path.getKey(), parameters, schema));
    }));
    return all;
  }

  // ---- hostile values ----

  /** Text an attacker or a broken client sends; each is a string in Java, bytes are made later. */
  static Arbitrary<String> hostileText() {
    return Arbitraries.frequencyOf(
        // NUL most of all: PostgreSQL refuses it in text, so it is the one most likely to reach a 500.
        Tuple.of(5, Arbitraries.of("a\u0000b", "\u0000", "x\u0000", "\u0000\u0000\u0000")),
        Tuple.of(3, Arbitraries.of("x\u0007y", "line\nbreak", "cr\rlf", "tab\tbed", "\u001b[31mred", "del\u007f",
            "c1\u0085next", "\u009b", "\u0001")),
        Tuple.of(2, Arbitraries.of("", " ", "   ", "a".repeat(300), "b".repeat(5000), "c".repeat(70_000))),
        Tuple.of(2, Arbitraries.of("\u202eevil", "zero\u200bwidth", "\ufeffbom", "e\u0301", "\uffff", "\ud83d\ude00",
            "\ud800lone", "Ω≈ç√", "ﷺ", "𝕏")),
        Tuple.of(2, Arbitraries.of("' OR '1'='1", "'; DROP TABLE users; --", "%", "_", "\\", "%_%", "1; SELECT pg_sleep(5)",
            "$$", "\"", "admin@example.test' --")),
        Tuple.of(2, Arbitraries.of("*", "?", "[a-z]", "tenant:*", "{tag}", "\\*", "ts:*", "*:users", "[^a]")),
        Tuple.of(2, Arbitraries.of("42", "-1", "+5", "0", "1e3", "0x10", "99999999999999999999", "NaN", "true", "null")),
        Tuple.of(1, Arbitraries.strings().ofMinLength(0).ofMaxLength(40)));
  }

  /** What goes into a JSON body field: hostile text, or a value of the wrong type. */
  static Arbitrary<JsonNode> hostileJson() {
    return Arbitraries.oneOf(
        hostileText().map(NODES::textNode),
        Arbitraries.<JsonNode>of(NODES.numberNode(42), NODES.numberNode(3.5), NODES.booleanNode(true),
            NODES.nullNode(), NODES.arrayNode(), NODES.objectNode(), NODES.arrayNode().add("member").add(7),
            NODES.arrayNode().add(NODES.nullNode()), NODES.numberNode(new java.math.BigInteger("9".repeat(40)))));
  }

  /** A request target segment or query value as it goes on the wire: escaped, raw, or with bad escapes. */
  static Arbitrary<byte[]> hostileWireText() {
    return Arbitraries.oneOf(
        hostileText().map(RouteFuzzPropertyIntegrationTests::escape),
        Arbitraries.of("%FF", "%C0%80", "%ED%A0%80", "a%00b", "%", "%G1", "%E2%82", "..%2F..%2Fetc", "%2e%2e")
            .map(s -> s.getBytes(StandardCharsets.US_ASCII)));
  }

  /** One request, as fuzzed. */
  record Attempt(int slot, int actor, int target, String text, JsonNode json, byte[] wire) {
    Slot at() {
      return slots.get(slot % slots.size());
    }

    int mutation() {
      return at().mutation();
    }

    int field() {
      return at().field();
    }
  }

  /**
   * One place of one operation to put a hostile value in: a path parameter (mutation 0), a query
   * parameter's raw (1) or escaped (3) value, a query parameter's name (2), a header (4), a body
   * field as JSON (5) or as text (6), a duplicated field (7), an unknown field (8), deep nesting
   * (9), invalid UTF-8 (10), another media type (11), a body that is no object (12), or nowhere
   * (13: a plausible request, so that the routes' successes are exercised too).
   */
  record Slot(Operation operation, int mutation, int field) {}

  private static List<Slot> slots;

  /** Every slot of every operation, so that each try picks one uniformly and each is tried about equally. */
  static List<Slot> slots(List<Operation> operations) {
    List<Slot> all = new ArrayList<>();
    for (Operation operation : operations) {
      long query = operation.parameters().stream().filter(p -> p.path("in").asText().equals("query")).count();
      long headers = operation.parameters().stream().filter(p -> p.path("in").asText().equals("header")).count();
      int fields = operation.bodySchema().path("properties").size();
      boolean body = !operation.bodySchema().isMissingNode();
      if (operation.path().contains("{")) {
        all.add(new Slot(operation, 0, 0));
      }
      for (int i = 0; i < query; i++) {
        all.add(new Slot(operation, 1, i));
        all.add(new Slot(operation, 3, i));
      }
      all.add(new Slot(operation, 2, 0));
      for (int i = 0; i < Math.max(1, headers); i++) {
        all.add(new Slot(operation, 4, i));
      }
      for (int i = 0; i < fields; i++) {
        all.add(new Slot(operation, 5, i));
        all.add(new Slot(operation, 6, i));
        all.add(new Slot(operation, 7, i));
      }
      for (int mutation = 8; mutation <= 12; mutation++) {
        if (body || mutation >= 11) {
          all.add(new Slot(operation, mutation, mutation));
        }
      }
      all.add(new Slot(operation, 13, 0));
    }
    return all;
  }

  @Provide
  Arbitrary<Attempt> attempts() {
    return Combinators.combine(
        Arbitraries.integers().between(0, Integer.MAX_VALUE - 1),
        Arbitraries.integers().between(0, 2),
        Arbitraries.integers().between(0, 3),
        hostileText(),
        hostileJson(),
        hostileWireText())
        .as(Attempt::new);
  }

  @Property(tries = 1000, shrinking = ShrinkingMode.BOUNDED)
  void noInputGetsA5xxOrLeaksOrChangesStateWhenRefused(@ForAll("attempts") Attempt attempt) throws Exception {
    Operation operation = attempt.at().operation();
    Actor actor = actors[attempt.actor()];
    Request request = request(operation, actor, attempt);
    RawHttp.Response response = RawHttp.send(server.port(), operation.method(), request.target(), request.headers(),
        request.body());
    SENT.incrementAndGet();
    STATUSES.merge(response.status(), 1, Integer::sum);
    String what = operation + " by " + actor + " as " + request.describe() + " -> " + response;

    assertThat(response.status()).as(what).isLessThan(500);
    if (response.status() >= 400) {
      assertThat(response.header("Content-Type")).as(what).startsWith("application/json");
      JsonNode error = JSON.readTree(response.body()).path("error");
      assertThat(error.path("code").isTextual()).as(what).isTrue();
      assertThat(error.path("message").isTextual()).as(what).isTrue();
    }
    for (String marker : actor.foreignMarkers) {
      assertThat(response.body()).as(what).doesNotContainIgnoringCase(marker);
    }
    if (response.status() >= 400) {
      assertThat(state()).as("PostgreSQL and Redis after " + what).isEqualTo(lastState);
    } else {
      lastState = settledState();
    }
    if (response.status() < 300 && operation.path().startsWith("/api/v1/auth/") && !operation.method().equals("GET")) {
      actor.signIn(); // signed out, or rotated: sign in again for the next attempts
      lastState = settledState();
    }
    if (response.status() == 401 && actor.email != null && !operation.path().equals("/api/v1/auth/login")) {
      actor.signIn(); // a DELETE of this very session, say
      lastState = settledState();
    }
  }

  /** The bytes of one request. */
  record Request(byte[] target, List<byte[]> headers, byte[] body, String describe) {}

  private static Request request(Operation operation, Actor actor, Attempt attempt) {
    List<JsonNode> queryParameters = operation.parameters().stream().filter(p -> p.path("in").asText().equals("query")).toList();
    List<JsonNode> headerParameters = operation.parameters().stream().filter(p -> p.path("in").asText().equals("header")).toList();
    List<String> fields = new ArrayList<>();
    operation.bodySchema().path("properties").fieldNames().forEachRemaining(fields::add);
    int mutation = attempt.mutation();
    StringBuilder describe = new StringBuilder();

    // The path, each parameter filled with an id of one of the tenants, a random one, or hostile bytes.
    ByteArrayOutputStream target = new ByteArrayOutputStream();
    String[] pieces = operation.path().split("(?=\\{)|(?<=})");
    for (String piece : pieces) {
      if (!piece.startsWith("{")) {
        target.writeBytes(piece.getBytes(StandardCharsets.US_ASCII));
      } else if (mutation == 0) {
        target.writeBytes(attempt.wire());
        describe.append("hostile ").append(piece).append(' ');
      } else {
        // Mostly the actor's own tenant (or the first's, for nobody), so that requests get past the tenant check.
        Actor own = actor.email == null ? actors[1] : actor;
        Actor other = own == actors[1] ? actors[2] : actors[1];
        Actor whose = attempt.target() <= 1 ? own : other;
        String id = attempt.target() == 3 ? UUID.nameUUIDFromBytes(attempt.text().getBytes(StandardCharsets.UTF_8)).toString()
            : piece.equals("{userId}") ? whose.userId.toString() : whose.tenantId.toString();
        target.writeBytes(id.getBytes(StandardCharsets.US_ASCII));
      }
    }
    // The query: one hostile value for one declared parameter, or an undeclared one.
    if (mutation == 1 && !queryParameters.isEmpty()) {
      String name = queryParameters.get(attempt.field() % queryParameters.size()).path("name").asText();
      target.writeBytes(("?" + name + "=").getBytes(StandardCharsets.US_ASCII));
      target.writeBytes(attempt.wire());
      describe.append("query ").append(name).append(' ');
    } else if (mutation == 2) {
      target.writeBytes("?".getBytes(StandardCharsets.US_ASCII));
      target.writeBytes(attempt.wire());
      target.writeBytes("=1".getBytes(StandardCharsets.US_ASCII));
      describe.append("query name ");
    } else if (mutation == 3 && !queryParameters.isEmpty()) {
      String name = queryParameters.get(attempt.field() % queryParameters.size()).path("name").asText();
      target.writeBytes(("?" + name + "=").getBytes(StandardCharsets.US_ASCII));
      target.writeBytes(escape("a" + attempt.text()));
      describe.append("query ").append(name).append(" (escaped) ");
    }

    List<byte[]> headers = new ArrayList<>();
    headers.add(("User-Agent: " + ApiClient.USER_AGENT).getBytes(StandardCharsets.US_ASCII));
    headers.add(("X-Forwarded-For: " + actor.client.clientIp()).getBytes(StandardCharsets.US_ASCII));
    headers.add(("Origin: " + server.baseUrl()).getBytes(StandardCharsets.US_ASCII));
    String cookies = actor.email == null ? "" : actor.client.cookieHeader(operation.path());
    if (!cookies.isEmpty()) {
      headers.add(("Cookie: " + cookies).getBytes(StandardCharsets.US_ASCII));
    }
    if (mutation == 4) {
      String name = headerParameters.isEmpty() ? "If-Match"
          : headerParameters.get(attempt.field() % headerParameters.size()).path("name").asText();
      headers.add(concat((name + ": ").getBytes(StandardCharsets.US_ASCII), attempt.text().getBytes(StandardCharsets.UTF_8)));
      describe.append("header ").append(name).append(' ');
    }

    // The body: a plausible one from the schema, then one field made hostile, or the body broken whole.
    byte[] body = new byte[0];
    String contentType = "application/json";
    if (!operation.bodySchema().isMissingNode()) {
      ObjectNode plausible = plausible(operation.bodySchema());
      String field = fields.isEmpty() ? "x" : fields.get(attempt.field() % fields.size());
      String text = plausible.toString();
      switch (mutation) {
        case 5 -> {
          plausible.set(field, attempt.json());
          text = plausible.toString();
          describe.append("field ").append(field).append(' ');
        }
        case 6 -> {
          // Inside a plausible value ("fuzz-1\u0000@fuzz.test"), so that it gets past the format checks.
          String base = plausible.path(field).isTextual() ? plausible.path(field).asText() : "value";
          int middle = base.indexOf('@') > 0 ? base.indexOf('@') : base.length() / 2;
          plausible.set(field, NODES.textNode(base.substring(0, middle) + attempt.text() + base.substring(middle)));
          text = plausible.toString();
          describe.append("field ").append(field).append(" (text inside) ");
        }
        case 7 -> {
          text = "{\"" + field + "\":" + plausible.path(field) + "," + text.substring(1);
          describe.append("duplicate ").append(field).append(' ');
        }
        case 8 -> {
          plausible.set(attempt.text().isEmpty() ? "unknown" : attempt.text(), NODES.numberNode(1));
          text = plausible.toString();
          describe.append("unknown field ");
        }
        case 9 -> {
          int depth = 10 + attempt.field() * 100;
          text = "{\"" + field + "\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
          describe.append("nested ").append(depth).append(' ');
        }
        case 10 -> {
          body = concat(("{\"" + field + "\":\"a").getBytes(StandardCharsets.US_ASCII),
              new byte[] {(byte) 0xC0, (byte) 0x80, (byte) 0xFF}, "b\"}".getBytes(StandardCharsets.US_ASCII));
          describe.append("invalid UTF-8 in ").append(field).append(' ');
        }
        case 11 -> {
          contentType = attempt.field() % 2 == 0 ? "text/plain" : "application/x-www-form-urlencoded";
          describe.append(contentType).append(' ');
        }
        case 12 -> {
          text = List.of("", "null", "[]", "\"text\"", "42", "{", "{}{}", "{\"a\":1}garbage", "\u0000")
              .get(attempt.field() % 9);
          describe.append("body '").append(text).append("' ");
        }
        default -> { }
      }
      if (body.length == 0) {
        body = text.getBytes(StandardCharsets.UTF_8);
      }
    } else if (mutation == 12 || mutation == 11) {
      body = "{\"surprise\":\"a\\u0000b\"}".getBytes(StandardCharsets.UTF_8);
      describe.append("unexpected body ");
    }
    if (body.length > 0) {
      headers.add(("Content-Type: " + contentType).getBytes(StandardCharsets.US_ASCII));
    }
    String shown = new String(target.toByteArray(), StandardCharsets.ISO_8859_1);
    describe.append(shown.length() > 200 ? shown.substring(0, 200) + "..." : shown);
    String bodyShown = new String(body, StandardCharsets.UTF_8);
    if (!bodyShown.isEmpty()) {
      describe.append(" body ").append(bodyShown.length() > 200 ? bodyShown.substring(0, 200) + "..." : bodyShown);
    }
    return new Request(target.toByteArray(), headers, body, describe.toString().replace("\u0000", "\\u0000"));
  }

  /** A body the route would accept: each property with a value of its schema. */
  private static ObjectNode plausible(JsonNode schema) {
    ObjectNode body = NODES.objectNode();
    for (Map.Entry<String, JsonNode> property : schema.path("properties").properties()) {
      JsonNode type = property.getValue();
      JsonNode value;
      if (type.has("enum")) {
        value = type.get("enum").get(0);
      } else if (type.path("type").asText().equals("array")) {
        value = NODES.arrayNode().add("member");
      } else if (property.getKey().equals("email")) {
        value = NODES.textNode("fuzz-" + UUID.randomUUID().toString().substring(0, 8) + "@fuzz.test");
      } else if (property.getKey().equals("slug")) {
        value = NODES.textNode("fuzz-" + UUID.randomUUID().toString().substring(0, 8));
      } else if (property.getKey().equals("deviceId")) {
        value = NODES.textNode("fuzz-device");
      } else if (property.getKey().equals("locale")) {
        value = NODES.textNode("de-CH");
      } else if (property.getKey().equals("timeZone")) {
        value = NODES.textNode("Europe/Zurich");
      } else {
        value = NODES.textNode("Fuzzed value 1234");
      }
      body.set(property.getKey(), value);
    }
    return body;
  }

  // ---- state ----

  /** The state once it stopped changing (asynchronous cache fills and invalidations have landed). */
  private static Map<String, String> settledState() throws Exception {
    Map<String, String> previous = state();
    for (int i = 0; i < 20; i++) {
      Thread.sleep(25);
      Map<String, String> current = state();
      if (current.equals(previous)) {
        return current;
      }
      previous = current;
    }
    return previous;
  }

  /**
   * Every table of PostgreSQL and every Redis key that a refused request must not change, each
   * with a digest of its content (so that a failure shows which one changed).
   */
  private static Map<String, String> state() throws Exception {
    Map<String, String> state = new TreeMap<>();
    for (String table : List.of("tenants", "users", "roles", "role_permissions", "user_roles", "user_preferences")) {
      String rows = server.database().queryOne("SELECT coalesce(string_agg(t::text, '|' ORDER BY t::text), '') FROM "
          + table + " t", row -> row.getString(1)).orElse("");
      state.put("postgres:" + table, digest(rows.getBytes(StandardCharsets.UTF_8)));
    }
    for (byte[] key : redis.sync().keys("*".getBytes(StandardCharsets.UTF_8))) {
      String name = new String(key, StandardCharsets.UTF_8);
      if (KEYS_MAY_APPEAR.stream().anyMatch(name::startsWith)) {
        continue;
      }
      if (name.equals("ts:log")) {
        state.put("redis:ts:log (invalidations)", digest(invalidations(key)));
        continue;
      }
      byte[] dump = VALUES_MAY_CHANGE.stream().anyMatch(name::startsWith) ? null : redis.sync().dump(key);
      state.put("redis:" + name, dump == null ? "exists" : digest(dump));
    }
    return state;
  }

  /**
   * The invalidations in Tierstate's log (a Redis Stream): entries of type {@code k} (keys and
   * tags) and {@code p} (pattern). The log also announces fills ({@code f}) and released loads
   * ({@code r}), which reads make, refused or not.
   */
  private static byte[] invalidations(byte[] log) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (var entry : redis.sync().xrange(log, io.lettuce.core.Range.create("-", "+"))) {
      byte[] type = entry.getBody().get("t".getBytes(StandardCharsets.UTF_8));
      if (type != null && (type[0] == 'k' || type[0] == 'p')) {
        all.writeBytes(entry.getId().getBytes(StandardCharsets.UTF_8));
      }
    }
    return all.toByteArray();
  }

  private static String digest(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes), 0, 8);
  }

  // ---- bytes ----

  private static byte[] escape(String text) {
    StringBuilder escaped = new StringBuilder();
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_') {
        escaped.append((char) c);
      } else {
        escaped.append('%').append(String.format("%02X", c));
      }
    }
    return escaped.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    Arrays.stream(parts).forEach(all::writeBytes);
    return all.toByteArray();
  }
}
