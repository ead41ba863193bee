// What the administrator's sections share: the roles, the units, labels with a fallback, periods
// of time as people say them, and the API's errors shown next to the form and on its fields.
import { api, ApiError, errorBox, fieldErrors, h, t, tOr } from "./common.js";

// The roles of workflows/roles.py, in its order (a test checks they are the same).
export const ROLES = ["desk_officer", "specialist", "leader", "clerk", "admin", "designer"];
export const TIME_UNITS = ["working_days", "working_hours", "session", "same_day"];
export const WEEKDAYS = [0, 1, 2, 3, 4, 5, 6];

export const roleLabel = (code) => tOr(`admin.role.${code}`, code);
export const kindLabel = (kind) => tOr(`admin.kind.${kind}`, kind);
export const channelLabel = (channel) => tOr(`admin.channel.${channel}`, channel);
export const audienceLabel = (audience) => tOr(`admin.audience.${audience}`, audience);
export const weekdayLabel = (day) => t(`admin.weekday.${day}`);

// --- units (loaded once) --------------------------------------------------------------------

let units = null;

export async function loadUnits() {
  units = units || await api("GET", "/units");
  return units;
}

export function unitName(code) {
  if (!code) return t("admin.users.no_unit");
  return units?.find((unit) => unit.code === code)?.name || code;
}

/** A <select> of the units, with "no unit" first when `optional`. */
export function unitSelect(selected, { optional = true } = {}) {
  const select = h("select", {},
    optional ? h("option", { value: "" }, t("admin.users.no_unit")) : null,
    (units || []).map((unit) => h("option", { value: unit.code }, unit.name)));
  select.value = selected || "";
  return select;
}

// --- periods --------------------------------------------------------------------------------

function number(value) {
  return Number.isInteger(value) ? String(value) : String(value).replace(".", tOr("admin.decimal_point", "."));
}

/** The words of `key` for `count`: `${key}_one` for one (English), else `key`. */
export function counted(key, count, vars = {}) {
  return t(count === 1 && tOr(`${key}_one`, null) ? `${key}_one` : key, { count, ...vars });
}

/** "2 giờ làm việc", "trong ngày + 2 ngày làm việc". */
export function formatPeriod(value, unit) {
  if (value === null || value === undefined || !unit) return t("admin.log.nothing");
  if (unit === "same_day") {
    return value > 1 ? counted("admin.period.same_day_more", value - 1, { extra: value - 1 }) : t("admin.period.same_day");
  }
  const key = `admin.period.${unit}`;
  if (tOr(key, null) === null) return `${number(value)} ${unit}`;
  return counted(key, value).replace("{value}", number(value));
}

export function timeUnitSelect(selected) {
  const select = h("select", {}, TIME_UNITS.map((unit) => h("option", { value: unit }, t(`admin.time_unit.${unit}`))));
  select.value = selected;
  return select;
}

/** The value of a number input: a number, or null when empty (the API says what it needs). */
export function numberValue(input) {
  return input.value.trim() === "" ? null : Number(input.value);
}

// --- errors ---------------------------------------------------------------------------------

/** The API's sentence, the specific explanation the service gave (errors.detail) when it adds to
 * it, and the details: errorBox's, without the name of the field at fault (the field is marked). */
export function adminErrorBox(error) {
  if (!(error instanceof ApiError)) return errorBox(error);
  const body = error.body || {};
  const errors = body.errors || {};
  const detail = errors.detail && errors.detail !== body.message && body.code !== "validation_error"
    ? h("p", { class: "error-detail" }, t("admin.error.detail", { detail: errors.detail })) : null;
  const items = fieldErrors(error).filter(([path]) => path !== "field").map(([path, text]) => h("li", {},
    `${tOr(`admin.error.${path}`, tOr(`admin.field.${path}`, path))}: ${Array.isArray(errors[path]) ? errors[path].join(", ") : text}`));
  return h("div", { class: "alert error", role: "alert" }, body.message || error.message, detail,
    items.length ? h("ul", {}, items) : null);
}

/** Clear what `showError` marked in `form`. */
export function clearErrors(form) {
  for (const note of form.querySelectorAll(".field-error[data-admin]")) note.remove();
  for (const control of form.querySelectorAll("[aria-invalid]")) {
    control.removeAttribute("aria-invalid");
    const described = (control.getAttribute("aria-describedby") || "").split(" ").filter((id) => !id.startsWith("err-"));
    if (described.length) control.setAttribute("aria-describedby", described.join(" "));
    else control.removeAttribute("aria-describedby");
  }
}

let errorCount = 0;

/** Show `error` in `slot` and mark the controls of `form` it names (data-path="step_allocations.review"). */
export function showError(slot, error, form = null) {
  slot.replaceChildren(adminErrorBox(error));
  if (!form) return;
  clearErrors(form);
  // marshmallow's errors are messages per field; the service's name the field and its value (the box says why)
  const messages = error?.body?.code === "validation_error";
  const faults = fieldErrors(error).map(([path, text]) => (path === "field" ? [text, ""] : [path, messages ? text : ""]));
  const controls = [...form.querySelectorAll("[data-path]")];
  for (const [path, text] of faults) {
    const control = controls.find((c) => path === c.dataset.path || path.startsWith(`${c.dataset.path}.`))
      || controls.find((c) => c.dataset.path.startsWith(`${path}.`));
    if (!control) continue;
    control.setAttribute("aria-invalid", "true");
    if (!text) continue;
    errorCount += 1;
    const note = h("div", { class: "field-error", id: `err-${errorCount}`, dataset: { admin: "1" } }, text);
    control.setAttribute("aria-describedby", `${control.getAttribute("aria-describedby") || ""} ${note.id}`.trim());
    control.insertAdjacentElement("afterend", note);
  }
  form.querySelector("[aria-invalid='true']")?.focus();
}

/** Run `work` with `button` disabled; on failure show the error beside `form`. Returns work's result or undefined. */
export async function submitting(button, slot, form, work) {
  button.disabled = true;
  slot.replaceChildren();
  clearErrors(form);
  try {
    return await work();
  } catch (error) {
    showError(slot, error, form);
    if (!error?.body) console.error(error);
    return undefined;
  } finally {
    button.disabled = false;
  }
}

/** A short status line next to a form (announced politely). */
export function say(slot, message) {
  slot.replaceChildren(message ? h("div", { class: "alert success" }, message) : "");
}

/** Run `work`; a failure is shown in `errorSlot`, cleared first. */
export async function guarded(errorSlot, work) {
  errorSlot.replaceChildren();
  try {
    return await work();
  } catch (error) {
    errorSlot.replaceChildren(adminErrorBox(error));
    return undefined;
  }
}

/** The editor's "close" button: `onClose` forgets the selection and redraws the section; the focus
 * goes back to the list row's button that opened the editor. */
export function closeButton({ statusSlot, editorSlot, listSlot }, rowSelector, onClose) {
  const close = h("button", { type: "button", class: "secondary" }, t("admin.procedure.close"));
  close.addEventListener("click", () => {
    editorSlot.replaceChildren();
    say(statusSlot, "");
    onClose();
    listSlot.querySelector(`${rowSelector} button`)?.focus();
  });
  return close;
}

/** Show a section's editor, built from what `load` fetched, with the focus on its heading. */
export async function openEditor({ errorSlot, statusSlot, editorSlot }, load, build) {
  say(statusSlot, "");
  await guarded(errorSlot, async () => {
    const form = build(await load());
    editorSlot.replaceChildren(form);
    form.querySelector("h3").focus();
  });
}

/** A labelled control whose id is unique on the page. */
let controlCount = 0;
export function labelled(labelText, control, { hint = null, path = null } = {}) {
  controlCount += 1;
  control.id = control.id || `admin-control-${controlCount}`;
  if (path) control.dataset.path = path;
  const hintId = hint ? `${control.id}-hint` : null;
  if (hintId) control.setAttribute("aria-describedby", hintId);
  return h("div", { class: "field" }, h("label", { for: control.id }, labelText), control,
    hint ? h("div", { class: "hint", id: hintId }, hint) : null);
}

/** A checkbox with its label beside it. */
export function checkbox(labelText, checked, attrs = {}) {
  controlCount += 1;
  const input = h("input", { type: "checkbox", id: `admin-check-${controlCount}`, ...attrs });
  input.checked = Boolean(checked);
  return { input, element: h("div", { class: "check" }, input, h("label", { for: input.id }, labelText)) };
}
