"""What the web pages ask of the API beyond the rest: an inbox filtered by procedure and status and
sorted by urgency, and a dossier's diagram with where it stands."""

from __future__ import annotations

from datetime import datetime

from tests.conftest import read_model


def tasks(api, user: str, **query) -> list[dict]:
    response = api.get("/api/v1/tasks", user=user, query_string=query)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_inbox_filters_by_procedure_and_dossier_status(api):
    transfer = api.receive()["code"]
    copy = api.receive("CAP_BAN_SAO_VAN_BANG")["code"]
    api.complete(copy, "desk", "check_dossier", {"check_result": "complete"})

    by_procedure = tasks(api, "desk", procedure_code="CAP_BAN_SAO_VAN_BANG")
    assert {t["dossier_code"] for t in by_procedure} <= {copy}
    received = tasks(api, "desk", dossier_status=2)
    assert transfer in {t["dossier_code"] for t in received}
    assert copy not in {t["dossier_code"] for t in received}
    task = next(t for t in received if t["dossier_code"] == transfer)
    assert (task["dossier_status"], task["dossier_status_label"]) == (2, "Đã tiếp nhận")
    assert task["procedure_name"].startswith("Chuyển trường")
    assert task["applicant_name"] == "Nguyễn Văn An"


def test_the_inbox_sorted_by_due_puts_the_most_urgent_first(api):
    api.receive()  # its result is due at the end of the next working session
    api.receive("CAP_BAN_SAO_VAN_BANG")  # the same working day
    api.receive()

    urgency = [datetime.fromisoformat(t["due_at"] or t["dossier_due_at"]) for t in tasks(api, "desk", sort="due")]
    assert len(set(urgency)) >= 2
    assert urgency == sorted(urgency)
    assert api.get("/api/v1/tasks", user="desk", query_string={"sort": "name"}).status_code == 422


def test_the_diagram_shows_what_the_dossier_completed_and_where_it_is(api):
    code = api.receive()["code"]
    diagram = api.get(f"/api/v1/dossiers/{code}/diagram", user="desk").get_json()
    assert diagram["process_id"] == "chuyen_truong_thpt"
    assert diagram["bpmn_xml"].lstrip().startswith("<?xml")
    assert diagram["active"] == ["check_dossier"]
    assert "check_dossier" not in diagram["completed"]

    api.complete(code, "desk", "check_dossier", {"check_result": "complete"})
    diagram = api.get(f"/api/v1/dossiers/{code}/diagram", user="desk").get_json()
    assert "check_dossier" in diagram["completed"]
    assert "review" in diagram["active"]
    assert "Processing" not in diagram["active"]  # the running subprocess is where its steps are


def test_a_running_dossier_keeps_drawing_its_own_version_after_a_new_one_is_deployed(api):
    code = api.receive()["code"]
    renamed = "Kiểm tra, đối chiếu hồ sơ"
    model = read_model("chuyen_truong_thpt.bpmn").replace("Kiểm tra hồ sơ".encode(), renamed.encode())
    assert api.deploy(model, "chuyen_truong_thpt.bpmn").status_code == 201

    diagram = api.get(f"/api/v1/dossiers/{code}/diagram", user="specialist").get_json()
    assert diagram["version"] == 1
    assert renamed not in diagram["bpmn_xml"]


def test_the_diagram_of_an_unknown_dossier_is_not_found(api):
    response = api.get("/api/v1/dossiers/KHONG-CO/diagram", user="desk")
    assert response.status_code == 404
    assert response.get_json()["code"] == "not_found"


def received_for(api, full_name: str, id_number: str, procedure_code: str = "CHUYEN_TRUONG_THPT") -> str:
    applicant = {"full_name": full_name, "id_number": id_number, "phone": "0912345678",
                 "email": "", "address": "12 Lê Lợi, Phường 1"}
    return api.receive(procedure_code, applicant=applicant)["code"]


def test_the_inbox_searches_the_applicants_name_whatever_its_case_and_diacritics(api):
    hoa = received_for(api, "Trần Thị Hoà", "079204005555")
    dung = received_for(api, "Đặng Văn Dũng", "079204006666")

    assert {t["dossier_code"] for t in tasks(api, "desk", q="tran thi")} == {hoa}
    assert {t["dossier_code"] for t in tasks(api, "desk", q="TRẦN   hoà")} == {hoa}
    assert {t["dossier_code"] for t in tasks(api, "desk", q="dang dung")} == {dung}
    assert {t["dossier_code"] for t in tasks(api, "desk", q="Đặng")} == {dung}
    assert tasks(api, "desk", q="tran dung") == []  # every word must match


def test_the_inbox_searches_the_dossier_code_and_the_id_number(api):
    first = received_for(api, "Lê Văn Bình", "079204007777")
    second = received_for(api, "Lê Văn Bình", "079204008888", "CAP_BAN_SAO_VAN_BANG")

    assert [t["dossier_code"] for t in tasks(api, "desk", q=first)] == [first]
    assert {t["dossier_code"] for t in tasks(api, "desk", q=second[-4:])} == {second}  # its number of the day
    assert {t["dossier_code"] for t in tasks(api, "desk", q=first.lower())} == {first}
    assert {t["dossier_code"] for t in tasks(api, "desk", q="079204008888")} == {second}
    assert {t["dossier_code"] for t in tasks(api, "desk", q="8888")} == {second}
    assert {t["dossier_code"] for t in tasks(api, "desk", q="le binh")} == {first, second}


def test_the_inbox_search_takes_wildcards_literally_and_refuses_a_novel(api):
    received_for(api, "Phạm Văn Cường", "079204009999")
    assert tasks(api, "desk", q="%") == []
    assert tasks(api, "desk", q="_") == []
    assert len(tasks(api, "desk", q="   ")) >= 1  # an empty box searches nothing
    response = api.get("/api/v1/tasks", user="desk", query_string={"q": "x" * 101})
    assert response.status_code == 422
    assert "q" in str(response.get_json())


def test_the_inbox_search_stays_within_the_callers_tasks(api):
    code = received_for(api, "Võ Thị Mai", "079204001111")
    assert tasks(api, "leader", q="vo thi mai") == []
    assert {t["dossier_code"] for t in tasks(api, "desk", q="vo thi mai")} == {code}
