"""What the engine refuses to deploy, and what it says about it."""

from __future__ import annotations

import pytest

from engine.errors import ModelInvalid
from engine.parsing import MAX_BPMN_BYTES, parse_model
from tests.conftest import duration_timer, read_model, with_review_timer
from tests.decision_tables import shipped_decisions

PARALLEL = read_model("parallel_review.bpmn")
LOOP = read_model("long_loop.bpmn")


def refusal(content: bytes, filename: str = "model.bpmn") -> ModelInvalid:
    with pytest.raises(ModelInvalid) as caught:
        parse_model(content, filename)
    return caught.value


def test_a_valid_model_gives_its_process_lanes_and_user_tasks():
    parsed = parse_model(PARALLEL, "parallel_review.bpmn")

    assert parsed.process_id == "tham_dinh_song_song"
    assert parsed.name == "Thẩm định song song (mô hình thử)"
    assert parsed.lanes == ["desk_officer", "specialist", "leader"]
    assert {t["bpmn_id"]: t["lane"] for t in parsed.user_tasks} == {
        "hand_back": "desk_officer", "intake": "desk_officer", "leader_review": "leader",
        "technical_review": "specialist"}


@pytest.mark.parametrize("name", ["chuyen_truong_thpt.bpmn", "cap_ban_sao_van_bang.bpmn"])
def test_the_seed_models_parse_with_three_lanes(name):
    parsed = parse_model(read_model(name), name, decisions=shipped_decisions())  # the diploma copy's fee table
    assert len(parsed.lanes) == 3
    assert {t["bpmn_id"] for t in parsed.user_tasks} >= {"check_dossier", "review", "sign", "return_result"}


def test_xml_that_is_not_well_formed_names_the_file_and_line():
    error = refusal(b'<?xml version="1.0"?>\n<definitions>\n  <process id="p">\n</definitions>\n', "hong.bpmn")

    assert error.details["file"] == "hong.bpmn"
    assert error.details["line"] == 4
    assert "not well-formed" in error.message


def test_a_document_that_is_not_bpmn_is_refused():
    error = refusal(b"<html><body>hello</body></html>")
    assert "bpmn:definitions" in error.message


def test_a_file_whose_process_is_marked_not_executable_is_refused_with_a_hint():
    content = PARALLEL.replace(b'isExecutable="true"', b'isExecutable="false"')

    error = refusal(content)

    [problem] = error.problems
    assert (problem.code, problem.element) == ("not_executable", "tham_dinh_song_song")
    assert "not executable" in error.message and 'isExecutable="true"' in problem.hint


def test_a_flow_to_a_missing_element_names_the_flow_and_its_line():
    content = PARALLEL.replace(b'<bpmn:sequenceFlow id="f5" sourceRef="technical_review" targetRef="join"/>',
                               b'<bpmn:sequenceFlow id="f5" sourceRef="technical_review" targetRef="ghost"/>')

    error = refusal(content)

    assert error.details["element"] == "f5"
    assert "ghost" in error.message
    line = content.decode().splitlines()[error.details["line"] - 1]
    assert 'id="f5"' in line


def test_a_boundary_event_on_a_missing_task_is_refused():
    content = read_model("chuyen_truong_thpt.bpmn").replace(b'attachedToRef="review"', b'attachedToRef="reveiw"')
    error = refusal(content)
    assert error.details["element"] == "Timer_ReviewOverdue"


def test_an_element_the_engine_cannot_run_is_named():
    content = PARALLEL.replace(b'<bpmn:parallelGateway id="split" name="T\xc3\xa1ch">',
                               b'<bpmn:complexGateway id="split" name="T\xc3\xa1ch">').replace(
        b"</bpmn:parallelGateway>\n    <bpmn:userTask id=\"technical_review\"",
        b"</bpmn:complexGateway>\n    <bpmn:userTask id=\"technical_review\"")

    error = refusal(content)

    assert error.details["element"] == "split"
    assert "complexGateway" in error.message


def test_a_duplicate_id_is_refused():
    content = PARALLEL.replace(b'<bpmn:userTask id="leader_review"', b'<bpmn:userTask id="intake"')
    error = refusal(content)
    assert error.details["element"] == "intake"


def test_a_condition_that_is_not_python_names_the_flow():
    content = LOOP.replace(b"counter &lt; target", b"counter &lt; &lt; target")
    error = refusal(content)
    assert error.details["element"] == "again"


def test_a_timer_that_is_not_python_is_refused_with_the_timer_hint():
    content = with_review_timer("chuyen_truong_thpt.bpmn", duration_timer("PT4H +"))
    error = refusal(content)
    assert error.details["element"] == "Timer_ReviewOverdue"
    [problem] = error.problems
    assert problem.code == "expression_syntax"
    assert "PT4H" in problem.hint and "ISO 8601" in problem.hint


def test_an_invalid_duration_is_refused_at_deployment():
    content = with_review_timer("chuyen_truong_thpt.bpmn", duration_timer('"PT4X"'))
    error = refusal(content)
    assert error.details["element"] == "Timer_ReviewOverdue"
    assert "ISO 8601" in error.message


def test_a_time_date_without_an_offset_is_refused():
    naive = '<bpmn:timeDate xsi:type="bpmn:tFormalExpression">"2026-12-01T08:00:00"</bpmn:timeDate>'
    content = with_review_timer("chuyen_truong_thpt.bpmn", naive)
    error = refusal(content)
    assert "offset" in error.message


def test_a_form_schema_that_is_not_json_schema_is_refused():
    content = PARALLEL.replace(b"&quot;type&quot;:&quot;integer&quot;", b"&quot;type&quot;:&quot;whole&quot;")
    error = refusal(content)
    assert error.details["element"] == "technical_review"


def test_external_entities_are_never_resolved():
    xxe = (b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
           b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&x;</bpmn:definitions>')
    error = refusal(xxe)
    assert "DTD" in error.message
    assert "root:" not in str(error.details)


def test_a_billion_laughs_file_is_refused_for_its_dtd_before_any_entity_is_expanded():
    lol = b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i else b"&lol;") * 10) for i in range(1, 10)
    ) + b']>\n<lolz>&lol9;</lolz>'
    error = refusal(lol)  # expanded, the file would be 10^9 "lol"s: the refusal comes from the DTD itself
    assert "DTD" in error.message
    assert "lol" * 100 not in str(error.details)


def test_a_file_over_the_size_limit_is_refused_before_parsing():
    error = refusal(b" " * (MAX_BPMN_BYTES + 1))
    assert "limit" in error.message


def test_deep_nesting_is_refused():
    deep = b"<a>" * 5000 + b"</a>" * 5000
    refusal(deep)
