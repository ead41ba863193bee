"""A form converted from Camunda Modeler's generated form, drawn by the task page's form renderer:
its fields in the modeller's order (the API sorts an object's keys), its choices by their labels,
its defaults filled in."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from engine.parsing import parse_model
from tests.conftest import read_model

DRAW = """async (schema) => {
  const { taskForm } = await import("/app/static/js/forms.js");
  const form = taskForm(schema);
  form.element.id = "converted";
  document.body.append(form.element);
  window.convertedForm = form;
}"""


def converted_review_form() -> dict:
    parsed = parse_model(read_model("camunda_candidate_groups.bpmn"), "camunda_candidate_groups.bpmn")
    raw = parsed.spec.task_specs["Activity_1ql3c4v"].extensions["properties"]["form_schema"]
    return json.loads(json.dumps(json.loads(raw), sort_keys=True))  # as GET /tasks/<id> sends it


def test_a_converted_form_shows_its_fields_in_the_modellers_order_with_labels_and_defaults(new_page):
    page = new_page()
    page.goto("/app/login")

    page.evaluate(DRAW, converted_review_form())

    form = page.locator("#converted")
    expect(form.locator("label")).to_have_text(
        ["Kết luận thẩm định *", "Số trang hồ sơ", "Ngày thẩm định", "Xử lý khẩn", "Ghi chú"])
    expect(form.get_by_label("Kết luận thẩm định").locator("option")).to_have_text(["—", "Đạt yêu cầu", "Không đạt"])
    expect(form.get_by_label("Số trang hồ sơ")).to_have_value("1")
    expect(form.get_by_label("Ngày thẩm định")).to_have_attribute("type", "date")
    form.get_by_label("Kết luận thẩm định").select_option(label="Đạt yêu cầu")
    form.get_by_label("Ngày thẩm định").fill("2026-12-02")
    assert page.evaluate("window.convertedForm.read()") == {
        "ket_luan": "dat", "so_trang": 1, "ngay_tham_dinh": "2026-12-02", "khan": False}
    assert page.console_errors == []
