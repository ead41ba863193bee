// A dossier: who applied, what they gave, where it stands on its diagram, the step at hand with its
// form and what the steps before it decided ("Ý kiến các bước"), its documents and the printable
// forms that apply to it, its steps and its history in sentences (dossier-story.js); whether it is
// suspended or has an incident, and an administrator's operations on it (dossier-operations.js).
import {
  ApiError, api, busy, clear, deadlineBadge, errorBox, fieldErrors, flash, formatTime, h, hasRole, openFile,
  startPage, t, table, tOr,
} from "./common.js";
import { dossierOperations } from "./dossier-operations.js";
import { historyRows, opinionText, opinionsPanel, personElement, personName } from "./dossier-story.js";
import { renderPayments } from "./dossier-payments.js";
import { renderPapers, renderStopping } from "./dossier-stopping.js";
import { taskForm } from "./forms.js";

const code = document.getElementById("dossier").dataset.code;
const path = `/dossiers/${encodeURIComponent(code)}`;
const requestedTask = new URLSearchParams(location.search).get("task");
let user;
let viewer;
let current;  // the dossier as last read
let operations;
let steps = [];  // the dossier's steps as last read, with who holds them and what they wrote
let known = new Map();  // the people the page read about, by login
const people = () => ({ showLogin: hasRole(user, "admin") });  // the login only for an administrator
// below this scale a fitted diagram's labels cannot be read: it is shown larger, around the current step
const READABLE_SCALE = 0.7;
// the roles that may read a dossier's documents and history (those who handle it; the server decides per dossier)
const HANDLING = ["desk_officer", "specialist", "leader"];
const notHandler = () => h("p", { class: "muted" }, t("dossier.not_handler"));

const facts = (pairs) => h("dl", { class: "facts" },
  pairs.filter(([, value]) => value !== null && value !== undefined && value !== "")
    .flatMap(([label, value]) => [h("dt", {}, label), h("dd", {}, value)]));

/** A value of the dossier's data or of an event: lists as lists, times as people read them. */
function showValue(value) {
  if (Array.isArray(value)) {
    return value.length ? h("ul", {}, value.map((item) => h("li", {}, typeof item === "object" ? Object.values(item).join(" — ") : String(item))))
      : t("common.none");
  }
  if (value && typeof value === "object") return JSON.stringify(value);
  if (typeof value === "boolean") return value ? t("common.yes") : t("common.no");
  return typeof value === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) ? formatTime(value) : String(value);
}

function renderDossier(dossier) {
  current = dossier;
  document.title = `${t("dossier.title")} ${dossier.code} — ${t("app.name")}`;
  const open = ![3, 8, 10].includes(dossier.status);
  clear(document.getElementById("badges"),
    h("span", { class: "badge neutral", id: "status-badge" }, `${dossier.status}. ${dossier.status_label}`), " ",
    open && dossier.due_at ? deadlineBadge(dossier.appointment_at || dossier.due_at) : null);
  const a = dossier.applicant;
  clear(document.getElementById("applicant"), facts([
    [t("dossier.full_name"), a.full_name], [t("dossier.id_number"), a.id_number], [t("dossier.phone"), a.phone],
    [t("dossier.email"), a.email], [t("dossier.address"), a.address]]));
  clear(document.getElementById("facts"), facts([
    [t("dossier.procedure"), dossier.procedure_name],
    [t("dossier.channel"), t(`channel.${dossier.channel}`)],
    [t("dossier.received_at"), formatTime(dossier.received_at || dossier.submitted_at)],
    [t("dossier.received_by"), dossier.received_by ? personElement(dossier.received_by_person, dossier.received_by, people()) : null],
    [t("dossier.due_at"), formatTime(dossier.due_at)],
    [t("dossier.appointment_at"), formatTime(dossier.appointment_at)],
    [t("dossier.resolved_at"), formatTime(dossier.resolved_at)],
    [t("dossier.outcome"), dossier.outcome ? t(`outcome.${dossier.outcome}`) : null],
    [t("dossier.returned_at"), formatTime(dossier.returned_at)],
    [t("dossier.return_method"), dossier.return_method ? t(`return.${dossier.return_method}`) : null],
    [t("dossier.postal_tracking_number"), dossier.postal_tracking_number]]));
  const entries = Object.entries(dossier.data || {});
  clear(document.getElementById("data"), entries.length
    ? facts(entries.map(([key, value]) => [tOr(`data.${key}`, key), showValue(value)]))
    : h("p", { class: "muted" }, t("common.none")));
}

// --- the diagram ---------------------------------------------------------------------------------

async function renderDiagram() {
  const diagram = await api("GET", `${path}/diagram`);
  // the procedure's name for everyone; the model's id too for those who work on models
  const model = hasRole(user, "admin", "designer") ? `${current.procedure_name} (${diagram.process_id})` : current.procedure_name;
  document.getElementById("diagram-version").textContent = t("dossier.diagram_version", { process: model, version: diagram.version });
  if (!viewer) viewer = new window.BpmnJS({ container: "#diagram" });
  try {
    await viewer.importXML(diagram.bpmn_xml);
  } catch (error) { // a model deployed without its drawing (BPMN DI): the rest of the page still works
    document.getElementById("diagram-version").append(" ", t("dossier.diagram_missing"));
    console.warn("diagram not drawn", error);
    return diagram;
  }
  const canvas = viewer.get("canvas");
  const registry = viewer.get("elementRegistry");
  markPath(canvas, registry, diagram);
  fitReadably(canvas, registry, diagram.active);
  const names = diagram.active.map((id) => registry.get(id)?.businessObject?.name || id);
  document.getElementById("diagram").setAttribute("aria-label",
    `${t("dossier.diagram_label")}. ${t("dossier.legend_current")}: ${names.join(", ") || t("common.none")}`);
  return diagram;
}

const isExpanded = (element) => element.type === "bpmn:SubProcess" && element.di?.isExpanded !== false
  && element.businessObject?.triggeredByEvent !== true && element.children?.length > 0;

/** Colour the path taken: the elements passed and the sequence flows between them, not an expanded
 * sub-process's whole box (its own steps and flows are coloured inside it). */
function markPath(canvas, registry, diagram) {
  for (const id of diagram.completed) {
    const element = registry.get(id);
    if (element && !isExpanded(element)) canvas.addMarker(id, "step-done");
  }
  for (const id of diagram.active) {
    if (!registry.get(id)) continue;
    canvas.removeMarker(id, "step-done");
    canvas.addMarker(id, "step-current");
  }
  const taken = new Set((diagram.taken || []).map(([from, to]) => `${from}\u0000${to}`));
  for (const flow of registry.filter((e) => e.type === "bpmn:SequenceFlow")) {
    if (taken.has(`${flow.source?.id}\u0000${flow.target?.id}`)) canvas.addMarker(flow.id, "flow-done");
  }
}

/** Fit the diagram to its box; when that leaves it too small to read, show it at a readable scale
 * around the step the dossier is at. A finished dossier's diagram stays fitted: its whole path. */
function fitReadably(canvas, registry, active) {
  const scale = canvas.zoom("fit-viewport", "auto");
  const focus = active.map((id) => registry.get(id)).find(Boolean);
  if (scale >= READABLE_SCALE || !focus) return;
  canvas.zoom(READABLE_SCALE);
  canvas.scrollToElement(focus, { top: 80, bottom: 80, left: 160, right: 160 });
}

function wireZoom() {
  const zoomBy = (factor) => viewer && viewer.get("canvas").zoom(viewer.get("canvas").zoom() * factor, "auto");
  document.getElementById("zoom-in").addEventListener("click", () => zoomBy(1.25));
  document.getElementById("zoom-out").addEventListener("click", () => zoomBy(0.8));
  document.getElementById("zoom-fit").addEventListener("click", () => viewer && viewer.get("canvas").zoom("fit-viewport", "auto"));
  document.getElementById("zoom-reset").addEventListener("click", () => viewer && viewer.get("canvas").zoom(1, "auto"));
}

// --- the step at hand ----------------------------------------------------------------------------

async function pickTask() {
  const open = await api("GET", `/tasks?dossier_code=${encodeURIComponent(code)}`);
  if (requestedTask && open.some((task) => task.id === requestedTask)) return { chosen: requestedTask, open };
  const mine = open.find((task) => task.assignee === user.username) || open.find((task) => !task.assignee);
  return { chosen: mine?.id, open };
}

/** The procedure's checklist, each item with whether the desk ticked it at receipt, for a form that
 * picks the missing documents from it (`ui:widget: "checklist"`). */
async function checklistOf(schema) {
  if (!schema || !JSON.stringify(schema).includes('"checklist"')) return {};
  try {
    const procedure = await api("GET", `/procedures/${encodeURIComponent(current.procedure_code)}`);
    const received = new Set(current.data?.received_documents || []);
    return { documents: (procedure.required_documents || []).map((doc) => ({ name: doc.name, received: received.has(doc.name) })) };
  } catch {
    return {};  // the free list still works
  }
}

async function renderTask() {
  const section = document.getElementById("task-section");
  const slot = document.getElementById("task");
  const { chosen, open } = await pickTask();
  if (!chosen && !open.length && current?.status === 9 && hasRole(user, "desk_officer")) {
    renderReturn(section, slot);
    return;
  }
  section.hidden = !chosen;
  if (!chosen) return;
  const task = await api("GET", `/tasks/${chosen}`);
  const others = open.filter((other) => other.id !== chosen);
  const form = taskForm(task.form_schema, {}, await checklistOf(task.form_schema));
  const errorSlot = h("div");
  const submit = h("button", { type: "submit", id: "complete-task" }, t("dossier.complete"));
  const element = h("form", { novalidate: true, id: "task-form" }, form.element, errorSlot, h("div", { class: "actions" }, submit));
  element.addEventListener("submit", async (event) => {
    event.preventDefault();
    await busy(submit, errorSlot, async () => {
      try {
        const result = await api("POST", `/tasks/${task.id}/complete`, { data: form.read() });
        const next = result.next_tasks.map((n) => n.name).join(", ");
        flash(next ? t("dossier.completed_next", { step: task.name, next }) : t("dossier.completed", { step: task.name }));
        history.replaceState(null, "", location.pathname);
        await refresh();
      } catch (error) {
        if (error instanceof ApiError) form.showErrors(fieldErrors(error));
        throw error;
      }
    });
  });
  const claimedByOther = task.assignee && task.assignee !== user.username;
  const holder = personName(steps.find((step) => step.id === task.id)?.assignee_person, task.assignee, people());
  clear(slot,
    h("p", {}, h("strong", { id: "task-name" }, task.name), " — ", task.lane, " ",
      deadlineBadge(task.due_at || task.dossier_due_at), " ",
      task.assignee ? h("span", { class: "muted", id: "task-holder" }, t("dossier.held_by", { who: holder })) : null),
    claimedByOther ? h("div", { class: "alert error" }, t("dossier.claimed_by_other", { who: holder })) : element,
    others.length ? h("p", { class: "muted" }, t("dossier.other_tasks"), " ",
      others.map((other) => h("a", { href: `?task=${other.id}`, class: "button secondary" }, other.name))) : null);
}

/** A processed dossier whose process has ended without returning it: the desk returns it here. */
function renderReturn(section, slot) {
  section.hidden = false;
  const form = taskForm({
    type: "object", required: ["return_method"], properties: {
      return_method: { title: t("dossier.return_method"), oneOf: [
        { const: "in_person", title: t("return.in_person") }, { const: "post", title: t("return.post") }] },
      receiver_name: { title: t("dossier.receiver_name"), type: "string" },
      postal_tracking_number: { title: t("dossier.postal_tracking_number"), type: "string" },
    },
    // each method's own field, with the choice that needs it (the server requires the tracking number by post)
    allOf: [
      { if: { required: ["return_method"], properties: { return_method: { const: "in_person" } } },
        then: { properties: { receiver_name: {} } } },
      { if: { required: ["return_method"], properties: { return_method: { const: "post" } } },
        then: { required: ["postal_tracking_number"] } }],
  });
  const errorSlot = h("div");
  const submit = h("button", { type: "submit", id: "return-result" }, t("dossier.return_submit"));
  const element = h("form", { novalidate: true, id: "return-form" }, form.element, errorSlot, h("div", { class: "actions" }, submit));
  element.addEventListener("submit", async (event) => {
    event.preventDefault();
    await busy(submit, errorSlot, async () => {
      await api("POST", `${path}/return`, form.read());
      flash(t("dossier.returned_ok"));
      await refresh();
    });
  });
  clear(slot, h("p", {}, h("strong", { id: "task-name" }, t("dossier.return_title")), " — ", t("dossier.return_hint")), element);
}

// --- documents, forms, steps, history ------------------------------------------------------------

async function renderDocuments() {
  const slot = document.getElementById("documents");
  const upload = document.getElementById("upload");
  upload.hidden = !hasRole(user, ...HANDLING);
  if (upload.hidden) {
    clear(slot, notHandler());
    return;
  }
  try {
    const files = await api("GET", `${path}/attachments`);
    clear(slot, files.length ? table([t("dossier.document"), t("dossier.upload_category"), t("dossier.size"), t("dossier.uploaded")],
      files.map((file) => {
        const link = h("button", { type: "button", class: "link-button" }, file.filename);
        link.addEventListener("click", () => openFile(`${path}/attachments/${file.id}`, file.filename, { save: true }));
        return h("tr", {}, h("td", {}, link, file.document_name ? h("div", { class: "muted" }, file.document_name) : null),
          h("td", {}, t(`dossier.category_${file.category}`)),
          h("td", { class: "number" }, `${Math.ceil(file.size / 1024)} KB`),
          h("td", {}, t("common.who_when", { who: personName(known.get(file.uploaded_by), file.uploaded_by, people()),
            when: formatTime(file.uploaded_at) })));
      })) : h("p", { class: "muted" }, t("dossier.no_documents")));
  } catch (error) {
    clear(slot, error instanceof ApiError && error.status === 403 ? notHandler() : errorBox(error));
    upload.hidden = true;
  }
}

function wireUpload() {
  const upload = document.getElementById("upload");
  upload.addEventListener("submit", async (event) => {
    event.preventDefault();
    await busy(document.getElementById("upload-submit"), document.getElementById("upload-error"), async () => {
      await api("POST", `${path}/attachments`, new FormData(upload));
      upload.reset();
      flash(t("dossier.uploaded_ok"));
      await renderDocuments();
    });
  });
  const print = document.getElementById("print");
  print.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!print.form.value) return;
    await busy(document.getElementById("print-submit"), document.getElementById("print-error"), () =>
      openFile(`${path}/forms/${print.form.value}?format=${print.format.value}`, `${code}-${print.form.value}.${print.format.value}`));
  });
}

/** The printable forms that apply to the dossier in the menu; those that do not, listed with why. */
async function renderForms() {
  const select = document.getElementById("print-form");
  const unavailable = document.getElementById("print-unavailable");
  const submit = document.getElementById("print-submit");
  if (!hasRole(user, ...HANDLING)) {
    document.getElementById("print").hidden = true;
    clear(unavailable, h("li", {}, t("dossier.not_handler")));
    return;
  }
  try {
    const forms = await api("GET", `${path}/forms`);
    const usable = forms.filter((form) => form.available);
    clear(select, usable.map((form) => h("option", { value: form.form }, t(`form.${form.form}`))));
    submit.disabled = !usable.length;
    clear(unavailable, usable.length ? null : h("li", {}, t("dossier.print_none")),
      forms.filter((form) => !form.available).map((form) => h("li", { dataset: { form: form.form } },
        h("span", {}, t(`form.${form.form}`)), " — ", t("dossier.print_unavailable", { reason: form.reason }))));
  } catch (error) {
    document.getElementById("print").hidden = true;
    clear(unavailable, error instanceof ApiError && error.status === 403 ? h("li", {}, t("dossier.not_handler")) : errorBox(error));
  }
}

/** Who handed the step over and when; a step cancelled (by a move, say) has no one who handed it over. */
function handedOver(step) {
  if (step.handed_over_at && step.handed_over_by) {
    return h("span", {}, personElement(step.handed_over_by_person, step.handed_over_by, people()), `, ${formatTime(step.handed_over_at)}`);
  }
  const state = t(`task_state.${step.state}`);
  const holder = step.assignee ? ` ${t("dossier.held_by", { who: personName(step.assignee_person, step.assignee, people()) })}` : "";
  return step.handed_over_at ? `${state} ${formatTime(step.handed_over_at)}` : `${state}${holder}`;
}

function renderSteps() {
  const readable = steps.some((step) => step.opinion !== null);
  const headers = [t("dossier.step"), t("dossier.step_received"), t("dossier.step_due"), t("dossier.step_handed_over"),
    t("dossier.step_verdict"), readable ? t("dossier.step_opinion") : null].filter(Boolean);
  clear(document.getElementById("steps"), steps.length ? table(headers,
    steps.map((step) => h("tr", { dataset: { bpmnId: step.bpmn_id } },
      h("td", { class: "step-name" }, step.name, h("div", { class: "muted" }, step.lane)),
      h("td", { dataset: { label: headers[1] } }, formatTime(step.received_at)),
      h("td", { dataset: { label: headers[2] } }, formatTime(step.due_at)),
      h("td", { dataset: { label: headers[3] } }, handedOver(step)),
      h("td", { dataset: { label: headers[4] } }, step.verdict ? t(`outcome.${step.verdict}`) : ""),
      readable ? h("td", { class: "step-opinion", dataset: { label: headers[5] } }, opinionText(step.opinion)) : null)))
    : h("p", { class: "muted" }, t("common.none")));
}

/** "Ý kiến các bước", above the step at hand's neighbours: for those who handle the dossier (the
 * server gives the others no opinions), once a step is done. */
function renderOpinions() {
  const section = document.getElementById("opinions-section");
  const readable = steps.some((step) => step.state === "completed" && step.opinion !== null);
  section.hidden = !readable;
  if (readable) clear(document.getElementById("opinions"), opinionsPanel(steps.filter((step) => step.opinion !== null), people()));
}

/** The history, for those who handle the dossier: {events} or {error}; nothing for the others. */
async function readHistory() {
  if (!hasRole(user, ...HANDLING)) return {};
  try {
    return { events: await api("GET", `${path}/history`) };
  } catch (error) {
    return { error };
  }
}

function renderHistory({ events, error }) {
  const slot = document.getElementById("history");
  if (events) clear(slot, table([t("dossier.when"), t("dossier.what_happened")], historyRows(events, people())));
  else if (error && !(error instanceof ApiError && error.status === 403)) clear(slot, errorBox(error));
  else clear(slot, notHandler());
}

/** Everyone the page has read about, by login: to name the uploader of a file, say. */
function knownPeople(dossier, events) {
  const found = new Map([[user.username, { username: user.username, full_name: user.full_name || user.username, unit: null }]]);
  const add = (person) => person && found.set(person.username, person);
  add(dossier.received_by_person);
  for (const step of steps) { add(step.handed_over_by_person); add(step.assignee_person); }
  for (const event of events || []) add(event.actor_person);
  return found;
}

async function refresh() {
  const errors = document.getElementById("dossier-error");
  clear(errors);
  try {
    const [dossier, dossierSteps, history] = await Promise.all([api("GET", path), api("GET", `${path}/steps`), readHistory()]);
    steps = dossierSteps;
    known = knownPeople(dossier, history.events);
    renderDossier(dossier);
    operations.banners(dossier);
    renderSteps();
    renderOpinions();
    renderHistory(history);
    const [, diagram] = await Promise.all([renderTask(), renderDiagram(), renderDocuments(), renderForms(),
      renderPayments(path, user, refresh), renderStopping(path, user, dossier, refresh),
      renderPapers(path, user, dossier, refresh)]);
    await operations.show(dossier, diagram, viewer);
  } catch (error) {
    clear(errors, errorBox(error));
  }
}

user = await startPage();
if (user) {
  operations = dossierOperations(user, { code, refresh });
  wireUpload();
  wireZoom();
  await refresh();
}
