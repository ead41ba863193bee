// The dossier page's banners (suspended, an unresolved incident: for everyone who opens it) and,
// for administrators, the panel of operations on its process: suspend or resume, move the active
// step (chosen in a list or on the diagram), retry or skip its incident, revert its latest
// migration; each asks for a reason, shows its result and the new entry of the operations log.
import { api, clear, formatTime, h, hasRole, t } from "./common.js";
import { personName } from "./dossier-story.js";
import { incidentPanel, incidentState, operationsLog, reasonField, sendOperation } from "./operations.js";
import { dataEditor, elementLabel, elementSelect, modelElements } from "./operations-data.js";

const $ = (id) => document.getElementById(id);
const NOT_A_TARGET = new Set(["startEvent", "boundaryEvent"]); // events something triggers (the server refuses them)

export function dossierOperations(user, { code, refresh }) {
  const isAdmin = hasRole(user, "admin");
  const section = $("operations-section");
  const panel = $("operations-panel");
  const resultSlot = $("operations-result");
  let elements = [];
  let viewer = null;
  let moveTarget = null; // the "to" <select> of the move form, which a click on the diagram sets
  let since = null; // the newest log entry before an operation: newer ones are marked new
  let jumped = false;
  const log = isAdmin ? operationsLog($("operations-log"), code, { elements: () => elements }) : null;

  function banners(dossier) {
    const items = [];
    const suspension = dossier.suspension;
    if (suspension) {
      items.push(h("div", { class: "alert warning banner", id: "suspension-banner" },
        h("strong", {}, t("ops.banner.suspended")), " ",
        t("ops.banner.suspended_by", { who: personName(suspension.by_person, suspension.by, { showLogin: isAdmin }),
          when: formatTime(suspension.at) }), " ",
        suspension.reason ? t("ops.log.reason", { reason: suspension.reason }) : null));
    }
    const incident = dossier.incident;
    if (incident) {
      items.push(h("div", { class: "alert error banner", id: "incident-banner" },
        h("strong", {}, t("ops.banner.incident", { element: incident.element_name || incident.bpmn_id })), " ",
        h("span", { class: "incident-message" }, incident.message), " ", incidentState(incident)));
    }
    if (isAdmin && items.length) items.push(h("p", {}, h("a", { href: "#operations-title" }, t("ops.banner.act_below"))));
    clear($("banners"), items);
  }

  /** After an operation went through: the page again, the result and a link to its log entry. */
  async function after(message, action) {
    since = log.events[0]?.id ?? 0;
    await refresh();
    const entry = log.events.find((event) => event.action === action && event.id > since);
    clear(resultSlot, h("div", { class: "alert success", tabindex: "-1" }, message, " ",
      entry ? h("a", { href: `#op-${entry.id}` }, t("ops.see_entry")) : null));
    since = null;
    resultSlot.firstElementChild.focus();
  }

  let forms = 0;

  function operationForm(title, { intro = null, fields, submit, danger = false, work }) {
    const errors = h("div");
    const button = h("button", { type: "submit", class: danger ? "danger" : null }, submit);
    forms += 1;
    const id = `operation-title-${forms}`;
    const form = h("form", { class: "card operation", novalidate: true, "aria-labelledby": id },
      h("h3", { id }, title), intro ? h("p", { class: "hint" }, intro) : null, fields, errors, h("div", { class: "actions" }, button));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clear(resultSlot);
      const done = await sendOperation(form, button, errors, work);
      if (done) await after(done.message, done.action);
    });
    return form;
  }

  function suspensionForm(dossier) {
    const reason = reasonField();
    const suspended = dossier.suspension;
    if (!suspended) {
      return operationForm(t("ops.suspend.title"), { intro: t("ops.suspend.intro"), fields: [reason.element], submit: t("ops.suspend.submit"),
        danger: true, work: async () => {
          await api("POST", `/dossiers/${encodeURIComponent(code)}/suspension`, { reason: reason.read() });
          return { message: t("ops.suspend.done"), action: "instance.suspended" };
        } });
    }
    return operationForm(t("ops.resume.title"), {
      intro: t("ops.resume.intro", { who: suspended.by, when: formatTime(suspended.at) }), fields: [reason.element],
      submit: t("ops.resume.submit"), work: async () => {
        await api("DELETE", `/dossiers/${encodeURIComponent(code)}/suspension`, { reason: reason.read() });
        return { message: t("ops.resume.done"), action: "instance.resumed" };
      } });
  }

  function moveForm(active) {
    const from = elementSelect(elements, { keep: (e) => active.includes(e.id) });
    from.dataset.path = "from";
    const to = elementSelect(elements, { keep: (e) => !NOT_A_TARGET.has(e.type), empty: t("ops.move.choose") });
    to.dataset.path = "to";
    from.id = "move-from";
    to.id = "move-to";
    const toError = h("div", { class: "field-error", id: "move-to-error" });
    to.addEventListener("change", () => {
      toError.textContent = "";
      to.removeAttribute("aria-invalid");
      markTarget(to.value);
    });
    moveTarget = to;
    const reason = reasonField();
    const data = dataEditor({ legend: t("ops.move.data"), hint: t("ops.move.data_hint"), collapsed: true });
    return operationForm(t("ops.move.title"), {
      intro: t("ops.move.intro"),
      fields: [
        h("div", { class: "field" }, h("label", { for: from.id }, t("ops.move.from")), from),
        h("div", { class: "field" }, h("label", { for: to.id }, t("ops.move.to")), to,
          h("div", { class: "hint", id: "move-to-hint" }, t("ops.move.to_hint")), toError),
        reason.element, data.element],
      submit: t("ops.move.submit"),
      work: async () => {
        if (!to.value) {
          toError.textContent = t("ops.move.choose_needed");
          to.setAttribute("aria-invalid", "true");
          to.setAttribute("aria-describedby", "move-to-hint move-to-error");
          to.focus();
          return undefined;
        }
        const body = { from: from.value, to: to.value, reason: reason.read(), data: data.read() };
        await api("POST", `/dossiers/${encodeURIComponent(code)}/moves`, body);
        return { message: t("ops.move.done", { from: elementLabel(elements, body.from), to: elementLabel(elements, body.to) }),
          action: "instance.moved" };
      },
    });
  }

  function revertForm(events) {
    const migrated = events.find((event) => event.action === "instance.migrated");
    const reverted = events.find((event) => event.action === "instance.migration_reverted");
    if (!migrated || (reverted && reverted.id > migrated.id)) return null;
    const reason = reasonField();
    return operationForm(t("ops.revert.title"), {
      intro: t("ops.revert.intro", { from: migrated.data.from_version, to: migrated.data.to_version, who: migrated.actor,
        when: formatTime(migrated.occurred_at) }),
      fields: [reason.element], submit: t("ops.revert.submit"), work: async () => {
        await api("POST", `/dossiers/${encodeURIComponent(code)}/migration-reversal`, { reason: reason.read() });
        return { message: t("ops.revert.done", { version: migrated.data.from_version }), action: "instance.migration_reverted" };
      } });
  }

  function incidentBlock(incident) {
    return h("div", { class: "incident-block" }, h("h3", {}, t("ops.incident.title")),
      incidentPanel(incident, { elements, level: 3, onDone: (result, action) => after(
        t(action === "retried" ? "ops.retry.done" : "ops.skip.done", { element: result.element_name || result.bpmn_id, state: incidentState(result) }),
        `incident.${action}`), onFailed: () => log.refresh() }));
  }

  // --- the diagram: a click on an element chooses it as the move's target --------------------------------

  function markTarget(id) {
    if (!viewer) return;
    const canvas = viewer.get("canvas");
    for (const element of viewer.get("elementRegistry").filter((e) => canvas.hasMarker(e, "move-target"))) {
      canvas.removeMarker(element, "move-target");
    }
    if (id && viewer.get("elementRegistry").get(id)) canvas.addMarker(id, "move-target");
  }

  function onDiagramClick(event) {
    const id = event.element?.businessObject?.id || event.element?.id;
    if (!moveTarget || !id || ![...moveTarget.options].some((option) => option.value === id)) return;
    moveTarget.value = id;
    moveTarget.dispatchEvent(new Event("change"));
    moveTarget.focus();
  }

  async function show(dossier, diagram, currentViewer) {
    section.hidden = !isAdmin;
    if (!isAdmin) return;
    elements = diagram ? modelElements(diagram.bpmn_xml) : [];
    if (currentViewer && currentViewer !== viewer) {
      viewer = currentViewer;
      viewer.get("eventBus").on("element.click", onDiagramClick);
    }
    const events = await log.refresh({ since });
    const active = diagram?.active || [];
    const incident = dossier.incident ? await api("GET", `/incidents/${dossier.incident.id}`) : null;
    moveTarget = null;
    clear(panel, active.length || incident
      ? [incident ? incidentBlock(incident) : null, suspensionForm(dossier), active.length ? moveForm(active) : null, revertForm(events)]
      : h("p", { class: "muted" }, t("ops.not_running")));
    if (!jumped && location.hash.startsWith("#op-")) { // a link from the administration page to an entry
      jumped = true;
      document.getElementById(location.hash.slice(1))?.focus();
    }
  }

  return { banners, show };
}
