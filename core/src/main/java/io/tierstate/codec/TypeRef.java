package io.tierstate.codec;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Names the type a cached value is decoded to. Use {@link #of(Class)} for plain classes and an
 * anonymous subclass for generic types: {@code new TypeRef<List<User>>() {}}.
 *
 * <p>Instances are immutable and thread-safe; two refs are equal when they name the same type.
 *
 * @param <T> the type named
 */
public abstract class TypeRef<T> {
  private final Type type;

  /**
   * Captures the type argument of an anonymous subclass.
   *
   * @throws IllegalStateException if the subclass does not give a type argument, or if the type
   *     contains a type variable (as in {@code new TypeRef<List<T>>() {}} inside a generic method),
   *     which would be decoded as maps and lists instead of {@code T}
   */
  protected TypeRef() {
    Type superclass = getClass().getGenericSuperclass();
    if (!(superclass instanceof ParameterizedType parameterized)) {
      throw new IllegalStateException(
          "TypeRef must be created with a type argument, as in new TypeRef<List<User>>() {}");
    }
    Type captured = parameterized.getActualTypeArguments()[0];
    TypeVariable<?> variable = findTypeVariable(captured);
    if (variable != null) {
      throw new IllegalStateException(
          "TypeRef must name a concrete type, but "
              + captured.getTypeName()
              + " contains the type variable "
              + variable.getName()
              + "; create the TypeRef where the type is known, as in new TypeRef<List<User>>() {}");
    }
    this.type = captured;
  }

  private TypeRef(Type type) {
    this.type = type;
  }

  /**
   * A ref to a plain class.
   *
   * @throws NullPointerException if {@code type} is null
   */
  public static <T> TypeRef<T> of(Class<T> type) {
    Objects.requireNonNull(type, "type");
    return new TypeRef<>(type) {};
  }

  /**
   * A ref to a type that reflection gives, such as a method's generic return type; for adapters (a
   * Spring {@code Cache}, a JCache) that learn the type at run time rather than from code.
   *
   * @throws NullPointerException if {@code type} is null
   * @throws IllegalArgumentException if {@code type} contains a type variable, which would be
   *     decoded as maps and lists instead of the variable's type
   */
  public static TypeRef<?> of(Type type) {
    Objects.requireNonNull(type, "type");
    TypeVariable<?> variable = findTypeVariable(type);
    if (variable != null) {
      throw new IllegalArgumentException(
          "type must be concrete, but "
              + type.getTypeName()
              + " contains the type variable "
              + variable.getName());
    }
    return new TypeRef<Object>(type) {};
  }

  private static @Nullable TypeVariable<?> findTypeVariable(Type type) {
    if (type instanceof TypeVariable<?> variable) {
      return variable;
    }
    if (type instanceof ParameterizedType parameterized) {
      for (Type argument : parameterized.getActualTypeArguments()) {
        TypeVariable<?> found = findTypeVariable(argument);
        if (found != null) {
          return found;
        }
      }
      Type owner = parameterized.getOwnerType();
      return owner == null ? null : findTypeVariable(owner);
    }
    if (type instanceof GenericArrayType array) {
      return findTypeVariable(array.getGenericComponentType());
    }
    if (type instanceof WildcardType wildcard) {
      for (Type bound : wildcard.getUpperBounds()) {
        TypeVariable<?> found = findTypeVariable(bound);
        if (found != null) {
          return found;
        }
      }
      for (Type bound : wildcard.getLowerBounds()) {
        TypeVariable<?> found = findTypeVariable(bound);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  /** The type named, as reflection sees it. */
  public final Type type() {
    return type;
  }

  @Override
  public final boolean equals(@Nullable Object other) {
    return other instanceof TypeRef<?> ref && ref.type.equals(type);
  }

  @Override
  public final int hashCode() {
    return type.hashCode();
  }

  @Override
  public final String toString() {
    return type.getTypeName();
  }
}
