// Process designer: the deployed processes and their versions, a version (or a file from disk)
// opened in the bpmn-js modeler, "Validate" (POST /process-models/validation: every deployment
// check, nothing saved; every problem, error or warning, is marked on the element it names and
// listed, a click on it selecting the element), "Deploy" (POST /process-models: a new version, or the
// existing one when nothing changed), the expressions translated from JUEL/FEEL, and a download of the
// XML; the dossiers running on a version migrated to another (designer-migration.js).
import { ApiError, api, busy, clear, errorBox, formatTime, h, startPage, t, tOr, withExtension, xmlUpload } from "./common.js";
import { openMigration } from "./designer-migration.js";
import { startDecisions } from "./designer-decisions.js";
import { Editor } from "./designer-editor.js";
import { problemList, problemsOf, problemsSummary } from "./designer-problems.js";

const $ = (id) => document.getElementById(id);

const state = {
  processes: [],
  chosen: null, // process id whose versions are listed
  opened: null, // {processId, version, name, filename} of a deployed version, or {filename} of a file from disk
};

let editor;

async function start() {
  if (typeof window.BpmnJS !== "function") { // the vendor script did not load (npm packages not installed)
    clear($("model-result"), h("div", { class: "alert error", role: "alert" }, t("designer.modeler_missing")));
    await loadProcesses();
    return;
  }
  editor = new Editor({
    container: $("canvas"),
    form: $("properties-form"),
    onChange: modelChanged,
    onProblemBadge: (bpmnId) => document.querySelector(`#model-result .problem-target[data-element="${CSS.escape(bpmnId)}"]`)?.focus(),
  });
  $("bpmn-file").addEventListener("change", openFromDisk);
  $("bpmn-file").disabled = false; // disabled in the page until a file picked can be opened
  $("validate").addEventListener("click", validate);
  $("deploy").addEventListener("click", deploy);
  $("download").addEventListener("click", download);
  window.addEventListener("beforeunload", (event) => {
    if (editor.dirty) event.preventDefault();
  });

  const wanted = new URLSearchParams(location.search);
  await loadProcesses();
  const processId = wanted.get("process");
  if (processId && state.processes.some((p) => p.process_id === processId)) {
    await chooseProcess(processId);
    const version = Number(wanted.get("version"));
    if (Number.isInteger(version) && version > 0) await openVersion(processId, version, { focus: false });
  }
}

// --- the lists ------------------------------------------------------------------------------------

async function loadProcesses() {
  const slot = $("processes");
  clear($("processes-error"));
  try {
    state.processes = await api("GET", "/process-models");
  } catch (error) {
    clear($("processes-error"), errorBox(error));
    clear(slot);
    return;
  } finally {
    slot.removeAttribute("aria-busy");
  }
  renderProcesses();
}

function renderProcesses() {
  const slot = $("processes");
  if (!state.processes.length) {
    clear(slot, h("p", { class: "muted" }, t("designer.processes_empty")));
    return;
  }
  const rows = state.processes.map((p) => {
    const chosen = p.process_id === state.chosen;
    return h("tr", { class: chosen ? "is-chosen" : null },
      h("th", { scope: "row" }, p.name),
      h("td", {}, h("code", {}, p.process_id)),
      h("td", { class: "number" }, p.version),
      h("td", {}, formatTime(p.deployed_at)),
      h("td", {}, h("button", {
        type: "button", class: "secondary", "aria-current": chosen ? "true" : null,
        "aria-label": t("designer.show_versions_of", { name: p.name }),
        onclick: () => chooseProcess(p.process_id, { focus: true }),
      }, t("designer.show_versions"))));
  });
  clear(slot, h("div", { class: "table-wrap" }, h("table", {},
    h("thead", {}, h("tr", {}, [
      h("th", { scope: "col" }, t("designer.col.name")),
      h("th", { scope: "col" }, t("designer.col.process_id")),
      h("th", { scope: "col", class: "number" }, t("designer.col.latest")),
      h("th", { scope: "col" }, t("designer.col.deployed_at")),
      h("th", { scope: "col" }, t("designer.col.actions")),
    ])),
    h("tbody", {}, rows))));
}

async function chooseProcess(processId, { focus = false } = {}) {
  if (state.chosen !== processId) clear($("migration"));
  state.chosen = processId;
  renderProcesses();
  const versions = await loadVersions();
  if (focus) $("versions-title").focus();
  return versions;
}

/** The process's versions, listed; returns them (or null when they could not be read). */
async function loadVersions() {
  const processId = state.chosen;
  const process = state.processes.find((p) => p.process_id === processId);
  const heading = $("versions-title");
  heading.tabIndex = -1;
  heading.textContent = process ? t("designer.versions_of", { name: process.name }) : t("designer.versions");
  clear($("versions-error"));
  const slot = $("versions");
  slot.setAttribute("aria-busy", "true");
  let versions;
  try {
    versions = await api("GET", `/process-models/${encodeURIComponent(processId)}/versions`);
  } catch (error) {
    clear($("versions-error"), errorBox(error));
    clear(slot);
    return null;
  } finally {
    slot.removeAttribute("aria-busy");
  }
  const rows = versions.map((v) => {
    const open = state.opened?.processId === processId && state.opened?.version === v.version;
    return h("tr", { class: open ? "is-open" : null, dataset: { version: v.version } },
      h("th", { scope: "row", class: "number" }, v.version),
      h("td", {}, formatTime(v.deployed_at)),
      h("td", {}, v.deployed_by_label || v.deployed_by),
      h("td", {}, h("code", { class: "checksum", title: v.checksum }, v.checksum.slice(0, 12))),
      h("td", { class: "number" }, v.running_instances),
      h("td", { class: "row-actions" }, h("button", {
        type: "button", class: open ? "secondary" : null, "aria-current": open ? "true" : null,
        "aria-label": t("designer.open_version", { version: v.version }), disabled: !editor,
        onclick: () => openVersion(processId, v.version, { focus: true }),
      }, open ? t("designer.open_now") : t("designer.open")),
      v.running_instances > 0 && versions.length > 1 ? h("button", {
        type: "button", class: "secondary", "aria-label": t("designer.migration.open_one", { version: v.version }),
        onclick: () => migrate(processId, process?.name || processId, versions, v),
      }, t("designer.migration.open")) : null));
  });
  clear(slot, h("div", { class: "table-wrap" }, h("table", {},
    h("thead", {}, h("tr", {}, [
      h("th", { scope: "col", class: "number" }, t("designer.col.version")),
      h("th", { scope: "col" }, t("designer.col.deployed_at")),
      h("th", { scope: "col" }, t("designer.col.deployed_by")),
      h("th", { scope: "col" }, t("designer.col.checksum")),
      h("th", { scope: "col", class: "number" }, t("designer.col.running")),
      h("th", { scope: "col" }, t("designer.col.actions")),
    ])),
    h("tbody", {}, rows))));
  return versions;
}

async function migrate(processId, processName, versions, from) {
  const slot = $("migration");
  try {
    await openMigration(slot, { processId, processName, versions, from, onMigrated: loadVersions });
  } catch (error) {
    clear(slot, errorBox(error));
  }
}

// --- opening a model --------------------------------------------------------------------------------

function mayDiscard() {
  return !editor.dirty || window.confirm(t("designer.discard_changes"));
}

async function openVersion(processId, number, { focus = false } = {}) {
  if (!mayDiscard()) return;
  const result = $("model-result");
  clear(result);
  let version;
  try {
    version = await api("GET", `/process-models/${encodeURIComponent(processId)}/versions/${number}`);
  } catch (error) {
    clear(result, errorBox(error));
    return;
  }
  const opened = { processId, version: version.version, name: version.name, filename: version.filename };
  if (await show(version.bpmn_xml, opened)) {
    showTranslations(version.translations || [], "version");
    rememberInAddress(processId, version.version);
    await loadVersions();
    if (focus) {
      $("model-title").tabIndex = -1;
      $("model-title").focus();
    }
  }
}

async function openFromDisk(event) {
  const input = event.target;
  const file = input.files?.[0];
  if (!file) return;
  if (!mayDiscard()) {
    input.value = "";
    return;
  }
  clear($("model-result"));
  const text = await file.text();
  input.value = "";
  clear($("model-translations"));
  if (await show(text, { filename: file.name })) {
    rememberInAddress(null, null);
    if (state.chosen) await loadVersions();
  }
}

/** Put `xml` in the modeler; say what is open, or why it could not be opened. */
async function show(xml, opened) {
  const result = $("model-result");
  try {
    const warnings = await editor.open(xml);
    state.opened = opened;
    if (warnings.length) {
      clear(result, h("div", { class: "alert", role: "status" },
        t("designer.import_warnings", { count: warnings.length, first: warnings[0].message })));
    }
    return true;
  } catch (error) {
    state.opened = null;
    const message = error.message === "no diagram to display" ? t("designer.import_no_diagram")
      : t("designer.import_failed", { detail: error.message });
    clear(result, h("div", { class: "alert error", role: "alert" }, message));
    return false;
  } finally {
    showModelStatus();
  }
}

function rememberInAddress(processId, version) {
  const params = new URLSearchParams();
  if (processId) params.set("process", processId);
  if (version) params.set("version", version);
  const query = params.toString();
  history.replaceState(null, "", location.pathname + (query ? `?${query}` : ""));
}

function showModelStatus() {
  const opened = state.opened;
  let text = t("designer.nothing_open");
  if (opened && editor.loaded) {
    text = opened.processId ? t("designer.opened_version", { name: opened.name, version: opened.version })
      : t("designer.opened_file", { filename: opened.filename });
    if (editor.dirty) text += ` ${t("designer.unsaved")}`;
  }
  $("model-status").textContent = text;
  for (const id of ["validate", "deploy", "download"]) $(id).disabled = !editor.loaded;
}

// --- validate, deploy, download ---------------------------------------------------------------------

function filename() {
  return withExtension(state.opened?.filename || `${state.opened?.processId || "quy-trinh"}.bpmn`, "bpmn");
}

function upload(xml) {
  return xmlUpload(xml, filename());
}

/** The validation's verdict goes when the model changes: it spoke of the model as it was. */
function modelChanged() {
  showModelStatus();
  $("model-result").querySelector(".verdict")?.remove();
}

/** Show a refused model's problems, all of them, on the diagram and in a list; other errors as usual. */
function showFailure(error) {
  const result = $("model-result");
  if (!(error instanceof ApiError) || error.body.code !== "bpmn_invalid") {
    editor.clearProblems();
    clear(result, errorBox(error));
    if (!(error instanceof ApiError)) console.error(error);
    return;
  }
  const problems = problemsOf(error);
  clear(result, h("div", { class: "alert error", role: "alert" },
    h("p", {}, error.body.message), problemsSummary(problems), markedList(problems)));
}

/** Mark `problems` on the diagram and list them; a click on one selects its element. */
function markedList(problems) {
  const found = editor.markProblems(problems);
  return problemList(problems, (_, index) => Boolean(found[index]), (problem) => {
    editor.reveal(found[problems.indexOf(problem)]);
    $("element-select").focus();
  });
}

/** The expressions written for another engine (and bare timers), as the engine runs them. */
function showTranslations(translations, source) {
  const slot = $("model-translations");
  if (!translations.length) {
    clear(slot);
    return;
  }
  const rows = translations.map((tr) => h("tr", {},
    h("th", { scope: "row" }, h("code", {}, tr.element)),
    h("td", {}, tOr(`designer.translation.kind.${tr.kind}`, tr.kind)),
    h("td", {}, tOr(`designer.translation.dialect.${tr.dialect}`, tr.dialect)),
    h("td", {}, h("code", {}, tr.original)),
    h("td", {}, h("code", {}, tr.python))));
  clear(slot, h("details", { class: "translations", open: true },
    h("summary", {}, t(`designer.translations.${source}`, { count: translations.length })),
    h("div", { class: "table-wrap" }, h("table", {},
      h("thead", {}, h("tr", {}, ["element", "kind", "dialect", "original", "python"].map((c) =>
        h("th", { scope: "col" }, t(`designer.translation.col.${c}`))))),
      h("tbody", {}, rows)))));
}

async function validate() {
  const button = $("validate");
  const result = $("model-result");
  await busy(button, result, async () => {
    clear(result, h("p", { class: "muted" }, t("designer.checking")));
    let checked;
    try {
      checked = await api("POST", "/process-models/validation", upload(await editor.xml()));
    } catch (error) {
      showFailure(error);
      return;
    }
    const verdict = checked.latest_version === null ? t("designer.valid_new")
      : checked.differs_from_latest ? t("designer.valid_changed", { latest: checked.latest_version, version: checked.version })
        : t("designer.valid_identical", { latest: checked.latest_version });
    clear(result, h("div", { class: "alert success verdict", role: "status" },
      h("p", {}, h("strong", {}, t("designer.valid")), " ", verdict),
      h("dl", { class: "facts model-facts" },
        h("dt", {}, t("designer.fact.process")), h("dd", {}, `${checked.name} (${checked.process_id})`),
        h("dt", {}, t("designer.fact.lanes")), h("dd", {}, checked.lanes.join(", ") || t("common.none")),
        h("dt", {}, t("designer.fact.user_tasks")),
        h("dd", {}, checked.user_tasks.map((task) => task.name).join(", ") || t("common.none")))),
    warningsOf(checked.warnings));
    showTranslations(checked.translations || [], "checked");
  });
}

/** The warnings of a model that deploys, marked and listed (nothing when there are none). */
function warningsOf(warnings = []) {
  if (!warnings.length) {
    editor.clearProblems();
    return null;
  }
  return h("div", { class: "alert warning", role: "status" },
    h("p", {}, t("designer.warnings_count", { count: warnings.length })), markedList(warnings));
}

async function deploy() {
  const button = $("deploy");
  const result = $("model-result");
  await busy(button, result, async () => {
    const revision = editor.revision;
    const xml = await editor.xml();
    let response;
    try {
      response = await api("POST", "/process-models", upload(xml), { raw: true });
    } catch (error) {
      showFailure(error);
      return;
    }
    const version = await response.json();
    editor.saved(xml, revision);
    state.opened = { processId: version.process_id, version: version.version, name: version.name, filename: version.filename };
    showModelStatus();
    rememberInAddress(version.process_id, version.version);
    await loadProcesses();
    const versions = await chooseProcess(version.process_id);
    const running = (versions || []).filter((v) => v.version !== version.version)
      .reduce((sum, v) => sum + v.running_instances, 0);
    const vars = { version: version.version, name: version.name, running };
    const message = response.status !== 201 ? t("designer.deployed_same", vars)
      : version.version === 1 ? t("designer.deployed_first", vars)
        : running > 0 ? t("designer.deployed_new", vars) : t("designer.deployed_new_none_running", vars);
    clear(result, h("div", { class: "alert success", role: "status" }, message), warningsOf(version.warnings));
    showTranslations(version.translations || [], "version");
  });
}

async function download() {
  const xml = await editor.xml();
  const url = URL.createObjectURL(new Blob([xml], { type: "application/xml" }));
  const link = h("a", { href: url, download: filename() });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

// The page starts last, once every declaration above is made: the buttons answer as soon as start()
// wires them, while startDecisions() may still be waiting for the server (a top-level await before
// a `const` left it uninitialised for a click in that moment).
const user = await startPage({ roles: ["designer"] });
if (user) {
  await start();
  await startDecisions();
}
