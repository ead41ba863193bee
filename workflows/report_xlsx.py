"""The period statistics as an Excel workbook, with Vietnamese headings: units by name, bold wrapped
headings, columns wide enough to read, counts as whole numbers and rates as percentages."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from workflows.printable.xlsx import cell_text

COUNT, PERCENT, DAYS, TEXT = "0", "0.00%", "0.00", "@"

# (row key, heading, width in characters, number format); rates are stored as fractions (95.65 % is
# 0.9565) so that Excel shows and sums them as percentages
COLUMNS = (
    ("procedure_name", "Thủ tục hành chính", 48, TEXT),
    ("unit_name", "Đơn vị giải quyết", 30, TEXT),
    ("received", "Số hồ sơ tiếp nhận", 11, COUNT),
    ("resolved", "Đã giải quyết", 11, COUNT),
    ("resolved_percent", "Tỷ lệ đã giải quyết", 12, PERCENT),
    ("early", "Trước hạn", 10, COUNT),
    ("early_percent", "Tỷ lệ trước hạn", 12, PERCENT),
    ("on_time", "Đúng hạn", 10, COUNT),
    ("on_time_percent", "Tỷ lệ đúng hạn", 12, PERCENT),
    ("late", "Quá hạn", 10, COUNT),
    ("late_percent", "Tỷ lệ quá hạn", 12, PERCENT),
    ("in_progress", "Đang giải quyết", 12, COUNT),
    ("in_progress_within", "Đang giải quyết trong hạn", 13, COUNT),
    ("in_progress_overdue", "Đang giải quyết quá hạn", 13, COUNT),
    ("timeliness_percent", "Tỷ lệ đúng hạn theo QĐ 766", 14, PERCENT),
    ("average_processing_days", "Thời gian giải quyết trung bình (ngày)", 15, DAYS),
)
HEADING_ROW = 3
_THIN = Side(style="thin", color="8A94A3")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADING_FILL = PatternFill("solid", fgColor="E9EDF2")


def statistics_workbook(report: dict) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Thống kê"
    sheet.append([f"Thống kê kết quả giải quyết thủ tục hành chính từ ngày {_vn_date(report['from'])} "
                  f"đến ngày {_vn_date(report['to'])}"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    sheet.append([heading for _, heading, _, _ in COLUMNS])
    _style_headings(sheet, HEADING_ROW)
    for row in report["by_procedure"]:
        sheet.append([_value(key, row.get(key, row.get("unit_code") if key == "unit_name" else None))
                      for key, _, _, _ in COLUMNS])
    total = report["totals"]
    sheet.append(["Tổng cộng", ""] + [_value(key, total[key]) for key, _, _, _ in COLUMNS[2:]])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for number, (_, _, width, number_format) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width
        for (cell,) in sheet.iter_rows(min_row=HEADING_ROW + 1, min_col=number, max_col=number):
            cell.number_format = number_format
            cell.border = _BOX
            cell.alignment = Alignment(vertical="top", wrap_text=number_format == TEXT)
    sheet.freeze_panes = sheet.cell(row=HEADING_ROW + 1, column=2)
    _satisfaction_sheet(workbook, report["satisfaction"])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


SATISFACTION_ROWS = (
    ("ratings", "Số lượt đánh giá", COUNT),
    ("very_satisfied", "Rất hài lòng", COUNT),
    ("satisfied", "Hài lòng", COUNT),
    ("not_satisfied", "Không hài lòng", COUNT),
    ("satisfied_percent", "Tỷ lệ hài lòng trở lên", PERCENT),
)


def _satisfaction_sheet(workbook: Workbook, satisfaction: dict) -> None:
    sheet = workbook.create_sheet("Mức độ hài lòng")
    sheet.append(["Mức độ hài lòng của người dân, tổ chức"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    sheet.append(["Nội dung", "Số liệu"])
    _style_headings(sheet, HEADING_ROW)
    for key, heading, number_format in SATISFACTION_ROWS:
        sheet.append([heading, _value(key, satisfaction[key])])
        sheet.cell(row=sheet.max_row, column=2).number_format = number_format
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 14


def _style_headings(sheet: Worksheet, row: int) -> None:
    sheet.row_dimensions[row].height = 48
    for cell in sheet[row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        cell.fill = _HEADING_FILL
        cell.border = _BOX


def _value(key: str, value):
    if key.endswith("_percent") and isinstance(value, (int, float)):
        return round(value / 100, 6)
    return cell_text(value) if isinstance(value, str) else value


def _vn_date(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"
