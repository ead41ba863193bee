// The dossier told as people read it: who someone is (full name and unit, not a login), what each
// step decided and wrote (in the words of its form), and each event of the history as a sentence in
// the reader's language, with local times.
import { formatTime, h, t, tOr } from "./common.js";
import { describeOperation, isOperation } from "./operations.js";

/** A person as the page names one: "Full Name (Unit)" (without the unit: `withUnit` false); an
 * account-less actor (the applicant online, the scheduler) in words; the login only for an
 * administrator (`showLogin`). */
export function personName(person, login, { showLogin = false, withUnit = true } = {}) {
  if (!person) return login ? tOr(`story.actor.${login}`, login) : "";
  const name = person.unit && withUnit ? t("story.person_unit", { name: person.full_name, unit: person.unit }) : person.full_name;
  return showLogin ? `${name} [${person.username}]` : name;
}

/** A person's name as an element, the login in its tooltip. */
export function personElement(person, login, options = {}) {
  return h("span", { class: "person", title: person ? person.username : null }, personName(person, login, options));
}

/** The fields a step was completed with, "Label: words; Label: words". */
export function opinionText(fields) {
  return (fields || []).map((field) => t("story.field", { label: field.label, text: field.text })).join("; ");
}

/** The fields as a definition list, a group's rows as a list. */
export function opinionList(fields) {
  return h("dl", { class: "facts opinion" }, (fields || []).flatMap((field) => [
    h("dt", {}, field.label),
    h("dd", {}, field.kind === "group"
      ? h("ul", {}, field.items.map((row) => h("li", {}, row.map((part) => part.text).join(" — "))))
      : field.text)]));
}

/** The panel "Ý kiến các bước": each completed step, who completed it and when, and what it wrote. */
export function opinionsPanel(steps, options = {}) {
  const done = steps.filter((step) => step.state === "completed");
  if (!done.length) return h("p", { class: "muted" }, t("story.no_opinions"));
  return h("ol", { class: "opinions" }, done.map((step) => h("li", { class: "opinion-step", dataset: { bpmnId: step.bpmn_id } },
    h("p", {}, h("strong", {}, step.name), " — ", personElement(step.handed_over_by_person, step.handed_over_by, options),
      h("span", { class: "muted" }, `, ${formatTime(step.handed_over_at)}`)),
    step.opinion && step.opinion.length ? opinionList(step.opinion) : h("p", { class: "muted" }, t("story.nothing_written")))));
}

const quoted = (text) => t("story.quoted", { text });
const statusName = (code) => (code === null || code === undefined ? "" : tOr(`status.${code}`, String(code)));
const channels = (messages) => [...new Set((messages || []).map((m) => tOr(`story.channel.${m.channel}`, m.channel)))].join(", ");

/** One event of the history as a sentence (`who` already in words). */
function sentence(event, who) {
  const d = event.data || {};
  const step = quoted(d.name || d.bpmn_id || "");
  const reason = d.reason ? t("story.reason", { reason: d.reason }) : "";
  switch (event.action) {
    case "instance.started": return t("story.instance_started", { who, version: d.version });
    case "instance.completed": return t("story.instance_completed");
    case "dossier.received":
      return t("story.received", { who, channel: tOr(`channel.${d.channel}`, d.channel), due: formatTime(d.due_at) });
    case "dossier.submitted_online": return t("story.submitted_online", { channel: tOr(`channel.${d.channel}`, d.channel) });
    case "task.completed": {
      const words = opinionText(event.opinion).replace(/[.;:\s]+$/, "");
      return words ? t("story.task_completed_with", { who, step, words }) : t("story.task_completed", { who, step });
    }
    case "task.claimed": return t("story.task_claimed", { who, step });
    case "task.unclaimed": return t("story.task_unclaimed", { who, step });
    case "task.cancelled": return t("story.task_cancelled", { step });
    case "dossier.status_changed": {
      const where = d.element_name ? t("story.at_element", { element: d.element_name }) : "";
      return t("story.status_changed", { who, from: statusName(d.from), to: statusName(d.to), where });
    }
    case "dossier.notice.supplement_request": {
      const documents = (d.documents || []).map((doc) => (doc.reason ? `${doc.name} (${doc.reason})` : doc.name)).join("; ");
      return t("story.notice_supplement_request", { who, documents: documents ? t("story.documents", { documents }) : "", reason });
    }
    case "dossier.notice.refusal": return t("story.notice_refusal", { who, reason });
    case "dossier.notice.apology": return t("story.notice_apology", { who, due: formatTime(d.new_due_at), reason });
    case "dossier.notice.withdrawal": return t("story.notice_withdrawal", { who, reason });
    case "dossier.notice.stop":
      return t("story.notice_stop", { who, ground: d.ground_name || d.ground || "", reason });
    case "instance.terminating": return t("story.instance_terminating", { who });
    case "instance.terminated": return t("story.instance_terminated");
    case "dossier.papers_sent":
      return t("story.papers_sent", { who, method: tOr(`story.papers_method.${d.method}`, d.method),
        number: d.tracking_number ? t("story.papers_number", { number: d.tracking_number }) : "" });
    case "dossier.papers_arrived": return t("story.papers_arrived", { who });
    case "dossier.notification":
      return t("story.notification", { kind: tOr(`admin.kind.${d.kind}`, d.kind), channels: channels(d.messages) });
    case "dossier.result_issued": return t("story.result_issued");
    case "dossier.result_not_issued": return t("story.result_not_issued");
    case "timer.fired": return t("story.timer_fired", { name: quoted(d.name || d.bpmn_id || ""), due: formatTime(d.due_at) });
    case "message.received": return t("story.message_received", { who, message: quoted(d.message) });
    case "dossier.attachment_added":
      return t("story.attachment_added", { who, file: quoted(d.filename), category: tOr(`dossier.category_${d.category}`, d.category) });
    case "dossier.document_digitised": return t("story.document_digitised", { document: quoted(d.document_name || "") });
    case "dossier.document_not_digitised": return t("story.document_not_digitised");
    case "dossier.document_reused":
      return t("story.document_reused", { who, document: quoted(d.document_name || ""), from: d.from_dossier });
    case "dossier.due_date_moved": return t("story.due_date_moved", { from: formatTime(d.from), to: formatTime(d.to) });
    case "dossier.withdrawal_requested": return t("story.withdrawal_requested", { who, reason });
    case "dossier.postal_delivery":
      return t("story.postal_delivery", { status: tOr(`story.postal.${d.status}`, d.status), when: formatTime(d.at),
        number: d.postal_tracking_number || "" });
    case "timers.retimed": return t("story.timers_retimed", { who, due: formatTime(d.due_at) });
    default: {
      const what = tOr(`action.${event.action}`, tOr(`ops.action.${event.action}`, event.action));
      const details = isOperation(event.action) ? describeOperation(event).lines.join("; ") : "";
      return t("story.other", { who, what, details: details ? `: ${details}` : "" });
    }
  }
}

/** The history as rows of a table: when, and what happened in a sentence; a person's unit is said
 * the first time the history names them. */
export function historyRows(events, options = {}) {
  const named = new Set();
  return events.map((event) => {
    const withUnit = !named.has(event.actor);
    named.add(event.actor);
    return h("tr", { dataset: { action: event.action } },
      h("td", { class: "when" }, formatTime(event.occurred_at)),
      h("td", { title: event.actor_person?.unit || null }, sentence(event, personName(event.actor_person, event.actor, { ...options, withUnit }))));
  });
}
