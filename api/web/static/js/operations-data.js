// What the operations' forms share: the elements of a model read from its BPMN XML (to choose a
// step by its name), and an editor of data as name/value pairs or as JSON.
import { h, t } from "./common.js";

const BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL";
// the flow nodes an operation may name; sequence flows, lanes and definitions are not steps
const FLOW_NODES = new Set(["task", "userTask", "manualTask", "scriptTask", "serviceTask", "businessRuleTask",
  "sendTask", "receiveTask", "callActivity", "subProcess", "transaction", "exclusiveGateway", "inclusiveGateway",
  "parallelGateway", "eventBasedGateway", "complexGateway", "startEvent", "endEvent", "intermediateCatchEvent",
  "intermediateThrowEvent", "boundaryEvent"]);
const GATEWAYS_WITH_A_CHOICE = new Set(["exclusiveGateway", "inclusiveGateway"]);

/** The flow nodes of a BPMN document, in document order: {id, name, type, scope (the subprocess's
 * name, or null in the process itself), ways (for a gateway with a choice: [{to, flow}])}. */
export function modelElements(xml) {
  const doc = new DOMParser().parseFromString(xml, "application/xml");
  if (doc.getElementsByTagName("parsererror").length) return [];
  const processes = [...doc.getElementsByTagNameNS(BPMN, "process")];
  const main = processes.find((p) => p.getAttribute("isExecutable") === "true") || processes[0];
  const byId = new Map();
  const elements = [];
  for (const node of doc.getElementsByTagNameNS(BPMN, "*")) {
    if (!FLOW_NODES.has(node.localName) || !node.getAttribute("id")) continue;
    const parent = node.parentElement;
    const scope = parent === main ? null : parent.getAttribute("name") || parent.getAttribute("id");
    const element = { id: node.getAttribute("id"), name: node.getAttribute("name") || "", type: node.localName, scope, ways: [] };
    elements.push(element);
    byId.set(element.id, element);
  }
  for (const flow of doc.getElementsByTagNameNS(BPMN, "sequenceFlow")) {
    const source = byId.get(flow.getAttribute("sourceRef"));
    if (source && GATEWAYS_WITH_A_CHOICE.has(source.type)) source.ways.push({ to: flow.getAttribute("targetRef"), flow: flow.getAttribute("name") || "" });
  }
  return elements;
}

/** "Kiểm tra hồ sơ (check_dossier)", or the id alone for an element without a name. */
export function elementLabel(elements, id) {
  const element = elements.find((e) => e.id === id);
  return element?.name ? `${element.name} (${id})` : id;
}

/** A way out of a gateway as people read it: "Đầy đủ → Đã tiếp nhận hồ sơ (Event_Accepted)". */
export function wayLabel(elements, way) {
  const target = elementLabel(elements, way.to);
  return way.flow ? `${way.flow} → ${target}` : target;
}

/** A <select> of the elements, grouped by the subprocess they are in; `keep` filters them. */
export function elementSelect(elements, { keep = () => true, empty = null } = {}) {
  const groups = new Map();
  for (const element of elements.filter(keep)) {
    const key = element.scope ?? "";
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(element);
  }
  const option = (element) => h("option", { value: element.id }, elementLabel(elements, element.id));
  return h("select", {}, empty === null ? null : h("option", { value: "" }, empty),
    [...groups].map(([scope, members]) => h("optgroup", {
      label: scope ? t("ops.element.in_subprocess", { name: scope }) : t("ops.element.in_process") }, members.map(option))));
}

// --- data: name/value pairs or JSON -------------------------------------------------------------------

const TYPES = ["text", "number", "boolean", "json"];
// what a model may read: a name that is an identifier, not starting with "_" (the server checks the same)
const NAME = /^\p{L}[\p{L}\p{N}_]*$/u;

export class DataError extends Error {}

function typeOf(value) {
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "string") return "text";
  return "json";
}

function shown(value) {
  return typeof value === "string" ? value : JSON.stringify(value);
}

let editorCount = 0;

/** An editor of data (`legend`, e.g. "Dữ liệu sửa"): rows of name, kind and value, or a JSON object.
 * `names` are suggested (the data the step had); `collapsed`: folded until opened. read() returns the object, or null when empty, and
 * throws DataError saying what is wrong (also shown in the editor). */
export function dataEditor({ legend, hint = null, names = [], collapsed = false }) {
  editorCount += 1;
  const id = `data-${editorCount}`;
  const list = h("datalist", { id: `${id}-names` }, names.map((name) => h("option", { value: name })));
  const rows = h("tbody");
  const add = h("button", { type: "button", class: "secondary small add" }, t("ops.data.add"));
  const pairs = h("div", { class: "data-pairs" },
    h("div", { class: "table-wrap" }, h("table", { class: "edit-table" },
      h("thead", {}, h("tr", {}, [t("ops.data.name"), t("ops.data.kind"), t("ops.data.value"), ""].map((text) => h("th", { scope: "col" }, text)))),
      rows)), add);
  const json = h("textarea", { id: `${id}-json`, rows: "6", class: "data-json", spellcheck: "false" });
  const jsonField = h("div", { class: "field", hidden: true }, h("label", { for: json.id }, t("ops.data.json")), json,
    h("div", { class: "hint" }, t("ops.data.json_hint")));
  const error = h("div", { class: "field-error", id: `${id}-error`, role: "alert" });
  const modeName = `${id}-mode`;
  const asPairs = h("input", { type: "radio", name: modeName, id: `${id}-pairs`, value: "pairs", checked: true });
  const asJson = h("input", { type: "radio", name: modeName, id: `${id}-as-json`, value: "json" });
  const parts = [hint ? h("p", { class: "hint" }, hint) : null, list,
    h("div", { class: "check-row", role: "group", "aria-label": t("ops.data.mode") },
      h("div", { class: "check" }, asPairs, h("label", { for: asPairs.id }, t("ops.data.as_pairs"))),
      h("div", { class: "check" }, asJson, h("label", { for: asJson.id }, t("ops.data.as_json")))),
    pairs, jsonField, error];
  // optional data folds away (a summary to open it); data the operation is about stays in view
  const element = collapsed
    ? h("details", { class: "data-editor", dataset: { path: "data" } }, h("summary", {}, legend),
      h("div", { role: "group", "aria-label": legend }, parts))
    : h("fieldset", { class: "data-editor", dataset: { path: "data" } }, h("legend", {}, legend), parts);

  function row(name = "", value = "") {
    const nameInput = h("input", { type: "text", class: "data-name", value: name, list: list.id, autocomplete: "off", spellcheck: "false" });
    const kind = h("select", { class: "data-kind" }, TYPES.map((type) => h("option", { value: type }, t(`ops.data.kind.${type}`))));
    kind.value = value === "" ? "text" : typeOf(value);
    const valueInput = h("input", { type: "text", class: "data-value", value: value === "" ? "" : shown(value), autocomplete: "off", spellcheck: "false" });
    const remove = h("button", { type: "button", class: "secondary small" }, t("common.remove"));
    const tr = h("tr", { class: "data-row" }, h("td", {}, nameInput), h("td", {}, kind), h("td", {}, valueInput), h("td", {}, remove));
    const describe = () => {
      const label = nameInput.value.trim() || t("ops.data.new");
      nameInput.setAttribute("aria-label", t("ops.data.name_of", { n: [...rows.children].indexOf(tr) + 1 }));
      kind.setAttribute("aria-label", t("ops.data.kind_of", { name: label }));
      valueInput.setAttribute("aria-label", t("ops.data.value_of", { name: label }));
      remove.setAttribute("aria-label", t("ops.data.remove", { name: label }));
    };
    nameInput.addEventListener("input", describe);
    remove.addEventListener("click", () => {
      const next = tr.nextElementSibling || tr.previousElementSibling;
      tr.remove();
      [...rows.children].forEach((r) => r.dispatchEvent(new Event("describe")));
      (next?.querySelector("input") || add).focus();
    });
    tr.addEventListener("describe", describe);
    tr.read = () => {
      const key = nameInput.value.trim();
      const text = valueInput.value.trim();
      if (!key && !text) return null;
      if (!NAME.test(key)) fail(t("ops.data.bad_name", { name: key || "…" }), nameInput);
      if (kind.value === "text") return [key, valueInput.value];
      if (kind.value === "number") {
        const number = Number(text);
        if (text === "" || !Number.isFinite(number)) fail(t("ops.data.bad_number", { name: key }), valueInput);
        return [key, number];
      }
      if (kind.value === "boolean") {
        const word = text.toLowerCase();
        if (["true", "có", "đúng", "yes"].includes(word)) return [key, true];
        if (["false", "không", "sai", "no"].includes(word)) return [key, false];
        fail(t("ops.data.bad_boolean", { name: key }), valueInput);
      }
      try {
        return [key, JSON.parse(text)];
      } catch {
        return fail(t("ops.data.bad_json_value", { name: key }), valueInput);
      }
    };
    rows.append(tr);
    describe();
    return tr;
  }

  function clearError() {
    error.textContent = "";
    for (const control of element.querySelectorAll("[aria-invalid]")) {
      control.removeAttribute("aria-invalid");
      control.removeAttribute("aria-describedby");
    }
  }

  function fail(message, control) {
    if (collapsed) element.open = true;
    error.textContent = message;
    control.setAttribute("aria-invalid", "true");
    control.setAttribute("aria-describedby", error.id);
    control.focus();
    throw new DataError(message);
  }

  function readPairs() {
    const data = {};
    for (const tr of rows.children) {
      const pair = tr.read();
      if (pair) data[pair[0]] = pair[1];
    }
    return data;
  }

  function readJson() {
    const text = json.value.trim();
    if (!text) return {};
    let data;
    try {
      data = JSON.parse(text);
    } catch (problem) {
      return fail(t("ops.data.bad_json", { detail: problem.message }), json);
    }
    if (!data || typeof data !== "object" || Array.isArray(data)) fail(t("ops.data.not_an_object"), json);
    const bad = Object.keys(data).filter((key) => !NAME.test(key));
    if (bad.length) fail(t("ops.data.bad_name", { name: bad.join(", ") }), json);
    return data;
  }

  let mode = "pairs";

  function read() {
    clearError();
    const data = mode === "json" ? readJson() : readPairs();
    return Object.keys(data).length ? data : null;
  }

  /** Switch to `next` ("pairs" or "json") carrying the data over; a fault keeps the reader where it is. */
  function switchTo(next) {
    let data;
    try {
      data = read() || {};
    } catch {
      (mode === "json" ? asJson : asPairs).checked = true;
      return;
    }
    if (next === "json") json.value = Object.keys(data).length ? JSON.stringify(data, null, 2) : "";
    else {
      rows.replaceChildren();
      for (const [name, value] of Object.entries(data)) row(name, value);
      if (!rows.children.length) row();
    }
    mode = next;
    pairs.hidden = next === "json";
    jsonField.hidden = next !== "json";
  }

  asJson.addEventListener("change", () => switchTo("json"));
  asPairs.addEventListener("change", () => switchTo("pairs"));
  add.addEventListener("click", () => row().querySelector("input").focus());
  row();
  return { element, read, clearError };
}
