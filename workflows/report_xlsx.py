"""The period statistics as an Excel workbook, with Vietnamese headings."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from workflows.printable.xlsx import cell_text

COLUMNS = (
    ("procedure_name", "Thủ tục hành chính"),
    ("unit_code", "Đơn vị giải quyết"),
    ("received", "Số hồ sơ tiếp nhận"),
    ("resolved", "Đã giải quyết"),
    ("resolved_percent", "Tỷ lệ đã giải quyết (%)"),
    ("early", "Trước hạn"),
    ("early_percent", "Tỷ lệ trước hạn (%)"),
    ("on_time", "Đúng hạn"),
    ("on_time_percent", "Tỷ lệ đúng hạn (%)"),
    ("late", "Quá hạn"),
    ("late_percent", "Tỷ lệ quá hạn (%)"),
    ("in_progress", "Đang giải quyết"),
    ("in_progress_within", "Đang giải quyết trong hạn"),
    ("in_progress_overdue", "Đang giải quyết quá hạn"),
    ("timeliness_percent", "Tỷ lệ đúng hạn theo QĐ 766 (%)"),
    ("average_processing_days", "Thời gian giải quyết trung bình (ngày)"),
)


def statistics_workbook(report: dict) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Thống kê"
    sheet.append([f"Thống kê kết quả giải quyết thủ tục hành chính từ ngày {_vn_date(report['from'])} "
                  f"đến ngày {_vn_date(report['to'])}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    sheet.append([heading for _, heading in COLUMNS])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in report["by_procedure"]:
        sheet.append([cell_text(row[key]) for key, _ in COLUMNS])
    total = report["totals"]
    sheet.append(["Tổng cộng", ""] + [total[key] for key, _ in COLUMNS[2:]])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 60
    _satisfaction_sheet(workbook, report["satisfaction"])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


SATISFACTION_ROWS = (
    ("ratings", "Số lượt đánh giá"),
    ("very_satisfied", "Rất hài lòng"),
    ("satisfied", "Hài lòng"),
    ("not_satisfied", "Không hài lòng"),
    ("satisfied_percent", "Tỷ lệ hài lòng trở lên (%)"),
)


def _satisfaction_sheet(workbook: Workbook, satisfaction: dict) -> None:
    sheet = workbook.create_sheet("Mức độ hài lòng")
    sheet.append(["Mức độ hài lòng của người dân, tổ chức", ""])
    sheet["A1"].font = Font(bold=True, size=13)
    for key, heading in SATISFACTION_ROWS:
        sheet.append([heading, satisfaction[key]])
    sheet.column_dimensions["A"].width = 40


def _vn_date(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"
