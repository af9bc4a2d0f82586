package io.tierstate.examples.spring;

import java.io.Serializable;
import java.time.Instant;

/**
 * A catalog row. {@code version} grows with every update, so a reader can tell how old a value is.
 * Serializable only for the comparison with Spring Data Redis, whose default serializer needs it.
 *
 * @param id the product's id
 * @param name its name
 * @param category its category
 * @param priceCents its price in cents
 * @param version how many times it was written
 * @param updatedAt when it was last written
 */
public record Product(long id, String name, String category, long priceCents, long version, Instant updatedAt)
    implements Serializable {}
