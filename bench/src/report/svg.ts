/**
 * Two small line charts as standalone SVG (no library: a chart of a few series of a few
 * points each is ~60 lines, and the report must render on GitHub without scripts).
 */
export interface Series {
  name: string;
  points: { x: number; y: number }[];
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Maps x to the axis position (e.g. a log scale); ticks are drawn at `xTicks`. */
  xScale?: (x: number) => number;
  xTicks: { x: number; label: string }[];
  yLog?: boolean;
}

const WIDTH = 720;
const HEIGHT = 400;
const PAD = { left: 70, right: 170, top: 40, bottom: 55 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toPrecision(2));

/** Five round-ish y ticks over [lo, hi], or decades (1, 2, 5 per decade) on a log axis. */
function yTicks(lo: number, hi: number, log: boolean): number[] {
  if (log) {
    const ticks: number[] = [];
    for (let d = Math.floor(Math.log10(lo)); d <= Math.ceil(Math.log10(hi)); d++) {
      for (const m of [1, 2, 5]) {
        const v = m * 10 ** d;
        if (v >= lo && v <= hi) ticks.push(v);
      }
    }
    return ticks;
  }
  const step = 10 ** Math.floor(Math.log10((hi - lo) / 4 || 1));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => (hi - lo) / s <= 6) ?? step * 10;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / nice) * nice; v <= hi + 1e-9; v += nice) ticks.push(v);
  return ticks;
}

export function lineChart(series: Series[], opts: ChartOptions): string {
  const sx = opts.xScale ?? ((x: number) => x);
  const all = series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.y) && (!opts.yLog || p.y > 0));
  if (all.length === 0) return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="60"><text x="10" y="30">${esc(opts.title)}: no data</text></svg>`;
  const xs = [...all.map((p) => sx(p.x)), ...opts.xTicks.map((t) => sx(t.x))];
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const ys = all.map((p) => p.y);
  const [y0, y1] = opts.yLog ? [Math.min(...ys) / 1.2, Math.max(...ys) * 1.2] : [0, Math.max(...ys) * 1.1];
  const ty = (y: number) => (opts.yLog ? Math.log10(y) : y);
  const px = (x: number) => PAD.left + ((sx(x) - x0) / (x1 - x0 || 1)) * (WIDTH - PAD.left - PAD.right);
  const py = (y: number) => HEIGHT - PAD.bottom - ((ty(y) - ty(y0)) / (ty(y1) - ty(y0) || 1)) * (HEIGHT - PAD.top - PAD.bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${WIDTH / 2 - PAD.right / 2}" y="22" text-anchor="middle" font-size="15">${esc(opts.title)}</text>`,
  ];
  for (const v of yTicks(y0, y1, opts.yLog ?? false)) {
    parts.push(`<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${py(v)}" y2="${py(v)}" stroke="#ddd"/>`,
      `<text x="${PAD.left - 6}" y="${py(v) + 4}" text-anchor="end">${fmt(v)}</text>`);
  }
  for (const t of opts.xTicks) {
    parts.push(`<line x1="${px(t.x)}" x2="${px(t.x)}" y1="${PAD.top}" y2="${HEIGHT - PAD.bottom}" stroke="#eee"/>`,
      `<text x="${px(t.x)}" y="${HEIGHT - PAD.bottom + 16}" text-anchor="middle">${esc(t.label)}</text>`);
  }
  parts.push(`<text x="${(PAD.left + WIDTH - PAD.right) / 2}" y="${HEIGHT - 12}" text-anchor="middle">${esc(opts.xLabel)}</text>`,
    `<text transform="translate(16 ${HEIGHT / 2}) rotate(-90)" text-anchor="middle">${esc(opts.yLabel)}</text>`);
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length] as string;
    const pts = s.points.filter((p) => Number.isFinite(p.y) && (!opts.yLog || p.y > 0));
    if (pts.length > 0) {
      parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ')}"/>`);
      for (const p of pts) parts.push(`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3" fill="${color}"/>`);
    }
    const ly = PAD.top + 10 + i * 18;
    parts.push(`<line x1="${WIDTH - PAD.right + 12}" x2="${WIDTH - PAD.right + 32}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${WIDTH - PAD.right + 38}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** x position of a percentile on a "nines" axis: 50 -> 1, 90 -> 2... so p99.9 is as visible as p50. */
export const ninesScale = (p: number) => -Math.log10(1 - Math.min(p, 99.99) / 100);
export const NINES_TICKS = [50, 90, 99, 99.9].map((p) => ({ x: p, label: `p${p}` }));
