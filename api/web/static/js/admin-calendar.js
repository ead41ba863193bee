// The working calendar: a year's public holidays and the administrator's exceptions (added and
// removed), how many working days the year has, and the calendar's settings.
import { api, clear, formatDate, h, lang, t, table, tOr } from "./common.js";
import {
  adminErrorBox, checkbox, labelled, say, submitting, WEEKDAYS, weekdayLabel,
} from "./admin-common.js";
import { changeLog } from "./admin-log.js";

const MAX_SESSIONS = 4;
const yearForm = document.getElementById("year-form");
const yearInput = document.getElementById("calendar-year");
const summary = document.getElementById("calendar-summary");
const daysSlot = document.getElementById("calendar-days");
const errorSlot = document.getElementById("calendar-error");
const statusSlot = document.getElementById("calendar-status");
const exceptionForm = document.getElementById("exception-form");
const exceptionErrors = document.getElementById("exception-errors");
const settingsSlot = document.getElementById("calendar-settings");
const log = changeLog(document.getElementById("calendar-log"));

// The zones an agency in Vietnam may sensibly keep its calendar in (Vietnam's first); a zone set
// through the API outside these is kept and shown by its name.
const TIME_ZONES = ["Asia/Ho_Chi_Minh", "Asia/Bangkok", "Asia/Vientiane", "Asia/Phnom_Penh", "Asia/Singapore", "UTC"];
// The countries whose public holidays the calendar can follow here (the holidays package has more,
// set through the API)
const HOLIDAY_COUNTRIES = ["VN"];

function countryName(code) {
  try {
    return tOr(`admin.country.${code}`, "") || new Intl.DisplayNames([lang], { type: "region" }).of(code) || code;
  } catch {
    return code;
  }
}

function optionsOf(select, choices, current) {
  for (const [value, label] of choices) select.append(h("option", { value }, label));
  if (current !== null && !choices.some(([value]) => value === current)) select.append(h("option", { value: current }, current));
  select.value = current ?? "";
  return select;
}

function year() {
  return Number(yearInput.value) || new Date().getFullYear();
}

function dayRow(day) {
  const actions = [];
  if (day.kind !== "holiday") {
    const remove = h("button", { type: "button", class: "secondary small",
      "aria-label": t("admin.calendar.remove_one", { date: formatDate(day.date) }) }, t("admin.calendar.remove"));
    remove.addEventListener("click", () => removeException(remove, day.date));
    actions.push(remove);
  }
  return h("tr", { class: `day ${day.kind}`, dataset: { date: day.date } },
    h("th", { scope: "row" }, formatDate(day.date)),
    h("td", {}, weekdayLabel(day.weekday)),
    h("td", {}, day.name, day.holiday && day.holiday !== day.name ? h("div", { class: "hint" }, t("admin.calendar.also_holiday", { name: day.holiday })) : null),
    h("td", {}, t(`admin.day.${day.kind}`)),
    h("td", {}, h("span", { class: `badge ${day.working ? "on_track" : "neutral"}` }, day.working ? t("admin.calendar.working") : t("admin.calendar.not_working"))),
    h("td", {}, day.created_by || ""),
    h("td", {}, actions));
}

async function loadDays() {
  clear(errorSlot);
  try {
    const body = await api("GET", `/calendar/days?year=${year()}`);
    clear(summary,
      h("p", {}, t("admin.calendar.working_days", { year: body.year, count: body.working_days })),
      h("p", { class: "muted" }, body.holiday_country
        ? t("admin.calendar.country", { country: countryName(body.holiday_country) }) : t("admin.calendar.no_country")));
    clear(daysSlot, body.days.length
      ? table([t("admin.calendar.date"), t("admin.calendar.weekday"), t("admin.calendar.name"), t("admin.calendar.kind"),
        t("admin.calendar.is_working"), t("admin.calendar.by"), t("admin.procedures.actions")], body.days.map(dayRow),
      { caption: t("admin.calendar.caption", { year: body.year }) })
      : h("p", { class: "muted" }, t("admin.calendar.none", { year: body.year })));
  } catch (error) {
    clear(errorSlot, adminErrorBox(error));
  }
}

async function removeException(button, day) {
  button.disabled = true;
  clear(errorSlot);
  say(statusSlot, "");
  try {
    await api("DELETE", `/calendar/exceptions/${day}`);
    say(statusSlot, t("admin.calendar.removed", { date: formatDate(day) }));
    await loadDays();
    yearInput.focus();
    await log.refresh();
  } catch (error) {
    clear(errorSlot, adminErrorBox(error));
    button.disabled = false;
  }
}

exceptionForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  say(statusSlot, "");
  const button = exceptionForm.querySelector("button[type=submit]");
  await submitting(button, exceptionErrors, exceptionForm, async () => {
    const body = { date: exceptionForm.date.value, kind: exceptionForm.kind.value, reason: exceptionForm.reason.value.trim() };
    await api("POST", "/calendar/exceptions", body);
    say(statusSlot, t("admin.calendar.added", { date: formatDate(body.date) }));
    exceptionForm.reset();
    yearInput.value = body.date.slice(0, 4);
    await loadDays();
    await log.refresh();
  });
});

yearForm.addEventListener("submit", (event) => {
  event.preventDefault();
  loadDays();
});
for (const [id, step] of [["year-previous", -1], ["year-next", 1]]) {
  document.getElementById(id).addEventListener("click", () => {
    yearInput.value = year() + step;
    loadDays();
  });
}

// --- settings ---------------------------------------------------------------------------------

function sessionRow(start, end, list) {
  const startInput = h("input", { type: "time", step: "60", value: start, class: "session-start" });
  const endInput = h("input", { type: "time", step: "60", value: end, class: "session-end" });
  const remove = h("button", { type: "button", class: "secondary small" }, t("common.remove"));
  const row = h("div", { class: "session-row" }, labelled("", startInput), labelled("", endInput), remove);
  remove.addEventListener("click", () => {
    row.remove();
    renumberSessions(list);
    list.querySelector("input")?.focus();
  });
  return row;
}

function renumberSessions(list) {
  const rows = [...list.querySelectorAll(".session-row")];
  rows.forEach((row, i) => {
    const n = i + 1;
    const [startLabel, endLabel] = row.querySelectorAll("label");
    startLabel.textContent = t("admin.calendar.session_start", { n });
    endLabel.textContent = t("admin.calendar.session_end", { n });
    row.querySelector(".session-start").dataset.path = `sessions.${i}`;
    row.querySelector(".session-end").dataset.path = `sessions.${i}`;
    const remove = row.querySelector("button");
    remove.setAttribute("aria-label", t("admin.calendar.remove_session", { n }));
    remove.hidden = rows.length === 1;
  });
  list.parentElement?.querySelector("button.add")?.toggleAttribute("hidden", rows.length >= MAX_SESSIONS);
}

function settingsForm(settings) {
  const timezone = optionsOf(h("select", {}), TIME_ZONES.map((zone) => [zone, t(`admin.tz.${zone}`)]), settings.timezone);
  const weekdays = WEEKDAYS.map((day) => checkbox(weekdayLabel(day), settings.working_weekdays.includes(day), { value: String(day) }));
  const sessions = h("div", { class: "sessions" });
  sessions.append(...settings.sessions.map(([start, end]) => sessionRow(start, end, sessions)));
  const addSession = h("button", { type: "button", class: "secondary add" }, t("admin.calendar.add_session"));
  addSession.addEventListener("click", () => {
    const row = sessionRow("", "", sessions);
    sessions.append(row);
    renumberSessions(sessions);
    row.querySelector("input").focus();
  });
  const cutoff = h("input", { type: "time", step: "60", value: settings.same_day_cutoff });
  const country = optionsOf(h("select", {}),
    [...HOLIDAY_COUNTRIES.map((code) => [code, countryName(code)]), ["", t("admin.calendar.no_country_choice")]],
    settings.holiday_country || "");
  const errors = h("div");
  const save = h("button", { type: "submit" }, t("admin.calendar.save_settings"));
  const weekdaysSet = h("fieldset", { dataset: { path: "working_weekdays" } }, h("legend", {}, t("admin.field.working_weekdays")),
    h("div", { class: "check-row" }, weekdays.map((w) => w.element)));
  weekdays[0].input.dataset.path = "working_weekdays";
  const form = h("form", { class: "card", novalidate: true, "aria-labelledby": "calendar-settings-title" },
    h("h3", { id: "calendar-settings-title" }, t("admin.calendar.settings_title")),
    labelled(t("admin.field.timezone"), timezone, { path: "timezone", hint: t("admin.calendar.timezone_hint") }),
    weekdaysSet,
    h("fieldset", {}, h("legend", {}, t("admin.field.sessions")), sessions, h("div", { class: "actions" }, addSession)),
    h("div", { class: "inline-fields" },
      labelled(t("admin.field.same_day_cutoff"), cutoff, { path: "same_day_cutoff", hint: t("admin.calendar.cutoff_hint") }),
      labelled(t("admin.field.holiday_country"), country, { path: "holiday_country", hint: t("admin.calendar.country_hint") })),
    errors,
    h("div", { class: "actions" }, save));
  renumberSessions(sessions);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    say(statusSlot, "");
    await submitting(save, errors, form, async () => {
      const body = {
        timezone: timezone.value,
        working_weekdays: weekdays.filter((w) => w.input.checked).map((w) => Number(w.input.value)),
        sessions: [...sessions.querySelectorAll(".session-row")].map((row) => [
          row.querySelector(".session-start").value, row.querySelector(".session-end").value]),
        same_day_cutoff: cutoff.value,
        holiday_country: country.value || null,
      };
      const saved = await api("PUT", "/calendar/settings", body);
      const fresh = settingsForm(saved);
      clear(settingsSlot, fresh);
      fresh.querySelector("button[type=submit]").focus();
      say(statusSlot, t("admin.calendar.settings_saved"));
      await loadDays();
      await log.refresh();
    });
  });
  return form;
}

async function loadSettings() {
  try {
    clear(settingsSlot, settingsForm(await api("GET", "/calendar/settings")));
  } catch (error) {
    clear(settingsSlot, adminErrorBox(error));
  }
}

export async function showCalendar() {
  if (!yearInput.value) yearInput.value = new Date().getFullYear();
  await Promise.all([loadDays(), loadSettings(), log.show({ prefix: "calendar." })]);
}
