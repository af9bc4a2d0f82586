package io.tierstate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
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
import javax.tools.JavaCompiler;
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
  void aConsumerModuleCompilesAgainstTheApi(@TempDir Path dir) throws IOException {
    String errors =
        compile(
            dir,
            """
            package consumer;

            import io.tierstate.Tierstate;
            import io.tierstate.TierstateConfig;
            import io.tierstate.cache.CacheOptions;
            import io.tierstate.session.SessionManager;
            import java.time.Duration;
            import java.util.Map;

            public class Use {
              static SessionManager start() {
                Tierstate ts = Tierstate.create(TierstateConfig.fromEnv(Map.of()));
                ts.cache().set("k", "v", CacheOptions.ttl(Duration.ofSeconds(1)));
                return ts.sessions();
              }
            }
            """);
    assertThat(errors).isEmpty();
  }

  @Test
  void aConsumerModuleCannotImportThePlumbing(@TempDir Path dir) throws IOException {
    String errors =
        compile(
            dir,
            """
            package consumer;

            import io.tierstate.internal.redis.RedisExecutor;

            public class Use {
              RedisExecutor executor;
            }
            """);
    assertThat(errors)
        .contains("package io.tierstate.internal.redis is not visible")
        .contains("does not export it");
  }

  /** Compiles module {@code consumer} (requiring core) with one class; returns javac's errors. */
  private static String compile(Path dir, String source) throws IOException {
    Path sources = Files.createDirectories(dir.resolve("src/consumer"));
    Files.writeString(
        dir.resolve("src/module-info.java"), "module consumer { requires " + MODULE + "; }\n");
    Files.writeString(sources.resolve("Use.java"), source);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    int status =
        javac.run(
            null,
            output,
            output,
            "-d",
            dir.resolve("out").toString(),
            // in process, javac would also read this JVM's classpath (core's classes among it)
            "--class-path",
            Files.createDirectories(dir.resolve("empty")).toString(),
            "--module-path",
            String.join(File.pathSeparator, modulePath()),
            dir.resolve("src/module-info.java").toString(),
            sources.resolve("Use.java").toString());
    String messages = output.toString(StandardCharsets.UTF_8);
    return status == 0 ? "" : messages.isEmpty() ? "javac failed with status " + status : messages;
  }

  /** Core's classes and its dependencies: the test classpath without the test classes. */
  private static List<String> modulePath() {
    String classpath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    return Arrays.stream(classpath.split(File.pathSeparator))
        .filter(entry -> !entry.isBlank() && !entry.endsWith("test-classes"))
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
