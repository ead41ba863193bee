// The officer's inbox: tasks I hold and tasks my roles may take, the most urgent first.
import { api, busy, clear, deadlineBadge, errorBox, flash, formatTime, h, startPage, t, table } from "./common.js";

const form = document.getElementById("filters");

function query(scope) {
  const params = new URLSearchParams({ scope, sort: "due", per_page: "200" });
  if (form.q.value.trim()) params.set("q", form.q.value.trim());
  if (form.procedure.value) params.set("procedure_code", form.procedure.value);
  if (form.status.value) params.set("dossier_status", form.status.value);
  return `/tasks?${params}`;
}

function dueOf(task) {
  return task.due_at || task.dossier_due_at;
}

// One line a task on a desk screen; on a phone each row is a small card (css/inbox.css), its
// action on the card itself, never beyond the screen's edge.
// "11:30 07/12" in the current year, the full date otherwise
function shortTime(iso) {
  const full = formatTime(iso);
  return full.endsWith(`/${new Date().getFullYear()}`) ? full.slice(0, -5) : full;
}

function row(task, actions) {
  const due = dueOf(task);
  return h("tr", { dataset: { task: task.id } },
    h("td", { class: "due" }, deadlineBadge(due), " ", h("time", { class: "muted", datetime: due || "", title: formatTime(due) }, shortTime(due))),
    h("td", { class: "code" }, h("a", { href: `/app/dossiers/${encodeURIComponent(task.dossier_code)}?task=${task.id}` }, task.dossier_code)),
    h("td", { class: "applicant" }, task.applicant_name),
    h("td", { class: "step" }, task.name),
    h("td", { class: "procedure", title: task.procedure_name }, task.procedure_name),
    h("td", { class: "status" }, task.dossier_status_label),
    h("td", { class: "row-actions" }, h("div", { class: "actions" }, actions)));
}

const HEADERS = () => [t("inbox.deadline"), t("inbox.dossier"), t("inbox.applicant"), t("inbox.step"),
  t("inbox.procedure"), t("inbox.dossier_status"), t("inbox.actions")];

function render(slot, tasks, actionsFor, emptyText) {
  if (!tasks.length) {
    clear(slot, h("p", { class: "muted" }, emptyText));
    return;
  }
  const list = table(HEADERS(), tasks.map((task) => row(task, actionsFor(task))));
  list.classList.add("task-list");
  clear(slot, list);
}

function summarise(count) {
  const q = form.q.value.trim();
  const summary = document.getElementById("search-summary");
  summary.textContent = !q ? "" : count ? t("inbox.found", { q, count }) : t("inbox.none_found", { q });
}

async function act(button, path, doneMessage) {
  await busy(button, document.getElementById("inbox-error"), async () => {
    await api("POST", path);
    flash(doneMessage);
    await load();
  });
}

function mineActions(task) {
  const open = h("a", { class: "button", href: `/app/dossiers/${encodeURIComponent(task.dossier_code)}?task=${task.id}` }, t("inbox.work"));
  if (task.state !== "claimed") return [open];
  const release = h("button", { type: "button", class: "secondary" }, t("inbox.release"));
  release.addEventListener("click", () => act(release, `/tasks/${task.id}/unclaim`, t("inbox.released", { step: task.name })));
  return [open, release];
}

function availableActions(task) {
  const claim = h("button", { type: "button" }, t("inbox.claim"));
  claim.setAttribute("aria-label", `${t("inbox.claim")}: ${task.name} — ${task.dossier_code}`);
  claim.addEventListener("click", () => act(claim, `/tasks/${task.id}/claim`, t("inbox.claimed", { step: task.name, code: task.dossier_code })));
  return [claim];
}

async function load() {
  clear(document.getElementById("inbox-error"));
  try {
    const [mine, available] = await Promise.all([api("GET", query("mine")), api("GET", query("available"))]);
    render(document.getElementById("mine"), mine, mineActions, t("inbox.none_mine"));
    render(document.getElementById("available"), available, availableActions, t("inbox.none_available"));
    summarise(mine.length + available.length);
  } catch (error) {
    clear(document.getElementById("inbox-error"), errorBox(error));
  }
}

async function fillFilters() {
  const procedures = await api("GET", "/procedures");
  form.procedure.append(...procedures.map((p) => h("option", { value: p.code }, p.name)));
  for (let code = 1; code <= 10; code += 1) form.status.append(h("option", { value: code }, `${code}. ${t(`status.${code}`)}`));
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  load();
});
// the search runs as the officer types (after a pause), and the lists follow the filters at once
let typing = null;
form.q.addEventListener("input", () => {
  clearTimeout(typing);
  typing = setTimeout(load, 300);
});
form.procedure.addEventListener("change", () => load());
form.status.addEventListener("change", () => load());

if (await startPage()) {
  await fillFilters();
  await load();
}
