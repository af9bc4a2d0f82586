package io.tierstate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The module {@code io.tierstate.core} on the module path: it exports every API package and no
 * internal one, so a consumer module compiles against the API and cannot import the plumbing. The
 * consumers are compiled with the JDK's compiler against the built classes.
 */
class ModuleBoundaryUnitTests {
  private static final String MODULE = "io.tierstate.core";

  @Test
  void exportsTheApiPackagesAndNoInternalOne() {
    ModuleDescriptor descriptor = descriptor();
    Set<String> exported =
        descriptor.exports().stream()
            .peek(export -> assertThat(export.isQualified()).as(export.toString()).isFalse())
            .map(ModuleDescriptor.Exports::source)
            .collect(Collectors.toCollection(TreeSet::new));
    Set<String> api =
        descriptor.packages().stream()
            .filter(name -> !name.startsWith("io.tierstate.internal"))
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(exported).isEqualTo(api).contains("io.tierstate", "io.tierstate.cache");
    assertThat(descriptor.packages()).contains("io.tierstate.internal.redis");
    assertThat(descriptor.opens()).isEmpty();
  }

  @Test
  void aConsumerModuleCompilesAgainstTheApiButCannotImportThePlumbing(@TempDir Path dir)
      throws IOException {
    Path sources = Files.createDirectories(dir.resolve("src/consumer"));
    Files.writeString(
        dir.resolve("src/module-info.java"), "module consumer { requires " + MODULE + "; }\n");
    Files.writeString(
        sources.resolve("Api.java"),
        """
        package consumer;

        import io.tierstate.Tierstate;
        import io.tierstate.TierstateConfig;
        import io.tierstate.cache.CacheOptions;
        import io.tierstate.session.SessionManager;
        import java.time.Duration;
        import java.util.Map;

        public class Api {
          static SessionManager start() {
            Tierstate ts = Tierstate.create(TierstateConfig.fromEnv(Map.of()));
            ts.cache().set("k", "v", CacheOptions.ttl(Duration.ofSeconds(1)));
            return ts.sessions();
          }
        }
        """);
    Files.writeString(
        sources.resolve("Plumbing.java"),
        """
        package consumer;

        import io.tierstate.internal.redis.RedisExecutor;

        public class Plumbing {
          RedisExecutor executor;
        }
        """);

    // One javac run for both (it is the slow part): errors in one file do not stop the other's
    // checks up to flow analysis.
    String errors =
        compile(dir, "src/module-info.java", "src/consumer/Api.java", "src/consumer/Plumbing.java");

    assertThat(errors)
        .contains("Plumbing.java:3: error: package io.tierstate.internal.redis is not visible")
        .contains("does not export it")
        .doesNotContain("Api.java")
        .contains("1 error");
  }

  /** Compiles the given sources of module {@code consumer}; returns javac's output. */
  private static String compile(Path dir, String... sources) throws IOException {
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    List<String> arguments = new java.util.ArrayList<>();
    arguments.addAll(
        List.of(
            "-d",
            dir.resolve("out").toString(),
            "--should-stop=ifError=FLOW",
            // in process, javac would also read this JVM's classpath (core's classes among it)
            "--class-path",
            Files.createDirectories(dir.resolve("empty")).toString(),
            "--module-path",
            String.join(File.pathSeparator, modulePath())));
    for (String source : sources) {
      arguments.add(dir.resolve(source).toString());
    }
    ToolProvider.getSystemJavaCompiler()
        .run(null, output, output, arguments.toArray(String[]::new));
    return output.toString(StandardCharsets.UTF_8);
  }

  /**
   * Core and the modules it needs, out of the test classpath: fewer jars for javac to open than the
   * whole classpath (JUnit, AssertJ and the testkit are no business of the consumer).
   */
  private static List<String> modulePath() {
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path[] entries =
        Arrays.stream(classpath.split(File.pathSeparator))
            .filter(entry -> !entry.isBlank() && !entry.endsWith("test-classes"))
            .map(Path::of)
            .toArray(Path[]::new);
    return Configuration.resolve(
            ModuleFinder.of(entries),
            List.of(ModuleLayer.boot().configuration()), // the JDK's modules
            ModuleFinder.of(),
            Set.of(MODULE, "org.jspecify")) // 'requires static': for compiling, not resolved
        .modules()
        .stream()
        .map(module -> Path.of(module.reference().location().orElseThrow()).toString())
        .sorted()
        .toList();
  }

  private static ModuleDescriptor descriptor() {
    Path core =
        Path.of(Tierstate.class.getProtectionDomain().getCodeSource().getLocation().getPath());
    return ModuleFinder.of(core)
        .find(MODULE)
        .orElseThrow(() -> new AssertionError("no module " + MODULE + " in " + core))
        .descriptor();
  }
}
