package io.tierstate.server.console;

import io.javalin.Javalin;
import io.tierstate.server.Feature;
import io.tierstate.server.ServerContext;
import io.tierstate.server.http.Access;

/**
 * Serves the web console: {@code GET /*} answers a file under the classpath root, or {@code
 * index.html} for client-side routes (see {@link ConsoleFiles}). Its route is a catch-all, so the
 * server registers it after every other feature: Javalin tries routes in the order they were
 * added, and every API route must win.
 */
public final class ConsoleFeature implements Feature {
  /** Where the {@code tierstate-console} jar puts the built console. */
  public static final String CLASSPATH_ROOT = "console";

  private final String classpathRoot;

  /**
   * Creates the feature.
   *
   * @param classpathRoot the classpath folder holding {@code index.html} and {@code assets/}, such
   *     as {@value #CLASSPATH_ROOT}; without a leading or trailing slash
   * @throws IllegalArgumentException if {@code classpathRoot} is blank or starts or ends with a
   *     slash
   */
  public ConsoleFeature(String classpathRoot) {
    if (classpathRoot.isBlank() || classpathRoot.startsWith("/") || classpathRoot.endsWith("/")) {
      throw new IllegalArgumentException("classpathRoot must be a folder such as 'console', without leading or "
          + "trailing slash, but was '" + classpathRoot + "'");
    }
    this.classpathRoot = classpathRoot;
  }

  @Override
  public void register(Javalin app, ServerContext context) {
    ConsoleFiles files = new ConsoleFiles(ConsoleFeature.class.getClassLoader(), classpathRoot);
    app.get("/*", files, Access.PUBLIC);
  }
}
