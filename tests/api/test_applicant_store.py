"""Papers scanned at intake become signed digitised copies in the applicant's store, keyed by the ID
number; a later dossier of the same person is told what is already on file and reuses it without a
new upload; results join the store too, valid as long as their kind says."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
import time_machine
from PIL import Image
from sqlalchemy import select

from engine.clock import utcnow
from engine.models import AuditEvent
from tests.signing_checks import pyhanko_status, text_of
from workflows.models import ApplicantDocument, AttachmentBlob, DocumentReuse

ID_NUMBER = "079204001234"  # the applicant of ApiClient.receive


@pytest.fixture
def settings(settings, pki):
    return settings.with_overrides(signing=pki.config(), trust_roots=pki.root_pem)


def scan_pdf() -> bytes:
    image = BytesIO()
    Image.new("RGB", (400, 560), "white").save(image, "PDF")
    return image.getvalue()


def scan_jpeg() -> bytes:
    image = BytesIO()
    Image.new("RGB", (400, 560), (230, 230, 220)).save(image, "JPEG")
    return image.getvalue()


def attach(api, code: str, content: bytes, filename: str, document_name: str) -> dict:
    response = api.post(f"/api/v1/dossiers/{code}/attachments", user="desk", content_type="multipart/form-data",
                        data={"file": (BytesIO(content), filename), "category": "document",
                              "document_name": document_name})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def on_file(api, id_number: str = ID_NUMBER, procedure_code: str | None = "CHUYEN_TRUONG_THPT", user="desk"):
    query = {"procedure_code": procedure_code} if procedure_code else {}
    return api.get(f"/api/v1/applicants/{id_number}/documents", user=user, query_string=query)


def stored_copy(sessions, document_id: int) -> bytes:
    with sessions() as session:
        entry = session.get(ApplicantDocument, document_id)
        return session.get(AttachmentBlob, entry.sha256).content


@pytest.mark.parametrize(("content", "filename"), [(scan_pdf(), "hoc-ba.pdf"), (scan_jpeg(), "hoc-ba.jpg")])
def test_a_scanned_document_becomes_a_signed_digitised_copy_in_the_applicants_store(api, sessions, pki, content,
                                                                                     filename):
    code = api.receive()["code"]
    attachment = attach(api, code, content, filename, "Học bạ")

    [stored] = on_file(api).get_json()
    assert stored["kind"] == "digitised" and stored["document_name"] == "Học bạ" and stored["dossier_code"] == code
    assert stored["recorded_by"] == "desk" and stored["matches"] == ["Học bạ"] and stored["valid_until"] is None
    assert stored["filename"] == "hoc-ba-ban-sao-dien-tu.pdf"
    copy = stored_copy(sessions, stored["id"])
    assert pyhanko_status(copy, pki.root_pem).bottom_line is True
    assert "Ký bởi: Sở Giáo dục và Đào tạo tỉnh Thử nghiệm" in text_of(copy)
    assert attachment["sha256"] != stored_copy and attachment["filename"] == filename  # the scan kept as uploaded
    history = api.get(f"/api/v1/dossiers/{code}/history", user="desk").get_json()
    assert [e["data"]["document_name"] for e in history if e["action"] == "dossier.document_digitised"] == ["Học bạ"]


def test_a_later_dossier_of_the_same_person_reuses_the_stored_copy_without_a_new_upload(api, sessions):
    first = api.receive()["code"]
    attach(api, first, scan_pdf(), "hoc-ba.pdf", "Học bạ")
    second = api.receive()["code"]
    [stored] = on_file(api).get_json()

    response = api.post(f"/api/v1/dossiers/{second}/reused-documents", user="desk",
                        json={"document_id": stored["id"], "document_name": "Học bạ"})

    assert response.status_code == 201, response.get_json()
    linked = response.get_json()
    assert linked["document_name"] == "Học bạ" and linked["category"] == "document"
    with sessions() as session:
        entry = session.get(ApplicantDocument, stored["id"])
        assert linked["sha256"] == entry.sha256
        [reuse] = session.scalars(select(DocumentReuse)).all()
        assert (reuse.document_name, reuse.reused_by, reuse.attachment_id) == ("Học bạ", "desk", linked["id"])
    listed = api.get(f"/api/v1/dossiers/{second}/attachments", user="desk").get_json()
    assert [a["id"] for a in listed] == [linked["id"]]
    history = api.get(f"/api/v1/dossiers/{second}/history", user="desk").get_json()
    [event] = [e for e in history if e["action"] == "dossier.document_reused"]
    assert event["data"]["from_dossier"] == first


def test_another_person_and_another_checklist_item_see_nothing_on_file(api):
    code = api.receive()["code"]
    attach(api, code, scan_pdf(), "hoc-ba.pdf", "Học bạ")

    assert on_file(api, id_number="001099000111").get_json() == []
    assert on_file(api, procedure_code="CAP_BAN_SAO_VAN_BANG").get_json() == []  # no item named so
    stored = on_file(api).get_json()[0]
    refused = api.post(f"/api/v1/dossiers/{code}/reused-documents", user="desk",
                       json={"document_id": stored["id"], "document_name": "Đơn xin chuyển trường do cha mẹ hoặc "
                                                                            "người giám hộ ký"})
    assert refused.status_code == 409


def test_only_desk_officers_look_up_the_store_and_each_look_up_is_logged(api, sessions):
    assert on_file(api, user="specialist").status_code == 403
    assert on_file(api, user="leader").status_code == 403
    assert on_file(api).status_code == 200

    with sessions() as session:
        [event] = session.scalars(select(AuditEvent).where(AuditEvent.action == "applicant.documents_looked_up")).all()
        assert (event.actor, event.subject) == ("desk", ID_NUMBER)


def test_a_checklist_item_may_refuse_stored_copies_older_than_its_rule(api):
    code = api.receive()["code"]
    attach(api, code, scan_pdf(), "hoc-ba.pdf", "Học bạ")
    procedure = api.get("/api/v1/procedures/CHUYEN_TRUONG_THPT", user="admin").get_json()
    documents = [{**d, "reuse_valid_days": 5} if d["name"] == "Học bạ" else d
                 for d in procedure["required_documents"]]
    assert api.put("/api/v1/procedures/CHUYEN_TRUONG_THPT", user="admin",
                   json={"required_documents": documents}).status_code == 200

    assert [d["matches"] for d in on_file(api).get_json()] == [["Học bạ"]]
    with time_machine.travel(utcnow() + timedelta(days=6)):  # logins last a week in these tests
        assert on_file(api).get_json() == []


def test_an_issued_result_joins_the_store_and_leaves_it_when_it_expires(api, sessions):
    code = api.receive()["code"]
    api.complete(code, "desk", "check_dossier", {"check_result": "complete"})
    api.complete(code, "specialist", "review", {"opinion": "approve"})
    api.complete(code, "leader", "sign", {"decision": "approve"})

    [stored] = on_file(api, procedure_code=None).get_json()
    assert stored["kind"] == "result" and stored["document_name"] == "Giấy chấp thuận chuyển trường"
    with sessions() as session, session.begin():
        entry = session.get(ApplicantDocument, stored["id"])
        assert entry.valid_until - entry.recorded_at == timedelta(days=30)  # result_kinds.json
        entry.valid_until = utcnow() - timedelta(minutes=1)
    assert stored["recorded_by"] == "leader" and on_file(api, procedure_code=None).get_json() == []


def test_without_a_signing_key_a_scan_is_attached_but_not_digitised(api, app, sessions):
    from workflows.signing import context

    context.configure(signing=None, trust_roots=None, font_cache=None)
    code = api.receive()["code"]
    attach(api, code, scan_pdf(), "hoc-ba.pdf", "Học bạ")

    assert on_file(api).get_json() == []
    history = api.get(f"/api/v1/dossiers/{code}/history", user="desk").get_json()
    assert [e["data"]["reason"] for e in history if e["action"] == "dossier.document_not_digitised"] == [
        "no signing key is configured"]
