/**
 * A tiny SVG line-plot writer (no dependencies): one line per series, an optional
 * shaded band (e.g. the interquartile range) around it, axes with round ticks, a legend.
 */

import { log10Regret, type ProblemSummary } from "./summary";

/** One line of a plot. Non-finite y values break the line. */
export interface PlotSeries {
  name: string;
  x: readonly number[];
  y: readonly number[];
  /** Lower and upper edges of a shaded band, same length as x. */
  lo?: readonly number[];
  hi?: readonly number[];
}

/** A whole plot. */
export interface LinePlot {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly PlotSeries[];
  /** A dashed horizontal reference line (e.g. a threshold). */
  reference?: { y: number; label: string };
  width?: number;
  height?: number;
}

/** Colour-blind-friendly palette (Okabe–Ito order), then greys. */
const COLORS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442", "#999999", "#666666"];

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** About `count` round tick values covering [lo, hi] (steps of 1, 2 or 5 × 10^k). */
export function niceTicks(lo: number, hi: number, count = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count - 1);
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

function tickLabel(value: number): string {
  const abs = Math.abs(value);
  const text = abs !== 0 && (abs >= 1e5 || abs < 1e-3) ? value.toExponential(0) : String(Number(value.toPrecision(6)));
  return text.replace(/^-/, "−");
}

/**
 * Renders a line plot as a standalone SVG document.
 * @returns SVG text.
 */
export function renderLinePlot(plot: LinePlot): string {
  const width = plot.width ?? 720;
  const height = plot.height ?? 440;
  const margin = { left: 64, right: 170, top: 36, bottom: 48 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;

  let xMin = Infinity;
  let xMax = -Infinity;
  let yMin = Infinity;
  let yMax = -Infinity;
  for (const s of plot.series) {
    for (let i = 0; i < s.x.length; i++) {
      const ys = [s.y[i], s.lo?.[i], s.hi?.[i]];
      for (const y of ys) {
        if (y === undefined || !Number.isFinite(y)) continue;
        if (y < yMin) yMin = y;
        if (y > yMax) yMax = y;
      }
      if (s.x[i] < xMin) xMin = s.x[i];
      if (s.x[i] > xMax) xMax = s.x[i];
    }
  }
  if (plot.reference !== undefined && Number.isFinite(plot.reference.y)) {
    yMin = Math.min(yMin, plot.reference.y);
    yMax = Math.max(yMax, plot.reference.y);
  }
  if (!Number.isFinite(xMin)) [xMin, xMax] = [0, 1];
  if (!Number.isFinite(yMin)) [yMin, yMax] = [0, 1];
  if (xMax === xMin) xMax = xMin + 1;
  if (yMax === yMin) [yMin, yMax] = [yMin - 0.5, yMax + 0.5];
  const xTicks = niceTicks(xMin, xMax);
  const yTicks = niceTicks(yMin, yMax);
  yMin = Math.min(yMin, yTicks[0]);
  yMax = Math.max(yMax, yTicks[yTicks.length - 1]);

  const px = (x: number): number => margin.left + ((x - xMin) / (xMax - xMin)) * plotW;
  const py = (y: number): number => margin.top + (1 - (y - yMin) / (yMax - yMin)) * plotH;
  const f = (v: number): string => v.toFixed(1);

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${f(margin.left + plotW / 2)}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(plot.title)}</text>`,
  );
  for (const t of yTicks) {
    const y = py(t);
    parts.push(
      `<line x1="${f(margin.left)}" y1="${f(y)}" x2="${f(margin.left + plotW)}" y2="${f(y)}" stroke="#e5e5e5"/>`,
      `<text x="${f(margin.left - 6)}" y="${f(y + 4)}" text-anchor="end">${tickLabel(t)}</text>`,
    );
  }
  for (const t of xTicks) {
    const x = px(t);
    parts.push(
      `<line x1="${f(x)}" y1="${f(margin.top + plotH)}" x2="${f(x)}" y2="${f(margin.top + plotH + 5)}" stroke="#333"/>`,
      `<text x="${f(x)}" y="${f(margin.top + plotH + 18)}" text-anchor="middle">${tickLabel(t)}</text>`,
    );
  }
  parts.push(
    `<rect x="${f(margin.left)}" y="${f(margin.top)}" width="${f(plotW)}" height="${f(plotH)}" fill="none" stroke="#333"/>`,
    `<text x="${f(margin.left + plotW / 2)}" y="${f(height - 10)}" text-anchor="middle">${escapeXml(plot.xLabel)}</text>`,
    `<text transform="translate(16 ${f(margin.top + plotH / 2)}) rotate(-90)" text-anchor="middle">${escapeXml(plot.yLabel)}</text>`,
  );

  if (plot.reference !== undefined && Number.isFinite(plot.reference.y)) {
    const y = py(plot.reference.y);
    parts.push(
      `<line x1="${f(margin.left)}" y1="${f(y)}" x2="${f(margin.left + plotW)}" y2="${f(y)}" stroke="#555" stroke-dasharray="5 4"/>`,
      `<text x="${f(margin.left + plotW - 4)}" y="${f(y - 4)}" text-anchor="end" fill="#555">${escapeXml(plot.reference.label)}</text>`,
    );
  }
  plot.series.forEach((s, k) => {
    const color = COLORS[k % COLORS.length];
    if (s.lo !== undefined && s.hi !== undefined) {
      const upper: string[] = [];
      const lower: string[] = [];
      for (let i = 0; i < s.x.length; i++) {
        if (!Number.isFinite(s.lo[i]) || !Number.isFinite(s.hi[i])) continue;
        upper.push(`${f(px(s.x[i]))},${f(py(s.hi[i]))}`);
        lower.push(`${f(px(s.x[i]))},${f(py(s.lo[i]))}`);
      }
      if (upper.length > 1) {
        parts.push(`<polygon points="${[...upper, ...lower.reverse()].join(" ")}" fill="${color}" fill-opacity="0.12" stroke="none"/>`);
      }
    }
    const segments: string[][] = [[]];
    for (let i = 0; i < s.x.length; i++) {
      if (Number.isFinite(s.y[i])) segments[segments.length - 1].push(`${f(px(s.x[i]))},${f(py(s.y[i]))}`);
      else if (segments[segments.length - 1].length > 0) segments.push([]);
    }
    for (const seg of segments) {
      if (seg.length > 1) parts.push(`<polyline points="${seg.join(" ")}" fill="none" stroke="${color}" stroke-width="1.8"/>`);
    }
    const ly = margin.top + 10 + k * 18;
    const lx = margin.left + plotW + 14;
    parts.push(
      `<line x1="${f(lx)}" y1="${f(ly)}" x2="${f(lx + 22)}" y2="${f(ly)}" stroke="${color}" stroke-width="2.5"/>`,
      `<text x="${f(lx + 28)}" y="${f(ly + 4)}">${escapeXml(s.name)}</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}

/**
 * The plot of one problem summary: median log10 regret (IQR shaded) against evaluations,
 * or against cost spent for the cost protocol.
 */
export function problemPlot(summary: ProblemSummary): string {
  const runs = summary.optimizers[0]?.runs ?? 0;
  const cost = summary.protocol === "cost";
  return renderLinePlot({
    title: cost
      ? `${summary.problem}: cost budget ${summary.budget} s (median, IQR; ${runs} seeds)`
      : `${summary.problem} (d = ${summary.dim}): median log10 regret, IQR shaded (${runs} seeds)`,
    xLabel: cost ? "total cost spent (s)" : "evaluations",
    yLabel: "log10 best regret (noise-free)",
    series: summary.optimizers.map((o) => ({ name: o.optimizer, x: o.curve.x, y: o.curve.median, lo: o.curve.q1, hi: o.curve.q3 })),
    ...(cost ? {} : { reference: { y: log10Regret(summary.threshold), label: "τ" } }),
  });
}
