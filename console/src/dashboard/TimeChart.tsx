import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  /** One value per point of `x`; null where there is none. */
  values: (number | null)[];
}

const palette = ['#2563eb', '#16a34a', '#d97706', '#dc2626', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#475569'];

/**
 * A time-series chart drawn by uPlot (a canvas; about 50 kB, fast enough to redraw every 2 s).
 * The uPlot instance is made once per set of series names and then only given new data. The
 * figure carries the number of points in `data-points` and the latest values in its caption, so
 * screen readers (and the browser tests) read what the canvas shows.
 */
export function TimeChart({ title, unit, x, series }: { title: string; unit: string; x: number[]; series: ChartSeries[] }) {
  const target = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const labels = series.map((s) => s.label).join('\u0000');
  const data: uPlot.AlignedData = [x, ...series.map((s) => s.values)];

  useEffect(() => {
    const element = target.current;
    // uPlot needs a y series for its y axis; a chart whose series have not appeared yet stays empty.
    if (!element || series.length === 0) return undefined;
    const options: uPlot.Options = {
      width: Math.max(320, element.clientWidth || 560),
      height: 200,
      scales: { x: { time: true } },
      legend: { live: false },
      series: [
        {},
        ...series.map((s, i) => ({ label: s.label, stroke: palette[i % palette.length], width: 1.5, spanGaps: true })),
      ],
      axes: [{}, { label: unit, size: 60 }],
    };
    plot.current = new uPlot(options, data, element);
    return () => {
      plot.current?.destroy();
      plot.current = null;
    };
    // Remade only when the series change; new data goes through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [labels, unit]);

  useEffect(() => {
    plot.current?.setData(data);
  });

  const latest = series
    .map((s) => {
      const value = s.values[s.values.length - 1];
      return `${s.label} ${typeof value === 'number' ? formatValue(value) : '–'}`;
    })
    .join(', ');
  return (
    <figure className="chart" data-points={x.length} aria-label={title}>
      <div ref={target} aria-hidden="true" />
      <figcaption>
        <strong>{title}</strong> <span className="muted">({unit}; latest: {latest || 'no data yet'})</span>
      </figcaption>
    </figure>
  );
}

function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}
