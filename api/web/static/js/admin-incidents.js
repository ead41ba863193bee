// Incidents ("Sự cố"): the steps the service ran on its own that failed (GET /incidents), open or
// resolved, by procedure; one opened with the data at its failing step, retried with corrected data
// or skipped; beside it the operations log of its dossier.
import { api, clear, formatTime, h, t } from "./common.js";
import { closeButton, counted, guarded, say } from "./admin-common.js";
import { incidentPanel, incidentState, operationsLog } from "./operations.js";
import { modelElements } from "./operations-data.js";

const listSlot = document.getElementById("incident-list");
const editorSlot = document.getElementById("incident-editor");
const errorSlot = document.getElementById("incidents-error");
const statusSlot = document.getElementById("incidents-status");
const logSlot = document.getElementById("incidents-log");
const filter = document.getElementById("incident-filter");
const procedureSelect = document.getElementById("incident-procedure");

let incidents = [];
let selected = null; // {incident, elements, log}

function stateFilter() {
  return filter.querySelector("input[name=incident-state]:checked")?.value || "open";
}

function renderList() {
  const rows = incidents.map((incident) => {
    const open = h("button", { type: "button", class: "secondary",
      "aria-label": t("admin.incidents.open_one", { code: incident.dossier_code, element: incident.element_name || incident.bpmn_id }) },
    t("admin.incidents.open"));
    open.addEventListener("click", () => openIncident(incident.id));
    return h("tr", { class: selected?.incident.id === incident.id ? "selected" : null, dataset: { incident: incident.id, dossier: incident.dossier_code } },
      h("th", { scope: "row" }, h("a", { href: `/app/dossiers/${encodeURIComponent(incident.dossier_code)}` }, incident.dossier_code),
        h("div", { class: "hint" }, incident.procedure_code)),
      h("td", {}, incident.element_name || incident.bpmn_id, h("div", { class: "hint" }, h("code", {}, incident.bpmn_id))),
      h("td", { class: "incident-message" }, incident.message),
      h("td", {}, h("span", { class: `incident-state ${incident.state}` }, incidentState(incident)),
        h("div", { class: "hint" }, counted("admin.incidents.since", incident.attempts, { when: formatTime(incident.created_at) }))),
      h("td", {}, open));
  });
  clear(listSlot, incidents.length
    ? h("div", { class: "table-wrap" }, h("table", {},
      h("caption", { class: "muted" }, t(stateFilter() === "open" ? "admin.incidents.caption_open" : "admin.incidents.caption_resolved")),
      h("thead", {}, h("tr", {}, [t("admin.incidents.dossier"), t("ops.incident.element"), t("ops.incident.message"),
        t("ops.incident.state"), t("admin.procedures.actions")].map((text) => h("th", { scope: "col" }, text)))),
      h("tbody", {}, rows)))
    : h("p", { class: "muted" }, t(stateFilter() === "open" ? "admin.incidents.none_open" : "admin.incidents.none_resolved")));
}

async function loadList() {
  const params = new URLSearchParams({ state: stateFilter() });
  if (procedureSelect.value) params.set("procedure_code", procedureSelect.value);
  incidents = await api("GET", `/incidents?${params}`);
  renderList();
}

async function loadProcedures() {
  const procedures = await api("GET", "/procedures?include_inactive=true");
  procedureSelect.append(...procedures.map((p) => h("option", { value: p.code }, `${p.code} — ${p.name}`)));
}

// --- one incident ------------------------------------------------------------------------------------

function editor(incident, elements) {
  const close = closeButton({ statusSlot, editorSlot, listSlot }, `tr[data-incident="${incident.id}"]`, () => {
    selected = null;
    renderList();
    clear(logSlot, h("p", { class: "muted" }, t("admin.incidents.log_hint")));
  });
  return h("section", { class: "card editor", "aria-labelledby": "incident-editor-title" },
    h("h3", { id: "incident-editor-title", tabindex: "-1" },
      t("admin.incidents.title_one", { element: incident.element_name || incident.bpmn_id, code: incident.dossier_code })),
    incidentPanel(incident, { elements, level: 3, withDossier: true, onDone: (result, action) => done(result, action),
      onFailed: () => selected?.log.refresh() }),
    h("div", { class: "actions" }, close));
}

async function openIncident(id, { focus = true } = {}) {
  say(statusSlot, "");
  await guarded(errorSlot, async () => {
    const incident = await api("GET", `/incidents/${id}`);
    let elements = [];
    try {
      elements = modelElements((await api("GET", `/dossiers/${encodeURIComponent(incident.dossier_code)}/diagram`)).bpmn_xml);
    } catch (error) {
      console.warn("the dossier's model is not available", error);
    }
    const log = operationsLog(logSlot, incident.dossier_code, { elements: () => elements, linkToDossier: true });
    selected = { incident, elements, log };
    renderList();
    clear(editorSlot, editor(incident, elements));
    if (focus) editorSlot.querySelector("h3").focus();
    await log.refresh();
  });
}

async function done(result, action) {
  const newest = selected.log.events[0]?.id ?? 0;
  const events = await selected.log.refresh({ since: newest });
  const entry = events.find((event) => event.action === `incident.${action}`);
  const key = action === "retried" ? "admin.incidents.retried" : "admin.incidents.skipped";
  clear(statusSlot, h("div", { class: "alert success", tabindex: "-1" },
    t(key, { element: result.element_name || result.bpmn_id, code: result.dossier_code, state: incidentState(result) }), " ",
    entry ? h("a", { href: `/app/dossiers/${encodeURIComponent(result.dossier_code)}#op-${entry.id}` }, t("admin.incidents.see_entry")) : null));
  await guarded(errorSlot, loadList);
  selected.incident = result;
  clear(editorSlot, editor(result, selected.elements));
  statusSlot.firstElementChild.focus();
}

export async function showIncidents() {
  filter.addEventListener("change", () => guarded(errorSlot, loadList));
  filter.addEventListener("submit", (event) => {
    event.preventDefault();
    guarded(errorSlot, loadList);
  });
  await guarded(errorSlot, loadProcedures);
  await guarded(errorSlot, loadList);
}
