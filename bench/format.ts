// Numbers and tables as text: seconds, ratios, percentages, "median [min–max]", aligned text
// columns and prettier-style Markdown pipe tables. Pure.
import { Summary } from "./stats";

/** Milliseconds as seconds with two decimals: 4210 → "4.21". */
export function seconds(ms: number): string {
  return (ms / 1000).toFixed(2);
}

/** "median [min–max]" with each value formatted by `format`. */
export function formatSummary(s: Summary, format: (v: number) => string): string {
  return s.n === 1 ? format(s.median) : `${format(s.median)} [${format(s.min)}–${format(s.max)}]`;
}

export function formatRatio(r: number | null | undefined): string {
  return r !== null && r !== undefined && Number.isFinite(r) ? `${r.toFixed(2)}x` : "n/a";
}

export function formatPercent(r: number): string {
  return Number.isFinite(r) ? `${Math.round(r * 100)}%` : "n/a";
}

export type Align = "left" | "right";

/**
 * Rows as aligned text columns (two spaces apart, no trailing blanks). The first row is the
 * header and is followed by a line of dashes. `align` gives each column's alignment (default left).
 */
export function formatTable(rows: readonly (readonly string[])[], align: readonly Align[] = []): string {
  const columns = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, c) =>
    Math.max(0, ...rows.map((r) => Array.from(r[c] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    widths
      .map((w, c) => {
        const cell = cells[c] ?? "";
        const pad = " ".repeat(w - Array.from(cell).length);
        return align[c] === "right" ? pad + cell : cell + pad;
      })
      .join("  ")
      .replace(/\s+$/, "");
  const [header, ...body] = rows;
  if (header === undefined) {
    return "";
  }
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

/** A pipe table as prettier writes it (cells padded to the column's width, at least 3). */
export function markdownTable(rows: readonly (readonly string[])[], align: readonly Align[] = []): string {
  const escape = (c: string) => c.replace(/\|/g, "\\|").replace(/^ +/, (sp) => "&nbsp;".repeat(sp.length));
  const cells = rows.map((r) => r.map(escape));
  const widths = cells[0].map((_, c) => Math.max(3, ...cells.map((r) => Array.from(r[c] ?? "").length)));
  const pad = (cell: string, c: number) => {
    const fill = " ".repeat(widths[c] - Array.from(cell).length);
    return align[c] === "right" ? fill + cell : cell + fill;
  };
  const line = (r: readonly string[]) => `| ${widths.map((_, c) => pad(r[c] ?? "", c)).join(" | ")} |`;
  const rule = widths.map((w, c) => (align[c] === "right" ? `${"-".repeat(w - 1)}:` : "-".repeat(w)));
  const [header, ...body] = cells;
  return [line(header), `| ${rule.join(" | ")} |`, ...body.map(line)].join("\n");
}

export const README_START = "<!-- bench:results:start -->";
export const README_END = "<!-- bench:results:end -->";

/** `text` with what lies between the two markers replaced by `content`; throws if a marker is missing. */
export function replaceSection(
  text: string,
  content: string,
  start = README_START,
  end = README_END,
): string {
  const i = text.indexOf(start);
  const j = text.indexOf(end, i + start.length);
  if (i < 0 || j < 0) {
    throw new Error(`the markers ${start} and ${end} are not both present (in this order)`);
  }
  return `${text.slice(0, i + start.length)}\n\n${content.replace(/\n*$/, "\n")}\n${text.slice(j)}`;
}
