// Migrating the dossiers running on one version of a process to another, from the designer's list of
// versions: the target version, optionally some dossiers by code and where renamed steps went; a dry
// run first (POST /process-models/<id>/migrations, dry_run: true) shows which dossiers would move and
// why the others would not, and only then the real run is offered; its result is shown the same way.
import { api, clear, h, t } from "./common.js";
import { counted } from "./admin-common.js";
import { checkedField, reasonField, sendOperation } from "./operations.js";
import { dataEditor, elementSelect, modelElements } from "./operations-data.js";

const models = new Map(); // "process/version" -> elements

async function elementsOf(processId, version) {
  const key = `${processId}/${version}`;
  if (!models.has(key)) {
    const body = await api("GET", `/process-models/${encodeURIComponent(processId)}/versions/${version}`);
    models.set(key, modelElements(body.bpmn_xml));
  }
  return models.get(key);
}

function codesOf(text) {
  return [...new Set(text.split(/[\s,;]+/).map((code) => code.trim()).filter(Boolean))];
}

/** The report of a run: who moves (or would), who stays and why. */
function report(result) {
  const heading = result.dry_run
    ? t("designer.migration.dry_result", { from: result.from_version, to: result.to_version })
    : t("designer.migration.real_result", { from: result.from_version, to: result.to_version });
  return h("div", { class: `migration-report ${result.dry_run ? "dry" : "real"}`, tabindex: "-1" },
    h("h4", {}, heading),
    h("p", { class: "migrated" }, h("strong", {}, counted(result.dry_run ? "designer.migration.would_migrate" : "designer.migration.migrated",
      result.migrated.length)), result.migrated.length ? " " : null,
    result.migrated.flatMap((code, i) => [i ? ", " : "", h("code", {}, code)])),
    result.refused.length
      ? h("div", { class: "table-wrap" }, h("table", { class: "refused" },
        h("caption", { class: "muted" }, counted(result.dry_run ? "designer.migration.would_refuse" : "designer.migration.refused",
          result.refused.length)),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("designer.migration.code")), h("th", { scope: "col" }, t("designer.migration.reason_refused")))),
        h("tbody", {}, result.refused.map((r) => h("tr", { dataset: { code: r.code } }, h("th", { scope: "row" }, h("code", {}, r.code)), h("td", {}, r.reason))))))
      : h("p", { class: "muted" }, t("designer.migration.none_refused")));
}

/** The migration form for version `from` of `processId` among `versions`, in `slot`. `onMigrated`
 * runs after a real migration (the versions list shows the new counts). */
export async function openMigration(slot, { processId, processName, versions, from, onMigrated }) {
  const others = versions.filter((v) => v.version !== from.version);
  const target = h("select", { dataset: { path: "to_version" } },
    others.map((v) => h("option", { value: v.version }, t("designer.migration.version_option", { version: v.version }))));
  target.value = String(Math.max(...others.map((v) => v.version)));
  const targetField = checkedField(t("designer.migration.to"), target);
  const codes = h("textarea", { rows: "3", spellcheck: "false", dataset: { path: "dossier_codes" } });
  const codesField = checkedField(t("designer.migration.codes"), codes,
    t("designer.migration.codes_hint", { version: from.version }));
  const oldElements = await elementsOf(processId, from.version);
  let newElements = await elementsOf(processId, Number(target.value));
  const mappingRows = h("tbody");
  const mappingTable = h("div", { class: "table-wrap", hidden: true }, h("table", { class: "edit-table mapping" }, // shown once a row is added
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("designer.migration.old", { version: from.version })), h("td", {}),
      h("th", { scope: "col" }, t("designer.migration.new")), h("td", {}))), mappingRows));
  const addMapping = h("button", { type: "button", class: "secondary small add" }, t("designer.migration.add_mapping"));
  const data = dataEditor({ legend: t("designer.migration.data"), hint: t("designer.migration.data_hint"), collapsed: true });
  const reason = reasonField();
  const errors = h("div");
  const resultSlot = h("div", { class: "migration-result", "aria-live": "polite" });
  const dryRun = h("button", { type: "submit" }, t("designer.migration.dry_run"));

  function mappingRow() {
    const n = mappingRows.children.length + 1;
    const old = elementSelect(oldElements, { empty: t("ops.move.choose") });
    const now = elementSelect(newElements, { empty: t("ops.move.choose") });
    old.setAttribute("aria-label", t("designer.migration.old_of", { n }));
    now.setAttribute("aria-label", t("designer.migration.new_of", { n }));
    now.classList.add("mapping-new");
    const remove = h("button", { type: "button", class: "secondary small", "aria-label": t("designer.migration.remove_mapping", { n }) },
      t("common.remove"));
    const row = h("tr", {}, h("td", {}, old), h("td", { "aria-hidden": "true" }, "→"), h("td", {}, now), h("td", {}, remove));
    remove.addEventListener("click", () => {
      row.remove();
      mappingTable.hidden = mappingRows.children.length === 0;
      addMapping.focus();
      stale();
    });
    row.read = () => (old.value && now.value ? [old.value, now.value] : null);
    mappingRows.append(row);
    mappingTable.hidden = false;
    return row;
  }
  addMapping.addEventListener("click", () => mappingRow().querySelector("select").focus());

  const form = h("form", { class: "card editor migration", novalidate: true, "aria-labelledby": "migration-title" },
    h("h3", { id: "migration-title", tabindex: "-1" }, t("designer.migration.title", { version: from.version, name: processName })),
    h("p", { class: "hint" }, t("designer.migration.intro")),
    targetField.element, codesField.element,
    h("fieldset", {}, h("legend", {}, t("designer.migration.mapping")), h("p", { class: "hint" }, t("designer.migration.mapping_hint")),
      mappingTable, addMapping),
    data.element, reason.element, errors,
    h("div", { class: "actions" }, dryRun, h("button", { type: "button", class: "secondary", onclick: () => clear(slot) }, t("designer.migration.close"))),
    resultSlot);

  function request(dry) {
    const mapping = Object.fromEntries([...mappingRows.children].map((row) => row.read()).filter(Boolean));
    const chosen = codesOf(codes.value);
    return {
      from_version: from.version, to_version: Number(target.value), dry_run: dry, reason: reason.read(),
      dossier_codes: chosen.length ? chosen : null, mapping: Object.keys(mapping).length ? mapping : null, data: data.read(),
    };
  }

  function stale() { // what the dry run answered no longer matches the form: no real run without a new one
    if (resultSlot.querySelector(".run-for-real")) {
      clear(resultSlot, h("p", { class: "muted" }, t("designer.migration.changed")));
    }
  }
  form.addEventListener("input", stale);
  target.addEventListener("change", async () => {
    newElements = await elementsOf(processId, Number(target.value));
    for (const select of mappingRows.querySelectorAll("select.mapping-new")) {
      const replacement = elementSelect(newElements, { empty: t("ops.move.choose") });
      replacement.className = select.className;
      replacement.setAttribute("aria-label", select.getAttribute("aria-label"));
      select.replaceWith(replacement);
    }
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = await sendOperation(form, dryRun, errors, async () => {
      const dry = request(true);
      return { dry, result: await api("POST", `/process-models/${encodeURIComponent(processId)}/migrations`, dry) };
    });
    if (!body) return;
    const { dry, result } = body;
    const real = h("button", { type: "button", class: "run-for-real" },
      counted("designer.migration.run", result.migrated.length, { version: result.to_version }));
    real.disabled = result.migrated.length === 0;
    const realErrors = h("div");
    real.addEventListener("click", async () => {
      const done = await sendOperation(form, real, realErrors, () =>
        api("POST", `/process-models/${encodeURIComponent(processId)}/migrations`, { ...dry, dry_run: false }));
      if (!done) return;
      clear(resultSlot, report(done));
      resultSlot.firstElementChild.focus();
      await onMigrated(done);
    });
    clear(resultSlot, report(result), realErrors, h("div", { class: "actions" }, real),
      h("p", { class: "hint" }, t("designer.migration.run_hint")));
    resultSlot.firstElementChild.focus();
  });

  clear(slot, form);
  form.querySelector("h3").focus();
}
