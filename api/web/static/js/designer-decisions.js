// Decision tables (DMN) on the designer page: the deployed decisions, one of them (or a .dmn file from
// disk) opened in dmn-js's decision table editor, checked (POST /decision-models/validation: nothing
// saved; every problem listed and its cell marked), deployed (POST /decision-models: a new version, or
// the existing one when nothing changed) and downloaded. A model binds a decision's latest version
// when the model is deployed (docs/designer-guide.md), which the deployment message recalls.
import { ApiError, api, busy, clear, errorBox, formatTime, h, t, withExtension, xmlUpload } from "./common.js";
import { problemList, problemsOf, problemsSummary } from "./designer-problems.js";

const $ = (id) => document.getElementById(id);
const PROBLEM_CELL = "has-problem";

const state = {
  decisions: [],
  opened: null, // {decisionId, version, name, filename} of a deployed version, or {filename} of a file from disk
  original: null, // the XML as opened or last deployed
  dirty: false,
  revision: 0,
};
let modeler = null;
const watched = new WeakSet(); // the dmn-js viewers whose edits are followed

export async function startDecisions() {
  if (typeof window.DmnJS !== "function") { // the vendor script did not load (npm packages not installed)
    clear($("dmn-result"), h("div", { class: "alert error", role: "alert" }, t("designer.dmn.editor_missing")));
    await loadDecisions();
    return;
  }
  modeler = new window.DmnJS({ container: $("dmn-canvas") });
  modeler.on("views.changed", watchActiveViewer);
  $("dmn-file").addEventListener("change", openFromDisk);
  $("dmn-file").disabled = false; // disabled in the page until a file picked can be opened
  $("dmn-validate").addEventListener("click", validate);
  $("dmn-deploy").addEventListener("click", deploy);
  $("dmn-download").addEventListener("click", download);
  window.addEventListener("beforeunload", (event) => {
    if (state.dirty) event.preventDefault();
  });
  await loadDecisions();
}

function watchActiveViewer() {
  const viewer = modeler.getActiveViewer();
  if (!viewer || watched.has(viewer)) return;
  watched.add(viewer);
  viewer.get("eventBus").on("elements.changed", () => {
    if (!state.opened) return;
    state.dirty = true;
    state.revision += 1;
    $("dmn-result").querySelector(".verdict")?.remove(); // it spoke of the table before this edit
    showStatus();
  });
}

// --- the list -------------------------------------------------------------------------------------

async function loadDecisions() {
  const slot = $("decisions");
  clear($("decisions-error"));
  try {
    state.decisions = await api("GET", "/decision-models");
  } catch (error) {
    clear($("decisions-error"), errorBox(error));
    clear(slot);
    return;
  } finally {
    slot.removeAttribute("aria-busy");
  }
  if (!state.decisions.length) {
    clear(slot, h("p", { class: "muted" }, t("designer.dmn.empty")));
    return;
  }
  const rows = state.decisions.map((d) => {
    const open = state.opened?.decisionId === d.decision_id && state.opened?.version === d.version;
    return h("tr", { class: open ? "is-open" : null, dataset: { decision: d.decision_id } },
      h("th", { scope: "row" }, d.name),
      h("td", {}, h("code", {}, d.decision_id)),
      h("td", { class: "number" }, d.version),
      h("td", {}, d.aggregation ? `${d.hit_policy} ${d.aggregation}` : d.hit_policy),
      h("td", { class: "number" }, d.rule_count),
      h("td", {}, formatTime(d.deployed_at)),
      h("td", {}, h("button", {
        type: "button", class: open ? "secondary" : null, disabled: !modeler,
        "aria-label": t("designer.dmn.open_decision", { name: d.name, version: d.version }),
        onclick: () => openVersion(d.decision_id, d.version),
      }, open ? t("designer.open_now") : t("designer.open"))));
  });
  clear(slot, h("div", { class: "table-wrap" }, h("table", {},
    h("thead", {}, h("tr", {}, ["name", "decision_id", "latest", "hit_policy", "rules", "deployed_at", "actions"]
      .map((c) => h("th", { scope: "col", class: ["latest", "rules"].includes(c) ? "number" : null },
        t(`designer.dmn.col.${c}`))))),
    h("tbody", {}, rows))));
}

// --- opening ----------------------------------------------------------------------------------------

function mayDiscard() {
  return !state.dirty || window.confirm(t("designer.dmn.discard_changes"));
}

async function openVersion(decisionId, number) {
  if (!mayDiscard()) return;
  clear($("dmn-result"));
  let version;
  try {
    version = await api("GET", `/decision-models/${encodeURIComponent(decisionId)}/versions/${number}`);
  } catch (error) {
    clear($("dmn-result"), errorBox(error));
    return;
  }
  if (await show(version.dmn_xml, { decisionId, version: version.version, name: version.name,
    filename: version.filename })) {
    await loadDecisions();
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
  clear($("dmn-result"));
  const text = await file.text();
  input.value = "";
  if (await show(text, { filename: file.name })) await loadDecisions();
}

/** Put `xml` in the editor, on its (first) decision table; say what is open, or why it could not be. */
async function show(xml, opened) {
  try {
    await modeler.importXML(xml);
    const table = modeler.getViews().find((view) => view.type === "decisionTable");
    if (table) await modeler.open(table);
    watchActiveViewer();
    state.opened = opened;
    state.original = xml;
    return true;
  } catch (error) {
    state.opened = null;
    state.original = null;
    clear($("dmn-result"), h("div", { class: "alert error", role: "alert" },
      t("designer.dmn.import_failed", { detail: error.message })));
    return false;
  } finally {
    state.dirty = false;
    showStatus();
  }
}

function showStatus() {
  const opened = state.opened;
  let text = t("designer.dmn.nothing_open");
  if (opened) {
    text = opened.decisionId ? t("designer.dmn.opened_version", { name: opened.name, version: opened.version })
      : t("designer.dmn.opened_file", { filename: opened.filename });
    if (state.dirty) text += ` ${t("designer.unsaved")}`;
  }
  $("dmn-status").textContent = text;
  for (const id of ["dmn-validate", "dmn-deploy", "dmn-download"]) $(id).disabled = !opened;
}

// --- validate, deploy, download ---------------------------------------------------------------------

/** The table's XML: as it was opened while nothing has been edited, else as dmn-js writes it. */
async function currentXml() {
  if (!state.dirty) return state.original;
  const { xml } = await modeler.saveXML({ format: true });
  return xml;
}

function filename() {
  return withExtension(state.opened?.filename || `${state.opened?.decisionId || "bang-quyet-dinh"}.dmn`, "dmn");
}

const upload = (xml) => xmlUpload(xml, filename());

function clearCells() {
  for (const cell of $("dmn-canvas").querySelectorAll(`.${PROBLEM_CELL}`)) cell.classList.remove(PROBLEM_CELL);
}

/** The cell (or column) a problem names, in the decision table on the screen. */
function cellOf(problem) {
  return problem.element ? $("dmn-canvas").querySelector(`[data-element-id="${CSS.escape(problem.element)}"]`) : null;
}

function showFailure(error) {
  const result = $("dmn-result");
  clearCells();
  if (!(error instanceof ApiError) || error.body.code !== "dmn_invalid") {
    clear(result, errorBox(error));
    if (!(error instanceof ApiError)) console.error(error);
    return;
  }
  const problems = problemsOf(error);
  for (const problem of problems) cellOf(problem)?.classList.add(PROBLEM_CELL);
  clear(result, h("div", { class: "alert error", role: "alert" },
    h("p", {}, error.body.message), problemsSummary(problems, "designer.dmn.problems_count"),
    problemList(problems, (problem) => Boolean(cellOf(problem)), (problem) => {
      const cell = cellOf(problem);
      cell?.scrollIntoView({ block: "center", inline: "center" });
      (cell?.querySelector("[contenteditable]") || cell)?.focus();
    })));
}

async function validate() {
  const result = $("dmn-result");
  await busy($("dmn-validate"), result, async () => {
    clear(result, h("p", { class: "muted" }, t("designer.checking")));
    let checked;
    try {
      checked = await api("POST", "/decision-models/validation", upload(await currentXml()));
    } catch (error) {
      showFailure(error);
      return;
    }
    clearCells();
    const verdict = checked.latest_version === null ? t("designer.valid_new")
      : checked.differs_from_latest ? t("designer.valid_changed", { latest: checked.latest_version, version: checked.version })
        : t("designer.valid_identical", { latest: checked.latest_version });
    const policy = checked.aggregation ? `${checked.hit_policy} ${checked.aggregation}` : checked.hit_policy;
    clear(result, h("div", { class: "alert success verdict", role: "status" },
      h("p", {}, h("strong", {}, t("designer.dmn.valid")), " ", verdict),
      h("dl", { class: "facts model-facts" },
        h("dt", {}, t("designer.dmn.fact.decision")), h("dd", {}, `${checked.name} (${checked.decision_id})`),
        h("dt", {}, t("designer.dmn.fact.hit_policy")), h("dd", {}, policy),
        h("dt", {}, t("designer.dmn.fact.inputs")),
        h("dd", {}, checked.inputs.map((c) => c.label || c.expression).join(", ") || t("common.none")),
        h("dt", {}, t("designer.dmn.fact.outputs")),
        h("dd", {}, checked.outputs.map((c) => c.label ? `${c.label} (${c.name})` : c.name).join(", ")),
        h("dt", {}, t("designer.dmn.fact.rules")), h("dd", {}, checked.rule_count))));
  });
}

async function deploy() {
  const result = $("dmn-result");
  await busy($("dmn-deploy"), result, async () => {
    const revision = state.revision;
    const xml = await currentXml();
    let response;
    try {
      response = await api("POST", "/decision-models", upload(xml), { raw: true });
    } catch (error) {
      showFailure(error);
      return;
    }
    const version = await response.json();
    clearCells();
    if (revision === state.revision) {
      state.original = xml;
      state.dirty = false;
    }
    state.opened = { decisionId: version.decision_id, version: version.version, name: version.name,
      filename: version.filename };
    showStatus();
    const vars = { version: version.version, name: version.name };
    clear(result, h("div", { class: "alert success", role: "status" },
      response.status === 201 ? t("designer.dmn.deployed_new", vars) : t("designer.dmn.deployed_same", vars)));
    await loadDecisions();
  });
}

async function download() {
  const xml = await currentXml();
  const url = URL.createObjectURL(new Blob([xml], { type: "application/xml" }));
  const link = h("a", { href: url, download: filename() });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
