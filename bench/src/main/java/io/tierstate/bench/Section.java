package io.tierstate.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What one scenario reports: a title, a paragraph saying what was measured, Markdown tables, and
 * the verdict on each of its targets. Scenarios fill one in; {@link Scenarios} prints it and
 * writes it into {@code docs/benchmarks.md}.
 *
 * <p>Not thread-safe: one scenario fills it in.
 */
public final class Section {
  /** A target of the issue, measured: what it asks, the figure, and whether it was met. */
  public record Target(String scenario, String goal, String measured, boolean met) {}

  private final String title;
  private final StringBuilder body = new StringBuilder();
  private final List<Target> targets = new ArrayList<>();

  Section(String title) {
    this.title = title;
  }

  /** The section's title. */
  public String title() {
    return title;
  }

  /** The verdicts, in the order they were recorded. */
  public List<Target> targets() {
    return List.copyOf(targets);
  }

  /** Appends a paragraph. */
  Section paragraph(String text) {
    body.append(text.strip()).append("\n\n");
    return this;
  }

  /** Appends a table. */
  Section table(Table table) {
    body.append(table.markdown()).append('\n');
    return this;
  }

  /** Records a target's verdict; {@code measured} is the figure, formatted. */
  Section target(String goal, String measured, boolean met) {
    targets.add(new Target(title, goal, measured, met));
    return this;
  }

  /** The section as Markdown, under a level-3 heading. */
  public String markdown() {
    StringBuilder out = new StringBuilder("### ").append(title).append("\n\n").append(body);
    if (!targets.isEmpty()) {
      Table verdicts = new Table("target", "measured", "verdict");
      for (Target t : targets) {
        verdicts.row(t.goal(), t.measured(), t.met() ? "met" : "**MISSED**");
      }
      out.append(verdicts.markdown()).append('\n');
    }
    return out.toString();
  }

  /** Formats a ratio with two decimals and a multiplication sign. */
  static String ratio(double value) {
    return String.format(Locale.ROOT, "%.2fx", value);
  }

  /** Formats nanoseconds as microseconds: two decimals below 10 µs, one above, thousands separated. */
  static String micros(long nanos) {
    return String.format(Locale.ROOT, nanos < 10_000 ? "%.2f" : "%,.1f", nanos / 1000.0);
  }

  /** Formats a number with thousands separators and {@code decimals} decimals. */
  static String number(double value, int decimals) {
    return String.format(Locale.ROOT, "%,." + decimals + "f", value);
  }
}
