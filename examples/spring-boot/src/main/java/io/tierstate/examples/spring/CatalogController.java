package io.tierstate.examples.spring;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /products/{id}}, {@code GET /products?category=…} and {@code PUT /products/{id}}. */
@RestController
class CatalogController {
  private static final Pattern CATEGORY = Pattern.compile("[a-z0-9-]{1,40}");

  private final ProductService products;

  CatalogController(ProductService products) {
    this.products = products;
  }

  @GetMapping("/products/{id}")
  ResponseEntity<Product> product(@PathVariable long id) {
    return ResponseEntity.of(products.product(id));
  }

  @GetMapping("/products")
  List<Product> category(@RequestParam String category) {
    if (!CATEGORY.matcher(category).matches()) {
      throw new IllegalArgumentException("category must be 1 to 40 characters from a-z 0-9 -");
    }
    return products.category(category);
  }

  @PutMapping("/products/{id}")
  ResponseEntity<Product> update(@PathVariable long id, @RequestBody ProductChange change) {
    return ResponseEntity.of(products.update(id, change));
  }

  /** A body Jackson could not read: the check that failed inside it, else what was wrong with the JSON. */
  @ExceptionHandler(HttpMessageNotReadableException.class)
  ResponseEntity<Map<String, String>> unreadable(HttpMessageNotReadableException e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof IllegalArgumentException invalid) {
        return badRequest(invalid);
      }
    }
    return ResponseEntity.status(HttpStatus.BAD_REQUEST)
        .body(Map.of("error", "the body must be JSON such as {\"name\": \"Lamp\", \"priceCents\": 1999}"));
  }

  @ExceptionHandler(IllegalArgumentException.class)
  ResponseEntity<Map<String, String>> badRequest(IllegalArgumentException e) {
    return ResponseEntity.status(HttpStatus.BAD_REQUEST).body(Map.of("error", String.valueOf(e.getMessage())));
  }
}
