"""A dossier whose model sets no end status ends processed, is listed at the desk among the results to
return, and the desk returns it from its page."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.api.models_at_work import LANE_ROLES
from tests.conftest import read_model
from tests.e2e.test_server import call, login, multipart
from tests.e2e.web.conftest import screenshot, sign_in


def processed_dossier(base: str) -> str:
    """Through the API: a model that sets no dossier_status, a procedure for it, a dossier run to its end."""
    admin, desk = login(base, "admin"), login(base, "desk")
    body, content_type = multipart("division_opinions.bpmn", read_model("division_opinions.bpmn"))
    status, deployed = call(base, "POST", "/api/v1/process-models", admin, body, content_type)
    assert status in (200, 201), deployed
    status, created = call(base, "POST", "/api/v1/procedures", admin, {
        "code": "LAY_Y_KIEN_WEB", "name": "Lấy ý kiến các phòng (thử)", "field": "Thử nghiệm",
        "processing_time_value": 3, "processing_time_unit": "working_days", "deciding_unit_code": "PHONG_GDTRH",
        "process_id": "lay_y_kien_cac_phong", "lane_roles": LANE_ROLES,
        "required_documents": [{"name": "Đơn đề nghị", "form": "original", "quantity": 1}]})
    assert status == 201, created
    status, dossier = call(base, "POST", "/api/v1/dossiers", desk, {
        "procedure_code": "LAY_Y_KIEN_WEB", "channel": "in_person",
        "applicant": {"full_name": "Lê Văn Cường", "id_number": "079204001888", "phone": "0912000888"},
        "data": {"divisions": ["Phòng Giáo dục trung học"]}})
    assert status == 201, dossier
    for user, data in (("specialist", {"opinion": "agree"}), ("leader", {})):
        token = login(base, user)
        _, [task] = call(base, "GET", f"/api/v1/tasks?dossier_code={dossier['code']}", token)
        status, done = call(base, "POST", f"/api/v1/tasks/{task['id']}/complete", token, {"data": data})
        assert status == 200, done
    assert done["dossier"]["status"] == 9
    return dossier["code"]


def test_the_desk_returns_a_dossier_whose_process_ended_processed(new_page, web_server):
    code = processed_dossier(web_server)
    desk = new_page()
    sign_in(desk, "desk", then="/app/desk")

    row = desk.locator("#returns tr", has_text=code)
    expect(row).to_contain_text("Trả kết quả tại Bộ phận một cửa")
    row.get_by_role("link", name=code).click()
    desk.wait_for_url(re.compile(f"/app/dossiers/{code}$"))
    expect(desk.locator("#task-name")).to_have_text("Trả kết quả")
    desk.get_by_label("Hình thức trả").select_option(label="Trực tiếp tại Bộ phận một cửa")
    desk.get_by_label("Người nhận kết quả").fill("Lê Văn Cường")
    expect(desk.locator('#return-form [data-path="postal_tracking_number"]')).to_be_hidden()  # by post only
    desk.get_by_role("button", name="Ghi nhận đã trả kết quả").click()

    expect(desk.locator("#flash")).to_contain_text("Đã ghi nhận trả kết quả")
    expect(desk.locator("#status-badge")).to_contain_text("Đã trả kết quả")
    expect(desk.locator("#task-section")).to_be_hidden()
    screenshot(desk, "dossier-returned-at-the-desk")
    desk.goto("/app/desk")
    expect(desk.locator("#returns")).not_to_contain_text(code)
    assert desk.console_errors == []
