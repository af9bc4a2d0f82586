package io.tierstate.server.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A Server-Sent Events client for tests: reads {@code GET /api/v1/events} on a virtual thread and
 * queues each event; {@link #await} waits for one that matches. {@link #open} returns once the
 * server's {@code ready} event arrived, so the stream is registered on the server.
 */
public final class EventListener implements AutoCloseable {
  /**
   * One event: its name, its data (parsed) and when its last line was read ({@link System#nanoTime},
   * for latency measurements).
   */
  public record Event(String name, JsonNode data, long receivedNanos) {
    /** An event received now. */
    public Event(String name, JsonNode data) {
      this(name, data, System.nanoTime());
    }
  }

  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final List<Event> seen = new ArrayList<>();
  private final Thread reader;
  private volatile boolean ended;
  private volatile int status;
  private volatile Stream<String> lines;

  private EventListener(ApiClient client) {
    reader = Thread.ofVirtual().start(() -> read(client));
  }

  static EventListener open(ApiClient client) {
    EventListener listener = new EventListener(client);
    Event ready = listener.await(e -> e.name().equals("ready"), Duration.ofSeconds(10));
    if (ready == null) {
      listener.close();
      throw new AssertionError("the event stream did not become ready (status " + listener.status + ")");
    }
    return listener;
  }

  /** The status a new stream of {@code client} gets; the stream is closed at once. */
  public static int statusOf(ApiClient client) {
    try {
      HttpResponse<Stream<String>> response = ApiClient.HTTP.send(
          client.request("/api/v1/events").header("Accept", "text/event-stream").GET().build(),
          HttpResponse.BodyHandlers.ofLines());
      response.body().close();
      return response.statusCode();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void read(ApiClient client) {
    try {
      HttpResponse<Stream<String>> response = ApiClient.HTTP.send(
          client.request("/api/v1/events").header("Accept", "text/event-stream").GET().build(),
          HttpResponse.BodyHandlers.ofLines());
      status = response.statusCode();
      lines = response.body();
      String name = "message";
      StringBuilder data = new StringBuilder();
      for (String line : (Iterable<String>) response.body()::iterator) {
        if (line.isEmpty()) {
          if (!data.isEmpty()) {
            events.add(new Event(name, parse(data.toString())));
          }
          name = "message";
          data.setLength(0);
        } else if (line.startsWith("event: ")) {
          name = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data.append(line.substring(6));
        }
      }
    } catch (Exception e) {
      // closed by the test, or the server ended the stream
    } finally {
      ended = true;
      events.add(new Event("(closed)", ApiClient.JSON.missingNode()));
    }
  }

  /** The first event (including already seen ones) matching {@code filter} within {@code timeout}, or null. */
  public Event await(Predicate<Event> filter, Duration timeout) {
    synchronized (seen) {
      for (Event event : seen) {
        if (filter.test(event)) {
          return event;
        }
      }
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return null;
        }
        Event event = events.poll(left, TimeUnit.NANOSECONDS);
        if (event == null) {
          return null;
        }
        synchronized (seen) {
          seen.add(event);
        }
        if (filter.test(event)) {
          return event;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Every event received so far (after draining those queued). */
  public List<Event> received() {
    List<Event> drained = new ArrayList<>();
    events.drainTo(drained);
    synchronized (seen) {
      seen.addAll(drained);
      return List.copyOf(seen);
    }
  }

  /** Whether the server ended the stream (or it failed). */
  public boolean ended() {
    return ended;
  }

  /** The HTTP status of the stream's response (0 until it arrived). */
  public int status() {
    return status;
  }

  private static JsonNode parse(String data) {
    try {
      return ApiClient.JSON.readTree(data);
    } catch (JsonProcessingException e) {
      return ApiClient.JSON.getNodeFactory().textNode(data);
    }
  }

  @Override
  public void close() {
    Stream<String> current = lines;
    if (current != null) {
      current.close();
    }
    reader.interrupt();
  }
}
