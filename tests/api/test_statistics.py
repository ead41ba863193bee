"""The quarterly statistics of the source article, rebuilt through the API with a controlled clock."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import time_machine
from openpyxl import load_workbook

from engine.working_calendar import WorkingCalendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CALENDAR = WorkingCalendar()


def working_days(first: date, last: date) -> list[date]:
    days, day = [], first
    while day <= last:
        if CALENDAR.is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def resolve(api, clock, code: str, when: datetime, *, returned: bool = True) -> None:
    clock.move_to(when)
    api.complete(code, "desk", "check_dossier", {"check_result": "complete"})
    api.complete(code, "specialist", "review", {"opinion": "approve"})
    api.complete(code, "leader", "sign", {"decision": "approve"})
    if returned:
        api.return_result(code)


def rate(api, code: str, level: str) -> None:
    response = api.post(f"/api/v1/public/dossiers/{code}/rating", query_string={"check": "5678"},
                        json={"level": level})
    assert response.status_code == 201, response.get_json()


def test_the_first_quarter_of_2019_as_the_article_reports_it(api, app):
    app.config["MOTCUA"] = app.config["MOTCUA"].with_overrides(token_ttl_minutes=200 * 24 * 60)
    api.put("/api/v1/procedures/CHUYEN_TRUONG_THPT", user="admin",
            json={"processing_time_value": 3, "processing_time_unit": "working_days"})
    days = working_days(date(2019, 1, 2), date(2019, 3, 20))
    with time_machine.travel(datetime(2018, 12, 24, 8, 0, tzinfo=VN), tick=False) as clock:
        # processed in December, picked up and rated in January: 94 ratings for 88 resolved
        december = [api.receive()["code"] for _ in range(6)]
        for code in december:
            resolve(api, clock, code, datetime(2018, 12, 24, 9, tzinfo=VN), returned=False)
        clock.move_to(datetime(2019, 1, 3, 9, tzinfo=VN))
        for code in december:
            api.return_result(code)
            rate(api, code, "satisfied")
        for index in range(85):  # received and resolved the same day: early
            day = days[index // 2]
            clock.move_to(datetime.combine(day, time(8 + index % 2), VN))
            code = api.receive()["code"]
            resolve(api, clock, code, datetime.combine(day, time(10 + index % 2), VN))
            rate(api, code, "very_satisfied" if index % 3 else "satisfied")
        for day in days[-3:]:  # resolved on the due day, before closing time: on time
            clock.move_to(datetime.combine(day, time(8, 30), VN))
            dossier = api.receive()
            due = datetime.fromisoformat(dossier["due_at"])
            resolve(api, clock, dossier["code"], due - timedelta(hours=1))
            rate(api, dossier["code"], "satisfied")
        for hour in (8, 9, 10, 14):  # received at the end of the quarter, still in progress
            clock.move_to(datetime(2019, 3, 28, hour, tzinfo=VN))
            api.receive()
        clock.move_to(datetime(2019, 3, 29, 9, tzinfo=VN))  # refused at the desk: never received
        api.complete(api.receive()["code"], "desk", "check_dossier",
                     {"check_result": "refuse", "reason": "Sai thẩm quyền"})

        clock.move_to(datetime(2019, 4, 5, 9, tzinfo=VN))
        response = api.get("/api/v1/reports/statistics", user="leader",
                           query_string={"from": "2019-01-01", "to": "2019-03-31"})
        workbook = api.get("/api/v1/reports/statistics.xlsx", user="leader",
                           query_string={"from": "2019-01-01", "to": "2019-03-31"})
        by_quarter = api.get("/api/v1/reports/statistics", user="leader", query_string={"quarter": "2019-Q1"})
        march = api.get("/api/v1/reports/statistics", user="leader", query_string={"month": "2019-03"})
        both = api.get("/api/v1/reports/statistics", user="leader",
                       query_string={"quarter": "2019-Q1", "from": "2019-01-01", "to": "2019-03-31"})

    assert response.status_code == 200, response.get_json()
    totals = response.get_json()["totals"]
    assert {k: totals[k] for k in ("received", "resolved", "early", "on_time", "late", "in_progress")} == {
        "received": 92, "resolved": 88, "early": 85, "on_time": 3, "late": 0, "in_progress": 4}
    assert (totals["resolved_percent"], totals["early_percent"], totals["on_time_percent"]) == (95.65, 96.59, 3.41)
    assert totals["late_percent"] == 0.0
    assert (totals["in_progress_within"], totals["in_progress_overdue"]) == (4, 0)
    assert totals["timeliness_percent"] == 100.0
    assert 0 < totals["average_processing_days"] < 3
    satisfaction = response.get_json()["satisfaction"]
    assert (satisfaction["ratings"], satisfaction["not_satisfied"], satisfaction["satisfied_percent"]) == (
        94, 0, 100.0)  # "94 of 94 satisfied"
    assert by_quarter.get_json()["totals"] == totals
    assert (by_quarter.get_json()["from"], by_quarter.get_json()["to"]) == ("2019-01-01", "2019-03-31")
    assert march.get_json()["to"] == "2019-03-31" and march.get_json()["totals"]["in_progress"] == 4
    assert both.status_code == 422
    units = response.get_json()["by_unit"]
    assert [(u["unit_code"], u["received"], u["resolved_percent"]) for u in units] == [("PHONG_GDTRH", 92, 95.65)]

    assert workbook.status_code == 200
    assert workbook.headers["Content-Disposition"].endswith('thong-ke-2019-01-01-2019-03-31.xlsx"')
    sheet = load_workbook(BytesIO(workbook.data)).active
    assert sheet["A3"].value == "Thủ tục hành chính"
    assert sheet["C3"].value == "Số hồ sơ tiếp nhận"
    last = [cell.value for cell in sheet[sheet.max_row]]
    assert last[0] == "Tổng cộng" and last[2:6] == [92, 88, 0.9565, 85]  # 95.65 %, shown as a percentage
    ratings = load_workbook(BytesIO(workbook.data))["Mức độ hài lòng"]
    figures = {row[0].value: row[1].value for row in ratings.iter_rows(min_row=4)}
    assert (figures["Số lượt đánh giá"], figures["Tỷ lệ hài lòng trở lên"]) == (94, 1.0)  # 100 %


def test_a_late_resolution_and_an_overdue_dossier_are_counted_as_such(api, app):
    app.config["MOTCUA"] = app.config["MOTCUA"].with_overrides(token_ttl_minutes=60 * 24 * 60)
    api.put("/api/v1/procedures/CHUYEN_TRUONG_THPT", user="admin",
            json={"processing_time_value": 1, "processing_time_unit": "working_days"})
    with time_machine.travel(datetime(2026, 12, 7, 8, tzinfo=VN), tick=False) as clock:
        late = api.receive()["code"]
        overdue = api.receive()["code"]
        resolve(api, clock, late, datetime(2026, 12, 9, 9, tzinfo=VN))  # due Tuesday 17:00
        clock.move_to(datetime(2026, 12, 10, 9, tzinfo=VN))
        body = api.get("/api/v1/reports/statistics", user="admin",
                       query_string={"from": "2026-12-01", "to": "2026-12-31",
                                     "procedure_code": "CHUYEN_TRUONG_THPT"}).get_json()
        other_unit = api.get("/api/v1/reports/statistics", user="admin",
                             query_string={"from": "2026-12-01", "to": "2026-12-31", "unit": "PHONG_KT_QLCL"})
        assert api.get("/api/v1/reports/statistics", user="desk",
                       query_string={"from": "2026-12-01", "to": "2026-12-31"}).status_code == 403

    assert api.dossier(overdue)["status"] == 2
    totals = body["totals"]
    assert (totals["received"], totals["resolved"], totals["late"], totals["late_percent"]) == (2, 1, 1, 100.0)
    assert (totals["in_progress"], totals["in_progress_overdue"]) == (1, 1)
    assert totals["timeliness_percent"] == 0.0
    assert [row["procedure_code"] for row in body["by_procedure"]] == ["CHUYEN_TRUONG_THPT"]
    assert other_unit.get_json()["by_procedure"] == []


def test_the_statistics_workbook_names_units_and_formats_its_headings_and_rates(api, app):
    app.config["MOTCUA"] = app.config["MOTCUA"].with_overrides(token_ttl_minutes=60 * 24 * 60)
    with time_machine.travel(datetime(2026, 12, 7, 8, tzinfo=VN), tick=False) as clock:
        resolved = api.receive()["code"]
        api.receive()
        api.receive("CAP_BAN_SAO_VAN_BANG")
        resolve(api, clock, resolved, datetime(2026, 12, 7, 9, tzinfo=VN))
        clock.move_to(datetime(2026, 12, 8, 9, tzinfo=VN))
        response = api.get("/api/v1/reports/statistics.xlsx", user="leader",
                           query_string={"from": "2026-12-01", "to": "2026-12-31"})
        body = api.get("/api/v1/reports/statistics", user="leader",
                       query_string={"from": "2026-12-01", "to": "2026-12-31"}).get_json()

    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.data)).active
    headings = {cell.value: cell for cell in sheet[3]}
    assert all(cell.font.bold and cell.alignment.wrap_text for cell in sheet[3])
    assert "Tỷ lệ đã giải quyết" in headings and not any("Tỉ lệ" in name for name in headings)
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=4) if row[0].value}
    transfer = rows["Chuyển trường đối với học sinh trung học phổ thông"]
    copy = rows["Cấp bản sao văn bằng, chứng chỉ từ sổ gốc"]
    assert transfer[1].value == "Phòng Giáo dục trung học"  # the unit's name, not PHONG_GDTRH
    assert copy[1].value == "Phòng Khảo thí và Quản lý chất lượng giáo dục"
    rate_column = list(headings).index("Tỷ lệ đã giải quyết")
    assert transfer[rate_column].value == 0.5 and transfer[rate_column].number_format == "0.00%"
    count_column = list(headings).index("Số hồ sơ tiếp nhận")
    assert transfer[count_column].value == 2 and transfer[count_column].number_format == "0"
    assert rows["Tổng cộng"][count_column].value == 3 and rows["Tổng cộng"][0].font.bold
    days_column = list(headings).index("Thời gian giải quyết trung bình (ngày)")
    assert transfer[days_column].number_format == "0.00"
    assert sheet.column_dimensions["A"].width >= 40 and sheet.column_dimensions["B"].width >= 25
    assert all(sheet.column_dimensions[letter].width >= 10 for letter in "CDEFGHIJKLMNOP")
    assert [row["unit_name"] for row in body["by_unit"]] == ["Phòng Giáo dục trung học",
                                                             "Phòng Khảo thí và Quản lý chất lượng giáo dục"]

    satisfaction = load_workbook(BytesIO(response.data))["Mức độ hài lòng"]
    rate_row = next(row for row in satisfaction.iter_rows() if row[0].value == "Tỷ lệ hài lòng trở lên")
    assert rate_row[1].number_format == "0.00%"
