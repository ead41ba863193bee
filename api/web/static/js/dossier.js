// A dossier: who applied, what they gave, where it stands on its diagram, the step at hand with its
// form, its documents and printable forms, its steps and its history; whether it is suspended or
// has an incident, and an administrator's operations on it (dossier-operations.js).
import {
  ApiError, api, busy, clear, deadlineBadge, errorBox, fieldErrors, flash, formatTime, h, hasRole, openFile,
  startPage, t, table, tOr,
} from "./common.js";
import { dossierOperations } from "./dossier-operations.js";
import { renderPayments } from "./dossier-payments.js";
import { taskForm } from "./forms.js";
import { describeOperation, isOperation } from "./operations.js";

const code = document.getElementById("dossier").dataset.code;
const path = `/dossiers/${encodeURIComponent(code)}`;
const requestedTask = new URLSearchParams(location.search).get("task");
let user;
let viewer;
let current;  // the dossier as last read
let operations;
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
    [t("dossier.received_by"), dossier.received_by],
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
  document.getElementById("diagram-version").textContent = t("dossier.diagram_version", { process: diagram.process_id, version: diagram.version });
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
  for (const id of diagram.completed) if (registry.get(id)) canvas.addMarker(id, "step-done");
  for (const id of diagram.active) {
    if (!registry.get(id)) continue;
    canvas.removeMarker(id, "step-done");
    canvas.addMarker(id, "step-current");
  }
  canvas.zoom("fit-viewport");
  const names = diagram.active.map((id) => registry.get(id)?.businessObject?.name || id);
  document.getElementById("diagram").setAttribute("aria-label",
    `${t("dossier.diagram_label")}. ${t("dossier.legend_current")}: ${names.join(", ") || t("common.none")}`);
  return diagram;
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
  clear(slot,
    h("p", {}, h("strong", { id: "task-name" }, task.name), " — ", task.lane, " ",
      deadlineBadge(task.due_at || task.dossier_due_at), " ",
      task.assignee ? h("span", { class: "muted" }, t("dossier.claimed_by", { who: task.assignee })) : null),
    claimedByOther ? h("div", { class: "alert error" }, t("dossier.claimed_by_other", { who: task.assignee })) : element,
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
          h("td", {}, t("common.who_when", { who: file.uploaded_by, when: formatTime(file.uploaded_at) })));
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
    await busy(document.getElementById("print-submit"), document.getElementById("print-error"), () =>
      openFile(`${path}/forms/${print.form.value}?format=${print.format.value}`, `${code}-${print.form.value}.${print.format.value}`));
  });
}

/** Who handed the step over and when; a step cancelled (by a move, say) has no one who handed it over. */
function handedOver(step) {
  if (step.handed_over_at && step.handed_over_by) return t("common.who_when", { who: step.handed_over_by, when: formatTime(step.handed_over_at) });
  const state = t(`task_state.${step.state}`);
  return step.handed_over_at ? `${state} ${formatTime(step.handed_over_at)}` : state;
}

async function renderSteps() {
  const steps = await api("GET", `${path}/steps`);
  clear(document.getElementById("steps"), steps.length ? table(
    [t("dossier.step"), t("dossier.step_received"), t("dossier.step_due"), t("dossier.step_handed_over"), t("dossier.step_verdict")],
    steps.map((step) => h("tr", {},
      h("td", {}, step.name, h("div", { class: "muted" }, step.lane)),
      h("td", {}, formatTime(step.received_at)),
      h("td", {}, formatTime(step.due_at)),
      h("td", {}, handedOver(step)),
      h("td", {}, step.verdict ? t(`outcome.${step.verdict}`) : "")))) : h("p", { class: "muted" }, t("common.none")));
}

function describe(event) {
  const data = event.data || {};
  if (isOperation(event.action)) return describeOperation(event).lines.join("; ");
  if (event.action === "dossier.status_changed") {
    return `${t(`status.${data.from}`)} → ${t(`status.${data.to}`)}${data.element_name ? ` (${data.element_name})` : ""}`;
  }
  const parts = Object.entries(data).filter(([, v]) => v !== null && typeof v !== "object").map(([k, v]) => `${k}: ${showValue(v)}`);
  return parts.join("; ");
}

async function renderHistory() {
  const slot = document.getElementById("history");
  if (!hasRole(user, ...HANDLING)) {
    clear(slot, notHandler());
    return;
  }
  try {
    const events = await api("GET", `${path}/history`);
    clear(slot, table([t("dossier.when"), t("dossier.who"), t("dossier.what"), t("dossier.details")],
      events.map((event) => h("tr", {}, h("td", {}, formatTime(event.occurred_at)), h("td", {}, event.actor),
        h("td", {}, tOr(`action.${event.action}`, tOr(`ops.action.${event.action}`, event.action))),
        h("td", {}, describe(event))))));
  } catch (error) {
    clear(slot, error instanceof ApiError && error.status === 403 ? notHandler() : errorBox(error));
  }
}

async function refresh() {
  const errors = document.getElementById("dossier-error");
  clear(errors);
  try {
    const dossier = await api("GET", path);
    renderDossier(dossier);
    operations.banners(dossier);
    const [, diagram] = await Promise.all([renderTask(), renderDiagram(), renderDocuments(), renderSteps(), renderHistory(),
      renderPayments(path, user, refresh)]);
    await operations.show(dossier, diagram, viewer);
  } catch (error) {
    clear(errors, errorBox(error));
  }
}

user = await startPage();
if (user) {
  operations = dossierOperations(user, { code, refresh });
  wireUpload();
  await refresh();
}
