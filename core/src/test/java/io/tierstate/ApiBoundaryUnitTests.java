package io.tierstate;

import static org.assertj.core.api.Assertions.assertThat;

import io.tierstate.internal.redis.CircuitBreaker;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The API boundary: no public or protected member of a type that applications can reach names a
 * type of an {@code io.tierstate.internal} package, or a type of core that is not public. On the
 * module path the module does not export the internal packages (see {@code module-info.java} and
 * {@code ModuleBoundaryUnitTests}); this test keeps the classpath honest too, so an API factory
 * that takes plumbing fails the build instead of reaching users.
 */
class ApiBoundaryUnitTests {

  @Test
  void noApiMemberNamesAnInternalOrHiddenType() throws Exception {
    List<Class<?>> api = apiTypes();
    assertThat(api)
        .as("the scan found the API (Tierstate, TieredCache...)")
        .contains(Tierstate.class, io.tierstate.cache.TieredCache.class);
    List<String> leaks = new ArrayList<>();
    for (Class<?> type : api) {
      leaks.addAll(leaks(type));
    }
    assertThat(leaks).as("API members that expose plumbing").isEmpty();
  }

  @Test
  void theScanSeesEveryWayAMemberCanExposeAType() {
    assertThat(leaks(Leaky.class))
        .containsExactlyInAnyOrder(
            "io.tierstate.ApiBoundaryUnitTests$Leaky: field breaker: "
                + CircuitBreaker.class.getName(),
            "io.tierstate.ApiBoundaryUnitTests$Leaky: constructor(CircuitBreaker): "
                + CircuitBreaker.class.getName(),
            "io.tierstate.ApiBoundaryUnitTests$Leaky: method breakers: "
                + CircuitBreaker.class.getName(),
            "io.tierstate.ApiBoundaryUnitTests$Leaky: method bounded: "
                + CircuitBreaker.class.getName());
    assertThat(leaks(NotLeaky.class)).isEmpty();
  }

  /** A public type of an API package that exposes plumbing in each way the scan must see. */
  public static class Leaky {
    public CircuitBreaker breaker = new CircuitBreaker(1, java.time.Duration.ofSeconds(1));

    public Leaky(CircuitBreaker breaker) {
      this.breaker = breaker;
    }

    public List<? extends CircuitBreaker> breakers() {
      return List.of();
    }

    public <B extends CircuitBreaker> void bounded(B breaker) {}

    private CircuitBreaker hidden() {
      return breaker; // private: not exposed
    }

    CircuitBreaker packagePrivate() {
      return hidden(); // package-private: not exposed
    }
  }

  /** Uses plumbing only where users cannot see it. */
  public static class NotLeaky {
    private final CircuitBreaker breaker = new CircuitBreaker(1, java.time.Duration.ofSeconds(1));

    public boolean closed() {
      return breaker.state() == CircuitBreaker.State.CLOSED;
    }
  }

  /** Public and protected types of the API packages (nested ones reachable from outside too). */
  private static List<Class<?>> apiTypes() throws IOException, URISyntaxException {
    Path root =
        Path.of(Tierstate.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<Class<?>> types = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
        String name =
            root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".");
        name = name.substring(0, name.length() - ".class".length());
        if (name.endsWith("package-info") || name.equals("module-info") || isInternal(name)) {
          continue;
        }
        Class<?> type;
        try {
          type = Class.forName(name, false, Tierstate.class.getClassLoader());
        } catch (ClassNotFoundException e) {
          throw new AssertionError(e);
        }
        if (reachable(type)) {
          types.add(type);
        }
      }
    }
    return types;
  }

  private static boolean reachable(Class<?> type) {
    for (Class<?> c = type; c != null; c = c.getEnclosingClass()) {
      if (c.isAnonymousClass() || c.isLocalClass() || c.isSynthetic()) {
        return false;
      }
      int modifiers = c.getModifiers();
      if (!Modifier.isPublic(modifiers)
          && !(c.getEnclosingClass() != null && Modifier.isProtected(modifiers))) {
        return false;
      }
    }
    return true;
  }

  private static boolean exposed(int modifiers) {
    return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
  }

  /** What {@code type} exposes that users cannot or must not use: "type: member: leaked type". */
  private static List<String> leaks(Class<?> type) {
    List<String> leaks = new ArrayList<>();
    String owner = type.getName();
    check(leaks, owner + ": superclass", type.getGenericSuperclass());
    for (Type each : type.getGenericInterfaces()) {
      check(leaks, owner + ": interface", each);
    }
    for (TypeVariable<?> variable : type.getTypeParameters()) {
      check(leaks, owner + ": type parameter", variable);
    }
    for (Field field : type.getDeclaredFields()) {
      if (exposed(field.getModifiers()) && !field.isSynthetic()) {
        check(leaks, owner + ": field " + field.getName(), field.getGenericType());
      }
    }
    for (Constructor<?> constructor : type.getDeclaredConstructors()) {
      if (exposed(constructor.getModifiers()) && !constructor.isSynthetic()) {
        String what = owner + ": constructor(" + simpleNames(constructor.getParameterTypes()) + ")";
        for (Type each : constructor.getGenericParameterTypes()) {
          check(leaks, what, each);
        }
        for (Type each : constructor.getGenericExceptionTypes()) {
          check(leaks, what, each);
        }
      }
    }
    for (Method method : type.getDeclaredMethods()) {
      if (exposed(method.getModifiers()) && !method.isSynthetic() && !method.isBridge()) {
        String what = owner + ": method " + method.getName();
        check(leaks, what, method.getGenericReturnType());
        for (Type each : method.getGenericParameterTypes()) {
          check(leaks, what, each);
        }
        for (Type each : method.getGenericExceptionTypes()) {
          check(leaks, what, each);
        }
        for (TypeVariable<?> variable : method.getTypeParameters()) {
          check(leaks, what, variable);
        }
      }
    }
    return leaks;
  }

  private static String simpleNames(Class<?>[] types) {
    List<String> names = new ArrayList<>();
    for (Class<?> type : types) {
      names.add(type.getSimpleName());
    }
    return String.join(", ", names);
  }

  private static void check(List<String> leaks, String where, @Nullable Type type) {
    Set<String> found = new HashSet<>();
    collect(type, found, new HashSet<>());
    for (String name : found) {
      String leak = where + ": " + name;
      if (!leaks.contains(leak)) {
        leaks.add(leak);
      }
    }
  }

  /** Names of the core types in {@code type} that users cannot, or must not, name. */
  private static void collect(@Nullable Type type, Set<String> found, Set<TypeVariable<?>> seen) {
    switch (type) {
      case null -> {} // no superclass (an interface, Object)
      case Class<?> c -> {
        Class<?> element = c;
        while (element.isArray()) {
          element = element.getComponentType();
        }
        if (element.getName().startsWith("io.tierstate.")
            && (isInternal(element.getName()) || !reachable(element))
            && !element.getName().startsWith(ApiBoundaryUnitTests.class.getName())) {
          found.add(element.getName());
        }
      }
      case ParameterizedType p -> {
        collect(p.getRawType(), found, seen);
        if (p.getOwnerType() != null) {
          collect(p.getOwnerType(), found, seen);
        }
        for (Type argument : p.getActualTypeArguments()) {
          collect(argument, found, seen);
        }
      }
      case WildcardType w -> {
        for (Type bound : w.getUpperBounds()) {
          collect(bound, found, seen);
        }
        for (Type bound : w.getLowerBounds()) {
          collect(bound, found, seen);
        }
      }
      case TypeVariable<?> v -> {
        if (seen.add(v)) {
          for (Type bound : v.getBounds()) {
            collect(bound, found, seen);
          }
        }
      }
      case GenericArrayType a -> collect(a.getGenericComponentType(), found, seen);
      default -> throw new AssertionError("unexpected type " + type);
    }
  }

  private static boolean isInternal(String className) {
    return className.startsWith("io.tierstate.internal.");
  }
}
