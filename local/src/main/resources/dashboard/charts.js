// One uPlot chart per metric, one line per device, each line a bounded ring of points.
import uPlot from '/vendor/uplot/dist/uPlot.esm.js';
import { Ring } from './series.js';

export const METRICS = Object.freeze([
  { key: 'temperature', label: 'Temperature', unit: '°C' },
  { key: 'humidity', label: 'Humidity', unit: '%' },
  { key: 'pressure', label: 'Pressure', unit: 'hPa' },
  { key: 'battery', label: 'Battery', unit: 'fraction' },
]);

const HEIGHT = 220;

/** A stable, distinct colour per device name. */
function colour(name) {
  let hash = 0;
  for (const c of name) {
    hash = (hash * 31 + c.codePointAt(0)) >>> 0;
  }
  return `hsl(${(hash * 137) % 360} 70% 38%)`;
}

class MetricChart {
  #plot;
  #rings = new Map();
  dirty = false;

  constructor(container, metric, capacity) {
    this.metric = metric;
    this.capacity = capacity;
    const figure = document.createElement('figure');
    figure.className = 'chart';
    figure.dataset.metric = metric.key;
    const caption = document.createElement('figcaption');
    caption.textContent = `${metric.label} (${metric.unit})`;
    figure.append(caption);
    container.append(figure);
    this.figure = figure;
    this.#plot = new uPlot({
      width: Math.max(280, figure.clientWidth),
      height: HEIGHT,
      series: [{ label: 'time' }],
      scales: { x: { time: true } },
      axes: [{}, { size: 60 }],
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
    }, [[]], figure);
    new ResizeObserver(() => {
      this.#plot.setSize({ width: Math.max(280, figure.clientWidth), height: HEIGHT });
    }).observe(figure);
  }

  /** Adds a point (x in seconds; seq orders points with the same x). */
  add(device, x, y, seq) {
    let ring = this.#rings.get(device);
    if (!ring) {
      ring = new Ring(this.capacity);
      this.#rings.set(device, ring);
      this.#plot.addSeries({ label: device, stroke: colour(device), width: 2, spanGaps: true });
    }
    ring.push(x, y, seq);
    this.dirty = true;
  }

  /** Redraws from the rings, if anything changed. */
  draw() {
    if (!this.dirty) {
      return;
    }
    this.dirty = false;
    // Devices report at their own times: uPlot wants one x array, so align them (the holes stay spanned).
    const tables = [...this.#rings.values()].map((ring) => ring.toArrays());
    this.#plot.setData(tables.length ? uPlot.join(tables) : [[]]);
  }

  /** Copies of one device's points, for tests and for anyone reading the page's state. */
  points(device) {
    const ring = this.#rings.get(device);
    const [xs, ys] = ring ? ring.toArrays() : [[], []];
    return { x: xs, y: ys };
  }

  pointCount() {
    let n = 0;
    for (const ring of this.#rings.values()) {
      n += ring.length;
    }
    return n;
  }
}

export class Charts {
  #charts = new Map();

  /** @param capacity points kept per device and metric; older ones drop off. */
  constructor(container, capacity) {
    for (const metric of METRICS) {
      this.#charts.set(metric.key, new MetricChart(container, metric, capacity));
    }
  }

  add(metricKey, device, x, y, seq) {
    this.#charts.get(metricKey).add(device, x, y, seq);
  }

  drawAll() {
    for (const chart of this.#charts.values()) {
      chart.draw();
    }
  }

  points(metricKey, device) {
    return this.#charts.get(metricKey)?.points(device) ?? { x: [], y: [] };
  }

  pointCount() {
    let n = 0;
    for (const chart of this.#charts.values()) {
      n += chart.pointCount();
    }
    return n;
  }
}
