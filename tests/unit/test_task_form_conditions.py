"""Task forms (engine/forms.py): the field order written down as `ui:order`, `if`/`then`/`else` and
`dependentRequired` validated with one message per field, each field named by its title; and the
messages said again in Vietnamese (api/validation_messages.py)."""

from __future__ import annotations

import json

import pytest

from api.validation_messages import localized, translate
from engine.errors import InvalidTaskData
from engine.forms import form_schema, validate_task_data

SIGN = {
    "type": "object", "required": ["decision"],
    "properties": {
        "decision": {"type": "string", "title": "Quyết định", "oneOf": [{"const": "approve"}, {"const": "refuse"}]},
        "reason": {"type": "string", "title": "Lý do từ chối"},
        "authorised": {"type": "boolean", "title": "Người khác nhận thay"},
        "authorisation": {"type": "string", "title": "Số giấy ủy quyền", "minLength": 3},
    },
    "allOf": [{"if": {"required": ["decision"], "properties": {"decision": {"const": "refuse"}}},
               "then": {"required": ["reason"]}}],
    "dependentRequired": {"authorised": ["authorisation"]},
}


def errors_of(data: dict) -> dict:
    with pytest.raises(InvalidTaskData) as raised:
        validate_task_data(SIGN, data, "Ký duyệt")
    return raised.value.details


def test_the_form_keeps_the_model_s_field_order_as_ui_order_though_json_sorts_keys():
    raw = json.dumps({"type": "object", "properties": {"opinion": {}, "note": {}, "missing_documents": {
        "type": "array", "items": {"type": "object", "properties": {"name": {}, "reason": {}}}}}})

    schema = form_schema({"form_schema": raw})

    assert schema["ui:order"] == ["opinion", "note", "missing_documents"]
    assert schema["properties"]["missing_documents"]["items"]["ui:order"] == ["name", "reason"]
    assert json.loads(json.dumps(schema, sort_keys=True))["ui:order"] == ["opinion", "note", "missing_documents"]


def test_a_designer_s_own_order_is_kept():
    raw = json.dumps({"type": "object", "ui:order": ["b", "a"], "properties": {"a": {}, "b": {}}})

    assert form_schema({"form_schema": raw})["ui:order"] == ["b", "a"]


def test_the_reason_is_required_only_when_refusing():
    validate_task_data(SIGN, {"decision": "approve"}, "Ký duyệt")

    assert errors_of({"decision": "refuse"}) == {"data": {"reason": ["This field is required."]},
                                                 "labels": {"reason": "Lý do từ chối"}}


def test_a_dependent_field_is_required_once_its_trigger_is_given_and_its_own_rules_apply():
    assert errors_of({"decision": "approve", "authorised": True})["data"] == {
        "authorisation": ["This field is required."]}
    assert errors_of({"decision": "approve", "authorised": True, "authorisation": "A1"})["data"] == {
        "authorisation": ["Enter at least 3 characters."]}


def test_a_choice_outside_the_list_and_a_missing_item_name_are_named_by_their_path():
    schema = {"type": "object", "properties": {"documents": {"type": "array", "items": {
        "type": "object", "required": ["name"], "properties": {"name": {"type": "string", "title": "Tên giấy tờ"}}}}}}
    with pytest.raises(InvalidTaskData) as raised:
        validate_task_data(schema, {"documents": [{"name": "Đơn"}, {}]}, "Kiểm tra")

    assert raised.value.details == {"data": {"documents.1.name": ["This field is required."]},
                                    "labels": {"documents.1.name": "Tên giấy tờ"}}
    assert errors_of({"decision": "maybe"})["data"] == {"decision": ["Choose one of the listed values."]}


@pytest.mark.parametrize("english, vietnamese", [
    ("Missing data for required field.", "Trường này là bắt buộc."),
    ("Length must be between 1 and 255.", "Trường này là bắt buộc (tối đa 255 ký tự)."),
    ("Length must be between 6 and 20.", "Độ dài phải từ 6 đến 20 ký tự."),
    ("Must be one of: in_person, post.", "Phải là một trong các giá trị: in_person, post."),
    ("Enter at least 3 characters.", "Nhập ít nhất 3 ký tự."),
    ("This field is required.", "Trường này là bắt buộc."),
    ("A sentence no template knows.", "A sentence no template knows."),
])
def test_validation_messages_are_said_in_vietnamese(english, vietnamese):
    assert translate(english, "vi") == vietnamese
    assert translate(english, "en") == english


def test_the_details_of_an_error_get_vietnamese_messages_and_each_field_s_label():
    details = {"json": {"applicant": {"full_name": ["Missing data for required field."]}},
               "detail": "Not a valid string."}

    assert localized(details, "vi") == {
        "json": {"applicant": {"full_name": ["Trường này là bắt buộc."]}},
        "detail": "Not a valid string.",  # the specific English explanation stays as it is
        "labels": {"applicant.full_name": "Họ và tên"},
    }
    assert localized(details, "en")["labels"] == {"applicant.full_name": "Full name"}
