package io.tierstate.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tierstate.server.testing.ApiClient.Answer;
import io.tierstate.server.testing.TestStack;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code /openapi.json} cannot drift from the code: every route the server registered is in it,
 * and every operation in it is a route the server registered.
 */
class OpenApiIntegrationTests {
  @RegisterExtension
  static final TestStack stack = TestStack.withServer();

  @Test
  void theDocumentIsServedAsOpenApi31() {
    Answer answer = stack.client().get("/openapi.json");
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.header("Content-Type")).startsWith("application/json");
    assertThat(answer.json().path("openapi").asText()).isEqualTo("3.1.0");
    assertThat(answer.json().path("components").path("schemas").has("Error")).isTrue();
    Answer again = stack.client().get("/openapi.json", java.util.Map.of("If-None-Match", answer.header("ETag")));
    assertThat(again.status()).isEqualTo(304);
  }

  @Test
  void everyRouteIsDocumentedAndEveryDocumentedRouteExists() {
    Set<String> documented = documented(stack.client().get("/openapi.json").json());
    Set<String> registered = stack.server().routes();
    assertThat(registered).as("routes registered but missing from openapi.json").isSubsetOf(documented);
    assertThat(documented).as("operations in openapi.json that no route serves").isSubsetOf(registered);
    assertThat(registered).hasSizeGreaterThan(25);
  }

  @Test
  void everyPathParameterIsDeclared() {
    JsonNode document = stack.client().get("/openapi.json").json();
    document.path("paths").properties().forEach(path -> path.getValue().properties().forEach(operation -> {
      Set<String> declared = new TreeSet<>();
      operation.getValue().path("parameters").forEach(p -> {
        if (p.path("in").asText().equals("path")) {
          declared.add(p.path("name").asText());
        }
      });
      Set<String> inPath = new TreeSet<>();
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{([^}]+)}").matcher(path.getKey());
      while (m.find()) {
        inPath.add(m.group(1));
      }
      assertThat(declared).as(operation.getKey() + " " + path.getKey()).isEqualTo(inPath);
    }));
  }

  private static Set<String> documented(JsonNode document) {
    Set<String> operations = new TreeSet<>();
    document.path("paths").properties().forEach(path -> path.getValue().properties().forEach(
        operation -> operations.add(operation.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey())));
    return operations;
  }
}
