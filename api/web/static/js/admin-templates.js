// Notification templates: every template in effect (bundled or the administrator's), and one
// edited and saved; the server renders it with a sample dossier first and says what is wrong.
import { api, clear, formatTime, h, t, table } from "./common.js";
import {
  audienceLabel, channelLabel, closeButton, guarded, kindLabel, labelled, openEditor, say, submitting,
} from "./admin-common.js";
import { changeLog } from "./admin-log.js";

const listSlot = document.getElementById("template-list");
const editorSlot = document.getElementById("template-editor");
const errorSlot = document.getElementById("templates-error");
const statusSlot = document.getElementById("templates-status");
const log = changeLog(document.getElementById("templates-log"));

let templates = [];
let selected = null;

const keyOf = (template) => `${template.kind}/${template.channel}`;
const nameOf = (template) => `${kindLabel(template.kind)} — ${channelLabel(template.channel)}`;

function showLog() {
  const template = templates.find((tpl) => keyOf(tpl) === selected);
  return log.show(template
    ? { prefix: "notification_template.", subject: selected, scope: t("admin.log.of", { subject: nameOf(template) }) }
    : { prefix: "notification_template.", scope: t("admin.log.all_templates") });
}

function renderList() {
  const rows = templates.map((template) => {
    const edit = h("button", { type: "button", class: "secondary", "aria-label": t("admin.templates.edit_one", { name: nameOf(template) }) },
      t("admin.templates.edit"));
    edit.addEventListener("click", () => open(template.kind, template.channel));
    return h("tr", { class: keyOf(template) === selected ? "selected" : null, dataset: { template: keyOf(template) } },
      h("th", { scope: "row" }, kindLabel(template.kind), h("div", { class: "hint" }, template.kind)),
      h("td", {}, channelLabel(template.channel)),
      h("td", {}, audienceLabel(template.audience)),
      h("td", {}, template.customized
        ? t("common.who_when", { who: template.updated_by, when: formatTime(template.updated_at) })
        : h("span", { class: "muted" }, t("admin.templates.bundled"))),
      h("td", {}, edit));
  });
  clear(listSlot, table([t("admin.templates.kind"), t("admin.templates.channel"), t("admin.field.audience"),
    t("admin.templates.changed"), t("admin.procedures.actions")], rows, { caption: t("admin.templates.caption") }));
}

async function loadList() {
  templates = await api("GET", "/notifications/templates");
  renderList();
}

function editor(template) {
  const audience = h("select", {}, ["applicant", "officers", "administrators", "account"].map((v) => h("option", { value: v }, audienceLabel(v))));
  audience.value = template.audience;
  const subject = h("input", { type: "text", value: template.subject || "", maxlength: "500" });
  const body = h("textarea", { rows: "10", class: "template-body", spellcheck: "false" });
  body.value = template.body;
  const errors = h("div");
  const save = h("button", { type: "submit" }, t("admin.templates.save"));
  const close = closeButton({ statusSlot, editorSlot, listSlot }, `tr[data-template="${CSS.escape(selected)}"]`, () => {
    selected = null;
    renderList();
    showLog();
  });
  const form = h("form", { class: "card editor", novalidate: true, "aria-labelledby": "template-editor-title" },
    h("h3", { id: "template-editor-title", tabindex: "-1" }, t("admin.templates.edit_title", { name: nameOf(template) })),
    h("p", { class: "muted" }, template.customized
      ? t("admin.templates.customized_by", { who: template.updated_by, when: formatTime(template.updated_at) })
      : t("admin.templates.bundled_note")),
    labelled(t("admin.field.audience"), audience, { path: "audience" }),
    labelled(t("admin.field.subject"), subject, { path: "subject", hint: t("admin.templates.subject_hint") }),
    labelled(t("admin.field.body"), body, { path: "body",
      hint: template.channel === "sms" ? `${t("admin.templates.body_hint")} ${t("admin.templates.sms_hint")}` : t("admin.templates.body_hint") }),
    errors,
    h("div", { class: "actions" }, save, close));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    say(statusSlot, "");
    await submitting(save, errors, form, async () => {
      const saved = await api("PUT", `/notifications/templates/${encodeURIComponent(template.kind)}/${encodeURIComponent(template.channel)}`,
        { audience: audience.value, subject: subject.value, body: body.value });
      templates = templates.map((tpl) => (keyOf(tpl) === keyOf(saved) ? saved : tpl));
      renderList();
      const fresh = editor(saved);
      clear(editorSlot, fresh);
      fresh.querySelector("button[type=submit]").focus();
      say(statusSlot, t("admin.templates.saved", { name: nameOf(saved) }));
      await showLog();
    });
  });
  return form;
}

async function open(kind, channel) {
  selected = `${kind}/${channel}`;
  renderList();
  await openEditor({ errorSlot, statusSlot, editorSlot },
    () => api("GET", `/notifications/templates/${encodeURIComponent(kind)}/${encodeURIComponent(channel)}`),
    editor);
  await showLog();
}

export async function showTemplates() {
  await guarded(errorSlot, loadList);
  await showLog();
}
