// The administrator's page: procedures and deadlines, the working calendar, users and units,
// notification templates, each with its change log, the incidents of running dossiers and the
// national portal's outbox. One section shows at a time (#procedures, #calendar, #users, #templates,
// #incidents, #portal); each loads the first time it is shown.
import { startPage } from "./common.js";
import { loadUnits } from "./admin-common.js";
import { showCalendar } from "./admin-calendar.js";
import { showIncidents } from "./admin-incidents.js";
import { showPortal } from "./admin-portal.js";
import { showProcedures } from "./admin-procedures.js";
import { showTemplates } from "./admin-templates.js";
import { showUsers } from "./admin-users.js";

const SECTIONS = {
  procedures: showProcedures, calendar: showCalendar, users: showUsers, templates: showTemplates,
  incidents: showIncidents, portal: showPortal,
};
const loaded = new Set();

function current() {
  const name = location.hash.slice(1);
  return name in SECTIONS ? name : "procedures";
}

async function show({ focus }) {
  const name = current();
  for (const section of document.querySelectorAll(".admin-section")) section.hidden = section.id !== name;
  for (const link of document.querySelectorAll(".admin-tabs a")) {
    if (link.hash === `#${name}`) link.setAttribute("aria-current", "true");
    else link.removeAttribute("aria-current");
  }
  if (focus) document.getElementById(`${name}-title`).focus();
  if (!loaded.has(name)) {
    loaded.add(name);
    await SECTIONS[name]();
  }
  document.getElementById(name).dataset.ready = "true";
}

// The page is ready once the user is known and the units are loaded; a section link followed before
// that (a quick click) is shown, with its title focused, as soon as it is.
const ready = (async () => {
  if (!(await startPage({ roles: ["admin"] }))) return false;
  try {
    await loadUnits();
  } catch (error) {
    console.warn("units not loaded", error);
  }
  return true;
})();
window.addEventListener("hashchange", async () => {
  if (await ready) await show({ focus: true });
});
if (await ready) await show({ focus: false });
