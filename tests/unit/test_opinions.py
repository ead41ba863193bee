"""A step's data in the words of its form (workflows/opinions.py): labels, choice titles, the form's
order, fields a condition adds, groups; nothing the form does not ask for."""

from workflows.opinions import form_fields, labelled

REVIEW = {
    "type": "object",
    "ui:order": ["opinion", "note"],
    "properties": {
        "note": {"type": "string", "title": "Ý kiến thẩm định"},
        "opinion": {"type": "string", "title": "Đề xuất", "oneOf": [
            {"const": "approve", "title": "Đề nghị giải quyết"}, {"const": "refuse", "title": "Đề nghị từ chối"}]},
    },
    "if": {"properties": {"opinion": {"const": "refuse"}}},
    "then": {"properties": {"reason": {"type": "string", "title": "Lý do từ chối"}}, "required": ["reason"]},
    "dependentSchemas": {"opinion": {"properties": {"urgent": {"type": "boolean", "title": "Khẩn"}}}},
}


def test_the_fields_come_in_the_forms_order_with_those_a_condition_adds_after():
    assert list(form_fields(REVIEW)) == ["opinion", "note", "reason", "urgent"]


def test_a_choice_is_shown_by_its_title_and_each_field_by_its_label():
    shown = labelled(REVIEW, {"note": "Đủ giấy tờ", "opinion": "approve"})
    assert [(f["label"], f["kind"], f.get("choice")) for f in shown] == [
        ("Đề xuất", "choice", "Đề nghị giải quyết"), ("Ý kiến thẩm định", "text", None)]


def test_a_field_from_a_then_branch_and_a_boolean_are_labelled():
    shown = labelled(REVIEW, {"opinion": "refuse", "reason": "Sai tên", "urgent": False})
    assert [(f["label"], f["kind"], f["value"]) for f in shown] == [
        ("Đề xuất", "choice", "refuse"), ("Lý do từ chối", "text", "Sai tên"), ("Khẩn", "boolean", False)]


def test_empty_values_and_keys_the_form_does_not_ask_for_are_left_out():
    assert labelled(REVIEW, {"opinion": "approve", "note": "", "internal_flag": True}) == [
        {"key": "opinion", "label": "Đề xuất", "kind": "choice", "value": "approve", "choice": "Đề nghị giải quyết",
         "items": None}]


def test_a_group_keeps_its_rows_each_in_the_words_of_the_items_form():
    schema = {"type": "object", "properties": {"missing": {"type": "array", "title": "Giấy tờ thiếu", "items": {
        "type": "object", "properties": {"name": {"type": "string", "title": "Tên"}}}}}}
    [group] = labelled(schema, {"missing": [{"name": "Học bạ"}, {"name": "CCCD"}]})
    assert group["kind"] == "group"
    rows = [[(part["label"], part["value"]) for part in row] for row in group["items"]]
    assert rows == [[("Tên", "Học bạ")], [("Tên", "CCCD")]]


def test_a_task_without_a_form_shows_nothing():
    assert labelled(None, {"anything": 1}) == []
