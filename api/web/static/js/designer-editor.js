// The designer page's bpmn-js modeler: open and export BPMN XML, mark every element a validation
// names (a marker class and a numbered badge per element, red for errors, amber for warnings), fit
// the diagram beside the palette, and a small properties form for what the designer
// edits here: names, timers and sequence-flow conditions. Every edit goes through bpmn-js's
// command stack, so Ctrl+Z undoes it like an edit on the canvas.
import { clear, h, lang, t } from "./common.js";

const TIMER_KINDS = ["timeDate", "timeDuration", "timeCycle"];
const MARKERS = { error: "has-error", warning: "has-warning" };
const PROBLEM_OVERLAY = "motcua-problem";
const MARGIN = 24; // pixels kept free around a fitted diagram
const READABLE_ZOOM = 0.9; // revealing an element zooms a whole-diagram view in to about this scale

export class Editor {
  /**
   * @param {HTMLElement} container where the canvas goes
   * @param {HTMLFormElement} form the properties form (#properties-form and its fields)
   * @param {() => void} onChange called after every edit
   * @param {(bpmnId: string) => void} onProblemBadge called with the element's id when the reader clicks
   *   a problem badge on the diagram
   */
  constructor({ container, form, onChange = () => {}, onProblemBadge = () => {} }) {
    if (typeof window.BpmnJS !== "function") throw new Error("bpmn-js is not loaded");
    this.modeler = new window.BpmnJS({ container });
    this.container = container;
    this.form = form;
    this.onProblemBadge = onProblemBadge;
    this.loaded = false;
    this.dirty = false;
    this.original = null; // the XML as opened or last deployed
    this.revision = 0; // counts the edits
    this.marked = []; // [{element, marker}] of the problems shown
    container.querySelector("svg")?.setAttribute("aria-label", container.getAttribute("aria-label") || "");

    const bus = this.modeler.get("eventBus");
    bus.on("commandStack.changed", ({ trigger }) => {
      if (trigger === "clear") return;
      this.dirty = true;
      this.revision += 1;
      this.listElements();
      this.showProperties();
      onChange();
    });
    bus.on("selection.changed", () => this.showProperties());

    this.select = form.querySelector("#element-select");
    this.input = { name: form.querySelector("#element-name"), kind: form.querySelector("#timer-kind"),
      timer: form.querySelector("#timer-expression"), condition: form.querySelector("#condition") };
    this.select.addEventListener("change", () => {
      const element = this.modeler.get("elementRegistry").get(this.select.value);
      if (element) this.reveal(element);
      else this.modeler.get("selection").select(null);
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.apply();
    });
    this.input.kind.addEventListener("change", () => this.syncTimerFields());
  }

  service(name) {
    return this.modeler.get(name);
  }

  /** Show `xml` on the canvas; returns bpmn-js's import warnings. Throws when it cannot be read. */
  async open(xml) {
    this.loaded = false;
    this.original = null;
    try {
      const { warnings } = await this.modeler.importXML(xml);
      this.original = xml;
      this.loaded = true;
      return warnings || [];
    } finally {
      this.dirty = false;
      this.marked = [];
      if (this.loaded) this.fit();
      this.listElements();
      this.showProperties();
    }
  }

  /** The model's XML: as it was opened while nothing has been edited (so an unchanged version is
   * recognised as identical), else as bpmn-js writes the edited diagram. */
  async xml() {
    if (!this.dirty) return this.original;
    const { xml } = await this.modeler.saveXML({ format: true });
    return xml;
  }

  /** `xml`, taken at `revision`, was deployed: it is the new starting point unless edited since. */
  saved(xml, revision) {
    if (revision !== this.revision) return;
    this.original = xml;
    this.dirty = false;
  }

  /** The diagram element standing for a BPMN id: the element itself, or the pool of a process. */
  find(bpmnId) {
    if (!bpmnId) return null;
    const registry = this.service("elementRegistry");
    const direct = registry.get(bpmnId);
    if (direct && direct.type !== "label") return direct;
    return registry.find((e) => e.type !== "label" && (e.businessObject?.id === bpmnId
      || e.businessObject?.processRef?.id === bpmnId)) || null;
  }

  /** How many pixels of the canvas's left side the palette covers (0 when it is not drawn). */
  paletteInset() {
    const palette = this.container.querySelector(".djs-palette");
    if (!palette) return 0;
    return Math.max(0, palette.getBoundingClientRect().right - this.container.getBoundingClientRect().left);
  }

  /** Fit the whole diagram into the part of the canvas the palette leaves free. */
  fit() {
    const canvas = this.service("canvas");
    canvas.zoom("fit-viewport", "auto");
    const { inner, outer } = canvas.viewbox();
    if (!inner.width || !inner.height || !outer.width) return;
    const inset = this.paletteInset();
    const scale = Math.min(1, (outer.width - inset - 2 * MARGIN) / inner.width, (outer.height - 2 * MARGIN) / inner.height);
    if (scale <= 0) return;
    canvas.viewbox({ x: inner.x - (inset + MARGIN) / scale, y: inner.y - MARGIN / scale,
      width: outer.width / scale, height: outer.height / scale });
  }

  /** Select an element and bring it into view (opening the subprocess it is drawn in), clear of the palette. */
  reveal(element) {
    const canvas = this.service("canvas");
    if (canvas.zoom() < READABLE_ZOOM) canvas.zoom(READABLE_ZOOM);
    const padding = MARGIN * 4;
    canvas.scrollToElement(element, { top: padding, right: padding, bottom: padding,
      left: this.paletteInset() + padding });
    this.service("selection").select(element);
  }

  /**
   * Mark every problem on the element it names: a marker class (errors win over warnings) and one badge per
   * element with the number of its problems; returns, per problem, the diagram element or null.
   * @param {{severity: string, element: string|null, message: string}[]} problems
   */
  markProblems(problems) {
    this.clearProblems();
    const byElement = new Map();
    const found = problems.map((problem) => {
      const element = this.find(problem.element);
      if (element) {
        if (!byElement.has(element)) byElement.set(element, []);
        byElement.get(element).push(problem);
      }
      return element;
    });
    const canvas = this.service("canvas");
    for (const [element, own] of byElement) {
      const severity = own.some((p) => p.severity === "error") ? "error" : "warning";
      canvas.addMarker(element, MARKERS[severity]);
      this.marked.push({ element, marker: MARKERS[severity] });
      const title = own.map((p) => t(`designer.badge.${p.severity}`, { detail: p.message })).join("\n");
      const badge = h("span", { class: `problem-badge ${severity}`, title, "aria-hidden": "true",
        onclick: () => this.onProblemBadge(element.id) }, own.length > 1 ? String(own.length) : "!");
      this.service("overlays").add(element, PROBLEM_OVERLAY, { position: badgePosition(element), html: badge });
    }
    return found;
  }

  clearProblems() {
    const registry = this.service("elementRegistry");
    for (const { element, marker } of this.marked) {
      if (registry.get(element.id)) this.service("canvas").removeMarker(element, marker);
    }
    this.service("overlays").remove({ type: PROBLEM_OVERLAY });
    this.marked = [];
  }

  // --- the properties form ----------------------------------------------------------------------

  /** The elements a designer may pick in the list: everything drawn but labels and the root. */
  elements() {
    const root = this.loaded ? this.service("canvas").getRootElement() : null;
    return this.service("elementRegistry").filter((e) => e.type !== "label" && e.parent && e !== root && e.businessObject)
      .map((e) => ({ element: e, text: e.businessObject.name ? `${e.businessObject.name} (${e.id})` : e.id }))
      .sort((a, b) => a.text.localeCompare(b.text, lang));
  }

  listElements() {
    const chosen = this.select.value;
    clear(this.select, h("option", { value: "" }, t("designer.element_none")),
      this.loaded ? this.elements().map(({ element, text }) => h("option", { value: element.id }, text)) : []);
    this.select.value = chosen && this.service("elementRegistry").get(chosen) ? chosen : "";
    this.select.disabled = !this.loaded;
  }

  selected() {
    const selection = this.service("selection").get();
    return selection.length === 1 ? selection[0] : null;
  }

  showProperties() {
    const element = this.loaded ? this.selected() : null;
    const form = this.form;
    const bo = element?.businessObject;
    const timer = timerOf(bo);
    const hasName = Boolean(bo?.$descriptor?.propertiesByName?.name);
    const isFlow = bo?.$type === "bpmn:SequenceFlow";

    this.select.value = element ? element.id : "";
    clear(form.querySelector("#properties-message"));
    form.querySelector("#element-kind").textContent = element
      ? t("designer.element_type", { type: bo.$type, id: bo.id || element.id })
      : t("designer.element_hint");
    form.querySelector("#name-field").hidden = !hasName;
    this.input.name.value = hasName ? bo.name || "" : "";
    form.querySelector("#timer-fields").hidden = !timer;
    const kind = timer ? TIMER_KINDS.find((k) => timer[k]) || "" : "";
    this.input.kind.value = kind;
    this.input.timer.value = kind ? timer[kind].body || "" : "";
    this.syncTimerFields();
    form.querySelector("#condition-field").hidden = !isFlow;
    this.input.condition.value = isFlow ? bo.conditionExpression?.body || "" : "";
    form.querySelector("#apply").disabled = !element || !(hasName || timer || isFlow);
  }

  syncTimerFields() {
    this.input.timer.disabled = !this.input.kind.value;
  }

  /** Apply the form to the selected element; says what changed in the form's message slot. */
  apply() {
    const element = this.selected();
    if (!element) return;
    const bo = element.businessObject;
    // read the whole form first: each command below refreshes it from the diagram
    const wanted = { name: this.input.name.value.trim(), kind: this.input.kind.value,
      timer: this.input.timer.value.trim(), condition: this.input.condition.value.trim(),
      named: !this.form.querySelector("#name-field").hidden };
    const modeling = this.service("modeling");
    const moddle = this.service("moddle");
    const expression = (body) => moddle.create("bpmn:FormalExpression", { body });
    let changed = false;

    if (wanted.named && wanted.name !== (bo.name || "")) {
      modeling.updateLabel(element, wanted.name || null);
      changed = true;
    }
    const timer = timerOf(bo);
    if (timer) {
      const { kind, timer: body } = wanted;
      const oldKind = TIMER_KINDS.find((k) => timer[k]) || "";
      if (kind !== oldKind || (kind && body !== (timer[kind].body || ""))) {
        const properties = Object.fromEntries(TIMER_KINDS.map((k) => [k, k === kind ? expression(body) : undefined]));
        modeling.updateModdleProperties(element, timer, properties);
        changed = true;
      }
    }
    if (bo.$type === "bpmn:SequenceFlow") {
      const body = wanted.condition;
      if (body !== (bo.conditionExpression?.body || "")) {
        modeling.updateProperties(element, { conditionExpression: body ? expression(body) : undefined });
        changed = true;
      }
    }
    const message = this.form.querySelector("#properties-message");
    clear(message, changed ? h("p", { class: "muted" }, t("designer.applied", { id: element.id })) : null);
  }
}

/** A badge at the top right corner of a shape, or at the middle of a connection. */
function badgePosition(element) {
  if (element.waypoints) {
    const xs = element.waypoints.map((p) => p.x);
    const ys = element.waypoints.map((p) => p.y);
    return { left: (Math.max(...xs) - Math.min(...xs)) / 2 - 10, top: (Math.max(...ys) - Math.min(...ys)) / 2 - 10 };
  }
  return { top: -10, right: 10 };
}

function timerOf(bo) {
  return (bo?.eventDefinitions || []).find((d) => d.$type === "bpmn:TimerEventDefinition") || null;
}
