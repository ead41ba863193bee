// The one-stop desk: receive a dossier (procedure, applicant, which documents were handed in), check
// it in front of the applicant and issue on the spot form 01 (received, with its appointment date),
// 02 (supplement request: the documents not ticked, and others) or 03 (refusal); return results, keep
// the tracking book. A dossier that came by post is checked later, in its check task.
import { taskForm } from "./forms.js";
import {
  ApiError, api, busy, clear, deadlineBadge, fieldErrors, formatTime, h, openFile, startPage, t, table, todayInZone,
  zonedInput,
} from "./common.js";

const form = document.getElementById("receive");
let procedures = [];
let intakeChosen = false;  // the officer picked the result; until then it follows the checklist
let intakeFields = null;  // the procedure's own fields asked at receipt (its model's start event form)

const PRINTED = {  // the form each outcome issues, and its print button's words
  complete: { form: "receipt", button: "desk.print_receipt", done: "desk.received_ok", submit: "desk.receive_submit" },
  incomplete: { form: "supplement-request", button: "desk.print_supplement", done: "desk.supplement_ok",
    submit: "desk.submit_incomplete" },
  refuse: { form: "refusal", button: "desk.print_refusal", done: "desk.refused_ok", submit: "desk.submit_refuse" },
};

const chosen = () => procedures.find((p) => p.code === form.procedure_code.value);

function describeTime(procedure) {
  return t(`unit.${procedure.processing_time_unit}`, { value: procedure.processing_time_value });
}

function showProcedure() {
  const procedure = chosen();
  if (!procedure) return;
  clear(document.getElementById("procedure-info"),
    h("p", {}, t("desk.processing_time"), ": ", describeTime(procedure), " · ", t("desk.deciding_unit"), ": ",
      procedure.deciding_unit_name, " · ", t("desk.fee"), ": ",
      procedure.fee_vnd ? `${procedure.fee_vnd.toLocaleString("vi-VN")} đ` : t("desk.no_fee")));
  const documents = procedure.required_documents || [];
  clear(document.getElementById("checklist"), documents.length ? documents.map((doc, index) =>
    h("div", { class: "checklist-item", "data-document": doc.name },
      h("label", { class: "check", for: `doc-${index}` },
        h("input", { type: "checkbox", id: `doc-${index}`, name: "received_documents", value: doc.name, onchange: suggestIntake }),
        h("span", {}, doc.name, h("span", { class: "muted" }, ` (${t(`document_form.${doc.form}`)}, ${doc.quantity})`)))))
    : h("p", { class: "muted" }, t("common.none")));
  previewDue();
  showOnFile();
  suggestIntake();
  showIntakeFields(procedure);
}

async function showIntakeFields(procedure) {
  const slot = document.getElementById("intake-fields");
  intakeFields = null;
  clear(slot);
  let form = null;
  try {
    form = (await api("GET", `/procedures/${encodeURIComponent(procedure.code)}/intake-form`)).form_schema;
  } catch {
    return;
  }
  if (!form || chosen() !== procedure) return;
  intakeFields = taskForm(form);
  clear(slot, intakeFields.element);
}

// --- the check at receipt ---------------------------------------------------------------------------

const inPerson = () => form.channel.value === "in_person";
const intakeResult = () => form.querySelector("input[name=intake_result]:checked")?.value;
const unticked = () => [...form.querySelectorAll("input[name=received_documents]")].filter((box) => !box.checked).map((box) => box.value);

/** Until the officer chooses, the result follows the checklist: all ticked, complete; else incomplete. */
function suggestIntake() {
  if (!intakeChosen) {
    const boxes = form.querySelectorAll("input[name=received_documents]");
    const anyTicked = [...boxes].some((box) => box.checked);
    for (const radio of form.querySelectorAll("input[name=intake_result]")) radio.checked = false;
    if (anyTicked) form.querySelector(`input[name=intake_result][value=${unticked().length ? "incomplete" : "complete"}]`).checked = true;
  }
  showIntake();
}

function showIntake() {
  const result = intakeResult();
  document.getElementById("intake").hidden = !inPerson();
  document.getElementById("post-check-hint").hidden = inPerson();
  document.getElementById("intake-missing").hidden = !inPerson() || result !== "incomplete";
  document.getElementById("intake-reason").hidden = !inPerson() || !["incomplete", "refuse"].includes(result);
  document.getElementById("intake-reason-label").textContent = t(result === "refuse" ? "desk.refuse_reason" : "desk.intake_reason");
  document.getElementById("intake-reason-required").hidden = result !== "refuse";
  form.intake_reason.setAttribute("aria-required", result === "refuse" ? "true" : "false");
  const missing = unticked();
  clear(document.getElementById("missing-list"), missing.length ? missing.map((name) => h("li", {}, name))
    : h("li", { class: "muted" }, t("desk.missing_none")));
  document.getElementById("receive-submit").textContent = t(PRINTED[inPerson() && result ? result : "complete"].submit);
}

function intake() {
  const result = intakeResult();
  if (!inPerson()) return undefined;
  if (!result) return {};  // the server says the result is needed, with the other fields at fault
  const reason = form.intake_reason.value.trim();
  if (result === "complete") return { result };
  if (result === "refuse") return { result, reason };
  const others = form.missing_other.value.split("\n").map((line) => line.trim()).filter(Boolean);
  return { result, reason, missing_documents: [...unticked(), ...others].map((name) => ({ name })) };
}

// The applicant's store: checklist items already on file (a digitised copy or a result of an earlier
// dossier, still valid) are marked, and the officer may attach the stored copy instead of a new paper.
async function showOnFile() {
  const procedure = chosen();
  const idNumber = form.id_number.value.trim();
  for (const old of form.querySelectorAll(".on-file")) old.remove();
  if (!procedure || !/^[0-9A-Za-z]{6,20}$/.test(idNumber)) return;
  let stored = [];
  try {
    stored = await api("GET", `/applicants/${encodeURIComponent(idNumber)}/documents?procedure_code=${encodeURIComponent(procedure.code)}`);
  } catch {
    return;
  }
  if (form.id_number.value.trim() !== idNumber || chosen() !== procedure) return;  // changed meanwhile
  for (const item of form.querySelectorAll(".checklist-item")) {
    const match = stored.find((entry) => entry.matches.includes(item.dataset.document));
    if (!match) continue;
    const use = h("input", { type: "checkbox", name: "reuse", value: String(match.id) });
    use.addEventListener("change", () => {
      if (use.checked) item.querySelector("input[name=received_documents]").checked = true;
      suggestIntake();
    });
    item.append(h("div", { class: "on-file" }, h("span", { class: "badge" }, t("desk.on_file")), " ",
      h("label", { class: "check" }, use, h("span", {}, t("desk.use_stored", { code: match.dossier_code })))));
  }
}

async function reuseStored(code) {
  for (const box of form.querySelectorAll("input[name=reuse]:checked")) {
    const name = box.closest(".checklist-item").dataset.document;
    await api("POST", `/dossiers/${encodeURIComponent(code)}/reused-documents`, { document_id: Number(box.value), document_name: name });
  }
}

async function previewDue() {
  const procedure = chosen();
  const slot = document.getElementById("due-preview");
  if (!procedure) return;
  const receivedAt = form.channel.value === "post" && form.received_at.value ? zonedInput(form.received_at.value) : new Date().toISOString();
  const params = new URLSearchParams({ received_at: receivedAt, value: procedure.processing_time_value,
    unit: procedure.processing_time_unit });
  try {
    const due = await api("GET", `/calendar/due-date?${params}`);
    slot.textContent = t("desk.due_preview", { when: formatTime(due.due_at) });
  } catch {
    slot.textContent = "";
  }
}

function body() {
  const received = [...form.querySelectorAll("input[name=received_documents]:checked")].map((box) => box.value);
  const data = { ...(intakeFields ? intakeFields.read() : {}), received_documents: received };
  if (form.subject.value.trim()) data.subject = form.subject.value.trim();
  const payload = {
    procedure_code: form.procedure_code.value,
    channel: form.channel.value,
    applicant: Object.fromEntries(["full_name", "id_number", "phone", "email", "address"].map((name) => [name, form[name].value.trim()])),
    data,
  };
  if (form.channel.value === "post" && form.received_at.value) payload.received_at = zonedInput(form.received_at.value);
  const checked = intake();
  if (checked) payload.intake = checked;
  return payload;
}

function markErrors(errors) {
  for (const old of form.querySelectorAll(".field-error")) old.remove();
  for (const old of form.querySelectorAll("[aria-invalid]")) old.removeAttribute("aria-invalid");
  for (const [path, message] of errors) {
    const holder = form.querySelector(`[data-path="${CSS.escape(path)}"]`);
    if (!holder) continue;
    const control = holder.matches("input, select") ? holder : holder.querySelector("input, select, textarea");
    control?.setAttribute("aria-invalid", "true");
    (holder.matches("input, select") ? holder.parentElement : holder).append(h("div", { class: "field-error" }, message));
  }
}

function showReceived(dossier, result) {
  const printed = PRINTED[result];
  const print = h("button", { type: "button", id: `print-${printed.form}` }, t(printed.button));
  print.addEventListener("click", () => openFile(`/dossiers/${encodeURIComponent(dossier.code)}/forms/${printed.form}?format=pdf`,
    `${dossier.code}-${printed.form}.pdf`));
  clear(document.getElementById("received"), h("div", { class: `alert ${result === "complete" ? "success" : "warning"}`, role: "status" },
    h("p", {}, t(printed.done, { code: dossier.code })),
    result === "complete"
      ? h("p", {}, h("strong", {}, t("desk.appointment")), " ", h("span", { id: "appointment" }, formatTime(dossier.due_at))) : null,
    h("div", { class: "actions" }, print,
      h("a", { class: "button secondary", href: `/app/dossiers/${encodeURIComponent(dossier.code)}` }, t("desk.open_dossier")))));
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  await busy(document.getElementById("receive-submit"), document.getElementById("receive-error"), async () => {
    try {
      const payload = body();
      const dossier = await api("POST", "/dossiers", payload);
      markErrors([]);
      await reuseStored(dossier.code);
      showReceived(dossier, payload.intake?.result || "complete");
      const keep = form.procedure_code.value;
      form.reset();
      intakeChosen = false;
      form.procedure_code.value = keep;
      showProcedure();
      await loadReturns();
    } catch (error) {
      if (error instanceof ApiError) markErrors(fieldErrors(error));
      throw error;
    }
  });
});

form.procedure_code.addEventListener("change", showProcedure);
form.channel.addEventListener("change", () => {
  document.getElementById("received-at-field").hidden = form.channel.value !== "post";
  showIntake();
  previewDue();
});
for (const radio of form.querySelectorAll("input[name=intake_result]")) {
  radio.addEventListener("change", () => { intakeChosen = true; showIntake(); });
}
form.received_at.addEventListener("change", previewDue);
form.id_number.addEventListener("change", showOnFile);

async function loadReturns() {
  // the desk's return tasks on processed dossiers, and the processed dossiers whose process has ended
  // without one (a model that sets no end status leaves its dossier processed): returned from their page
  const [tasks, processed] = await Promise.all([
    api("GET", "/tasks?dossier_status=9&sort=due&per_page=200"),
    api("GET", "/dossiers?status=9&per_page=200")]);
  const withTask = new Set(tasks.map((task) => task.dossier_code));
  const rows = [
    ...tasks.map((task) => ({ due: task.dossier_due_at, code: task.dossier_code, href: `?task=${task.id}`,
      applicant: task.applicant_name, step: task.name, procedure: task.procedure_name })),
    ...processed.items.filter((dossier) => !withTask.has(dossier.code)).map((dossier) => ({
      due: dossier.due_at, code: dossier.code, href: "", applicant: dossier.applicant.full_name,
      step: t("desk.return_at_desk"), procedure: dossier.procedure_name }))];
  clear(document.getElementById("returns"), rows.length ? table(
    [t("inbox.deadline"), t("inbox.dossier"), t("inbox.step"), t("inbox.procedure")],
    rows.map((row) => h("tr", {},
      h("td", {}, deadlineBadge(row.due), h("div", { class: "muted" }, formatTime(row.due))),
      h("td", {}, h("a", { href: `/app/dossiers/${encodeURIComponent(row.code)}${row.href}` }, row.code),
        h("div", { class: "muted" }, row.applicant)),
      h("td", {}, row.step),
      h("td", {}, row.procedure)))) : h("p", { class: "muted" }, t("desk.no_returns")));
}

function wireBook() {
  const book = document.getElementById("book");
  const today = todayInZone();
  book.from.value = `${today.slice(0, 8)}01`;
  book.to.value = today;
  book.addEventListener("submit", async (event) => {
    event.preventDefault();
    const params = new URLSearchParams({ from: book.from.value, to: book.to.value, format: book.format.value });
    await busy(document.getElementById("book-submit"), document.getElementById("book-error"), () =>
      openFile(`/reports/tracking-book?${params}`, `so-theo-doi-${book.from.value}-${book.to.value}.${book.format.value}`,
        { save: book.format.value === "xlsx" }));
  });
}

if (await startPage({ roles: ["desk_officer"] })) {
  procedures = (await api("GET", "/procedures")).filter((p) => p.active !== false);
  form.procedure_code.append(...procedures.map((p) => h("option", { value: p.code }, p.name)));
  showProcedure();
  wireBook();
  await loadReturns();
}
