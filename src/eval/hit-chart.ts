/**
 * A small SVG chart of hit rates per configuration, for `citebot eval --out`: one row of horizontal
 * bars per configuration (long names fit on the left), one bar per measure (hit@1, hit@5, …), a shared
 * 0–1 axis and a legend. Plain SVG 1.1 with inline styles: renders on GitHub, in browsers and editors.
 */

export interface ChartRow {
  /** Configuration name, shown on the left. */
  name: string;
  /** One value (0..1) per series, in series order. */
  values: number[];
}

export interface HitChart {
  title: string;
  /** Measure names, e.g. ["hit@1", "hit@5", "hit@10"]. */
  series: string[];
  rows: ChartRow[];
}

const PALETTE = ['#4269d0', '#efb118', '#ff725c', '#6cc5b0', '#3ca951', '#ff8ab7', '#a463f2', '#97bbf5'];
const BAR = 14;
const GAP = 3;
const ROW_GAP = 14;
const PLOT_WIDTH = 420;
const CHAR_WIDTH = 6.6; // of 12px sans-serif, roughly: sizes the label column

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

const clamp01 = (x: number) => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);
const fmt = (x: number) => Math.round(x * 10) / 10;

export function hitChartSvg(chart: HitChart): string {
  const labelWidth = Math.ceil(Math.max(60, ...chart.rows.map((r) => r.name.length * CHAR_WIDTH)) + 12);
  const left = labelWidth;
  const top = 44;
  const rowHeight = chart.series.length * (BAR + GAP) - GAP;
  const plotHeight = chart.rows.length * (rowHeight + ROW_GAP);
  const width = left + PLOT_WIDTH + 60;
  const height = top + plotHeight + 28;
  const x = (v: number) => left + clamp01(v) * PLOT_WIDTH;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
  );
  parts.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  parts.push(`<text x="${left}" y="16" font-size="14" font-weight="bold">${escapeXml(chart.title)}</text>`);
  chart.series.forEach((s, i) => {
    const lx = left + i * 90;
    parts.push(`<rect x="${lx}" y="24" width="10" height="10" fill="${PALETTE[i % PALETTE.length]}"/>`);
    parts.push(`<text x="${lx + 14}" y="33">${escapeXml(s)}</text>`);
  });
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(`<line x1="${fmt(x(tick))}" y1="${top - 4}" x2="${fmt(x(tick))}" y2="${top + plotHeight}" stroke="#dddddd"/>`);
    parts.push(`<text x="${fmt(x(tick))}" y="${top + plotHeight + 16}" text-anchor="middle" fill="#555555">${tick}</text>`);
  }
  chart.rows.forEach((row, r) => {
    const y0 = top + r * (rowHeight + ROW_GAP);
    parts.push(`<text x="${left - 8}" y="${fmt(y0 + rowHeight / 2 + 4)}" text-anchor="end">${escapeXml(row.name)}</text>`);
    chart.series.forEach((s, i) => {
      const v = clamp01(row.values[i] ?? 0);
      const y = y0 + i * (BAR + GAP);
      parts.push(
        `<rect x="${left}" y="${y}" width="${fmt(v * PLOT_WIDTH)}" height="${BAR}" fill="${PALETTE[i % PALETTE.length]}"><title>${escapeXml(`${row.name} ${s}: ${v.toFixed(3)}`)}</title></rect>`,
      );
      parts.push(`<text x="${fmt(x(v) + 4)}" y="${y + BAR - 3}" font-size="11">${v.toFixed(3)}</text>`);
    });
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
