// Users, roles and units: the list, a new user, a user's roles, unit, contacts and whether the
// account is active, and a new password (the existing /users endpoints).
import { api, clear, formatTime, h, t, table } from "./common.js";
import {
  checkbox, closeButton, guarded, labelled, loadUnits, openEditor,
  roleLabel, ROLES, say, submitting, unitName, unitSelect,
} from "./admin-common.js";
import { changeLog } from "./admin-log.js";

const USER_ACTIONS = ["user.created", "user.updated", "user.password_changed"];
const listSlot = document.getElementById("user-list");
const unitsSlot = document.getElementById("unit-list");
const editorSlot = document.getElementById("user-editor");
const createSlot = document.getElementById("user-create");
const errorSlot = document.getElementById("users-error");
const statusSlot = document.getElementById("users-status");
const log = changeLog(document.getElementById("users-log"));

let users = [];
let selected = null;

function showLog() {
  return log.show(selected
    ? { actions: USER_ACTIONS, subject: selected, scope: t("admin.log.of", { subject: selected }) }
    : { actions: USER_ACTIONS, scope: t("admin.log.all_users") });
}

function roleBoxes(chosen, legend) {
  const boxes = ROLES.map((role) => checkbox(roleLabel(role), chosen.includes(role), { value: role }));
  const fieldset = h("fieldset", { class: "roles" }, h("legend", {}, legend),
    h("div", { class: "check-row" }, boxes.map((b) => b.element)));
  boxes[0].input.dataset.path = "roles";
  return { fieldset, chosen: () => boxes.filter((b) => b.input.checked).map((b) => b.input.value) };
}

function renderList() {
  const rows = users.map((user) => {
    const edit = h("button", { type: "button", class: "secondary", "aria-label": t("admin.users.edit_one", { username: user.username }) },
      t("admin.users.edit"));
    edit.addEventListener("click", () => open(user.username));
    return h("tr", { class: user.username === selected ? "selected" : null, dataset: { username: user.username } },
      h("th", { scope: "row" }, user.username, user.demo ? h("div", { class: "hint" }, t("admin.users.demo")) : null),
      h("td", {}, user.full_name),
      h("td", {}, user.roles.map(roleLabel).join(", ")),
      h("td", {}, unitName(user.unit_code)),
      h("td", {}, h("span", { class: `badge ${user.active ? "on_track" : "neutral"}` },
        user.active ? t("admin.users.active") : t("admin.users.disabled"))),
      h("td", {}, formatTime(user.created_at)),
      h("td", {}, edit));
  });
  clear(listSlot, table([t("admin.field.username"), t("admin.field.full_name"), t("admin.field.roles"),
    t("admin.field.unit_code"), t("admin.users.status"), t("admin.users.created_at"), t("admin.procedures.actions")],
  rows, { caption: t("admin.users.caption") }));
}

function renderUnits(units) {
  const members = (code) => users.filter((user) => user.unit_code === code).length;
  clear(unitsSlot, table([t("admin.units.name"), t("admin.units.members")],
    units.map((unit) => h("tr", { dataset: { code: unit.code } },
      h("th", { scope: "row" }, unit.name, h("div", { class: "hint" }, h("code", {}, unit.code))),
      h("td", { class: "number" }, members(unit.code)))), { caption: t("admin.units.caption") }));
}

async function loadList() {
  const [list, units] = await Promise.all([api("GET", "/users"), loadUnits()]);
  users = list;
  renderList();
  renderUnits(units);
}

function createForm() {
  const username = h("input", { type: "text", autocomplete: "off", spellcheck: "false", autocapitalize: "none" });
  const fullName = h("input", { type: "text", autocomplete: "off" });
  const password = h("input", { type: "password", autocomplete: "new-password" });
  const roles = roleBoxes([], t("admin.field.roles"));
  const unit = unitSelect("");
  const email = h("input", { type: "email", autocomplete: "off" });
  const phone = h("input", { type: "tel", autocomplete: "off" });
  const errors = h("div");
  const create = h("button", { type: "submit" }, t("admin.users.create"));
  const form = h("form", { class: "card", novalidate: true, "aria-labelledby": "user-create-title" },
    h("h3", { id: "user-create-title" }, t("admin.users.create_title")),
    h("div", { class: "inline-fields" },
      labelled(t("admin.field.username"), username, { path: "username", hint: t("admin.users.username_hint") }),
      labelled(t("admin.field.full_name"), fullName, { path: "full_name" })),
    labelled(t("admin.users.password"), password, { path: "password", hint: t("admin.users.password_hint") }),
    roles.fieldset,
    labelled(t("admin.field.unit_code"), unit, { path: "unit_code" }),
    h("div", { class: "inline-fields" },
      labelled(t("admin.field.email"), email, { path: "email" }),
      labelled(t("admin.field.phone"), phone, { path: "phone" })),
    errors,
    h("div", { class: "actions" }, create));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    say(statusSlot, "");
    await submitting(create, errors, form, async () => {
      const user = await api("POST", "/users", {
        username: username.value.trim(), full_name: fullName.value.trim(), password: password.value,
        roles: roles.chosen(), unit_code: unit.value || null, email: email.value.trim(), phone: phone.value.trim(),
      });
      clear(createSlot, createForm());
      say(statusSlot, t("admin.users.created", { username: user.username }));
      await loadList();
      await showLog();
      listSlot.querySelector(`tr[data-username="${CSS.escape(user.username)}"] button`)?.focus();
    });
  });
  return form;
}

function editForm(user) {
  const fullName = h("input", { type: "text", value: user.full_name, autocomplete: "off" });
  const roles = roleBoxes(user.roles, t("admin.field.roles"));
  const unit = unitSelect(user.unit_code);
  const email = h("input", { type: "email", value: user.email || "", autocomplete: "off" });
  const phone = h("input", { type: "tel", value: user.phone || "", autocomplete: "off" });
  const active = checkbox(t("admin.users.account_active"), user.active);
  active.input.dataset.path = "active";
  const errors = h("div");
  const save = h("button", { type: "submit" }, t("admin.users.save"));
  const close = closeButton({ statusSlot, editorSlot, listSlot }, `tr[data-username="${CSS.escape(selected)}"]`, () => {
    selected = null;
    renderList();
    showLog();
  });

  const password = h("input", { type: "password", autocomplete: "new-password" });
  const passwordErrors = h("div");
  const setPassword = h("button", { type: "submit" }, t("admin.users.set_password"));
  const passwordForm = h("form", { class: "password-form", novalidate: true, "aria-labelledby": "user-password-title" },
    h("h4", { id: "user-password-title" }, t("admin.users.set_password_title")),
    labelled(t("admin.users.new_password"), password, { path: "password", hint: t("admin.users.password_hint") }),
    passwordErrors, h("div", { class: "actions" }, setPassword));
  passwordForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    say(statusSlot, "");
    await submitting(setPassword, passwordErrors, passwordForm, async () => {
      await api("PUT", `/users/${encodeURIComponent(user.username)}/password`, { password: password.value });
      password.value = "";
      say(statusSlot, t("admin.users.password_set", { username: user.username }));
      await showLog();
    });
  });

  const form = h("form", { novalidate: true, "aria-labelledby": "user-editor-title" },
    h("h3", { id: "user-editor-title", tabindex: "-1" }, t("admin.users.edit_title", { username: user.username })),
    labelled(t("admin.field.full_name"), fullName, { path: "full_name" }),
    roles.fieldset,
    labelled(t("admin.field.unit_code"), unit, { path: "unit_code" }),
    h("div", { class: "inline-fields" },
      labelled(t("admin.field.email"), email, { path: "email" }),
      labelled(t("admin.field.phone"), phone, { path: "phone" })),
    active.element,
    errors,
    h("div", { class: "actions" }, save, close));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    say(statusSlot, "");
    await submitting(save, errors, form, async () => {
      const saved = await api("PATCH", `/users/${encodeURIComponent(user.username)}`, {
        full_name: fullName.value.trim(), roles: roles.chosen(), unit_code: unit.value || null,
        email: email.value.trim(), phone: phone.value.trim(), active: active.input.checked,
      });
      users = users.map((u) => (u.username === saved.username ? saved : u));
      renderList();
      renderUnits(await loadUnits());
      const fresh = editForm(saved);
      clear(editorSlot, fresh);
      fresh.querySelector("button[type=submit]").focus();
      say(statusSlot, t("admin.users.saved", { username: saved.username }));
      await showLog();
    });
  });
  return h("div", { class: "card editor" }, form, passwordForm);
}

async function open(username) {
  selected = username;
  renderList();
  await openEditor({ errorSlot, statusSlot, editorSlot },
    () => api("GET", `/users/${encodeURIComponent(username)}`),
    editForm);
  await showLog();
}

export async function showUsers() {
  await guarded(errorSlot, async () => {
    await loadList();
    if (!createSlot.firstChild) clear(createSlot, createForm());
  });
  await showLog();
}
