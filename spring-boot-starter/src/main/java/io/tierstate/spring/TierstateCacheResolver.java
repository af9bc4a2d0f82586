package io.tierstate.spring;

import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.springframework.cache.Cache;
import org.springframework.cache.CacheManager;
import org.springframework.cache.interceptor.CacheOperationInvocationContext;
import org.springframework.cache.interceptor.SimpleCacheResolver;

/**
 * Resolves a cached method's caches as usual, and hands each {@link TierstateCache} among them a view
 * typed by the method's return type ({@code Optional<T>} unwrapped, as Spring stores {@code T}), so
 * that {@code @Cacheable} reads decode the type the method declares. Other caches pass through.
 *
 * <p>Thread-safe.
 */
public final class TierstateCacheResolver extends SimpleCacheResolver {

  /** A resolver over {@code cacheManager}. */
  public TierstateCacheResolver(CacheManager cacheManager) {
    super(cacheManager);
  }

  @Override
  public Collection<? extends Cache> resolveCaches(CacheOperationInvocationContext<?> context) {
    Collection<? extends Cache> caches = super.resolveCaches(context);
    Type type = valueType(context.getMethod());
    List<Cache> resolved = new ArrayList<>(caches.size());
    for (Cache cache : caches) {
      resolved.add(cache instanceof TierstateCache tiered && type != Object.class ? tiered.typed(type) : cache);
    }
    return resolved;
  }

  /** The type a method's cached value has; Object when the method's declaration cannot tell. */
  static Type valueType(Method method) {
    Type type = method.getGenericReturnType();
    if (type instanceof ParameterizedType p && p.getRawType() == Optional.class) {
      type = p.getActualTypeArguments()[0];
    } else if (type == Optional.class) {
      return Object.class;
    }
    if (type == void.class || containsVariable(type)) {
      return Object.class;
    }
    return type instanceof Class<?> c && c.isPrimitive() ? boxed(c) : type;
  }

  private static boolean containsVariable(Type type) {
    if (type instanceof TypeVariable<?>) {
      return true;
    }
    if (type instanceof ParameterizedType p) {
      for (Type argument : p.getActualTypeArguments()) {
        if (containsVariable(argument)) {
          return true;
        }
      }
    }
    return type instanceof java.lang.reflect.WildcardType
        || (type instanceof java.lang.reflect.GenericArrayType g && containsVariable(g.getGenericComponentType()));
  }

  private static Class<?> boxed(Class<?> primitive) {
    return java.lang.invoke.MethodType.methodType(primitive).wrap().returnType();
  }
}
