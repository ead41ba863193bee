"""Input the fuzzer found breaking the service, now refused or handled: never a 500."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import load_workbook

HUGE = 2**63


@pytest.mark.parametrize("path", [
    f"/api/v1/process-models/chuyen_truong_thpt/versions/{HUGE}",
    f"/api/v1/notifications/outbox/{HUGE}/retry",
])
def test_an_integer_too_large_for_the_database_in_a_path_is_a_404(api, path):
    method = "POST" if path.endswith("retry") else "GET"
    response = api.client.open(path, method=method, headers={"Authorization": f"Bearer {api.token('admin')}"})
    assert response.status_code == 404 and response.get_json()["code"] == "not_found"


def test_a_page_beyond_any_list_is_refused(api):
    response = api.get("/api/v1/dossiers", user="desk", query_string={"page": 4611686018427387904})
    assert response.status_code == 422


@pytest.mark.parametrize("query", [
    {"from": "0001-01-01", "to": "0001-01-02"}, {"quarter": "9999-Q4"}, {"month": "0001-01"},
])
def test_dates_outside_what_the_service_counts_are_refused(api, query):
    assert api.get("/api/v1/reports/statistics", user="leader", query_string=query).status_code == 422


def test_a_due_date_question_far_in_the_future_is_refused(api):
    response = api.get("/api/v1/calendar/due-date", user="desk",
                       query_string={"received_at": "9999-12-31T00:00:00+00:00", "value": 1, "unit": "working_days"})
    assert response.status_code == 422


def test_a_holiday_country_the_package_does_not_know_is_refused_and_receipts_keep_working(api):
    response = api.put("/api/v1/calendar/settings", user="admin", json={"holiday_country": "XX"})
    assert response.status_code == 422
    assert "XX" in response.get_json()["errors"]["detail"]
    assert api.receive()["status"] == 2


def test_a_control_character_in_a_name_does_not_break_the_excel_exports(api):
    api.receive(applicant={"full_name": "Nguyễn Văn An\u0015", "id_number": "079204001234", "phone": "0912345678"})
    api.put("/api/v1/procedures/CHUYEN_TRUONG_THPT", user="admin", json={"name": "Chuyển trường\u0015"})

    book = api.get("/api/v1/reports/tracking-book", user="desk",
                   query_string={"from": "2000-01-01", "to": "2100-12-31", "format": "xlsx"})
    report = api.get("/api/v1/reports/statistics.xlsx", user="leader",
                     query_string={"from": "2000-01-01", "to": "2100-12-31"})

    assert book.status_code == 200 and report.status_code == 200
    names = [c.value for row in load_workbook(BytesIO(book.data)).active.iter_rows() for c in row]
    assert "Nguyễn Văn An" in names
