"""Validation messages in the reader's language: marshmallow's, the API schemas' own and the task
forms' (engine/forms.py), each English sentence matched against its template and said again in
Vietnamese; and the label of each field at fault, so that a page or a client names it as a person
would ("Họ và tên", not `applicant.full_name`).
"""

from __future__ import annotations

import re

# English template -> Vietnamese. `{name}` stands for a value carried over as it is.
TEMPLATES_VI = {
    # marshmallow's own
    "Missing data for required field.": "Trường này là bắt buộc.",
    "Field may not be null.": "Trường này không được để trống.",
    "Unknown field.": "Trường không được hỗ trợ.",
    "Invalid input type.": "Kiểu dữ liệu không hợp lệ.",
    "Invalid value.": "Giá trị không hợp lệ.",
    "Not a valid string.": "Phải là một chuỗi ký tự.",
    "Not a valid integer.": "Phải là một số nguyên.",
    "Not a valid number.": "Phải là một số.",
    "Not a valid boolean.": "Phải là đúng hoặc sai.",
    "Not a valid list.": "Phải là một danh sách.",
    "Not a valid mapping type.": "Phải là một đối tượng (các cặp tên - giá trị).",
    "Not a valid datetime.": "Thời điểm không hợp lệ.",
    "Not a valid aware datetime.": "Thời điểm phải kèm múi giờ.",
    "Not a valid date.": "Ngày không hợp lệ.",
    "Not a valid email address.": "Địa chỉ email không hợp lệ.",
    "Not a valid URL.": "Địa chỉ URL không hợp lệ.",
    "String does not match expected pattern.": "Không đúng định dạng yêu cầu.",
    "Length must be between 1 and {max}.": "Trường này là bắt buộc (tối đa {max} ký tự).",
    "Length must be between {min} and {max}.": "Độ dài phải từ {min} đến {max} ký tự.",
    "Shorter than minimum length {min}.": "Cần ít nhất {min} ký tự.",
    "Longer than maximum length {max}.": "Không quá {max} ký tự.",
    "Length must be {equal}.": "Độ dài phải đúng {equal}.",
    "Must be one of: {choices}.": "Phải là một trong các giá trị: {choices}.",
    "Must be greater than or equal to {min} and less than or equal to {max}.": "Phải từ {min} đến {max}.",
    "Must be greater than or equal to {min}.": "Phải lớn hơn hoặc bằng {min}.",
    "Must be less than or equal to {max}.": "Phải nhỏ hơn hoặc bằng {max}.",
    # the API schemas' own
    "An ID number has 6-20 letters or digits.": "Số định danh gồm 6-20 chữ số hoặc chữ cái.",
    "A phone number has 8-20 digits.": "Số điện thoại gồm 8-20 chữ số.",
    "Data keys are identifiers: letters, digits and underscores.": (
        "Tên trường dữ liệu chỉ gồm chữ cái, chữ số và dấu gạch dưới."),
    "The check is the last 4 digits of the applicant's phone or ID number.": (
        "Mã kiểm tra là 4 chữ số cuối của số điện thoại hoặc số định danh của người nộp."),
    "3-100 lower-case letters, digits, dots, dashes or underscores.": (
        "3-100 ký tự: chữ thường không dấu, chữ số, dấu chấm, gạch ngang hoặc gạch dưới."),
    "Use 2-50 capital letters, digits or underscores.": "Dùng 2-50 ký tự: chữ in hoa không dấu, chữ số hoặc gạch dưới.",
    "Dates from 1990-01-01 to 2100-12-31.": "Ngày từ 01/01/1990 đến 31/12/2100.",
    "Times from 1990 to 2100.": "Thời điểm từ năm 1990 đến năm 2100.",
    "Letters, digits, dots and dashes, at most 50.": "Chữ cái, chữ số, dấu chấm và gạch ngang, tối đa 50 ký tự.",
    # task forms (engine/forms.py MESSAGES)
    "This field is required.": "Trường này là bắt buộc.",
    "Enter at least {limit} characters.": "Nhập ít nhất {limit} ký tự.",
    "Enter at most {limit} characters.": "Nhập tối đa {limit} ký tự.",
    "Must be at least {limit}.": "Không được nhỏ hơn {limit}.",
    "Must be at most {limit}.": "Không được lớn hơn {limit}.",
    "Must be greater than {limit}.": "Phải lớn hơn {limit}.",
    "Must be less than {limit}.": "Phải nhỏ hơn {limit}.",
    "Give at least {limit} items.": "Cần ít nhất {limit} mục.",
    "Give at most {limit} items.": "Tối đa {limit} mục.",
    "Choose one of the listed values.": "Hãy chọn một trong các giá trị có sẵn.",
    "Not a valid {limit}.": "Giá trị không hợp lệ ({limit}).",
    "Not in the expected form.": "Không đúng định dạng yêu cầu.",
    # the desk's intake outcome (api/schemas/dossiers.py)
    "List the missing documents or give the reason.": "Hãy chọn giấy tờ còn thiếu hoặc ghi lý do.",
    "Give the reason for refusing.": "Hãy ghi lý do từ chối tiếp nhận.",
}

# What a person calls the fields the API's own schemas take, by path.
FIELD_LABELS = {
    "procedure_code": ("Thủ tục hành chính", "Procedure"),
    "channel": ("Hình thức nộp", "Channel"),
    "received_at": ("Thời điểm nhận", "Time received"),
    "applicant": ("Người nộp hồ sơ", "Applicant"),
    "applicant.full_name": ("Họ và tên", "Full name"),
    "applicant.id_number": ("Số định danh cá nhân / CCCD", "ID number"),
    "applicant.phone": ("Số điện thoại", "Phone"),
    "applicant.email": ("Email", "Email"),
    "applicant.address": ("Địa chỉ", "Address"),
    "data": ("Dữ liệu hồ sơ", "Dossier data"),
    "intake": ("Kết quả kiểm tra hồ sơ", "Result of the check"),
    "intake.result": ("Kết quả kiểm tra hồ sơ", "Result of the check"),
    "intake.missing_documents": ("Giấy tờ cần bổ sung, hoàn thiện", "Documents to supplement"),
    "intake.reason": ("Lý do", "Reason"),
    "return_method": ("Hình thức trả", "Return method"),
    "receiver_name": ("Người nhận", "Receiver"),
    "postal_tracking_number": ("Số hiệu bưu gửi", "Postal tracking number"),
}


def _pattern(template: str) -> re.Pattern:
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(f"(?P<{part}>.+?)" if index % 2 else re.escape(part) for index, part in enumerate(parts))
    return re.compile(f"^{regex}$", re.DOTALL)


_COMPILED = [(_pattern(english), vietnamese) for english, vietnamese in TEMPLATES_VI.items()]


def translate(message: str, lang: str) -> str:
    """`message` in `lang`: the English as it is, or its Vietnamese when a template matches."""
    if lang == "en" or not isinstance(message, str):
        return message
    for pattern, vietnamese in _COMPILED:
        if (match := pattern.match(message)) is not None:
            return vietnamese.format(**match.groupdict())
    return message


# Keys of an error's details that are not fields: their values are left as they are.
NOT_FIELDS = frozenset({"detail", "labels", "problems", "file", "line", "element", "field", "retry_after"})


def localized(details: dict, lang: str) -> dict:
    """The details of a validation error with every field's messages in `lang`, and `labels`:
    each field path at fault (as a page flattens it, locations like `json` left out) -> its label."""
    labels = dict(details.get("labels") or {})
    out = {key: (value if key in NOT_FIELDS else _walk(value, lang, "" if key in LOCATIONS else key, labels))
           for key, value in details.items()}
    if labels:
        out["labels"] = labels
    return out


LOCATIONS = frozenset({"json", "query", "form", "files", "data", "headers", "path", "view_args", "querystring"})


def _walk(value, lang: str, path: str, labels: dict):
    if isinstance(value, str):
        return translate(value, lang)
    if isinstance(value, list):
        if path and path not in labels and (label := _label(path, lang)):
            labels[path] = label
        return [_walk(item, lang, path, labels) for item in value]
    if isinstance(value, dict):
        return {key: _walk(item, lang, f"{path}.{key}" if path else str(key), labels) for key, item in value.items()}
    return value


def _label(path: str, lang: str) -> str | None:
    generic = re.sub(r"\.\d+(?=\.|$)", "", path)
    names = FIELD_LABELS.get(path) or FIELD_LABELS.get(generic)
    if names is None:
        return None
    return names[0] if lang == "vi" else names[1]
