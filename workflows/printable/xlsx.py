"""The dossier tracking book (form 07 of Circular 03/2025/TT-VPCP) as an Excel workbook: title, period,
header, one row per dossier."""

from __future__ import annotations

from datetime import date, datetime
from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

# (row key or None for a column left blank, heading, width in characters)
COLUMNS = (
    ("number", "STT", 6),
    ("code", "Mã hồ sơ", 27),
    ("procedure_name", "Tên thủ tục hành chính", 40),
    ("sets", "Số lượng hồ sơ (bộ)", 10),
    ("applicant_name", "Tên cá nhân, tổ chức", 26),
    ("contact", "Địa chỉ, số điện thoại", 32),
    ("deciding_unit", "Cơ quan chủ trì giải quyết", 28),
    ("received_at", "Nhận hồ sơ", 17),
    ("due_at", "Hẹn trả kết quả", 17),
    ("handed_over_at", "Chuyển hồ sơ đến cơ quan giải quyết", 17),
    ("resolved_at", "Nhận kết quả từ cơ quan giải quyết", 17),
    ("returned_at", "Trả kết quả cho cá nhân, tổ chức", 17),
    (None, "Ký nhận", 12),
    ("note", "Ghi chú", 28),
)
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
HEADER_ROW = 3
THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def tracking_book_xlsx(context: dict) -> bytes:
    """The tracking-book context (agency, period, rows) as .xlsx bytes."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Sổ theo dõi hồ sơ"
    _write_title(sheet, context)
    _write_header(sheet)
    for row in context["rows"]:
        _write_row(sheet, row)
    _lay_out(sheet, context)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_title(sheet: Worksheet, context: dict) -> None:
    agency, period = context["agency"], context["period"]
    last = get_column_letter(len(COLUMNS))
    sheet["A1"] = "SỔ THEO DÕI HỒ SƠ"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = (f"{agency['desk']} - {agency['department']} tỉnh {agency['province']}. "
                   f"Từ ngày {_date_vi(period['from'])} đến ngày {_date_vi(period['to'])}")
    sheet["A2"].font = Font(italic=True)
    for row in (1, 2):
        sheet.merge_cells(f"A{row}:{last}{row}")
        sheet[f"A{row}"].alignment = Alignment(horizontal="center")


def _write_header(sheet: Worksheet) -> None:
    for column, (_, heading, width) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column, value=heading)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = BORDER
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.row_dimensions[HEADER_ROW].height = 48


def _write_row(sheet: Worksheet, row: dict) -> None:
    line = sheet.max_row + 1
    for column, (key, _, _) in enumerate(COLUMNS, start=1):
        value = _cell_value(row[key]) if key else None
        cell = sheet.cell(row=line, column=column, value=value)
        cell.border = BORDER
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        if isinstance(value, datetime):
            cell.number_format = DATETIME_FORMAT


def _cell_value(value):
    """Excel has no timezones: an aware local datetime goes in as the same wall-clock time."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if value == "":
        return None
    return cell_text(value)


def cell_text(value):
    """Text without the control characters a workbook cannot hold (typed or pasted by anyone)."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _lay_out(sheet: Worksheet, context: dict) -> None:
    sheet.freeze_panes = sheet.cell(row=HEADER_ROW + 1, column=3)
    last = get_column_letter(len(COLUMNS))
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{max(sheet.max_row, HEADER_ROW)}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.oddFooter.center.text = "Trang &P/&N"


def _date_vi(value: date) -> str:
    return f"{value:%d/%m/%Y}"
