// A task's form, drawn from the JSON Schema in the model (the task's form_schema property).
// The server validates what is sent; its field errors are shown next to the fields here.
import { h, t } from "./common.js";

const fieldId = (path) => `f-${path.join("-")}`;

function choices(schema) {
  if (Array.isArray(schema.oneOf) && schema.oneOf.every((c) => "const" in c)) {
    return schema.oneOf.map((c) => [c.const, c.title || String(c.const)]);
  }
  if (Array.isArray(schema.enum)) return schema.enum.map((value) => [value, String(value)]);
  return null;
}

function labelOf(name, schema, required) {
  return h("span", {}, schema.title || name, required ? h("span", { "aria-hidden": "true" }, " *") : null);
}

/** One control for `schema` at `path`, set to `value`; returns {element, read()}. */
function control(path, name, schema, required, given) {
  const id = fieldId(path);
  const value = given ?? schema.default;
  const fixed = schema.readOnly === true; // shown and sent as it is, not edited
  const options = choices(schema);
  if (options) {
    const select = h("select", { id, name: id, "aria-required": required ? "true" : null, disabled: fixed },
      h("option", { value: "" }, "—"),
      options.map(([v, label]) => h("option", { value: JSON.stringify(v), selected: v === value }, label)));
    return {
      element: h("div", { class: "field", dataset: { path: path.join(".") } }, h("label", { for: id }, labelOf(name, schema, required)), select),
      read: () => (select.value === "" ? undefined : JSON.parse(select.value)),
    };
  }
  if (schema.type === "boolean") {
    const box = h("input", { type: "checkbox", id, name: id, checked: value === true, disabled: fixed });
    return {
      element: h("div", { class: "field", dataset: { path: path.join(".") } }, h("label", { class: "check", for: id }, box, labelOf(name, schema, required))),
      read: () => box.checked,
    };
  }
  if (schema.type === "array" && schema.items && schema.items.type === "object") return list(path, name, schema, required, value);
  const type = schema.type === "integer" || schema.type === "number" ? "number"
    : schema.format === "date" ? "date" : schema.format === "email" ? "email" : "text";
  const long = schema.type === "string" && !schema.format && (schema.maxLength === undefined || schema.maxLength > 200)
    && /note|reason|opinion|instruction|ghi_chu|ly_do/.test(name);
  const input = long ? h("textarea", { id, name: id, rows: 3, readonly: fixed }, value ?? "")
    : h("input", { type, id, name: id, value: value ?? "", step: schema.type === "number" ? "any" : null, readonly: fixed });
  if (required) input.setAttribute("aria-required", "true");
  return {
    element: h("div", { class: "field", dataset: { path: path.join(".") } }, h("label", { for: id }, labelOf(name, schema, required)), input),
    read: () => {
      const text = input.value.trim();
      if (text === "") return undefined;
      return type === "number" ? Number(text) : text;
    },
  };
}

/** A repeatable group (e.g. the missing documents): rows of the item's fields, add and remove. */
function list(path, name, schema, required, value) {
  const rows = [];
  const body = h("div");
  const fieldset = h("fieldset", { dataset: { path: path.join(".") } }, h("legend", {}, labelOf(name, schema, required)), body);
  const addButton = h("button", { type: "button", class: "secondary" }, `${t("common.add")}: ${schema.items.title || schema.title || name}`);

  function addRow(item = {}) {
    const index = rows.length;
    const group = object([...path, String(index)], schema.items, item);
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
    read: () => {
      const items = rows.map((row) => row.read()).filter((item) => Object.keys(item).length > 0);
      return items.length ? items : undefined;
    },
  };
}

// The fields in the order `x-order` lists them (a form converted from another modeller says it), then the others.
function ordered(schema) {
  const properties = schema.properties || {};
  const first = (Array.isArray(schema["x-order"]) ? schema["x-order"] : []).filter((name) => name in properties);
  return [...new Set([...first, ...Object.keys(properties)])].map((name) => [name, properties[name]]);
}

function object(path, schema, values = {}) {
  const required = new Set(schema.required || []);
  const parts = ordered(schema).map(([name, property]) =>
    [name, control([...path, name], name, property, required.has(name), values[name])]);
  return {
    element: h("div", {}, parts.map(([, part]) => part.element)),
    read: () => {
      const data = {};
      for (const [name, part] of parts) {
        const value = part.read();
        if (value !== undefined) data[name] = value;
      }
      return data;
    },
  };
}

/** The form for a task: {element, read(), showErrors(fieldErrors)} */
export function taskForm(schema, values = {}) {
  const root = object([], schema || { type: "object", properties: {} }, values);
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
        if (!holder) {
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

