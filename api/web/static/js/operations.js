// An incident as an administrator handles it (its state in words, its data, the retry and skip
// forms), and a dossier's operations log (GET /dossiers/<code>/operations): the administration
// page's "Sự cố" section and the dossier page's administrator panel both use them.
import { ApiError, SERVICE_ZONE, api, clear, formatTime, h, t, tOr } from "./common.js";
import { clearErrors, showError } from "./admin-common.js";
import { DataError, dataEditor, elementLabel, wayLabel } from "./operations-data.js";

// --- words ------------------------------------------------------------------------------------------

const whoLabel = (who) => (who === "scheduler" ? t("ops.who.scheduler") : who);
export const resolutionLabel = (resolution) => tOr(`ops.resolution.${resolution}`, resolution);

/** A time the audit trail keeps in UTC ("2026-12-07T01:00:00+00:00"), in the service's zone. */
export function zonedTime(iso) {
  if (!iso) return "";
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-GB", {
    timeZone: SERVICE_ZONE, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  }).formatToParts(new Date(iso)).map((part) => [part.type, part.value]));
  return `${parts.hour}:${parts.minute} ${parts.day}/${parts.month}/${parts.year}`;
}

/** retrying (with the next try), waiting for an administrator, or resolved (how, by whom, when). */
export function incidentState(incident) {
  if (incident.state === "retrying") return t("ops.incident.state.retrying", { when: formatTime(incident.next_retry_at) });
  if (incident.state === "open") return t("ops.incident.state.open");
  return t("ops.incident.state.resolved", {
    how: resolutionLabel(incident.resolution), who: whoLabel(incident.resolved_by), when: formatTime(incident.resolved_at) });
}

export function plainValue(value) {
  if (value === undefined) return t("ops.value.none");
  if (value === null) return "null";
  return typeof value === "string" ? `“${value}”` : JSON.stringify(value);
}

/** The data a step had: a table of names and values. */
export function dataTable(data, caption) {
  const entries = Object.entries(data || {}).filter(([name]) => !name.startsWith("_"));
  if (!entries.length) return h("p", { class: "muted" }, t("ops.incident.no_data"));
  return h("div", { class: "table-wrap task-data" }, h("table", {}, h("caption", { class: "muted" }, caption),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("ops.data.name")), h("th", { scope: "col" }, t("ops.data.value")))),
    h("tbody", {}, entries.map(([name, value]) => h("tr", {}, h("th", { scope: "row" }, h("code", {}, name)),
      h("td", {}, h("code", { class: "data-value-shown" }, plainValue(value))))))));
}

// --- the reason every operation asks for --------------------------------------------------------------

let controlCount = 0;

/** A labelled control with a note for its fault: {element, control, fail(message)}; fail marks the
 * control, says why beside it, focuses it and throws a DataError (the form is not sent). */
export function checkedField(label, control, hint = null) {
  controlCount += 1;
  control.id = control.id || `ops-control-${controlCount}`;
  const note = h("div", { class: "field-error", id: `${control.id}-error` });
  const hintNode = hint ? h("div", { class: "hint", id: `${control.id}-hint` }, hint) : null;
  if (hintNode) control.setAttribute("aria-describedby", hintNode.id);
  const element = h("div", { class: "field" }, h("label", { for: control.id }, label), control, hintNode, note);
  control.addEventListener("input", () => {
    note.textContent = "";
    control.removeAttribute("aria-invalid");
  });
  return {
    element,
    control,
    fail(message) {
      note.textContent = message;
      control.setAttribute("aria-invalid", "true");
      control.setAttribute("aria-describedby", [hintNode?.id, note.id].filter(Boolean).join(" "));
      control.focus();
      throw new DataError(message);
    },
  };
}

/** The reason every operation asks for: {element, input, read()}; read() refuses an empty one. */
export function reasonField(label = t("ops.reason")) {
  const input = h("textarea", { rows: "2", maxlength: "2000", required: true, "aria-required": "true", dataset: { path: "reason" } });
  const field = checkedField(label, input);
  return {
    element: field.element,
    input,
    read: () => input.value.trim() || field.fail(t("ops.reason_needed")),
  };
}

/** Send an operation's form: `work` with the button disabled; a local fault (DataError) is already
 * shown on its field, a refusal of the server in `slot` and on the fields it names. Returns work's
 * result, or undefined when it failed (after `onFailure`). */
export async function sendOperation(form, button, slot, work, { onFailure = null } = {}) {
  button.disabled = true;
  slot.replaceChildren();
  clearErrors(form);
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof DataError)) {
      showError(slot, error, form);
      if (!(error instanceof ApiError)) console.error(error);
      await onFailure?.(error);
    }
    return undefined;
  } finally {
    button.disabled = false;
  }
}

// --- an incident, and what an administrator does with it -----------------------------------------------

function facts(incident, { withDossier }) {
  const pairs = [
    withDossier ? [t("ops.incident.dossier"), h("a", { href: `/app/dossiers/${encodeURIComponent(incident.dossier_code)}` }, incident.dossier_code)] : null,
    withDossier ? [t("ops.incident.procedure"), incident.procedure_code] : null,
    [t("ops.incident.element"), h("span", {}, incident.element_name || incident.bpmn_id, " ", h("code", {}, incident.bpmn_id))],
    [t("ops.incident.message"), h("span", { class: "incident-message" }, incident.message,
      incident.line ? h("span", { class: "muted" }, ` ${t("ops.incident.line", { line: incident.line })}`) : null)],
    [t("ops.incident.created_at"), formatTime(incident.created_at)],
    [t("ops.incident.attempts"), String(incident.attempts)],
    [t("ops.incident.state"), h("span", { class: `incident-state ${incident.state}` }, incidentState(incident))],
  ].filter(Boolean);
  return h("dl", { class: "facts incident-facts" }, pairs.flatMap(([label, value]) => [h("dt", {}, label), h("dd", {}, value)]));
}

/** The choice of a gateway's way: a checkedField around a <select>. */
function wayField(elements, ways) {
  const select = h("select", { dataset: { path: "flow_to" }, required: true, "aria-required": "true" },
    h("option", { value: "" }, t("ops.skip.choose_way")),
    ways.map((way) => h("option", { value: way.to }, wayLabel(elements, way))));
  return checkedField(t("ops.skip.way"), select, t("ops.skip.way_hint"));
}

/**
 * The incident `incident` (GET /incidents/<id>) with its data and, while unresolved, the forms that
 * retry or skip its step. `elements`: the dossier's model (operations-data.modelElements), for the
 * names and a gateway's ways. `onDone(result, action)` after a retry or skip went through; `onFailed()`
 * after one was refused (a failed retry counts an attempt in the log).
 */
export function incidentPanel(incident, { elements = [], level = 3, withDossier = false, onDone, onFailed = null }) {
  const heading = (text, attrs = {}) => h(`h${level + 1}`, attrs, text);
  const factsSlot = h("div", {}, facts(incident, { withDossier }));
  const refreshFacts = async () => {
    try {
      clear(factsSlot, facts(await api("GET", `/incidents/${incident.id}`), { withDossier }));
    } catch (error) {
      console.warn("incident not reloaded", error);
    }
    await onFailed?.();
  };
  const dataNames = Object.keys(incident.task_data || {}).filter((name) => !name.startsWith("_"));
  const parts = [factsSlot, dataTable(incident.task_data, t("ops.incident.data_caption", { element: incident.element_name || incident.bpmn_id }))];
  if (!["retrying", "open"].includes(incident.state)) return h("div", { class: "incident" }, parts);

  // retry, with corrected data
  const retryData = dataEditor({ legend: t("ops.retry.data"), hint: t("ops.retry.data_hint"), names: dataNames });
  const retryReason = reasonField();
  const retryErrors = h("div");
  const retryButton = h("button", { type: "submit" }, t("ops.retry.submit"));
  const retryForm = h("form", { class: "card operation", novalidate: true, "aria-labelledby": `retry-title-${incident.id}` },
    heading(t("ops.retry.title"), { id: `retry-title-${incident.id}` }), h("p", { class: "hint" }, t("ops.retry.intro")),
    retryData.element, retryReason.element, retryErrors, h("div", { class: "actions" }, retryButton));
  retryForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await sendOperation(retryForm, retryButton, retryErrors, async () => {
      const data = retryData.read();
      const reason = retryReason.read();
      return api("POST", `/incidents/${incident.id}/retry`, { data, reason });
    }, { onFailure: refreshFacts });
    if (result) await onDone(result, "retried");
  });

  // skip, with a reason; a gateway is told its way
  const gateway = elements.find((e) => e.id === incident.bpmn_id && e.ways.length);
  let way = gateway ? wayField(elements, gateway.ways) : null;
  const waySlot = h("div", {}, way?.element);
  const skipData = dataEditor({ legend: t("ops.skip.data"), hint: t("ops.skip.data_hint"), names: dataNames, collapsed: true });
  const skipReason = reasonField();
  const skipErrors = h("div");
  const skipButton = h("button", { type: "submit", class: "danger" }, t("ops.skip.submit"));
  const skipForm = h("form", { class: "card operation", novalidate: true, "aria-labelledby": `skip-title-${incident.id}` },
    heading(t("ops.skip.title"), { id: `skip-title-${incident.id}` }), h("p", { class: "hint" }, t("ops.skip.intro")),
    skipReason.element, waySlot, skipData.element, skipErrors, h("div", { class: "actions" }, skipButton));
  skipForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await sendOperation(skipForm, skipButton, skipErrors, async () => {
      const reason = skipReason.read();
      const data = skipData.read();
      if (way && !way.control.value) way.fail(t("ops.skip.way_needed"));
      return api("POST", `/incidents/${incident.id}/skip`, { reason, data, flow_to: way?.control.value || null });
    }, {
      onFailure: async (error) => {
        const choices = error instanceof ApiError ? error.body.errors?.choices : null;
        if (Array.isArray(choices) && !way) { // the server names the ways the model did not show here
          way = wayField(elements, choices.map((to) => ({ to, flow: "" })));
          clear(waySlot, way.element);
          way.control.focus();
        }
        await refreshFacts();
      },
    });
    if (result) await onDone(result, "skipped");
  });
  return h("div", { class: "incident" }, parts, h("div", { class: "operations-grid" }, retryForm, skipForm));
}

// The audit trail's actions of incidents and repairs (workflows/repairs.py REPAIR_ACTIONS and incident.*).
const REPAIR_ACTIONS = ["instance.suspended", "instance.resumed", "instance.moved", "instance.migrated", "instance.migration_reverted"];
export const isOperation = (action) => action.startsWith("incident.") || REPAIR_ACTIONS.includes(action);

// --- a dossier's operations log ---------------------------------------------------------------------------

function dataLines(data, before = {}) {
  return Object.entries(data || {}).map(([name, value]) => (name in (before || {})
    ? t("ops.log.data_change", { name, old: plainValue(before[name]), new: plainValue(value) })
    : t("ops.log.data_set", { name, new: plainValue(value) })));
}

/** What an operation's audit event says: {title, lines}. */
export function describeOperation(event, elements = []) {
  const data = event.data || {};
  const name = (id) => elementLabel(elements, id);
  const reason = data.reason ? [t("ops.log.reason", { reason: data.reason })] : [];
  let lines = [];
  switch (event.action) {
    case "incident.opened":
    case "incident.failed_again":
      lines = [t("ops.log.at", { element: name(data.bpmn_id) }), t("ops.log.message", { message: data.message }),
        t("ops.log.attempts", { count: data.attempts }),
        data.next_retry_at ? t("ops.log.next_retry", { when: zonedTime(data.next_retry_at) }) : t("ops.log.waits")];
      break;
    case "incident.repair_failed":
      lines = [t("ops.log.message", { message: data.message }), t("ops.log.attempts", { count: data.attempts })];
      break;
    case "incident.retried":
    case "incident.skipped":
      lines = [t("ops.log.at", { element: name(data.bpmn_id) }), ...reason, ...dataLines(data.data, data.data_before),
        data.flow_to ? t("ops.log.way", { element: name(data.flow_to) }) : null].filter(Boolean);
      break;
    case "incident.resolved":
      lines = [t("ops.log.resolution", { how: resolutionLabel(data.resolution) })];
      break;
    case "instance.resumed":
      lines = [...reason, data.suspended_at ? t("ops.log.suspended_since", { who: data.suspended_by, when: zonedTime(data.suspended_at) }) : null].filter(Boolean);
      break;
    case "instance.moved":
      lines = [t("ops.log.move", { from: name(data.from), to: name(data.to) }), ...reason, ...dataLines(data.data)];
      break;
    case "instance.migrated":
      lines = [t("ops.log.versions", { from: data.from_version, to: data.to_version }),
        ...Object.entries(data.mapping || {}).map(([old, now]) => t("ops.log.mapped", { old, new: now })), ...reason,
        ...dataLines(data.data)];
      break;
    case "instance.migration_reverted":
      lines = [t("ops.log.back_to", { version: data.to_version }), ...reason];
      break;
    default:
      lines = reason;
  }
  return { title: tOr(`ops.action.${event.action}`, event.action), lines };
}

/** The operations log of dossier `code` in `slot`: refresh() reloads it and returns the events
 * (newest first); `linkToDossier` adds to each entry a link to it on the dossier's page. */
export function operationsLog(slot, code, { elements = () => [], linkToDossier = false } = {}) {
  let events = [];
  function entry(event, fresh) {
    const { title, lines } = describeOperation(event, elements());
    const link = linkToDossier ? h("a", { href: `/app/dossiers/${encodeURIComponent(code)}#op-${event.id}`, class: "log-link" },
      t("ops.log.open_in_dossier")) : null;
    return h("li", { class: `log-entry${fresh ? " is-new" : ""}`, id: linkToDossier ? null : `op-${event.id}`, tabindex: "-1",
      dataset: { action: event.action, event: event.id } },
    h("div", { class: "log-head" }, h("strong", { class: "log-title" }, title)),
    h("div", { class: "log-who muted" }, t("common.who_when", { who: whoLabel(event.actor), when: formatTime(event.occurred_at) })),
    lines.length ? h("ul", { class: "log-lines" }, lines.map((line) => h("li", {}, line))) : null, link);
  }
  return {
    get events() { return events; },
    /** Reload; entries newer than `since` (an event id) are marked new. */
    async refresh({ since = null } = {}) {
      try {
        events = await api("GET", `/dossiers/${encodeURIComponent(code)}/operations`);
        clear(slot, events.length ? h("ol", { class: "log ops-log" }, events.map((event) => entry(event, since !== null && event.id > since)))
          : h("p", { class: "muted" }, t("ops.log.empty")));
      } catch (error) {
        clear(slot, h("div", { class: "alert error", role: "alert" }, error.body?.message || error.message));
      }
      return events;
    },
  };
}
