package io.tierstate.examples.spring;

/**
 * The body of {@code PUT /products/{id}}.
 *
 * @param name the new name, 1 to 200 characters
 * @param priceCents the new price in cents, at least 0
 */
public record ProductChange(String name, long priceCents) {

  /**
   * Checks the change.
   *
   * @throws IllegalArgumentException naming the field at fault
   */
  public ProductChange {
    if (name == null || // JSON may leave it out
         name.isBlank() || name.length() > 200) {
      throw new IllegalArgumentException("name must be 1 to 200 characters");
    }
    if (priceCents < 0) {
      throw new IllegalArgumentException("priceCents must be a whole number >= 0");
    }
  }
}
