package io.tierstate.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Line charts of cost curves, written as PNG files beside the report (headless, no display needed). */
final class Charts {
  private static final int WIDTH = 720;
  private static final int HEIGHT = 400;

  /** The series of one chart, by name, in insertion order; each a list of (x, y) points. */
  static final class Chart {
    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final Map<String, XYSeries> series = new LinkedHashMap<>();
    private boolean logX;
    private boolean logY;

    Chart(String title, String xLabel, String yLabel) {
      this.title = title;
      this.xLabel = xLabel;
      this.yLabel = yLabel;
    }

    Chart logX() {
      logX = true;
      return this;
    }

    Chart logY() {
      logY = true;
      return this;
    }

    Chart point(String seriesName, double x, double y) {
      series.computeIfAbsent(seriesName, XYSeries::new).add(x, y);
      return this;
    }

    /** Writes the chart to {@code png}, creating its directory. */
    void save(Path png) throws IOException {
      System.setProperty("java.awt.headless", "true");
      XYSeriesCollection data = new XYSeriesCollection();
      series.values().forEach(data::addSeries);
      JFreeChart chart = ChartFactory.createXYLineChart(
          title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true, false, false);
      XYPlot plot = chart.getXYPlot();
      plot.setRenderer(new XYLineAndShapeRenderer(true, true));
      if (logX) {
        LogAxis axis = new LogAxis(xLabel);
        axis.setBase(10);
        axis.setSmallestValue(1);
        plot.setDomainAxis(axis);
      } else {
        ((NumberAxis) plot.getDomainAxis()).setAutoRangeIncludesZero(true);
      }
      if (logY) {
        LogAxis axis = new LogAxis(yLabel);
        axis.setBase(10);
        axis.setSmallestValue(0.001);
        plot.setRangeAxis(axis);
      }
      Path directory = png.toAbsolutePath().getParent();
      if (directory != null) {
        Files.createDirectories(directory);
      }
      ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, HEIGHT);
    }
  }

  private Charts() {}
}
