// The SVG building blocks of bench/results/latest.svg: the layout, escaping, a "nice" axis scale,
// text, rectangles, lines and an x axis with grid lines. Pure: each returns SVG text.

export const WIDTH = 860;
export const LABEL_WIDTH = 250;
const NOTE_WIDTH = 70;
export const PLOT_WIDTH = WIDTH - LABEL_WIDTH - NOTE_WIDTH - 20;
export const BAR_HEIGHT = 12;
const FONT = "font-family='sans-serif' font-size='12'";

export const COLORS = {
  app: "#59a14f",
  ceiling: "#9c9c9c",
  span: "#e15759",
  grid: "#dddddd",
  text: "#222222",
};

/** Characters that may not appear as such in SVG text or attribute values. */
export function escapeXml(text: string): string {
  return text.replace(
    /[<>&'"]/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c] as string,
  );
}

/**
 * An axis from 0 with "nice" ticks (1, 2 or 5 times a power of ten) covering `max` in at most
 * `maxTicks` steps: { step, top } with top >= max a multiple of step.
 */
export function niceScale(max: number, maxTicks = 6): { step: number; top: number } {
  if (!(max > 0) || !Number.isFinite(max)) {
    return { step: 1, top: 1 };
  }
  const rough = max / maxTicks;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  return { step, top: Math.ceil(max / step - 1e-9) * step };
}

export function round(n: number): string {
  return String(Math.round(n * 10) / 10);
}

export function text(x: number, y: number, content: string, attrs = ""): string {
  // An attribute may appear once per element: `attrs` can override the default font size.
  const font = attrs.includes("font-size=") ? FONT.replace(/ font-size='[^']*'/, "") : FONT;
  return `<text x='${round(x)}' y='${round(y)}' ${font}${attrs ? ` ${attrs}` : ""}>${escapeXml(content)}</text>`;
}

export function rect(x: number, y: number, w: number, h: number, fill: string): string {
  return `<rect x='${round(x)}' y='${round(y)}' width='${round(Math.max(0, w))}' height='${round(h)}' fill='${fill}'/>`;
}

export function line(x1: number, y1: number, x2: number, y2: number, stroke: string, extra = ""): string {
  return `<line x1='${round(x1)}' y1='${round(y1)}' x2='${round(x2)}' y2='${round(y2)}' stroke='${stroke}'${extra ? ` ${extra}` : ""}/>`;
}

/** An x axis with grid lines from `top` to `bottom`; returns the SVG elements. */
export function axis(
  top: number,
  bottom: number,
  scale: { step: number; top: number },
  unit: string,
  format: (v: number) => string,
): string[] {
  const out: string[] = [];
  for (let v = 0; v <= scale.top + 1e-9; v += scale.step) {
    const x = LABEL_WIDTH + (v / scale.top) * PLOT_WIDTH;
    out.push(line(x, top, x, bottom, COLORS.grid));
    out.push(text(x, bottom + 14, format(v), "text-anchor='middle' fill='#555'"));
  }
  out.push(text(LABEL_WIDTH + PLOT_WIDTH, bottom + 28, unit, "text-anchor='end' fill='#555'"));
  return out;
}
