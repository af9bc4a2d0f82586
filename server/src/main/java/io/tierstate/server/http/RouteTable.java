package io.tierstate.server.http;

import io.javalin.event.HandlerMetaInfo;
import io.javalin.http.HandlerType;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Every endpoint registered on the app, as Javalin reports them ({@code handlerAdded}): the source
 * of truth that {@code /openapi.json} is checked against, and of the {@code Allow} header of a 405.
 * The console's catch-all {@code GET /*} is left out, since it would make every path "known".
 *
 * <p>Thread-safe.
 */
public final class RouteTable {
  private static final Set<HandlerType> METHODS = EnumSet.of(HandlerType.GET, HandlerType.POST, HandlerType.PUT,
      HandlerType.PATCH, HandlerType.DELETE, HandlerType.HEAD, HandlerType.OPTIONS);
  private static final Pattern PARAMETER = Pattern.compile("\\{[^/}]+}");

  /** Path template, such as {@code /api/v1/tenants/{tenantId}}, to its methods. */
  private final Map<String, Set<String>> routes = new ConcurrentHashMap<>();
  private final Map<String, Pattern> matchers = new ConcurrentHashMap<>();

  /** Records one registered handler; filters and the console's catch-all are ignored. */
  public void add(HandlerMetaInfo handler) {
    if (!METHODS.contains(handler.getHttpMethod()) || handler.getPath().contains("*")) {
      return;
    }
    String path = handler.getPath();
    routes.computeIfAbsent(path, p -> ConcurrentHashMap.newKeySet()).add(handler.getHttpMethod().name());
    matchers.computeIfAbsent(path, RouteTable::matcherOf);
  }

  /** {@code /a/{id}/b} as the regular expression {@code \Q/a/\E[^/]+\Q/b\E}. */
  private static Pattern matcherOf(String template) {
    StringBuilder regex = new StringBuilder();
    java.util.regex.Matcher parameter = PARAMETER.matcher(template);
    int last = 0;
    while (parameter.find()) {
      regex.append(Pattern.quote(template.substring(last, parameter.start()))).append("[^/]+");
      last = parameter.end();
    }
    return Pattern.compile(regex.append(Pattern.quote(template.substring(last))).toString());
  }

  /** Every route as {@code "METHOD /path/{param}"}, sorted. */
  public Set<String> all() {
    Set<String> all = new TreeSet<>();
    routes.forEach((path, methods) -> methods.forEach(method -> all.add(method + " " + path)));
    return all;
  }

  /** The methods some route accepts on {@code path} (a request path), sorted; empty for an unknown path. */
  public Set<String> methodsOf(String path) {
    Set<String> methods = new TreeSet<>();
    matchers.forEach((template, matcher) -> {
      if (matcher.matcher(path).matches()) {
        methods.addAll(routes.get(template));
      }
    });
    return methods;
  }

  /** Templates with their methods, sorted (for tests and diagnostics). */
  public Map<String, List<String>> byPath() {
    Map<String, List<String>> sorted = new TreeMap<>();
    routes.forEach((path, methods) -> sorted.put(path, List.copyOf(new TreeSet<>(methods))));
    return sorted;
  }
}
