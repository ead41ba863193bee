// Decision 766/QĐ-TTg's self-assessment of the chosen period (GET /reports/indicators): each group with
// its sub-indicators' formula, target, value and points, "không xác định được" (and why) for what the
// service cannot know. An administrator also sees the targets and points to edit
// (GET/PUT /reports/indicator-settings) with their change log; a save reloads the section.
import { changeLog } from "./admin-log.js";
import { api, busy, clear, errorBox, flash, formatTime, h, lang, t } from "./common.js";

const LOCALE = lang === "vi" ? "vi-VN" : "en-GB";
const numbers = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 2 });
const number = (value) => numbers.format(value);

/** The value of a sub-indicator as read: a percentage, or days for a time. */
function measured(unit, value) {
  return unit === "days" ? t("dashboard.indicators.days", { days: number(value) }) : `${number(value)}%`;
}

function targetText(row) {
  if (row.target === null) return t("dashboard.indicators.no_target");
  return `${row.better === "lower" ? "≤" : "≥"} ${measured(row.unit, row.target)}`;
}

function valueCell(row) {
  if (!row.known) {
    return h("td", { class: "unknown" }, h("strong", {}, t("dashboard.indicators.unknown")),
      h("span", { class: "reason" }, row.reason));
  }
  if (row.value === null) {
    return h("td", { class: "unknown" }, h("strong", {}, t("dashboard.indicators.nothing")),
      h("span", { class: "reason" }, row.reason));
  }
  const parts = row.unit === "days"
    ? t("dashboard.indicators.days_of", { days: number(row.numerator), count: number(row.denominator) })
    : t("dashboard.indicators.of", { part: number(row.numerator), whole: number(row.denominator) });
  return h("td", {}, measured(row.unit, row.value), h("span", { class: "share" }, parts));
}

function pointsCell(row) {
  const max = `${number(row.max_points)}${row.points_confirmed ? "" : "*"}`;
  const earned = row.points === null ? "—" : number(row.points);
  return h("td", { class: "number" }, t("dashboard.indicators.points_of", { points: earned, max }));
}

function indicatorRow(row) {
  return h("tr", { dataset: { indicator: row.code, known: String(row.known) } },
    h("th", { scope: "row" }, row.name,
      h("span", { class: "formula" }, t("dashboard.indicators.formula", { formula: row.formula })),
      row.note ? h("span", { class: "formula" }, row.note) : null),
    h("td", {}, targetText(row)),
    valueCell(row),
    pointsCell(row));
}

function groupTable(group) {
  const caption = t("dashboard.indicators.group_caption", { name: group.name, points: number(group.points),
    max: number(group.max_points) });
  return h("div", { class: "table-wrap indicator-group", dataset: { group: group.code } }, h("table", { class: "indicators" },
    h("caption", {}, h("strong", {}, caption),
      group.unknown_max_points ? h("span", { class: "muted" }, ` · ${t("dashboard.indicators.group_unknown",
        { points: number(group.unknown_max_points) })}`) : null),
    h("thead", {}, h("tr", {}, ["indicator", "target", "value", "points"].map((key) =>
      h("th", { scope: "col", class: key === "points" ? "number" : null },
        t(`dashboard.indicators.${key}`))))),
    h("tbody", {}, group.indicators.map(indicatorRow))));
}

/** The section for a report of GET /reports/indicators; `reload` is called after an administrator saves. */
export function indicatorsSection(report, { editable = false, reload = null } = {}) {
  const tile = (label, value, note) => h("div", { class: "stat" },
    h("dt", {}, label), h("dd", {}, h("span", { class: "stat-value" }, value), h("span", { class: "stat-note" }, note)));
  const content = [
    h("p", { class: "muted" }, t("dashboard.indicators.intro")),
    h("dl", { class: "stats" },
      tile(t("dashboard.indicators.earned"), number(report.points),
        t("dashboard.indicators.earned_note", { max: number(report.known_max_points) })),
      tile(t("dashboard.indicators.unknown_points"), number(report.unknown_max_points),
        t("dashboard.indicators.unknown_note", { max: number(report.max_points) }))),
    report.groups.map(groupTable),
    h("p", { class: "muted footnote" }, t("dashboard.indicators.unconfirmed")),
  ];
  if (editable) content.push(settingsEditor(reload));
  return h("section", { class: "card", id: "indicators", "aria-labelledby": "indicators-title" },
    h("h2", { id: "indicators-title" }, t("dashboard.indicators.title")), ...content);
}

// --- the administrator's targets and points ---------------------------------------------------------

let keepOpen = false; // after a save, the reloaded section shows the editor again

function settingsEditor(reload) {
  const body = h("div", {}, h("p", { class: "muted" }, t("common.loading")));
  const details = h("details", { class: "indicator-settings", open: keepOpen },
    h("summary", {}, t("dashboard.indicators.settings")), body);
  let loaded = false;
  const load = async () => {
    if (!details.open || loaded) return;
    loaded = true;
    try {
      const logSlot = h("div", {});
      clear(body, settingsForm(await api("GET", "/reports/indicator-settings"), reload),
        h("div", { class: "change-log" }, h("h3", {}, t("dashboard.indicators.log")), logSlot));
      await changeLog(logSlot).show({ prefix: "indicators." });
    } catch (error) {
      loaded = false;
      clear(body, errorBox(error));
    }
  };
  details.addEventListener("toggle", load);
  if (keepOpen) load();
  return details;
}

function numberInput(name, value, label, { min = 0, max = 100 } = {}) {
  return h("input", { type: "number", name, value: value === null ? "" : String(value), min: String(min),
    max: String(max), step: "0.01", inputmode: "decimal", "aria-label": label });
}

function settingsForm(settings, reload) {
  const rows = settings.indicators.map((row) => {
    const defaults = t("dashboard.indicators.defaults", { points: number(row.default_points),
      target: row.default_target === null ? t("dashboard.indicators.no_target") : measured(row.unit, row.default_target) });
    return h("tr", { dataset: { indicator: row.code } },
      h("th", { scope: "row" }, row.name, row.known ? null : h("span", { class: "formula" }, t("dashboard.indicators.unknown"))),
      h("td", {}, numberInput(`points-${row.code}`, row.points, t("dashboard.indicators.points_label", { name: row.name }))),
      h("td", {}, numberInput(`target-${row.code}`, row.target, t("dashboard.indicators.target_label", {
        name: row.name, unit: row.unit === "days" ? t("dashboard.indicators.unit_days") : "%" }),
      row.unit === "days" ? { min: 0.01, max: 3650 } : { min: 0.01, max: 100 })),
      h("td", { class: "muted" }, defaults));
  });
  const total = h("p", { class: "indicator-total", role: "status" });
  const errorSlot = h("div", {});
  const save = h("button", { type: "submit" }, t("dashboard.indicators.save"));
  const form = h("form", { class: "indicator-form", novalidate: true },
    h("p", { class: "muted" }, t("dashboard.indicators.settings_intro")),
    h("div", { class: "table-wrap" }, h("table", {},
      h("caption", { class: "muted" }, t("dashboard.indicators.settings_caption")),
      h("thead", {}, h("tr", {}, ["indicator", "max_points", "target_unit", "default"].map((key) =>
        h("th", { scope: "col" }, t(`dashboard.indicators.${key}`))))),
      h("tbody", {}, rows))),
    total, errorSlot, h("div", { class: "actions" }, save),
    settings.updated_by ? h("p", { class: "muted" }, t("dashboard.indicators.updated",
      { who: settings.updated_by, when: formatTime(settings.updated_at) })) : null);
  const showTotal = () => {
    const sum = settings.indicators.reduce((acc, row) => acc + (Number(form.elements[`points-${row.code}`].value) || 0), 0);
    total.textContent = t("dashboard.indicators.total", { points: number(Math.round(sum * 100) / 100) });
  };
  form.addEventListener("input", showTotal);
  showTotal();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const indicators = settings.indicators.map((row) => {
      const target = form.elements[`target-${row.code}`].value;
      return { code: row.code, points: Number(form.elements[`points-${row.code}`].value || 0),
        target: target === "" ? null : Number(target) };
    });
    await busy(save, errorSlot, async () => {
      await api("PUT", "/reports/indicator-settings", { indicators });
      keepOpen = true;
      flash(t("dashboard.indicators.saved"));
      if (reload) await reload();
    });
  });
  return form;
}
