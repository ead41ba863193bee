// A stacked horizontal bar chart as inline SVG, built with DOM calls (no chart library): one bar
// per row, one segment per series, a <title> on each segment, and the chart's own <title> and
// <desc> as its text equivalent (role="img").

const SVG_NS = "http://www.w3.org/2000/svg";

/** An SVG element: s("rect", {x: 0, width: 10}, child...). Text is never parsed as markup. */
export function s(tag, attrs = {}, ...children) {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined && value !== false) element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** A small square of a series' colour, for a legend next to the chart. */
export function swatch(color) {
  return s("svg", { width: 14, height: 14, viewBox: "0 0 14 14", "aria-hidden": "true", focusable: "false", class: "swatch" },
    s("rect", { width: 14, height: 14, rx: 3, fill: color }));
}

const WIDTH = 760;
const LABEL = 18; // the row's name above its bar
const BAR = 22;
const GAP = 16;
const ROW = LABEL + BAR + GAP;
const ROOM_FOR_TOTAL = 56;

/**
 * @param rows [{label, values: {seriesKey: number}}]
 * @param series [{key, label, color}]
 * @param id prefix of the ids of the chart's <title> and <desc>
 * @param title, description the chart's name and its text equivalent (one sentence per row included by the caller)
 * @param segmentTitle (row, serie, value) => text of a segment's tooltip
 * @param format (number) => text of a bar's total at its end
 */
export function stackedBars({ rows, series, id, title, description, segmentTitle, format = String }) {
  const height = Math.max(rows.length * ROW, ROW);
  const totals = rows.map((row) => series.reduce((sum, serie) => sum + (row.values[serie.key] || 0), 0));
  const scale = (WIDTH - ROOM_FOR_TOTAL) / Math.max(1, ...totals);
  const svg = s("svg", { viewBox: `0 0 ${WIDTH} ${height}`, role: "img", "aria-labelledby": `${id}-title ${id}-desc`,
    preserveAspectRatio: "xMinYMin meet" },
  s("title", { id: `${id}-title` }, title),
  s("desc", { id: `${id}-desc` }, description));

  rows.forEach((row, index) => {
    const top = index * ROW;
    const group = s("g", { class: "bar" }, s("text", { x: 0, y: top + LABEL - 5 }, row.label));
    let x = 0;
    for (const serie of series) {
      const value = row.values[serie.key] || 0;
      if (value <= 0) continue;
      const width = value * scale;
      group.append(s("rect", { x, y: top + LABEL, width, height: BAR, fill: serie.color, stroke: "#ffffff", "stroke-width": 1 },
        s("title", {}, segmentTitle(row, serie, value))));
      x += width;
    }
    if (!totals[index]) group.append(s("rect", { x: 0, y: top + LABEL, width: 2, height: BAR, fill: "#8a94a3" }));
    group.append(s("text", { x: x + 6, y: top + LABEL + BAR / 2 + 4, class: "total" }, format(totals[index])));
    svg.append(group);
  });
  return svg;
}
