"""The seed procedures issue their result at the leader's signature as a PDF signed with the
department's key (here the test PKI's, timestamped by the loopback TSA), with a QR code to the
public verification page; anyone holding a file can check it is that result."""

from __future__ import annotations

import re
from io import BytesIO

import pytest

from api import create_app
from tests.api.conftest import ApiClient
from tests.signing_checks import byte_flipped, pyhanko_status, text_of, with_update_appended
from workflows.settings import SigningConfig

TITLES = {"CHUYEN_TRUONG_THPT": "GIẤY CHẤP THUẬN CHUYỂN TRƯỜNG",
          "CAP_BAN_SAO_VAN_BANG": "BẢN SAO VĂN BẰNG, CHỨNG CHỈ TỪ SỔ GỐC"}
DATA = {"student_name": "Nguyễn Minh Khoa", "from_school": "Trường THPT Lê Lợi", "to_school": "Trường THPT Hùng Vương",
        "diploma_name": "Bằng tốt nghiệp trung học phổ thông", "holder_name": "Trần Thị Bích Ngọc"}


@pytest.fixture
def settings(settings, pki, tsa):
    return settings.with_overrides(signing=pki.config(tsa), trust_roots=pki.root_pem)


@pytest.fixture(params=sorted(TITLES))
def procedure_code(request) -> str:
    return request.param


def approved(api, procedure_code: str) -> str:
    code = api.receive(procedure_code, data=DATA)["code"]
    api.complete(code, "desk", "check_dossier", {"check_result": "complete"})
    api.complete(code, "specialist", "review", {"opinion": "approve"})
    api.complete(code, "leader", "sign", {"decision": "approve"})
    return code


def only_result(api, code: str) -> dict:
    response = api.get(f"/api/v1/dossiers/{code}/results", user="desk")
    assert response.status_code == 200, response.get_json()
    [result] = response.get_json()
    return result


def download(api, code: str, result: dict) -> bytes:
    response = api.get(f"/api/v1/dossiers/{code}/results/{result['id']}", user="desk")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return response.data


def verify(api, result_id: str, content: bytes):
    return api.post(f"/api/v1/public/results/{result_id}/verification", content_type="multipart/form-data",
                    data={"file": (BytesIO(content), "ket-qua.pdf")})


def test_the_leaders_signature_issues_a_signed_timestamped_result_that_pyhanko_validates(api, pki, procedure_code):
    code = approved(api, procedure_code)

    result = only_result(api, code)
    pdf = download(api, code, result)
    status = pyhanko_status(pdf, pki.root_pem)
    assert (status.intact, status.valid, status.trusted, status.bottom_line) == (True, True, True, True)
    assert status.timestamp_validity is not None and status.timestamp_validity.trusted
    assert "Sở Giáo dục và Đào tạo tỉnh Thử nghiệm" in result["signer_subject"]
    assert result["signed_at"].endswith("+07:00") and result["timestamp_at"].endswith("+07:00")
    assert result["verification_path"] == f"/xac-minh/{result['id']}" and re.fullmatch(r"[0-9a-f]{32}", result["id"])


def test_the_result_reads_in_vietnamese_with_its_stamp_in_the_calendars_zone(api, procedure_code):
    code = approved(api, procedure_code)

    text = text_of(download(api, code, only_result(api, code)))
    assert TITLES[procedure_code] in text
    assert code in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Ký bởi: Sở Giáo dục và Đào tạo tỉnh Thử nghiệm" in text
    assert "Cơ quan: Sở Giáo dục và Đào tạo tỉnh Thử nghiệm" in text
    assert re.search(r"Thời gian ký: \d\d/\d\d/\d{4} \d\d:\d\d:\d\d \+07:00", text)
    expected = "Nguyễn Minh Khoa" if procedure_code == "CHUYEN_TRUONG_THPT" else "Trần Thị Bích Ngọc"
    assert expected in text


def test_the_history_records_the_issue_and_a_refusal_issues_nothing(api):
    code = approved(api, "CHUYEN_TRUONG_THPT")
    history = api.get(f"/api/v1/dossiers/{code}/history", user="desk").get_json()
    [issued] = [e for e in history if e["action"] == "dossier.result_issued"]
    assert issued["actor"] == "leader" and issued["data"]["kind"] == "transfer_acceptance"

    refused = api.receive()["code"]
    api.complete(refused, "desk", "check_dossier", {"check_result": "complete"})
    api.complete(refused, "specialist", "review", {"opinion": "refuse", "reason": "Không đủ điều kiện"})
    api.complete(refused, "leader", "sign", {"decision": "refuse", "reason": "Thiếu căn cứ"})
    assert api.get(f"/api/v1/dossiers/{refused}/results", user="desk").get_json() == []


def test_the_public_api_tells_who_issued_the_result_and_that_its_signature_is_valid(api):
    code = approved(api, "CAP_BAN_SAO_VAN_BANG")
    result = only_result(api, code)

    shown = api.get(f"/api/v1/public/results/{result['id']}").get_json()
    assert shown["dossier_code"] == code and shown["procedure_code"] == "CAP_BAN_SAO_VAN_BANG"
    assert shown["issuer"].startswith("Sở Giáo dục và Đào tạo tỉnh ")
    assert shown["title"] == "Bản sao văn bằng, chứng chỉ từ sổ gốc"
    assert shown["signature_valid"] is True and shown["problem"] == ""
    assert shown["signed_at"] == result["signed_at"] and shown["timestamp_at"] == result["timestamp_at"]
    assert "Sở Giáo dục và Đào tạo tỉnh Thử nghiệm" in shown["signer_subject"]
    assert "applicant" not in str(shown).lower() and "0912345678" not in str(shown)


def test_the_issued_file_matches_and_a_tampered_copy_fails_saying_how(api):
    code = approved(api, "CHUYEN_TRUONG_THPT")
    result = only_result(api, code)
    pdf = download(api, code, result)

    same = verify(api, result["id"], pdf).get_json()
    assert same["matches"] is True and same["same_file"] is True and same["signature"]["valid"] is True
    assert same["message"] == "Tệp trùng khớp với kết quả đã cấp; chữ ký số hợp lệ."

    flipped = verify(api, result["id"], byte_flipped(pdf)).get_json()
    assert flipped["matches"] is False and flipped["same_file"] is False
    assert flipped["signature"]["intact"] is False and "bị thay đổi sau khi ký" in flipped["message"]

    appended = verify(api, result["id"], with_update_appended(pdf)).get_json()
    assert appended["matches"] is False and appended["signature"]["intact"] is True
    assert appended["signature"]["whole_file"] is False and "thêm nội dung sau khi ký" in appended["message"]


def test_a_file_signed_by_an_untrusted_key_does_not_match(api, pki, settings, tmp_path):
    from workflows.signing.pades import sign_pdf

    code = approved(api, "CHUYEN_TRUONG_THPT")
    result = only_result(api, code)
    import datetime as dt
    from zoneinfo import ZoneInfo

    forged = sign_pdf(download(api, code, result), SigningConfig(pkcs12=pki.untrusted_p12,
                                                                 pkcs12_password_file=pki.password_file),
                      signed_at=dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")), reason="giả mạo",
                      field_name="Forged", font_cache=tmp_path)
    answer = verify(api, result["id"], forged).get_json()
    assert answer["matches"] is False and answer["signature"]["valid"] is False


def test_an_unknown_result_is_not_found_on_the_api_and_the_page(api):
    assert api.get("/api/v1/public/results/0123456789abcdef0123456789abcdef").status_code == 404
    assert verify(api, "0123456789abcdef0123456789abcdef", b"%PDF-1.7").status_code == 404
    page = api.get("/xac-minh/0123456789abcdef0123456789abcdef")
    assert page.status_code == 404 and "Không tìm thấy kết quả" in page.get_data(as_text=True)


def test_the_verification_page_shows_the_result_and_checks_an_uploaded_file_without_script(api):
    code = approved(api, "CHUYEN_TRUONG_THPT")
    result = only_result(api, code)
    pdf = download(api, code, result)

    page = api.get(f"/xac-minh/{result['id']}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<script" not in html
    assert code in html and "Giấy chấp thuận chuyển trường" in html and "Hợp lệ" in html
    assert 'enctype="multipart/form-data"' in html

    good = api.post(f"/xac-minh/{result['id']}", content_type="multipart/form-data",
                    data={"file": (BytesIO(pdf), "ket-qua.pdf")}).get_data(as_text=True)
    assert "Tệp trùng khớp với kết quả đã cấp; chữ ký số hợp lệ." in good
    bad = api.post(f"/xac-minh/{result['id']}", content_type="multipart/form-data",
                   data={"file": (BytesIO(byte_flipped(pdf)), "ket-qua.pdf")}).get_data(as_text=True)
    assert "Tệp không trùng khớp với kết quả đã cấp." in bad


def test_only_those_who_handle_the_dossier_list_and_download_its_results(api):
    code = approved(api, "CAP_BAN_SAO_VAN_BANG")
    result = only_result(api, code)

    assert api.get(f"/api/v1/dossiers/{code}/results", user="specialist").status_code == 403  # another unit
    assert api.get(f"/api/v1/dossiers/{code}/results/{result['id']}", user="clerk").status_code == 403
    assert api.get(f"/api/v1/dossiers/{code}/results", user="khaothi").status_code == 200


def test_a_key_that_cannot_be_opened_refuses_the_leaders_step_until_it_is_fixed(app, settings, seeded, tmp_path):
    wrong = tmp_path / "wrong.password"
    wrong.write_text("not the password\n")
    broken = create_app(settings.with_overrides(signing=SigningConfig(
        pkcs12=settings.signing.pkcs12, pkcs12_password_file=wrong)))
    client = ApiClient(broken.test_client())
    code = client.receive()["code"]
    client.complete(code, "desk", "check_dossier", {"check_result": "complete"})
    client.complete(code, "specialist", "review", {"opinion": "approve"})
    task = client.open_task(code, "leader", "sign")

    refused = client.post(f"/api/v1/tasks/{task['id']}/complete", user="leader", json={"data": {"decision": "approve"}})

    assert refused.status_code == 409 and refused.get_json()["code"] == "result_not_signed"
    assert "could not be signed" in refused.get_json()["message"]
    assert client.dossier(code)["status"] == 4 and client.open_task(code, "leader", "sign")["state"] == "ready"
    broken.extensions["motcua_engine"].dispose()
