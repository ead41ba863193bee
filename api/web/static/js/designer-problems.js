// The problems of a model or a decision table, as the API gives them (severity, code, element, line,
// message, hint, in the reader's language), listed: each with where it is and its fix, and, when the
// element is on the screen, a button that takes the reader to it.
import { h, t } from "./common.js";

/**
 * @param {object[]} problems
 * @param {(problem: object, index: number) => boolean} shown whether the problem's element is drawn
 * @param {(problem: object) => void} select takes the reader to the problem's element
 */
export function problemList(problems, shown, select) {
  return h("ol", { class: "problem-list" }, problems.map((problem, index) => {
    const drawn = Boolean(problem.element) && shown(problem, index);
    const where = [problem.element ? t("designer.error_at", { element: problem.element }) : null,
      problem.line ? t("designer.error_line", { line: problem.line }) : null].filter(Boolean).join(", ");
    const severity = h("span", { class: `severity ${problem.severity}` }, t(`designer.severity.${problem.severity}`));
    const message = drawn
      ? h("button", { type: "button", class: "link-button problem-target", dataset: { element: problem.element },
        title: t("designer.show_element", { element: problem.element }), onclick: () => select(problem) },
      problem.message)
      : h("span", { class: "problem-message" }, problem.message);
    const missing = problem.element && !drawn ? `; ${t("designer.not_on_diagram", { element: problem.element })}` : "";
    return h("li", { class: `problem ${problem.severity}` }, severity, " ", message,
      where ? h("span", { class: "problem-where" }, ` (${where}${missing})`) : null,
      problem.hint ? h("p", { class: "problem-hint" }, h("strong", {}, t("designer.fix")), " ", problem.hint) : null);
  }));
}

/** "N errors and M warnings…" above a refused file's list (`key`: the words, for a diagram or a table). */
export function problemsSummary(problems, key = "designer.problems_count") {
  const errors = problems.filter((p) => p.severity === "error").length;
  return h("p", {}, t(key, { errors, warnings: problems.length - errors }));
}

/** The problems of a refused upload (422 bpmn_invalid / dmn_invalid), or one made of its first error. */
export function problemsOf(error) {
  const details = error.body.errors || {};
  return details.problems?.length ? details.problems
    : [{ severity: "error", code: error.body.code, element: details.element || null, line: details.line || null,
      message: details.detail || error.body.message, hint: null }];
}
