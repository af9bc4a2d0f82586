package io.tierstate.internal.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * A Lua script loaded once from a classpath resource beside the feature that uses it, and run with
 * EVALSHA; a server that does not know the script (restarted, failed over, flushed) answers
 * NOSCRIPT, and the script is then sent whole with EVAL, which also caches it there again.
 *
 * <p>Immutable and thread-safe.
 */
public final class LuaScript {
  private final String name;
  private final byte[] source;
  private final String sha;

  private LuaScript(String name, byte[] source) {
    this.name = name;
    this.source = source;
    this.sha = sha1Hex(source);
  }

  /**
   * Loads a script from the classpath, relative to {@code owner}'s package.
   *
   * @throws IllegalStateException if the resource does not exist
   */
  public static LuaScript load(Class<?> owner, String resource) {
    try (InputStream in = owner.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "Lua script '" + resource + "' not found beside " + owner.getName());
      }
      return new LuaScript(resource, in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read Lua script '" + resource + "'", e);
    }
  }

  /** The script's resource name. */
  public String name() {
    return name;
  }

  /** The script's SHA-1, as Redis names it. */
  public String sha() {
    return sha;
  }

  /**
   * Runs the script asynchronously, falling back from EVALSHA to EVAL on NOSCRIPT.
   *
   * @param <T> the result type that {@code output} produces
   */
  public <T> CompletionStage<T> run(
      RedisClusterAsyncCommands<String, byte[]> commands,
      ScriptOutputType output,
      String[] keys,
      byte[]... args) {
    return run(commands, output, keys, null, args);
  }

  /**
   * Runs the script like {@link #run(RedisClusterAsyncCommands, ScriptOutputType, String[],
   * byte[]...)}, and sets {@code sentWhole} if the server did not know it and it went out again
   * with EVAL: it then ran after the commands pipelined behind it, which a caller that orders
   * commands by pipelining them needs to know.
   */
  public <T> CompletionStage<T> run(
      RedisClusterAsyncCommands<String, byte[]> commands,
      ScriptOutputType output,
      String[] keys,
      @Nullable AtomicBoolean sentWhole,
      byte[]... args) {
    CompletionStage<T> first = commands.evalsha(sha, output, keys, args);
    return first
        .handle(
            (result, error) -> {
              if (error == null) {
                return CompletableFuture.completedFuture(result);
              }
              Throwable cause =
                  error instanceof CompletionException && error.getCause() != null
                      ? error.getCause()
                      : error;
              if (cause instanceof RedisNoScriptException) {
                if (sentWhole != null) {
                  sentWhole.set(true);
                }
                return commands.<T>eval(source, output, keys, args).toCompletableFuture();
              }
              return CompletableFuture.<T>failedFuture(cause);
            })
        .thenCompose(stage -> stage);
  }

  private static String sha1Hex(byte[] source) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required by the Java platform", e);
    }
  }

  @Override
  public String toString() {
    return name + "@" + sha.substring(0, 8);
  }
}
