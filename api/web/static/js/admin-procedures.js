// Procedures and their deadlines: the codes of the national catalogue, the statutory time, each step's
// allotted time, the documents, the fee and the rules of waiting, apologies and supplements
// (PUT /procedures/<code>).
import { api, clear, formatTime, h, t, table, tOr } from "./common.js";
import {
  adminErrorBox, checkbox, closeButton, formatPeriod, guarded, labelled,
  numberValue, openEditor, roleLabel, say, submitting, timeUnitSelect, unitName,
} from "./admin-common.js";
import { changeLog } from "./admin-log.js";

const listSlot = document.getElementById("procedure-list");
const editorSlot = document.getElementById("procedure-editor");
const errorSlot = document.getElementById("procedures-error");
const statusSlot = document.getElementById("procedures-status");
const log = changeLog(document.getElementById("procedures-log"));

// The roles that work tasks (workflows/roles.py TASK_ROLES): a task with no role of its own gets one of them.
const TASK_ROLES = ["desk_officer", "specialist", "leader", "clerk"];
let procedures = [];
let selected = null;

function showLog() {
  const procedure = procedures.find((p) => p.code === selected);
  return log.show(procedure
    ? { prefix: "procedure.", subject: procedure.code, scope: t("admin.log.of", { subject: procedure.name }) }
    : { prefix: "procedure.", scope: t("admin.log.all_procedures") });
}

function renderList() {
  const rows = procedures.map((procedure) => {
    const edit = h("button", { type: "button", class: "secondary", "aria-label": t("admin.procedures.edit_one", { name: procedure.name }) },
      t("admin.procedures.edit"));
    edit.addEventListener("click", () => open(procedure.code));
    return h("tr", { class: procedure.code === selected ? "selected" : null, dataset: { code: procedure.code } },
      h("th", { scope: "row" }, procedure.name, h("div", { class: "hint" }, h("code", {}, procedure.code))),
      h("td", { class: "procedure-time" }, formatPeriod(procedure.processing_time_value, procedure.processing_time_unit)),
      h("td", {}, procedure.deciding_unit_name),
      h("td", {}, procedure.active ? t("admin.procedures.active") : h("span", { class: "badge neutral" }, t("admin.procedures.inactive"))),
      h("td", {}, formatTime(procedure.updated_at)),
      h("td", {}, edit));
  });
  clear(listSlot, procedures.length
    ? table([t("admin.procedures.name"), t("admin.procedures.time"),
      t("admin.procedures.deciding_unit"), t("admin.procedures.status"), t("admin.procedures.updated"),
      t("admin.procedures.actions")], rows, { caption: t("admin.procedures.caption") })
    : h("p", { class: "muted" }, t("admin.procedures.none")));
}

async function loadList() {
  procedures = await api("GET", "/procedures?include_inactive=true");
  renderList();
}

// --- rows of the editor -----------------------------------------------------------------------

function removeButton(text, row, onRemove = null) {
  const button = h("button", { type: "button", class: "secondary small", "aria-label": text }, t("common.remove"));
  button.addEventListener("click", () => {
    const body = row.parentElement;
    const next = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    onRemove?.(body);
    (next?.querySelector("input, select") || body?.closest("fieldset")?.querySelector("button.add"))?.focus();
  });
  return button;
}

// A step of the model: its name as the model gives it, the designer's key small beside it; only
// its time is edited. A step the model no longer uses may be removed; one a designer adds (for a
// model about to be deployed) is typed by its key.
function stepRow({ key = "", name = "", inModel = false, period = null } = {}) {
  const value = h("input", { type: "number", class: "step-value", min: "0", step: "any", value: period?.value ?? "",
    inputmode: "decimal" });
  const unit = timeUnitSelect(period?.unit || "working_days");
  unit.classList.add("step-unit");
  const row = h("tr", { class: "step-row", dataset: { key } });
  let title;
  let keyInput = null;
  if (key) {
    const shown = name || tOr(`admin.step.${key}`, "") || key;
    title = h("td", {}, h("span", { class: "step-name" }, shown),
      h("div", { class: "hint" }, shown !== key ? h("code", { class: "step-key-code", title: t("admin.steps.key_hint") }, key) : null,
        inModel ? null : (shown !== key ? " · " : ""), inModel ? null : t("admin.steps.unused"),
        period ? null : t("admin.steps.no_time")));
  } else {
    keyInput = h("input", { type: "text", class: "step-key", autocomplete: "off", spellcheck: "false" });
    title = h("td", {}, keyInput, h("div", { class: "hint" }, t("admin.steps.new_hint")));
  }
  row.append(title, h("td", {}, value), h("td", {}, unit), h("td", {}));
  const label = () => (key ? (name || tOr(`admin.step.${key}`, "") || key) : keyInput.value.trim() || t("admin.steps.new"));
  const describe = () => {
    keyInput?.setAttribute("aria-label", t("admin.steps.key_of", { n: label() }));
    value.setAttribute("aria-label", t("admin.steps.value_of", { key: label() }));
    unit.setAttribute("aria-label", t("admin.steps.unit_of", { key: label() }));
    row.lastElementChild.replaceChildren(inModel ? "" : removeButton(t("admin.steps.remove", { key: label() }), row));
  };
  keyInput?.addEventListener("input", describe);
  describe();
  return row;
}

function stepKey(row) {
  return row.dataset.key || row.querySelector(".step-key")?.value.trim() || "";
}

function documentRow(document_ = { name: "", form: "original", quantity: 1 }) {
  const name = h("input", { type: "text", class: "doc-name", value: document_.name });
  const form = h("select", { class: "doc-form" },
    h("option", { value: "original" }, t("admin.docs.original")), h("option", { value: "copy" }, t("admin.docs.copy")));
  form.value = document_.form;
  const quantity = h("input", { type: "number", class: "doc-quantity", min: "1", max: "100", step: "1", value: document_.quantity });
  const row = h("tr", { class: "doc-row" }, h("td", {}, name), h("td", {}, form), h("td", {}, quantity), h("td", {}));
  if (document_.reuse_valid_days !== undefined) row.dataset.reuseValidDays = JSON.stringify(document_.reuse_valid_days);
  const renumber = (body) => [...(body?.children || [])].forEach((r, i) => r.dispatchEvent(new CustomEvent("renumber", { detail: i })));
  row.addEventListener("renumber", (event) => {
    const n = event.detail + 1;
    name.setAttribute("aria-label", t("admin.docs.name_of", { n }));
    form.setAttribute("aria-label", t("admin.docs.form_of", { n }));
    quantity.setAttribute("aria-label", t("admin.docs.quantity_of", { n }));
    for (const [control, field] of [[name, "name"], [form, "form"], [quantity, "quantity"]]) {
      control.dataset.path = `required_documents.${event.detail}.${field}`;
    }
    row.lastElementChild.replaceChildren(removeButton(t("admin.docs.remove", { n }), row, renumber));
  });
  row.renumberAll = renumber;
  return row;
}

function rowsTable(headers, rows, bodyClass) {
  return h("div", { class: "table-wrap" }, h("table", { class: "edit-table" },
    h("thead", {}, h("tr", {}, headers.map((text) => h("th", { scope: "col" }, text)))),
    h("tbody", { class: bodyClass }, rows)));
}

// --- the editor -------------------------------------------------------------------------------

function editor(procedure) {
  const value = h("input", { type: "number", min: "0", step: "any", inputmode: "decimal", value: procedure.processing_time_value });
  const unit = timeUnitSelect(procedure.processing_time_unit);
  const allotted = procedure.step_allocations || {};
  const known = procedure.steps || Object.keys(allotted).map((key) => ({ key, name: "", in_model: true }));
  const steps = known.map((step) => stepRow({ key: step.key, name: step.name, inModel: step.in_model, period: allotted[step.key] }));
  const docs = (procedure.required_documents || []).map((d) => documentRow(d));
  const fee = h("input", { type: "number", min: "0", step: "1000", inputmode: "numeric", value: procedure.fee_vnd ?? 0 });
  const feeNote = h("input", { type: "text", value: procedure.fee_note || "" });
  const apology = h("input", { type: "number", min: "0", max: "30", step: "1", value: procedure.apology_lead_days ?? 1 });
  const supplements = h("input", { type: "number", min: "0", max: "30", step: "1", value: procedure.max_supplement_requests ?? 1 });
  const nationalCode = h("input", { type: "text", value: procedure.national_code || "", maxlength: "50", spellcheck: "false" });
  const fieldCode = h("input", { type: "text", value: procedure.field_code || "", maxlength: "50", spellcheck: "false" });
  const clock = h("select", {}, ["pause", "restart"].map((v) => h("option", { value: v }, t(`admin.clock.${v}`))));
  clock.value = procedure.clock_on_wait || "pause";
  const paying = h("select", {}, ["pause", "run"].map((v) => h("option", { value: v }, t(`payments.clock.${v}`))));
  paying.value = procedure.clock_while_paying || "pause";
  const defaultRole = h("select", {}, h("option", { value: "" }, t("admin.procedure.no_default_role")),
    TASK_ROLES.map((role) => h("option", { value: role }, roleLabel(role))));
  defaultRole.value = procedure.default_role || "";
  const active = checkbox(t("admin.procedure.active"), procedure.active);
  active.input.dataset.path = "active";

  const stepsBody = rowsTable([t("admin.steps.key"), t("admin.steps.value"), t("admin.steps.unit"), t("admin.procedures.actions")], steps, "steps");
  const docsBody = rowsTable([t("admin.docs.name"), t("admin.docs.form"), t("admin.docs.quantity"), t("admin.procedures.actions")], docs, "docs");
  const addStep = h("button", { type: "button", class: "secondary add small" }, t("admin.steps.add"));
  addStep.addEventListener("click", () => {
    const row = stepRow();
    stepsBody.querySelector("tbody").append(row);
    row.querySelector("input").focus();
  });
  const addDoc = h("button", { type: "button", class: "secondary add" }, t("admin.docs.add"));
  const docsTbody = docsBody.querySelector("tbody");
  addDoc.addEventListener("click", () => {
    const row = documentRow();
    docsTbody.append(row);
    row.renumberAll(docsTbody);
    row.querySelector("input").focus();
  });
  docs[0]?.renumberAll(docsTbody);

  const errors = h("div", { class: "form-errors" });
  const save = h("button", { type: "submit" }, t("admin.procedure.save"));
  const close = closeButton({ statusSlot, editorSlot, listSlot }, `tr[data-code="${CSS.escape(selected)}"]`, () => {
    selected = null;
    renderList();
    showLog();
  });

  const retime = h("button", { type: "button", class: "secondary" }, t("admin.procedure.retime"));
  const retimeStatus = h("div", { role: "status" });
  const retimeErrors = h("div");
  retime.addEventListener("click", async () => {
    retime.disabled = true;
    clear(retimeErrors);
    say(retimeStatus, "");
    try {
      const result = await api("POST", `/procedures/${encodeURIComponent(procedure.code)}/retime-timers`);
      say(retimeStatus, t("admin.procedure.retimed", { dossiers: result.dossiers, timers: result.timers_moved }));
    } catch (error) {
      clear(retimeErrors, adminErrorBox(error));
    } finally {
      retime.disabled = false;
    }
  });

  const headingId = `procedure-editor-title`;
  const form = h("form", { class: "card editor", novalidate: true, "aria-labelledby": headingId },
    h("h3", { id: headingId, tabindex: "-1" }, t("admin.procedure.editing", { name: procedure.name })),
    h("dl", { class: "facts" },
      h("dt", {}, t("admin.procedures.code")), h("dd", {}, procedure.code),
      h("dt", {}, t("admin.procedures.deciding_unit")), h("dd", {}, procedure.deciding_unit_name || unitName(procedure.deciding_unit_code)),
      h("dt", {}, t("admin.procedure.model")), h("dd", {}, procedure.process_id),
      h("dt", {}, t("admin.procedure.field")), h("dd", {}, procedure.field)),
    h("fieldset", {}, h("legend", {}, t("admin.procedure.national")),
      h("p", { class: "hint" }, t("admin.procedure.national_hint")),
      h("div", { class: "inline-fields" },
        labelled(t("admin.field.national_code"), nationalCode, { path: "national_code" }),
        labelled(t("admin.field.field_code"), fieldCode, { path: "field_code" }))),
    h("fieldset", {}, h("legend", {}, t("admin.procedure.statutory")),
      h("div", { class: "inline-fields" },
        labelled(t("admin.procedure.value"), value, { path: "processing_time_value" }),
        labelled(t("admin.procedure.unit"), unit, { path: "processing_time_unit" })),
      h("p", { class: "hint" }, t("admin.procedure.unit_hint"))),
    h("fieldset", {}, h("legend", {}, t("admin.steps.legend")),
      h("p", { class: "hint" }, t("admin.steps.hint")), stepsBody,
      h("details", { class: "for-designers" }, h("summary", {}, t("admin.steps.for_designers")),
        h("p", { class: "hint" }, t("admin.steps.designer_hint")), h("div", { class: "actions" }, addStep))),
    h("fieldset", {}, h("legend", {}, t("admin.docs.legend")), docsBody, h("div", { class: "actions" }, addDoc)),
    h("fieldset", {}, h("legend", {}, t("admin.procedure.rules")),
      h("div", { class: "inline-fields" },
        labelled(t("admin.field.fee_vnd"), fee, { path: "fee_vnd" }),
        labelled(t("admin.field.fee_note"), feeNote, { path: "fee_note" })),
      h("div", { class: "inline-fields" },
        labelled(t("admin.field.apology_lead_days"), apology, { path: "apology_lead_days", hint: t("admin.procedure.apology_hint") }),
        labelled(t("admin.field.max_supplement_requests"), supplements, { path: "max_supplement_requests" })),
      labelled(t("admin.field.clock_on_wait"), clock, { path: "clock_on_wait" }),
      labelled(t("payments.field.clock_while_paying"), paying, { path: "clock_while_paying" }),
      labelled(t("admin.field.default_role"), defaultRole, { path: "default_role", hint: t("admin.procedure.default_role_hint") }),
      active.element),
    errors,
    h("div", { class: "actions" }, save, close),
    h("div", { class: "retime" }, h("p", { class: "hint" }, t("admin.procedure.retime_hint")), retime, retimeErrors, retimeStatus));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    say(statusSlot, "");
    const allocations = {};
    for (const row of stepsBody.querySelectorAll(".step-row")) {
      const keyInput = row.querySelector(".step-key");
      const key = stepKey(row);
      if (keyInput) keyInput.dataset.path = `step_allocations.${key}`;
      row.querySelector(".step-value").dataset.path = `step_allocations.${key}.value`;
      row.querySelector(".step-unit").dataset.path = `step_allocations.${key}.unit`;
      if (key in allocations) {
        clear(errors, h("div", { class: "alert error", role: "alert" }, t("admin.steps.duplicate", { key })));
        const control = keyInput || row.querySelector(".step-value");
        control.setAttribute("aria-invalid", "true");
        control.focus();
        return;
      }
      allocations[key] = { value: numberValue(row.querySelector(".step-value")), unit: row.querySelector(".step-unit").value };
    }
    await submitting(save, errors, form, async () => {
      const body = {
        processing_time_value: numberValue(value),
        processing_time_unit: unit.value,
        step_allocations: allocations,
        required_documents: [...docsTbody.querySelectorAll(".doc-row")].map((row) => ({
          name: row.querySelector(".doc-name").value.trim(),
          form: row.querySelector(".doc-form").value,
          quantity: numberValue(row.querySelector(".doc-quantity")),
          // kept as it was: how old a stored copy may be to stand for this document (set through the API)
          ...(row.dataset.reuseValidDays ? { reuse_valid_days: JSON.parse(row.dataset.reuseValidDays) } : {}),
        })),
        fee_vnd: numberValue(fee),
        fee_note: feeNote.value.trim(),
        apology_lead_days: numberValue(apology),
        max_supplement_requests: numberValue(supplements),
        clock_on_wait: clock.value,
        clock_while_paying: paying.value,
        default_role: defaultRole.value || null,
        active: active.input.checked,
        national_code: nationalCode.value.trim(),
        field_code: fieldCode.value.trim(),
      };
      const saved = await api("PUT", `/procedures/${encodeURIComponent(procedure.code)}`, body);
      procedures = procedures.map((p) => (p.code === saved.code ? saved : p));
      renderList();
      const fresh = editor({ ...saved, steps: await api("GET", `/procedures/${encodeURIComponent(saved.code)}/steps`) });
      clear(editorSlot, fresh);
      fresh.querySelector("button[type=submit]").focus();
      say(statusSlot, t("admin.procedure.saved", { code: saved.code }));
      await showLog();
    });
  });
  return form;
}

async function open(code) {
  selected = code;
  renderList();
  await openEditor({ errorSlot, statusSlot, editorSlot },
    async () => {
      const path = `/procedures/${encodeURIComponent(code)}`;
      const [procedure, steps] = await Promise.all([api("GET", path), api("GET", `${path}/steps`)]);
      return { ...procedure, steps };
    },
    editor);
  await showLog();
}

export async function showProcedures() {
  await guarded(errorSlot, loadList);
  await showLog();
}
