"""The printable forms 01-06: HTML, PDF with an embedded Vietnamese font, and the tracking book workbook."""

from __future__ import annotations

import io
import os
import tempfile
import unicodedata
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pypdfium2
import pytest
from pypdf import PdfReader

from api import create_app
from workflows.printable import render
from workflows.printable.render import FORMS, FontUnavailableError, render_html, render_pdf
from workflows.printable.xlsx import tracking_book_xlsx
from workflows.settings import Settings

VN = ZoneInfo("Asia/Ho_Chi_Minh")
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CODE = "000.00.00.H00-261203-0001"


def at(month, day, hour=9, minute=0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VN)


def agency() -> dict:
    return {"province": "Sóc Trăng", "department": "Sở Giáo dục và Đào tạo",
            "center": "Trung tâm Phục vụ hành chính công", "desk": "Bộ phận tiếp nhận và trả kết quả"}


def dossier(**changes) -> dict:
    value = {
        "code": CODE,
        "procedure_code": "1.005095",
        "procedure_name": "Cấp bản sao văn bằng, chứng chỉ từ sổ gốc",
        "deciding_unit": "Phòng Khảo thí và Quản lý chất lượng giáo dục",
        "channel": "in_person",
        "channel_label": "Trực tiếp",
        "applicant": {"full_name": "Nguyễn Thị Hồng Nhung", "id_number": "094196001234",
                      "address": "Số 12 đường Trần Hưng Đạo, Phường Phú Lợi, tỉnh Sóc Trăng",
                      "phone": "0299 3821 456", "email": "hongnhung@example.vn"},
        "documents": [
            {"name": "Đơn đề nghị cấp bản sao văn bằng, chứng chỉ từ sổ gốc", "form_label": "Bản chính",
             "quantity": 1},
            {"name": "Căn cước công dân", "form_label": "Bản sao chứng thực", "quantity": 1},
            {"name": "Giấy ủy quyền (nếu nhận thay)", "form_label": "Bản sao", "quantity": 1},
        ],
        "sets": 1,
        "processing_time_label": "2 ngày làm việc",
        "received_at": at(12, 3, 14, 5),
        "due_at": at(12, 7, 17, 0),
        "appointment_at": None,
        "return_place": "Trung tâm Phục vụ hành chính công tỉnh Sóc Trăng",
        "fee_vnd": 50000,
        "fee_note": "",
        "book_volume": "01/2026",
        "book_entry": 1287,
        "received_by": "Trần Văn Được",
        "status_label": "Đang giải quyết",
    }
    value.update(changes)
    return value


def context(form: str) -> dict:
    base = {"agency": agency(), "printed_at": at(12, 3, 16, 20)}
    if form == "tracking-book":
        return base | {"period": {"from": date(2026, 12, 1), "to": date(2026, 12, 31)}, "rows": book_rows()}
    base["dossier"] = dossier()
    if form == "supplement-request":
        base["notice"] = {"created_at": at(12, 3, 15, 30), "created_by": "Trần Văn Được",
                          "documents": [{"name": "Căn cước công dân",
                                         "reason": "Bản sao chưa được chứng thực, đề nghị nộp bản sao chứng thực"}],
                          "reason": "Thành phần hồ sơ chưa đúng quy định.",
                          "contact": "ông Trần Văn Được, số điện thoại 0299 3822 333"}
    elif form == "refusal":
        base["notice"] = {"created_at": at(12, 3, 15, 30), "created_by": "Trần Văn Được",
                          "reason": "Văn bằng do cơ sở giáo dục ngoài tỉnh cấp, không thuộc thẩm quyền giải quyết."}
    elif form == "apology-extension":
        base["dossier"] = dossier(status_label="Quá hạn")
        base["notice"] = {"created_at": at(12, 8, 8, 30), "created_by": "Lê Quốc Hưng",
                          "reason": "Sổ gốc cấp văn bằng năm 1998 đang được phục chế, cần thêm thời gian tra cứu.",
                          "new_due_at": at(12, 10, 16, 30)}
    elif form == "stop-notice":
        base["dossier"] = dossier(status_label="Dừng xử lý", channel="online")
        base["notice"] = {"created_at": at(12, 9, 9, 0), "created_by": "Lê Quốc Hưng",
                          "ground": "Theo yêu cầu bằng văn bản của cơ quan nhà nước có thẩm quyền",
                          "reason": "Công văn số 125/TTr của Thanh tra tỉnh đề nghị tạm dừng để xác minh văn bằng.",
                          "contact": "ông Trần Văn Được, số điện thoại 0299 3822 333"}
    elif form == "process-control":
        base["steps"] = [
            {"step": "Tiếp nhận hồ sơ", "unit_from": "Bộ phận tiếp nhận và trả kết quả",
             "unit_to": "Phòng Khảo thí và Quản lý chất lượng giáo dục", "handed_over_at": at(12, 3, 14, 30),
             "received_at": at(12, 3, 15, 0), "completed_at": at(12, 3, 14, 30), "due_at": at(12, 3, 17, 0),
             "performer": "Trần Văn Được", "verdict": "early", "note": ""},
            {"step": "Thẩm định hồ sơ", "unit_from": "Phòng Khảo thí và Quản lý chất lượng giáo dục",
             "unit_to": "Lãnh đạo Sở", "handed_over_at": at(12, 7, 9, 0), "received_at": at(12, 7, 9, 15),
             "completed_at": at(12, 7, 17, 0), "due_at": at(12, 7, 17, 0), "performer": "Phạm Thị Thu Hà",
             "verdict": "on_time", "note": "Đã đối chiếu sổ gốc"},
            {"step": "Phê duyệt kết quả", "unit_from": "Lãnh đạo Sở",
             "unit_to": "Bộ phận tiếp nhận và trả kết quả", "handed_over_at": None, "received_at": None,
             "completed_at": at(12, 9, 10, 0), "due_at": at(12, 8, 17, 0), "performer": "Lê Quốc Hưng",
             "verdict": "late", "note": ""},
        ]
    return base


def book_rows() -> list[dict]:
    return [
        {"number": 1, "code": CODE, "procedure_name": "Cấp bản sao văn bằng, chứng chỉ từ sổ gốc", "sets": 1,
         "applicant_name": "Nguyễn Thị Hồng Nhung", "contact": "Phường Phú Lợi, tỉnh Sóc Trăng; 0299 3821 456",
         "deciding_unit": "Phòng Khảo thí và Quản lý chất lượng giáo dục", "received_at": at(12, 3, 14, 5),
         "due_at": at(12, 7, 17, 0), "handed_over_at": at(12, 3, 14, 30), "resolved_at": at(12, 9, 10, 0),
         "returned_at": at(12, 10, 8, 15), "note": "Trả qua bưu chính"},
        {"number": 2, "code": "000.00.00.H00-261204-0002",
         "procedure_name": "Công nhận trường mầm non đạt chuẩn quốc gia", "sets": 2,
         "applicant_name": "Trường Mầm non Hoa Sen", "contact": "Huyện Mỹ Xuyên; 0299 3851 777",
         "deciding_unit": "Phòng Giáo dục Mầm non", "received_at": at(12, 4, 8, 0), "due_at": at(12, 24, 17, 0),
         "handed_over_at": None, "resolved_at": None, "returned_at": None, "note": ""},
    ]


@pytest.fixture(scope="module")
def pdfs() -> dict[str, bytes]:
    """Every form rendered once for the whole module (WeasyPrint is the slow part)."""
    return {form: render_pdf(form, context(form)) for form in FORMS}


def pdf_text(pdf: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def font_descriptors(pdf: bytes) -> list[tuple[str, object]]:
    descriptors = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            described = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptors.append((str(font["/BaseFont"]), described["/FontDescriptor"].get_object()))
    return descriptors


def artifacts_dir() -> Path | None:
    """tests/artifacts/, created with a .gitignore that keeps it out of git; None if it cannot be written."""
    try:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / ".gitignore").write_text("*\n", encoding="utf-8")
    except OSError:
        return None
    return ARTIFACTS if os.access(ARTIFACTS, os.W_OK) else None


# --- HTML -----------------------------------------------------------------------------------

@pytest.mark.parametrize("form, title, number", [
    ("receipt", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "Mẫu số 01"),
    ("supplement-request", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "Mẫu số 02"),
    ("refusal", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", "Mẫu số 03"),
    ("apology-extension", "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT", "Mẫu số 04"),
    ("stop-notice", "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", "Mẫu số 05"),
    ("process-control", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", "Mẫu số 06"),
    ("tracking-book", "SỔ THEO DÕI HỒ SƠ", "Mẫu số 07"),
])
def test_every_form_of_circular_03_2025_renders_as_html_with_its_number_title_and_the_national_motto(form, title,
                                                                                                    number):
    html = render_html(form, context(form))
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="vi">' in html
    assert f"<h1>{title}</h1>" in html
    assert number in html
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in html
    assert "Độc lập - Tự do - Hạnh phúc" in html
    assert "Sóc Trăng, ngày" in html


def test_the_html_escapes_text_that_the_applicant_typed():
    data = context("receipt")
    data["dossier"]["applicant"]["full_name"] = "<script>alert('x')</script> Nguyễn Văn A"
    data["dossier"]["documents"][0]["name"] = 'Đơn <b onclick="x()">đề nghị</b> & phụ lục'
    html = render_html("receipt", data)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Nguyễn Văn A" in html
    assert "Đơn &lt;b onclick=&#34;x()&#34;&gt;đề nghị&lt;/b&gt; &amp; phụ lục" in html


def test_the_receipt_html_lists_the_documents_in_a_table_with_header_cells():
    html = render_html("receipt", context("receipt"))
    assert '<th scope="col">Tên giấy tờ</th>' in html
    assert "<td>Căn cước công dân</td>" in html
    assert "Bản sao chứng thực" in html
    assert "Quyển số: 01/2026, Số thứ tự: 1287" in html
    assert "Phí, lệ phí: 50.000 đồng" in html


def test_blank_values_leave_a_dotted_line_to_fill_in_by_hand():
    data = context("receipt")
    data["dossier"].update(received_at=None, due_at=None, book_volume="", book_entry=None, fee_vnd=0)
    data["dossier"]["applicant"]["email"] = ""
    html = render_html("receipt", data)
    assert f"Thời gian nhận hồ sơ: {render.BLANK}" in html
    assert f"Email: {render.BLANK}" in html
    assert f"Quyển số: {render.BLANK}, Số thứ tự: {render.BLANK}" in html
    assert "Không thu phí" in html


def test_a_receipt_reprinted_after_an_apology_shows_the_new_appointment():
    data = context("receipt")
    data["dossier"]["appointment_at"] = at(12, 10, 16, 30)
    html = render_html("receipt", data)
    assert "Thời gian hẹn lại trả kết quả: 16 giờ 30 phút, ngày 10 tháng 12 năm 2026" in html


def test_text_typed_with_combining_marks_is_printed_as_precomposed_vietnamese_letters():
    data = context("refusal")
    data["dossier"]["applicant"]["full_name"] = unicodedata.normalize("NFD", "Nguyễn Thị Hồng Nhung")
    assert "Nguyễn Thị Hồng Nhung" in render_html("refusal", data)
    raw_text = PdfReader(io.BytesIO(render_pdf("refusal", data))).pages[0].extract_text()
    assert "Nguyễn Thị Hồng Nhung" in raw_text


def test_a_missing_context_key_is_an_error_rather_than_an_empty_field():
    data = context("refusal")
    del data["notice"]["reason"]
    with pytest.raises(Exception, match="reason"):
        render_html("refusal", data)


def test_an_unknown_form_is_a_value_error_naming_the_known_forms():
    with pytest.raises(ValueError, match="receipt, supplement-request, refusal, apology-extension, stop-notice, "
                                         "process-control"):
        render_html("decision", context("receipt"))
    with pytest.raises(ValueError, match="tracking-book"):
        render_pdf("Receipt", context("receipt"))


# --- filters --------------------------------------------------------------------------------

def test_the_filters_print_vietnamese_dates_money_and_verdicts():
    assert render.hm_date(at(12, 3, 14, 5)) == "14 giờ 05 phút, ngày 03 tháng 12 năm 2026"
    assert render.date_vi(at(12, 3, 14, 5)) == "03/12/2026"
    assert render.date_vi(date(2026, 1, 9)) == "09/01/2026"
    assert render.long_date(date(2026, 12, 3)) == "ngày 03 tháng 12 năm 2026"
    assert render.datetime_vi(at(12, 3, 8, 7)) == "08:07 03/12/2026"
    assert render.money(50000) == "50.000 đồng"
    assert render.money(1250000) == "1.250.000 đồng"
    assert render.money(0) == "Không thu phí"
    assert [render.verdict(v) for v in ("early", "on_time", "late", None)] == ["Trước hạn", "Đúng hạn", "Quá hạn", ""]
    assert render.hm_date(None) == render.date_vi(None) == render.datetime_vi(None) == ""
    with pytest.raises(ValueError):
        render.verdict("soon")


def test_the_filters_do_not_convert_timezones():
    utc_evening = datetime(2026, 12, 3, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert render.hm_date(utc_evening) == "23 giờ 30 phút, ngày 03 tháng 12 năm 2026"


# --- PDF ------------------------------------------------------------------------------------

def test_the_receipt_pdf_shows_the_applicant_and_the_appointment_with_diacritics(pdfs):
    text = pdf_text(pdfs["receipt"])
    for expected in ("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                     "Độc lập - Tự do - Hạnh phúc", "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH SÓC TRĂNG",
                     "Nguyễn Thị Hồng Nhung", CODE, "Mẫu số 01", "Sóc Trăng, ngày 03 tháng 12 năm 2026",
                     "Thời gian nhận hồ sơ: 14 giờ 05 phút, ngày 03 tháng 12 năm 2026",
                     "Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 07 tháng 12 năm 2026",
                     "Căn cước công dân", "Bản sao chứng thực", "50.000 đồng", "Trần Văn Được",
                     "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ"):
        assert expected in text


def test_the_supplement_request_pdf_lists_what_to_complete_and_whom_to_ask(pdfs):
    text = pdf_text(pdfs["supplement-request"])
    for expected in ("PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "Nguyễn Thị Hồng Nhung", CODE,
                     "Bản sao chưa được chứng thực", "ông Trần Văn Được, số điện thoại 0299 3822 333",
                     "NGƯỜI HƯỚNG DẪN"):
        assert expected in text


def test_the_refusal_pdf_gives_the_reason(pdfs):
    text = pdf_text(pdfs["refusal"])
    for expected in ("PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", "Nguyễn Thị Hồng Nhung", CODE,
                     "không thuộc thẩm quyền giải quyết", "thông báo không tiếp nhận, giải quyết hồ sơ"):
        assert expected in text


def test_the_apology_pdf_asks_to_extend_names_the_old_and_new_dates_and_who_approved_it(pdfs):
    text = pdf_text(pdfs["apology-extension"])
    for expected in ("VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT", "đề nghị Ông/Bà đồng ý gia hạn",
                     "Việc gia hạn do Lê Quốc Hưng phê duyệt ngày 08/12/2026",
                     "Kính gửi: Ông/Bà Nguyễn Thị Hồng Nhung", CODE,
                     "ỦY BAN NHÂN DÂN TỈNH SÓC TRĂNG", "SỞ GIÁO DỤC VÀ ĐÀO TẠO",
                     "Vào 14 giờ 05 phút, ngày 03 tháng 12 năm 2026",
                     "17 giờ 00 phút, ngày 07 tháng 12 năm 2026", "16 giờ 30 phút, ngày 10 tháng 12 năm 2026",
                     "Sổ gốc cấp văn bằng năm 1998 đang được phục chế", "THỦ TRƯỞNG CƠ QUAN GIẢI QUYẾT HỒ SƠ",
                     "Lê Quốc Hưng", "Sóc Trăng, ngày 08 tháng 12 năm 2026"):
        assert expected in text


def test_the_stop_notice_pdf_names_the_ground_the_details_and_the_head_of_the_agency(pdfs):
    text = pdf_text(pdfs["stop-notice"])
    for expected in ("THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", "Mẫu số 05", "Kính gửi: Ông/Bà Nguyễn Thị Hồng Nhung", CODE,
                     "Căn cứ dừng giải quyết: Theo yêu cầu bằng văn bản của cơ quan nhà nước có thẩm quyền",
                     "Công văn số 125/TTr của Thanh tra tỉnh", "qua tài khoản của Ông/Bà trên Cổng Dịch vụ công",
                     "THỦ TRƯỞNG CƠ QUAN GIẢI QUYẾT HỒ SƠ", "Lê Quốc Hưng", "Sóc Trăng, ngày 09 tháng 12 năm 2026"):
        assert expected in text


def test_the_process_control_pdf_has_one_row_per_hand_over_with_its_verdict(pdfs):
    text = pdf_text(pdfs["process-control"])
    for expected in ("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", "Nguyễn Thị Hồng Nhung", CODE,
                     "Thẩm định hồ sơ", "Phạm Thị Thu Hà", "Trước hạn", "Đúng hạn", "Quá hạn",
                     "Đã đối chiếu sổ gốc", "14:30 03/12/2026"):
        assert expected in text


def test_the_tracking_book_pdf_is_landscape_with_every_dossier_of_the_period(pdfs):
    reader = PdfReader(io.BytesIO(pdfs["tracking-book"]))
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)
    text = pdf_text(pdfs["tracking-book"])
    for expected in ("SỔ THEO DÕI HỒ SƠ", "Từ ngày 01/12/2026 đến ngày 31/12/2026", "Nguyễn Thị Hồng Nhung",
                     "Trường Mầm non Hoa Sen", "Trang 1/1", "In lúc 16:20 03/12/2026"):
        assert expected in text
    unbroken = "".join(text.split())  # dossier codes wrap inside their narrow column
    assert CODE in unbroken and "000.00.00.H00-261204-0002" in unbroken


@pytest.mark.parametrize("form", FORMS)
def test_every_pdf_is_a4_and_embeds_its_fonts(pdfs, form):
    reader = PdfReader(io.BytesIO(pdfs[form]))
    width, height = sorted((float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)))
    assert (round(width), round(height)) == (595, 842)
    descriptors = font_descriptors(pdfs[form])
    assert descriptors
    for name, descriptor in descriptors:
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, name
    assert any("MotCua" in name for name, _ in descriptors)


@pytest.mark.parametrize("form", FORMS)
def test_page_one_of_every_pdf_renders_to_a_picture_with_ink_on_it(pdfs, form):
    document = pypdfium2.PdfDocument(pdfs[form])
    image = document[0].render(scale=1.5).to_pil().convert("L")
    document.close()
    dark = sum(image.histogram()[:96])
    assert dark > 2000
    directory = artifacts_dir()
    if directory is not None:
        image.save(directory / f"{form}.png")


# --- fonts ----------------------------------------------------------------------------------

def test_the_font_comes_from_the_pip_package_as_static_instances_cached_on_disk(monkeypatch):
    if not render.packaged_font_faces():
        pytest.skip("fontpkg-noto-serif is not installed")
    faces = render.resolve_font_faces()
    assert [(face.path.name.split("-")[1], face.weight, face.style) for face in faces] == [
        ("Regular", "400", "normal"), ("Bold", "700", "normal"), ("Italic", "400", "italic"),
        ("BoldItalic", "700", "italic")]
    assert all(face.path.is_file() and face.path.stat().st_size < 200_000 for face in faces)
    written = [face.path.stat().st_mtime_ns for face in faces]
    assert [face.path.stat().st_mtime_ns for face in render.resolve_font_faces()] == written
    monkeypatch.setattr(render, "font_cache_dir", lambda: None)
    variable = render.packaged_font_faces()
    assert [(face.weight, face.style) for face in variable] == [("100 900", "normal"), ("100 900", "italic")]
    assert all(face.path.name.startswith("NotoSerif") for face in variable)


@pytest.fixture
def font_cache_reset():
    yield
    render.configure(font_cache=None)


def test_the_font_cache_is_the_folder_the_app_factory_is_given_in_its_settings(tmp_path, font_cache_reset):
    app = create_app(Settings(data_dir=tmp_path, database_url="sqlite://", font_cache=tmp_path / "fonts"))
    app.extensions["motcua_engine"].dispose()

    assert render.font_cache_dir() == tmp_path / "fonts"
    assert (tmp_path / "fonts").is_dir()


def test_a_font_cache_that_cannot_be_made_gives_way_to_the_temporary_directory(tmp_path, font_cache_reset):
    (tmp_path / "a-file").write_text("not a folder")
    render.configure(font_cache=tmp_path / "a-file" / "fonts")

    assert render.font_cache_dir() == Path(tempfile.gettempdir()) / "motcua-fonts"


def test_the_system_dejavu_font_is_the_fallback_and_still_ends_up_embedded(monkeypatch):
    if not render.system_font_faces():
        pytest.skip(f"no DejaVu Serif in {render.SYSTEM_FONT_DIR}")
    monkeypatch.setattr(render, "packaged_font_faces", lambda: ())
    faces = render.resolve_font_faces()
    assert [face.path.name for face in faces][:2] == ["DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"]
    monkeypatch.setattr(render, "font_faces", lambda: faces)
    pdf = render_pdf("refusal", context("refusal"))
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in pdf_text(pdf)
    assert all("/FontFile2" in descriptor for _, descriptor in font_descriptors(pdf))


def test_without_any_usable_font_the_pdf_refuses_with_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(render, "packaged_font_faces", lambda: ())
    monkeypatch.setattr(render, "SYSTEM_FONT_DIR", tmp_path)
    with pytest.raises(FontUnavailableError, match="fontpkg-noto-serif"):
        render.resolve_font_faces()


# --- tracking book workbook -----------------------------------------------------------------

def test_the_tracking_book_workbook_has_a_title_the_period_a_header_and_one_row_per_dossier():
    workbook = openpyxl.load_workbook(io.BytesIO(tracking_book_xlsx(context("tracking-book"))))
    sheet = workbook.active
    assert sheet["A1"].value == "SỔ THEO DÕI HỒ SƠ"
    assert "Từ ngày 01/12/2026 đến ngày 31/12/2026" in sheet["A2"].value
    header = [cell.value for cell in sheet[3]]
    assert header[:3] == ["STT", "Mã hồ sơ", "Tên thủ tục hành chính"]
    assert "Ghi chú" in header
    first, second = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4)]
    assert first[:5] == [1, CODE, "Cấp bản sao văn bằng, chứng chỉ từ sổ gốc", 1, "Nguyễn Thị Hồng Nhung"]
    received = header.index("Nhận hồ sơ")
    assert first[received] == datetime(2026, 12, 3, 14, 5)
    assert sheet.cell(row=4, column=received + 1).number_format == "dd/mm/yyyy hh:mm"
    assert second[1] == "000.00.00.H00-261204-0002"
    assert second[header.index("Trả kết quả cho cá nhân, tổ chức")] is None
    assert sheet.column_dimensions["C"].width >= 30


def test_an_empty_tracking_book_still_has_its_header():
    data = context("tracking-book") | {"rows": []}
    sheet = openpyxl.load_workbook(io.BytesIO(tracking_book_xlsx(data))).active
    assert sheet.max_row == 3
    assert sheet["A3"].value == "STT"
    assert "Không có hồ sơ trong kỳ." in render_html("tracking-book", data)


def test_preparing_the_fonts_leaves_the_fonts_another_installation_prepared_in_a_shared_cache(
        tmp_path, font_cache_reset):
    # Two installations (virtualenvs) may share one cache folder while both serve: one must never
    # delete the files the other renders with.
    cache = tmp_path / "fonts"
    cache.mkdir()
    other = cache / "NotoSerif-Regular-0123456789ab.ttf"
    other.write_bytes(b"another installation's font")
    render.configure(font_cache=cache)

    faces = render.packaged_font_faces()

    assert faces and all(face.path.is_file() and face.path.parent == cache for face in faces)
    assert other.read_bytes() == b"another installation's font"
