// The national portal's outbox: whether synchronisation is on, what waits, what was sent, what the
// portal refused and why (its own answer), and "send again" (GET /portal, /portal/events; POST
// /portal/events/<id>/resend). A failed event holds its dossier's later events back until resent.
import { api, clear, formatTime, h, t, table, tOr } from "./common.js";
import { adminErrorBox, guarded, labelled, say } from "./admin-common.js";
import { changeLog } from "./admin-log.js";

const summarySlot = document.getElementById("portal-summary");
const listSlot = document.getElementById("portal-events");
const detailSlot = document.getElementById("portal-detail");
const errorSlot = document.getElementById("portal-error");
const statusSlot = document.getElementById("portal-status");
const log = changeLog(document.getElementById("portal-log"));
const STATUSES = ["failed", "pending", "sending", "sent"];
const PER_PAGE = 50;

let filter = { status: "failed", dossier_code: "", page: 1 };

const statusLabel = (status) => tOr(`admin.portal.status.${status}`, status);
const serviceLabel = (service) => tOr(`admin.portal.service.${service}`, service);

function renderSummary(summary) {
  const counts = STATUSES.map((status) => `${statusLabel(status)}: ${summary.counts[status] ?? 0}`).join(" · ");
  clear(summarySlot,
    summary.enabled
      ? h("p", {}, t("admin.portal.enabled", { url: summary.url, agency: summary.agency_code, lgsp: summary.lgsp_mode }))
      : h("div", { class: "alert warning" }, t("admin.portal.disabled")),
    h("p", { class: "muted" }, counts),
    summary.oldest_waiting_at ? h("p", { class: "muted" }, t("admin.portal.oldest", { when: formatTime(summary.oldest_waiting_at) })) : null,
    summary.last_sent_at ? h("p", { class: "muted" }, t("admin.portal.last_sent", { when: formatTime(summary.last_sent_at) })) : null);
}

function answerOf(event) {
  if (!event.last_error && !event.portal_message) return h("span", { class: "muted" }, "—");
  return h("div", {},
    event.portal_error_code || event.portal_message
      ? h("div", {}, t("admin.portal.answer", { code: event.portal_error_code || "—", message: event.portal_message || "—" }))
      : null,
    // our own words on the failure, unless they only repeat the portal's
    event.last_error && !(event.portal_message && event.last_error.includes(event.portal_message))
      ? h("div", { class: "hint" }, event.last_error) : null);
}

function row(event) {
  const actions = [];
  if (event.status === "failed" || event.status === "pending") {
    const resend = h("button", { type: "button", class: "secondary", "aria-label": t("admin.portal.resend_one", { id: event.id }) },
      event.status === "failed" ? t("admin.portal.resend") : t("admin.portal.send_now"));
    resend.addEventListener("click", () => resendEvent(event, resend));
    actions.push(resend);
  }
  const show = h("button", { type: "button", class: "secondary", "aria-label": t("admin.portal.show_one", { id: event.id }) },
    t("admin.portal.show"));
  show.addEventListener("click", () => showEvent(event.id));
  actions.push(show);
  return h("tr", { dataset: { event: String(event.id), status: event.status } },
    h("th", { scope: "row" }, String(event.id)),
    h("td", {}, event.dossier_code),
    h("td", {}, serviceLabel(event.service), h("div", { class: "hint" }, event.trigger)),
    h("td", {}, h("span", { class: `badge ${event.status === "failed" ? "overdue" : event.status === "sent" ? "on_track" : "neutral"}` },
      statusLabel(event.status)), h("div", { class: "hint" }, t("admin.portal.attempts", { count: event.attempts }))),
    h("td", {}, formatTime(event.created_at),
      event.sent_at ? h("div", { class: "hint" }, t("admin.portal.sent_at", { when: formatTime(event.sent_at) }))
        : event.status === "pending" ? h("div", { class: "hint" }, t("admin.portal.next", { when: formatTime(event.next_attempt_at) })) : null),
    h("td", {}, answerOf(event)),
    h("td", {}, actions));
}

async function loadEvents() {
  const params = new URLSearchParams({ page: String(filter.page), per_page: String(PER_PAGE) });
  if (filter.status) params.set("status", filter.status);
  if (filter.dossier_code) params.set("dossier_code", filter.dossier_code);
  const [summary, page] = await Promise.all([api("GET", "/portal"), api("GET", `/portal/events?${params}`)]);
  renderSummary(summary);
  const previous = h("button", { type: "button", class: "secondary" }, t("admin.portal.previous"));
  const next = h("button", { type: "button", class: "secondary" }, t("admin.portal.next_page"));
  previous.disabled = filter.page <= 1;
  next.disabled = filter.page * PER_PAGE >= page.total;
  previous.addEventListener("click", () => { filter.page -= 1; guarded(errorSlot, loadEvents); });
  next.addEventListener("click", () => { filter.page += 1; guarded(errorSlot, loadEvents); });
  clear(listSlot, page.items.length
    ? table([t("admin.portal.id"), t("admin.portal.dossier"), t("admin.portal.service"), t("admin.portal.state"),
      t("admin.portal.when"), t("admin.portal.answer_title"), t("admin.procedures.actions")], page.items.map(row),
    { caption: t("admin.portal.caption", { total: page.total }) })
    : h("p", { class: "muted" }, t("admin.portal.none")),
  page.total > PER_PAGE ? h("div", { class: "actions" }, previous, next) : null);
}

async function resendEvent(event, button) {
  button.disabled = true;
  say(statusSlot, "");
  try {
    await api("POST", `/portal/events/${event.id}/resend`);
    say(statusSlot, t("admin.portal.resent", { id: event.id, code: event.dossier_code }));
    await loadEvents();
    await log.refresh();
  } catch (error) {
    clear(errorSlot, adminErrorBox(error));
    button.disabled = false;
  }
}

async function showEvent(id) {
  await guarded(errorSlot, async () => {
    const event = await api("GET", `/portal/events/${id}`);
    const close = h("button", { type: "button", class: "secondary" }, t("admin.procedure.close"));
    close.addEventListener("click", () => {
      clear(detailSlot);
      listSlot.querySelector(`tr[data-event="${id}"] button:last-child`)?.focus();
    });
    const heading = h("h3", { tabindex: "-1" }, t("admin.portal.detail_title", { id, service: serviceLabel(event.service) }));
    clear(detailSlot, h("div", { class: "card" }, heading,
      h("p", { class: "muted" }, t("admin.portal.body_hint")),
      h("pre", { class: "portal-body" }, JSON.stringify(event.body, null, 2)),
      h("div", { class: "actions" }, close)));
    heading.focus();
  });
}

function filterForm() {
  const status = h("select", {}, h("option", { value: "" }, t("admin.portal.all")),
    STATUSES.map((value) => h("option", { value }, statusLabel(value))));
  status.value = filter.status;
  const code = h("input", { type: "text", maxlength: "50", spellcheck: "false" });
  const form = h("form", { class: "toolbar", novalidate: true },
    labelled(t("admin.portal.state"), status), labelled(t("admin.portal.dossier"), code),
    h("div", { class: "field actions" }, h("button", { type: "submit", class: "secondary" }, t("admin.portal.filter"))));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    filter = { status: status.value, dossier_code: code.value.trim(), page: 1 };
    clear(detailSlot);
    guarded(errorSlot, loadEvents);
  });
  return form;
}

export async function showPortal() {
  document.getElementById("portal-filter").replaceChildren(filterForm());
  await guarded(errorSlot, loadEvents);
  await log.show({ prefix: "portal.", scope: t("admin.log.all_portal") });
}
