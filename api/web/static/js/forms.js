// A task's form, drawn from the JSON Schema in the model (the task's form_schema property).
// Fields come in the schema's order (`ui:order`, which the server writes down, or `x-order`); a field
// that only an `if`/`then`/`else` branch or a `dependentRequired` names is shown only while that
// branch applies, and only shown fields are sent. The server validates the same schema; its field
// errors are shown next to the fields here.
import { h, t } from "./common.js";

const fieldId = (path) => `f-${path.join("-")}`;

function choices(schema) {
  if (Array.isArray(schema.oneOf) && schema.oneOf.every((c) => "const" in c)) {
    return schema.oneOf.map((c) => [c.const, c.title || String(c.const)]);
  }
  if (Array.isArray(schema.enum)) return schema.enum.map((value) => [value, String(value)]);
  return null;
}

const requiredMark = () => h("span", { class: "required-mark", "aria-hidden": "true" }, " *");

function labelOf(name, schema, required) {
  return h("span", {}, schema.title || name, required ? requiredMark() : null);
}

/** Mark the field's label (or legend) as required, or not: the choice made may change it. */
function markRequired(element, on) {
  const caption = element.querySelector(":scope > label > span, :scope > legend > span");
  if (!caption) return;
  const mark = caption.querySelector(":scope > .required-mark");
  if (on && !mark) caption.append(requiredMark());
  if (!on && mark) mark.remove();
}

/** One control for `schema` at `path`, set to `value`; returns {element, read(), setRequired(bool)}. */
function control(path, name, schema, required, given, context) {
  const id = fieldId(path);
  const value = given ?? schema.default;
  const fixed = schema.readOnly === true; // shown and sent as it is, not edited
  const options = choices(schema);
  const marks = (element, input) => ({
    element,
    setRequired(on) {
      markRequired(element, on);
      if (input) {
        if (on) input.setAttribute("aria-required", "true");
        else input.removeAttribute("aria-required");
      }
    },
  });
  if (options) {
    const select = h("select", { id, name: id, "aria-required": required ? "true" : null, disabled: fixed },
      h("option", { value: "" }, "—"),
      options.map(([v, label]) => h("option", { value: JSON.stringify(v), selected: v === value }, label)));
    const element = h("div", { class: "field", dataset: { path: path.join(".") } }, h("label", { for: id }, labelOf(name, schema, required)), select);
    return { ...marks(element, select), read: () => (select.value === "" ? undefined : JSON.parse(select.value)) };
  }
  if (schema.type === "boolean") {
    const box = h("input", { type: "checkbox", id, name: id, checked: value === true, disabled: fixed });
    const element = h("div", { class: "field", dataset: { path: path.join(".") } }, h("label", { class: "check", for: id }, box, labelOf(name, schema, required)));
    return { ...marks(element, null), read: () => box.checked };
  }
  if (schema.type === "array" && schema.items && schema.items.type === "object") {
    return schema["ui:widget"] === "checklist" && context.documents?.length
      ? checklist(path, name, schema, required, value, context)
      : list(path, name, schema, required, value, context);
  }
  const type = schema.type === "integer" || schema.type === "number" ? "number"
    : schema.format === "date" ? "date" : schema.format === "email" ? "email" : "text";
  const long = schema["ui:widget"] === "textarea" || (schema.type === "string" && !schema.format
    && (schema.maxLength === undefined || schema.maxLength > 200) && /note|reason|opinion|instruction|ghi_chu|ly_do/.test(name));
  const input = long ? h("textarea", { id, name: id, rows: 3, readonly: fixed }, value ?? "")
    : h("input", { type, id, name: id, value: value ?? "", step: schema.type === "number" ? "any" : null, readonly: fixed });
  if (required) input.setAttribute("aria-required", "true");
  const element = h("div", { class: "field", dataset: { path: path.join(".") } }, h("label", { for: id }, labelOf(name, schema, required)), input);
  return {
    ...marks(element, input),
    read: () => {
      const text = input.value.trim();
      if (text === "") return undefined;
      return type === "number" ? Number(text) : text;
    },
  };
}

/** A repeatable group (e.g. the missing documents): rows of the item's fields, add and remove. */
function list(path, name, schema, required, value, context, { legend = true } = {}) {
  const rows = [];
  const body = h("div");
  // inside the checklist's fieldset, the free rows are a plain group: the checklist holds the field's path
  const fieldset = legend ? h("fieldset", { dataset: { path: path.join(".") } }, h("legend", {}, labelOf(name, schema, required)), body)
    : h("div", { class: "checklist-more" }, body);
  const addButton = h("button", { type: "button", class: "secondary" }, `${t("common.add")}: ${schema.items.title || schema.title || name}`);

  function addRow(item = {}) {
    const group = object([...path, String(rows.length)], schema.items, item, context);
    const remove = h("button", { type: "button", class: "secondary" }, t("common.remove"));
    const wrapper = h("div", { class: "card" }, group.element, remove);
    const entry = { wrapper, read: group.read };
    remove.addEventListener("click", () => {
      rows.splice(rows.indexOf(entry), 1);
      wrapper.remove();
    });
    rows.push(entry);
    body.append(wrapper);
  }

  addButton.addEventListener("click", () => addRow());
  fieldset.append(addButton);
  for (const item of Array.isArray(value) ? value : []) addRow(item);
  return {
    element: fieldset,
    setRequired(on) { markRequired(fieldset, on); },
    read: () => {
      const items = rows.map((row) => row.read()).filter((item) => Object.keys(item).length > 0);
      return items.length ? items : undefined;
    },
  };
}

/** The documents to supplement, picked from the procedure's checklist (the items not handed in ticked
 * first), each with an optional note, and free rows for any other document. */
function checklist(path, name, schema, required, value, context) {
  const given = new Map((Array.isArray(value) ? value : []).map((item) => [item.name, item]));
  const reasonSchema = schema.items.properties?.reason;
  const picks = context.documents.map((doc, index) => {
    const id = `${fieldId(path)}-pick-${index}`;
    const box = h("input", { type: "checkbox", id, name: fieldId(path), value: doc.name,
      checked: given.size ? given.has(doc.name) : !doc.received });
    const note = reasonSchema ? h("input", { type: "text", id: `${id}-reason`, value: given.get(doc.name)?.reason ?? "",
      placeholder: reasonSchema.title || null, "aria-label": `${reasonSchema.title || "reason"}: ${doc.name}` }) : null;
    const row = h("div", { class: "checklist-item" },
      h("label", { class: "check", for: id }, box, h("span", {}, doc.name,
        doc.received ? h("span", { class: "muted" }, ` (${t("forms.handed_in")})`) : null)),
      note ? h("div", { class: "checklist-reason", hidden: !box.checked }, note) : null);
    box.addEventListener("change", () => { if (note) note.parentElement.hidden = !box.checked; });
    return { box, note, row, doc };
  });
  const others = [...given.values()].filter((item) => !context.documents.some((doc) => doc.name === item.name));
  const more = list(path, name, schema, false, others, context, { legend: false });
  const fieldset = h("fieldset", { class: "checklist", dataset: { path: path.join(".") } },
    h("legend", {}, labelOf(name, schema, required)),
    h("p", { class: "muted" }, t("forms.checklist_hint")),
    picks.map((pick) => pick.row),
    h("p", { class: "muted" }, t("forms.other_documents")), more.element);
  const ticked = () => picks.filter((pick) => pick.box.checked);
  return {
    element: fieldset,
    setRequired(on) { markRequired(fieldset, on); },
    read: () => {
      const items = ticked().map((pick) => {
        const reason = pick.note?.value.trim();
        return reason ? { name: pick.doc.name, reason } : { name: pick.doc.name };
      });
      const extra = more.read() || [];
      return items.length + extra.length ? [...items, ...extra] : undefined;
    },
  };
}

// --- which fields a schema shows, and which it requires, for the values at hand ---------------------

/** Does `data` satisfy `schema`, as far as a form's conditions go (const, enum, required, properties,
 * not, allOf, anyOf, oneOf, minLength)? */
function matches(schema, data) {
  if (schema === true || schema === undefined) return true;
  if (schema === false) return false;
  if (Array.isArray(schema.required) && !schema.required.every((key) => data[key] !== undefined)) return false;
  for (const [key, sub] of Object.entries(schema.properties || {})) {
    if (data[key] !== undefined && !valueMatches(sub, data[key])) return false;
  }
  if (schema.not !== undefined && matches(schema.not, data)) return false;
  if (Array.isArray(schema.allOf) && !schema.allOf.every((sub) => matches(sub, data))) return false;
  if (Array.isArray(schema.anyOf) && !schema.anyOf.some((sub) => matches(sub, data))) return false;
  return true;
}

function valueMatches(schema, value) {
  if (schema === true || schema === undefined) return true;
  if (schema === false) return false;
  if ("const" in schema && JSON.stringify(schema.const) !== JSON.stringify(value)) return false;
  if (Array.isArray(schema.enum) && !schema.enum.some((v) => JSON.stringify(v) === JSON.stringify(value))) return false;
  if (schema.not !== undefined && valueMatches(schema.not, value)) return false;
  if (Array.isArray(schema.anyOf) && !schema.anyOf.some((sub) => valueMatches(sub, value))) return false;
  if (typeof value === "string" && schema.minLength !== undefined && value.length < schema.minLength) return false;
  if (value && typeof value === "object" && !Array.isArray(value)) return matches(schema, value);
  return true;
}

/** The names a branch schema brings in (its required and properties, and those of its own branches). */
function named(branch) {
  if (!branch || typeof branch !== "object") return [];
  return [...(branch.required || []), ...Object.keys(branch.properties || {}),
    ...(branch.allOf || []).flatMap(named), ...conditionsOf(branch).flatMap((rule) => [...named(rule.then), ...named(rule.else)])];
}

/** The `if`s of a schema: its own and those of its `allOf` entries. */
function conditionsOf(schema) {
  return [schema, ...(Array.isArray(schema.allOf) ? schema.allOf : [])].filter((rule) => rule && rule.if !== undefined);
}

/** For `data`: the conditional fields shown, and the fields required (the branches that apply). */
function applying(schema, data, fields) {
  const shown = new Set();
  const required = new Set(schema.required || []);
  const take = (branch) => {
    if (!branch || typeof branch !== "object") return;
    for (const name of named(branch)) shown.add(name);
    for (const name of branch.required || []) required.add(name);
    for (const rule of conditionsOf(branch)) take(matches(rule.if, data) ? rule.then : rule.else);
    for (const sub of branch.allOf || []) if (sub.if === undefined) take(sub);
  };
  for (const rule of conditionsOf(schema)) take(matches(rule.if, data) ? rule.then : rule.else);
  for (const [trigger, names] of Object.entries(schema.dependentRequired || {})) {
    if (present(data[trigger])) for (const name of names) { shown.add(name); required.add(name); }
  }
  for (const [trigger, branch] of Object.entries(schema.dependentSchemas || {})) {
    if (present(data[trigger])) take(branch);
  }
  return { shown: new Set([...shown].filter((name) => fields.has(name))), required };
}

const present = (value) => value !== undefined && value !== false && value !== "";

/** The fields that only a branch or a dependency names (not required by the schema itself). */
function conditionalFields(schema) {
  const always = new Set(schema.required || []);
  const conditional = new Set();
  for (const rule of conditionsOf(schema)) for (const name of [...named(rule.then), ...named(rule.else)]) conditional.add(name);
  for (const names of Object.values(schema.dependentRequired || {})) for (const name of names) conditional.add(name);
  for (const branch of Object.values(schema.dependentSchemas || {})) for (const name of named(branch)) conditional.add(name);
  return new Set([...conditional].filter((name) => !always.has(name)));
}

/** The properties, with those only a branch declares, in `ui:order` (or `x-order`), then the others. */
function ordered(schema) {
  const properties = { ...schema.properties };
  const gather = (branch) => {
    if (!branch || typeof branch !== "object") return;
    for (const [name, property] of Object.entries(branch.properties || {})) {
      if (!(name in properties) && property && typeof property === "object" && Object.keys(property).length) properties[name] = property;
    }
    for (const rule of conditionsOf(branch)) { gather(rule.then); gather(rule.else); }
    for (const sub of branch.allOf || []) gather(sub);
  };
  gather(schema);
  for (const branch of Object.values(schema.dependentSchemas || {})) gather(branch);
  const order = Array.isArray(schema["ui:order"]) ? schema["ui:order"] : Array.isArray(schema["x-order"]) ? schema["x-order"] : [];
  const rest = order.indexOf("*");
  const named_ = order.filter((name) => name !== "*" && name in properties);
  const others = Object.keys(properties).filter((name) => !named_.includes(name));
  const names = rest >= 0 ? [...named_.slice(0, rest), ...others, ...named_.slice(rest)] : [...named_, ...others];
  return names.map((name) => [name, properties[name]]);
}

function object(path, schema, values = {}, context = {}) {
  const required = new Set(schema.required || []);
  const parts = ordered(schema).map(([name, property]) =>
    [name, control([...path, name], name, property, required.has(name), values[name], context)]);
  const fields = new Set(parts.map(([name]) => name));
  const conditional = conditionalFields(schema);
  const element = h("div", {}, parts.map(([, part]) => part.element));
  const readAll = () => {
    const data = {};
    for (const [name, part] of parts) {
      if (part.element.hidden) continue;
      const value = part.read();
      if (value !== undefined) data[name] = value;
    }
    return data;
  };
  const update = () => {
    if (!conditional.size && !schema.dependentRequired && !conditionsOf(schema).length) return;
    // settle: showing a field may bring its own value into a condition
    for (let round = 0; round < 3; round += 1) {
      const { shown, required: needed } = applying(schema, readAll(), fields);
      let changed = false;
      for (const [name, part] of parts) {
        const hidden = conditional.has(name) && !shown.has(name);
        if (part.element.hidden !== hidden) { part.element.hidden = hidden; changed = true; }
        part.setRequired(needed.has(name));
      }
      if (!changed) break;
    }
  };
  element.addEventListener("change", update);
  element.addEventListener("input", update);
  update();
  return {
    element,
    read: () => {
      const data = readAll();
      // an unticked box that only triggers a dependency is not "given"
      for (const trigger of Object.keys(schema.dependentRequired || {})) if (data[trigger] === false) delete data[trigger];
      return data;
    },
  };
}

/** The form for a task: {element, read(), showErrors(fieldErrors, labelOf)}. `context.documents` is the
 * procedure's checklist ([{name, received}]) for a `ui:widget: "checklist"` list of missing documents. */
export function taskForm(schema, values = {}, context = {}) {
  const root = object([], schema || { type: "object", properties: {} }, values, context);
  return {
    element: root.element,
    read: root.read,
    /** Mark the fields the server named ("missing_documents.0.name"); return the messages no field took. */
    showErrors(errors) {
      for (const old of root.element.querySelectorAll(".field-error")) old.remove();
      for (const old of root.element.querySelectorAll("[aria-invalid]")) old.removeAttribute("aria-invalid");
      const unplaced = [];
      for (const [path, message] of errors) {
        const key = path.replace(/^data\./, "");
        const holder = root.element.querySelector(`[data-path="${CSS.escape(key)}"]`);
        if (!holder || holder.closest("[hidden]")) {
          unplaced.push([path, message]);
          continue;
        }
        const input = holder.querySelector("input, select, textarea");
        const note = h("div", { class: "field-error", id: `${fieldId(key.split("."))}-error` }, message);
        if (input) {
          input.setAttribute("aria-invalid", "true");
          input.setAttribute("aria-describedby", note.id);
        }
        holder.append(note);
      }
      return unplaced;
    },
  };
}
