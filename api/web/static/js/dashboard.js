// Dashboard: a quarter's statistics (GET /reports/statistics?quarter=YYYY-Qn) as the periodic
// report gives them — totals, a stacked bar chart per procedure drawn as inline SVG, the same
// numbers in a table, the applicants' satisfaction — and the Excel workbook of the same period;
// then Decision 766's self-assessment of the quarter (dashboard-indicators.js).
import { api, busy, clear, flash, formatDate, h, hasRole, lang, openFile, startPage, t } from "./common.js";
import { stackedBars, swatch } from "./dashboard-chart.js";
import { indicatorsSection } from "./dashboard-indicators.js";

const ZONE = "Asia/Ho_Chi_Minh"; // the agency's: "the current quarter" is the one it is there now
const LOCALE = lang === "vi" ? "vi-VN" : "en-GB";
const numbers = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 2 });
const percents = new Intl.NumberFormat(LOCALE, { style: "percent", maximumFractionDigits: 2 });
// Okabe-Ito colours: told apart with the common colour-vision deficiencies
const SERIES = [
  { key: "early", color: "#009E73" },
  { key: "on_time", color: "#0072B2" },
  { key: "late", color: "#D55E00" },
  { key: "in_progress_within", color: "#E6C229" },
  { key: "in_progress_overdue", color: "#CC79A7" },
].map((serie) => ({ ...serie, label: t(`dashboard.${serie.key}`) }));

const $ = (id) => document.getElementById(id);
const number = (value) => numbers.format(value);
const percent = (value) => percents.format(value / 100);

async function start() {
  const form = $("period-form");
  const { year, quarter } = initialPeriod();
  form.year.value = year;
  form.quarter.value = quarter;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const period = chosenPeriod();
    if (period) await busy($("show"), $("period-error"), () => load(period));
  });
  $("export").addEventListener("click", async () => {
    const period = chosenPeriod();
    if (!period) return;
    const { first, last } = days(period);
    const filename = `thong-ke-${first}-${last}.xlsx`;
    await busy($("export"), $("period-error"), async () => {
      await openFile(`/reports/statistics.xlsx?quarter=${code(period)}`, filename, { save: true });
      flash(t("dashboard.exported", { filename }));
    });
  });
  await busy($("show"), $("period-error"), () => load({ year, quarter }));
}

// --- the period ---------------------------------------------------------------------------------

function currentQuarter() {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: ZONE, year: "numeric", month: "numeric" }).formatToParts(new Date());
  const part = (type) => Number(parts.find((p) => p.type === type).value);
  return { year: part("year"), quarter: Math.ceil(part("month") / 3) };
}

/** The period in the address (?year=2019&quarter=1), else the current quarter. */
function initialPeriod() {
  const params = new URLSearchParams(location.search);
  const year = Number(params.get("year"));
  const quarter = Number(params.get("quarter"));
  if (Number.isInteger(year) && year >= 1990 && year <= 2100 && [1, 2, 3, 4].includes(quarter)) return { year, quarter };
  return currentQuarter();
}

/** The form's period, or null after saying what is wrong with the year. */
function chosenPeriod() {
  const input = $("year");
  const year = Number(input.value);
  const valid = input.value !== "" && Number.isInteger(year) && year >= 1990 && year <= 2100;
  input.setAttribute("aria-invalid", valid ? "false" : "true");
  $("year-error").textContent = valid ? "" : t("dashboard.year_invalid");
  if (!valid) {
    input.focus();
    return null;
  }
  return { year, quarter: Number($("quarter").value) };
}

function code({ year, quarter }) {
  return `${year}-Q${quarter}`;
}

function days({ year, quarter }) {
  const lastMonth = quarter * 3;
  const lastDay = new Date(Date.UTC(year, lastMonth, 0)).getUTCDate();
  const pad = (n) => String(n).padStart(2, "0");
  return { first: `${year}-${pad(lastMonth - 2)}-01`, last: `${year}-${pad(lastMonth)}-${pad(lastDay)}` };
}

// --- the report ---------------------------------------------------------------------------------

async function load(period) {
  const slot = $("report");
  slot.setAttribute("aria-busy", "true");
  try {
    const [report, assessment] = await Promise.all([
      api("GET", `/reports/statistics?quarter=${code(period)}`),
      api("GET", `/reports/indicators?year=${period.year}&quarter=${period.quarter}`),
    ]);
    history.replaceState(null, "", `${location.pathname}?year=${period.year}&quarter=${period.quarter}`);
    const label = t("dashboard.period_label", { ...period, quarter: roman(period.quarter), from: formatDate(report.from),
      to: formatDate(report.to) });
    $("report-status").textContent = label;
    clear(slot, summary(report), chart(report, period), figures(report, period), satisfaction(report.satisfaction),
      indicatorsSection(assessment, { editable: hasRole(user, "admin"), reload: () => load(period) }));
  } catch (error) {
    $("report-status").textContent = "";
    clear(slot);
    throw error;
  } finally {
    slot.removeAttribute("aria-busy");
  }
}

function roman(quarter) {
  return lang === "vi" ? ["I", "II", "III", "IV"][quarter - 1] : String(quarter);
}

function section(id, title, ...content) {
  return h("section", { class: "card", "aria-labelledby": `${id}-title` }, h("h2", { id: `${id}-title` }, title), ...content);
}

function summary(report) {
  const totals = report.totals;
  const tile = (label, value, note = null) => h("div", { class: "stat" },
    h("dt", {}, label), h("dd", {}, h("span", { class: "stat-value" }, value), note ? h("span", { class: "stat-note" }, note) : null));
  return section("summary", t("dashboard.summary"), h("dl", { class: "stats" },
    tile(t("dashboard.received"), number(totals.received)),
    tile(t("dashboard.resolved"), number(totals.resolved), t("dashboard.of_received", { percent: percent(totals.resolved_percent) })),
    tile(t("dashboard.early"), number(totals.early), t("dashboard.of_resolved", { percent: percent(totals.early_percent) })),
    tile(t("dashboard.on_time"), number(totals.on_time), t("dashboard.of_resolved", { percent: percent(totals.on_time_percent) })),
    tile(t("dashboard.late"), number(totals.late), t("dashboard.of_resolved", { percent: percent(totals.late_percent) })),
    tile(t("dashboard.in_progress"), number(totals.in_progress),
      t("dashboard.within_overdue", { within: number(totals.in_progress_within), overdue: number(totals.in_progress_overdue) })),
    tile(t("dashboard.timeliness_percent"), percent(totals.timeliness_percent)),
    tile(t("dashboard.average_processing_days"), number(totals.average_processing_days)),
  ));
}

function chart(report, period) {
  const rows = report.by_procedure;
  if (!rows.length) return section("chart", t("dashboard.chart"), h("p", { class: "muted" }, t("dashboard.empty")));
  const sentences = rows.map((row) => t("dashboard.chart_row", { name: row.procedure_name, early: number(row.early),
    on_time: number(row.on_time), late: number(row.late), within: number(row.in_progress_within),
    overdue: number(row.in_progress_overdue) }));
  const svg = stackedBars({
    id: "bars",
    rows: rows.map((row) => ({ label: row.procedure_name, values: row })),
    series: SERIES,
    title: t("dashboard.chart_title", { quarter: roman(period.quarter), year: period.year }),
    description: [t("dashboard.chart_desc"), ...sentences].join(" "),
    segmentTitle: (row, serie, value) => t("dashboard.chart_segment", { name: row.label, label: serie.label, count: number(value) }),
    format: number,
  });
  const legend = h("ul", { class: "chart-legend", "aria-label": t("dashboard.chart_legend") },
    SERIES.map((serie) => h("li", {}, swatch(serie.color), serie.label)));
  return section("chart", t("dashboard.chart"), h("figure", { class: "chart" }, svg, h("figcaption", {}, legend)));
}

function figures(report, period) {
  // a count, with its share of a whole that is not empty
  const count = (value, share = null, whole = 0) => h("td", { class: "number" }, number(value),
    share !== null && whole > 0 ? h("span", { class: "share" }, percent(share)) : null);
  const cells = (row) => [
    count(row.received),
    count(row.resolved, row.resolved_percent, row.received),
    count(row.early, row.early_percent, row.resolved),
    count(row.on_time, row.on_time_percent, row.resolved),
    count(row.late, row.late_percent, row.resolved),
    count(row.in_progress_within),
    count(row.in_progress_overdue),
    h("td", { class: "number" }, percent(row.timeliness_percent)),
    h("td", { class: "number" }, number(row.average_processing_days)),
  ];
  const headers = ["received", "resolved", "early", "on_time", "late", "in_progress_within", "in_progress_overdue",
    "timeliness_percent", "average_processing_days"];
  const body = report.by_procedure.length
    ? report.by_procedure.map((row) => h("tr", {}, h("th", { scope: "row" }, row.procedure_name), cells(row)))
    : [h("tr", {}, h("td", { colspan: headers.length + 1, class: "muted" }, t("dashboard.empty")))];
  return section("table", t("dashboard.table"), h("div", { class: "table-wrap" }, h("table", { class: "figures" },
    h("caption", { class: "muted" }, t("dashboard.table_caption", { quarter: roman(period.quarter), year: period.year })),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("dashboard.procedure")),
      headers.map((key) => h("th", { scope: "col", class: "number" }, t(`dashboard.${key}`))))),
    h("tbody", {}, body),
    h("tfoot", {}, h("tr", {}, h("th", { scope: "row" }, t("dashboard.totals")), cells(report.totals))))));
}

function satisfaction(ratings) {
  if (!ratings.ratings) return section("satisfaction", t("dashboard.satisfaction"), h("p", { class: "muted" }, t("dashboard.no_ratings")));
  const row = (key, value) => h("tr", {}, h("th", { scope: "row" }, t(`dashboard.${key}`)), h("td", { class: "number" }, value));
  return section("satisfaction", t("dashboard.satisfaction"), h("div", { class: "table-wrap narrow" }, h("table", {},
    h("caption", { class: "muted" }, t("dashboard.satisfaction_caption")),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("dashboard.level")), h("th", { scope: "col", class: "number" }, t("dashboard.count")))),
    h("tbody", {}, ["very_satisfied", "satisfied", "not_satisfied"].map((key) => row(key, number(ratings[key])))),
    h("tfoot", {}, row("ratings", number(ratings.ratings)), row("satisfied_percent", percent(ratings.satisfied_percent))))));
}

const user = await startPage({ roles: ["leader", "admin", "clerk"] });
if (user) await start();
