// Two actions of the 2025 rules on the dossier page (docs/user-guide.md): stopping a dossier's
// processing on one of the administrator's grounds (form 05), for the roles the rules name; and, for
// a dossier received at another service centre, its paper documents' transfer: sent by that
// centre's desk (with the tracking number), arrival recorded by the department's desk.
import { api, busy, clear, field, formatTime, h, hasRole, lang, t } from "./common.js";

const STOPPABLE = new Set([2, 4, 5, 6, 7]);

/** The "Dừng giải quyết hồ sơ" form, shown while the dossier may be stopped by this user. */
export async function renderStopping(path, user, dossier, refresh) {
  const section = document.getElementById("stop-section");
  const slot = document.getElementById("stop");
  const rules = await api("GET", "/stopping-rules");
  section.hidden = !(STOPPABLE.has(dossier.status) && hasRole(user, ...rules.roles));
  if (section.hidden) return;
  const ground = h("select", { name: "ground", required: true },
    h("option", { value: "" }, t("stop.choose_ground")),
    ...rules.grounds.map((g) => h("option", { value: g.code, dataset: { details: String(g.details_required) } },
      lang === "en" ? g.en : g.vi)));
  const details = h("textarea", { name: "details", rows: 3, maxlength: 2000 });
  const error = h("div", { role: "alert" });
  const button = h("button", { type: "submit", class: "danger" }, t("stop.submit"));
  const form = h("form", { novalidate: true },
    field("stop-ground", t("stop.ground"), ground),
    field("stop-details", t("stop.details"), details, t("stop.details_hint")),
    h("p", { class: "muted" }, t("stop.warning")), button, error);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    // said here in the reader's words; the server checks the same
    const chosen = ground.selectedOptions[0];
    const missing = !ground.value ? t("stop.ground_required")
      : chosen.dataset.details === "true" && !details.value.trim() ? t("stop.details_required") : null;
    if (missing) {
      clear(error, h("div", { class: "alert error" }, missing));
      return;
    }
    busy(button, error, async () => {
      await api("POST", `${path}/stop`, { ground: ground.value, details: details.value });
      await refresh();
    });
  });
  clear(slot, form);
}

const METHODS = ["post", "courier", "in_person"];

/** The papers' journey of a dossier received at another centre (hidden for the others). */
export async function renderPapers(path, user, dossier, refresh) {
  const section = document.getElementById("papers-section");
  const slot = document.getElementById("papers");
  section.hidden = !dossier.receiving_unit;
  if (section.hidden) return;
  let transfer = null;
  try {
    transfer = await api("GET", `${path}/papers`);
  } catch (error) {
    if (error.status !== 404) throw error;
  }
  const atCentre = user.unit_code === dossier.receiving_unit.code;
  const facts = [h("p", {}, t("papers.received_at", { unit: dossier.receiving_unit.name }))];
  let action = null;
  const error = h("div", { role: "alert" });
  if (transfer) {
    facts.push(h("p", {}, t("papers.sent", {
      when: formatTime(transfer.sent_at), method: t(`papers.method_${transfer.method}`),
      number: transfer.tracking_number ? t("papers.number", { number: transfer.tracking_number }) : "" })));
    facts.push(h("p", {}, transfer.arrived_at ? t("papers.arrived", { when: formatTime(transfer.arrived_at) })
      : t("papers.not_arrived")));
    if (!transfer.arrived_at && !atCentre && hasRole(user, "desk_officer")) {
      const button = h("button", { type: "button" }, t("papers.record_arrival"));
      button.addEventListener("click", () => busy(button, error, async () => {
        await api("POST", `${path}/papers/arrival`, { note: "" });
        await refresh();
      }));
      action = h("div", { class: "toolbar" }, button);
    }
  } else if (atCentre && hasRole(user, "desk_officer")) {
    const method = h("select", { name: "method" }, ...METHODS.map((m) => h("option", { value: m }, t(`papers.method_${m}`))));
    const number = h("input", { name: "tracking_number", maxlength: 100 });
    const button = h("button", { type: "submit" }, t("papers.send"));
    action = h("form", { novalidate: true }, field("papers-method", t("papers.method"), method),
      field("papers-number", t("papers.tracking_number"), number), button);
    action.addEventListener("submit", (event) => {
      event.preventDefault();
      if (method.value !== "in_person" && !number.value.trim()) {  // the server checks the same
        clear(error, h("div", { class: "alert error" }, t("papers.number_required")));
        return;
      }
      busy(button, error, async () => {
        await api("POST", `${path}/papers`, { method: method.value, tracking_number: number.value });
        await refresh();
      });
    });
  } else {
    facts.push(h("p", { class: "muted" }, t("papers.not_sent")));
  }
  clear(slot, ...facts, action, error);
}
