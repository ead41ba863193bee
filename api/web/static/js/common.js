// What every page shares: the reader's words, building DOM safely, calling the API with the
// signed-in user's token, times as people here read them, deadline badges and errors.

const TOKEN_KEY = "motcua.token";
const catalogue = JSON.parse(document.getElementById("catalogue").textContent);
export const lang = document.body.dataset.lang || "vi";

/** The reader's words for `key`, with {name} placeholders filled from `vars`. */
export function t(key, vars = {}) {
  const text = catalogue[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}

/** The reader's words for `key`, or `fallback` when the catalogue has none (an action code, say). */
export function tOr(key, fallback) {
  return key in catalogue ? t(key) : fallback;
}

/** An element: h("a", {href: "/x", class: "y", onclick: f}, "text", child...). Text is never parsed as HTML. */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (name === "class") element.className = value;
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

export function clear(element, ...children) {
  element.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return element;
}

// --- the API ----------------------------------------------------------------------------------

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }
}

export function token() {
  return localStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) localStorage.setItem(TOKEN_KEY, value);
  else localStorage.removeItem(TOKEN_KEY);
}

function loginUrl() {
  return `/app/login?next=${encodeURIComponent(location.pathname + location.search)}`;
}

/** Call /api/v1`path`; JSON in and out. A FormData body is sent as multipart. Throws ApiError. */
export async function api(method, path, body = undefined, { raw = false } = {}) {
  const headers = { "Accept-Language": lang };
  if (token()) headers.Authorization = `Bearer ${token()}`;
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const response = await fetch(`/api/v1${path}`, { method, headers, body: payload });
  if (response.status === 401 && document.body.dataset.page !== "login") {
    setToken(null);
    location.assign(loginUrl());
    throw new ApiError(401, { message: t("error.signed_out") });
  }
  if (!response.ok) {
    let error;
    try { error = await response.json(); } catch { error = { message: `HTTP ${response.status}` }; }
    throw new ApiError(response.status, error);
  }
  if (raw) return response;
  if (response.status === 204) return null;
  return response.json();
}

/** Fetch a file the API serves (a PDF form, an xlsx export) and open or save it. */
export async function openFile(path, filename, { save = false } = {}) {
  const response = await api("GET", path, undefined, { raw: true });
  const url = URL.createObjectURL(await response.blob());
  const link = h("a", { href: url, target: save ? null : "_blank", rel: "noopener", download: save ? filename : null });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

// --- the signed-in user and the page frame -----------------------------------------------------

let me = null;

/** The signed-in user (GET /auth/me); sends the reader to the sign-in page without a token. */
export async function currentUser() {
  if (me) return me;
  if (!token()) {
    location.assign(loginUrl());
    throw new ApiError(401, {});
  }
  me = await api("GET", "/auth/me");
  return me;
}

export function hasRole(user, ...roles) {
  return roles.some((role) => user.roles.includes(role));
}

/** Show the menu items the user's roles open, the user's name, the sign-out button. If the page is
 * for some roles only and the user holds none, say so and return null. */
export async function startPage({ roles = null } = {}) {
  const user = await currentUser();
  for (const item of document.querySelectorAll("#menu [data-roles]")) {
    const allowed = item.dataset.roles.split(" ").filter(Boolean);
    item.hidden = allowed.length > 0 && !hasRole(user, ...allowed);
  }
  const who = document.getElementById("who");
  if (who) who.textContent = user.full_name || user.username;
  document.getElementById("logout")?.addEventListener("click", signOut);
  if (roles && !hasRole(user, ...roles)) {
    clear(document.getElementById("main"), h("div", { class: "alert error", role: "alert" }, t("error.not_for_you")));
    return null;
  }
  return user;
}

async function signOut() {
  try { await api("POST", "/auth/logout"); } catch { /* the token may already be gone */ }
  setToken(null);
  location.assign("/app/login");
}

// --- times and deadlines -----------------------------------------------------------------------

// The zone the service's times are in (the working calendar's; Vietnam has one zone, no DST).
export const SERVICE_ZONE = "Asia/Ho_Chi_Minh";

/** Today's date (YYYY-MM-DD) in the service's zone, whatever the browser's zone. */
export function todayInZone() {
  return new Intl.DateTimeFormat("en-CA", { timeZone: SERVICE_ZONE }).format(new Date());
}

/** A datetime-local value ("2026-11-29T08:30") read as the service's local time, as ISO with offset. */
export function zonedInput(value) {
  const part = new Intl.DateTimeFormat("en-US", { timeZone: SERVICE_ZONE, timeZoneName: "longOffset" })
    .formatToParts(new Date(`${value}Z`)).find((p) => p.type === "timeZoneName").value;
  return `${value}:00${part === "GMT" ? "+00:00" : part.slice(3)}`;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;

/** "14:05 03/12/2026": the API's times already carry the service's zone; show them as they are. */
export function formatTime(iso) {
  if (!iso) return "";
  const m = ISO.exec(iso);
  if (!m) return iso;
  return `${m[4]}:${m[5]} ${m[3]}/${m[2]}/${m[1]}`;
}

export function formatDate(day) {
  if (!day) return "";
  const [y, mo, d] = day.slice(0, 10).split("-");
  return `${d}/${mo}/${y}`;
}

function offsetMinutes(iso) {
  const zone = ISO.exec(iso)?.[7];
  if (!zone || zone === "Z") return 0;
  const sign = zone[0] === "-" ? -1 : 1;
  return sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
}

/** "overdue", "due_today" or "on_track", the day counted in the due time's own zone. */
export function deadlineState(iso, now = new Date()) {
  const due = new Date(iso);
  if (due <= now) return "overdue";
  const shift = offsetMinutes(iso) * 60_000;
  const today = new Date(now.getTime() + shift).toISOString().slice(0, 10);
  return iso.slice(0, 10) === today ? "due_today" : "on_track";
}

export function deadlineBadge(iso) {
  if (!iso) return h("span", { class: "badge neutral" }, t("deadline.none"));
  const state = deadlineState(iso);
  return h("span", { class: `badge ${state}`, title: formatTime(iso) }, t(`deadline.${state}`));
}

// --- messages ----------------------------------------------------------------------------------

function flatten(errors, prefix = "") {
  const out = [];
  for (const [key, value] of Object.entries(errors || {})) {
    if (key === "detail" || key === "labels") continue;
    const path = prefix ? `${prefix}.${key}` : key;
    if (Array.isArray(value)) out.push([path, value.join(" ")]);
    else if (value && typeof value === "object") out.push(...flatten(value, ["json", "query", "form", "files", "data"].includes(key) ? prefix : path));
    else out.push([path, String(value)]);
  }
  return out;
}

/** The fields at fault in an API error, as [path, message] pairs ("applicant.full_name", "…"). */
export function fieldErrors(error) {
  return error instanceof ApiError ? flatten(error.body.errors) : [];
}

/** What a person calls the field at `path`: the API's label for it, or the label of the page's field. */
export function fieldLabel(error, path) {
  const given = error instanceof ApiError ? error.body.errors?.labels?.[path] : null;
  if (given) return given;
  const holder = document.querySelector(`[data-path="${CSS.escape(path)}"]`);
  const label = holder && (holder.matches("fieldset") ? holder.querySelector("legend")
    : holder.querySelector("label") || (holder.id && document.querySelector(`label[for="${CSS.escape(holder.id)}"]`)));
  return label ? label.textContent.replace(/\s*\*\s*$/, "").trim() : path;
}

/** An error box: the API's sentence for a person and the specifics under it. */
export function errorBox(error) {
  const message = error instanceof ApiError ? error.body.message || error.message : t("error.network");
  const details = fieldErrors(error).map(([path, text]) => h("li", {}, `${fieldLabel(error, path)}: ${text}`));
  // a service error's specific explanation (the file, line and element of a model, say) is its detail
  const detail = error instanceof ApiError ? error.body.errors?.detail : null;
  // (not when the fields at fault are listed: they say it, in the reader's language)
  const specific = detail && detail !== message && !details.length ? h("p", {}, `${t("error.detail")} ${detail}`) : null;
  return h("div", { class: "alert error", role: "alert" }, message, specific, details.length ? h("ul", {}, details) : null);
}

export function flash(message, kind = "success") {
  clear(document.getElementById("flash"), message ? h("div", { class: `alert ${kind}` }, message) : null);
}

/** Run `work` with the button disabled; show an error in `errorSlot` if it fails. */
export async function busy(button, errorSlot, work) {
  button.disabled = true;
  clear(errorSlot);
  try {
    return await work();
  } catch (error) {
    clear(errorSlot, errorBox(error));
    if (!(error instanceof ApiError)) console.error(error);
    return undefined;
  } finally {
    button.disabled = false;
  }
}

/** `name` ending in `.extension` (another ending replaced): what an XML file the page sends is called. */
export function withExtension(name, extension) {
  return name.toLowerCase().endsWith(`.${extension}`) ? name : `${name.replace(/\.[^.]*$/, "")}.${extension}`;
}

/** A form body uploading `xml` as the file `filename` (the model and decision endpoints take `file`). */
export function xmlUpload(xml, filename) {
  const body = new FormData();
  body.append("file", new Blob([xml], { type: "application/xml" }), filename);
  return body;
}

/** A labelled form field: field("code", t("..."), h("input", {...})). Gives the control its id. */
export function field(id, label, control, hint = null) {
  control.id = id;
  if (!control.name) control.name = id;
  return h("div", { class: "field" }, h("label", { for: id }, label, hint ? h("span", { class: "hint" }, ` — ${hint}`) : null), control);
}

export function table(headers, rows, { caption = null } = {}) {
  return h("div", { class: "table-wrap" },
    h("table", {}, caption ? h("caption", { class: "muted" }, caption) : null,
      h("thead", {}, h("tr", {}, headers.map((label) => h("th", { scope: "col" }, label)))),
      h("tbody", {}, rows)));
}
