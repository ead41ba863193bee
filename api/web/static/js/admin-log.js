// The change log beside each section: who changed what, newest first, from GET /audit-events.
import { api, clear, formatDate, formatTime, h, t, tOr } from "./common.js";
import {
  adminErrorBox, audienceLabel, channelLabel, counted, formatPeriod, kindLabel, roleLabel, unitName, weekdayLabel,
} from "./admin-common.js";

const PER_PAGE = 15;

// --- values as people read them ---------------------------------------------------------------

function nothing() {
  return t("admin.log.nothing");
}

function plain(value) {
  if (value === null || value === undefined || value === "") return nothing();
  if (typeof value === "boolean") return value ? t("common.yes") : t("common.no");
  if (Array.isArray(value)) return value.length ? value.map(plain).join(", ") : nothing();
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

const VALUE_OF = {
  processing_time_unit: (v) => (v ? t(`admin.time_unit.${v}`) : nothing()),
  clock_on_wait: (v) => tOr(`admin.clock.${v}`, plain(v)),
  deciding_unit_code: (v) => unitName(v),
  unit_code: (v) => (v ? unitName(v) : t("admin.users.no_unit")),
  unit: (v) => (v ? unitName(v) : t("admin.users.no_unit")),
  roles: (v) => (v?.length ? v.map(roleLabel).join(", ") : nothing()),
  default_role: (v) => (v ? roleLabel(v) : nothing()),
  working_weekdays: (v) => (v?.length ? v.map(weekdayLabel).join(", ") : nothing()),
  sessions: (v) => (v?.length ? v.map(([start, end]) => `${start}–${end}`).join(", ") : nothing()),
  audience: (v) => audienceLabel(v),
  kind: (v) => tOr(`admin.day.${v}`, plain(v)),
};

function valueOf(field, value) {
  return (VALUE_OF[field] || plain)(value);
}

function fieldLabel(field) {
  return tOr(`admin.field.${field}`, field);
}

function change(field, before, after) {
  return t("admin.log.change", { field: fieldLabel(field), old: valueOf(field, before), new: valueOf(field, after) });
}

function stepLines(before, after) {
  const keys = [...new Set([...Object.keys(before || {}), ...Object.keys(after || {})])].sort();
  return keys.filter((key) => JSON.stringify(before?.[key]) !== JSON.stringify(after?.[key])).map((key) => {
    const old = before?.[key] ? formatPeriod(before[key].value, before[key].unit) : nothing();
    const now = after?.[key] ? formatPeriod(after[key].value, after[key].unit) : nothing();
    return t("admin.log.step", { key: tOr(`admin.step.${key}`, key), old, new: now });
  });
}

function documentLines(before, after) {
  const names = (list) => (list || []).map((d) => d.name);
  const added = names(after).filter((name) => !names(before).includes(name));
  const removed = names(before).filter((name) => !names(after).includes(name));
  const lines = [];
  if (added.length) lines.push(t("admin.log.docs_added", { names: added.join("; ") }));
  if (removed.length) lines.push(t("admin.log.docs_removed", { names: removed.join("; ") }));
  if (!lines.length) lines.push(t("admin.log.docs_changed"));
  return lines;
}

/** Lines for {field: {old, new}} (or {from, to}) changes. */
function changeLines(changes) {
  const lines = [];
  for (const [field, values] of Object.entries(changes || {})) {
    const before = "old" in values ? values.old : values.from;
    const after = "new" in values ? values.new : values.to;
    if (field === "step_allocations") lines.push(...stepLines(before, after));
    else if (field === "required_documents") lines.push(...documentLines(before, after));
    else lines.push(change(field, before, after));
  }
  return lines.length ? lines : [t("admin.log.no_change")];
}

function textDiff(before, after) {
  if (!before) return null;
  const changed = ["subject", "body", "audience"].filter((field) => (before[field] || "") !== (after[field] || ""));
  if (!changed.length) return null;
  return h("details", {}, h("summary", {}, t("admin.log.show_text")),
    changed.map((field) => h("div", { class: "log-text" },
      h("div", { class: "muted" }, fieldLabel(field)),
      h("del", {}, field === "audience" ? audienceLabel(before[field]) : before[field] || nothing()),
      h("ins", {}, field === "audience" ? audienceLabel(after[field]) : after[field] || nothing()))));
}

/** What an event says: a title, what it is about, lines of detail, and maybe an extra node. */
export function describe(event) {
  const data = event.data || {};
  const title = tOr(`admin.action.${event.action}`, event.action);
  let subject = event.subject;
  let lines = [];
  let extra = null;
  switch (event.action) {
    case "procedure.created":
      lines = [t("admin.log.statutory", { period: formatPeriod(data.processing_time_value, data.processing_time_unit) })];
      break;
    case "procedure.updated":
    case "calendar.settings_updated":
    case "user.updated":
    case "agency.updated":
      lines = changeLines(data.changes);
      if (event.action === "calendar.settings_updated") subject = null;
      break;
    case "calendar.exception_added":
    case "calendar.exception_deleted": {
      const day = event.subject ? new Date(`${event.subject}T00:00:00Z`).getUTCDay() : null;
      subject = event.subject ? `${weekdayLabel((day + 6) % 7)} ${formatDate(event.subject)}` : null;
      lines = [`${valueOf("kind", data.kind)}: ${data.reason || ""}`];
      break;
    }
    case "user.created":
      lines = [`${fieldLabel("roles")}: ${valueOf("roles", data.roles)}`,
        `${fieldLabel("unit_code")}: ${valueOf("unit", data.unit)}`];
      break;
    case "indicators.updated":
      subject = null;
      lines = Object.entries(data.changes || {}).map(([key, values]) => {
        const [code, name] = key.split(".");
        const field = `${data.names?.[code] || code} — ${t(`admin.log.indicator_${name}`)}`;
        return t("admin.log.change", { field, old: plain(values.from), new: plain(values.to) });
      });
      if (!lines.length) lines = [t("admin.log.no_change")];
      break;
    case "user.password_changed":
      lines = [counted("admin.log.tokens_revoked", data.tokens_revoked ?? 0)];
      break;
    case "notification_template.saved": {
      const [kind, channel] = (event.subject || "/").split("/");
      subject = `${kindLabel(kind)} — ${channelLabel(channel)}`;
      const before = data.before;
      const after = data.after || {};
      const changed = ["subject", "body", "audience"].filter((f) => (before?.[f] || "") !== (after[f] || ""));
      lines = before ? [changed.length ? t("admin.log.fields_changed", { fields: changed.map(fieldLabel).join(", ") })
        : t("admin.log.no_change")] : [t("admin.log.new_template")];
      extra = textDiff(before, after);
      break;
    }
    default:
      lines = Object.keys(data).length ? [plain(data)] : [];
  }
  return { title, subject, lines, extra };
}

function entry(event) {
  const { title, subject, lines, extra } = describe(event);
  return h("li", { class: "log-entry", dataset: { action: event.action, subject: event.subject || "" } },
    h("div", { class: "log-head" }, h("strong", { class: "log-title" }, title), subject ? ` · ${subject}` : null),
    h("div", { class: "log-who muted" },
      t("common.who_when", { who: tOr(`admin.actor.${event.actor}`, event.actor), when: formatTime(event.occurred_at) })),
    lines.length ? h("ul", { class: "log-lines" }, lines.map((line) => h("li", {}, line))) : null,
    extra);
}

/** A change log in `slot`: show({prefix, actions, subject, scope}) picks what it lists; refresh() reloads. */
export function changeLog(slot) {
  let filter = {};
  let page = 1;
  let list = null;
  let more = null;

  function query() {
    const params = new URLSearchParams({ page: String(page), per_page: String(PER_PAGE) });
    if (filter.prefix) params.set("action_prefix", filter.prefix);
    for (const action of filter.actions || []) params.append("action", action);
    if (filter.subject) params.set("subject", filter.subject);
    return `/audit-events?${params}`;
  }

  async function load(append) {
    try {
      const body = await api("GET", query());
      if (!append) {
        list = h("ol", { class: "log" });
        more = h("button", { type: "button", class: "secondary" }, t("admin.log.more"));
        more.addEventListener("click", () => {
          page += 1;
          more.disabled = true;
          load(true);
        });
        clear(slot, filter.scope ? h("p", { class: "muted log-scope" }, filter.scope) : null, list, more);
      }
      list.append(...body.items.map(entry));
      if (!list.children.length) list.replaceWith(list = h("ol", { class: "log" }, h("li", { class: "muted" }, t("admin.log.empty"))));
      more.hidden = !body.has_more;
      more.disabled = false;
    } catch (error) {
      clear(slot, adminErrorBox(error));
    }
  }

  return {
    show(next) {
      filter = next;
      page = 1;
      return load(false);
    },
    refresh() {
      page = 1;
      return load(false);
    },
  };
}
