"""The `vendor_ignored` warning in the reader's language: each construct another engine's modeller wrote
that MotCua does not read, with why and what to do instead.

The engine gives, for each construct, a reason code and its values (engine/vendor_reasons.py, which also
has the English); the Vietnamese of every code is here.
"""

from __future__ import annotations

from engine.vendor_reasons import REASONS, english

_FORM_HINT_VI = "mô tả các trường bằng camunda:formData hoặc thuộc tính form_schema"
_ASSIGNMENT_HINT_VI = ("nêu chính tên nhóm hoặc người thực hiện (ví dụ candidateGroups=\"leader\"), hoặc vẽ công "
                       "việc trong một làn (lane)")

REASONS_VI: dict[str, tuple[str, str]] = {
    "async": ("hệ thống chạy mỗi bước trong một giao dịch riêng, không có bộ chạy tác vụ nền để giao bước này",
              "xoá thiết lập này"),
    "implementation": ("hệ thống không có lớp Java, bean, job worker hay connector để chạy một service task",
                       "đổi thành công việc chạy mã (script task, viết bằng Python) hoặc công việc của người dùng "
                       "(user task)"),
    "listener": ("listener chạy mã Java hoặc JavaScript mà hệ thống không chạy",
                 "đặt phần xử lý vào một script task, hoặc spiffworkflow:preScript/postScript"),
    "io_mapping": ("ánh xạ biến vào/ra không được áp dụng: mọi công việc đều thấy dữ liệu của quy trình",
                   "gán biến trong một script task"),
    "external_form": ("hệ thống không lấy được biểu mẫu để bên ngoài mô hình", _FORM_HINT_VI),
    "task_dates": ("hạn xử lý, ngày theo dõi và độ ưu tiên của công việc không được đọc",
                   "đặt cho bước một sự kiện hẹn giờ biên (boundary timer), hoặc thời hạn deadline(\"bước\") do "
                   "quản trị viên phân bổ"),
    "multi_instance": ("thiết lập đa thực thể (multi-instance) riêng của công cụ khác không được đọc",
                       "dùng loopDataInputRef và inputDataItem của multiInstanceLoopCharacteristics chuẩn BPMN"),
    "initiator": ("quy trình của hồ sơ do cán bộ một cửa tiếp nhận hồ sơ khởi động", "xoá thiết lập này"),
    "deployment": ("thiết lập này dành cho việc triển khai trên hệ thống khác", "xoá thiết lập này"),
    "not_read": ("hệ thống không đọc phần mở rộng này",
                 "xoá đi, hoặc diễn đạt bằng thuộc tính spiffworkflow:properties"),
    "property_incomplete": ("một thuộc tính cần có cả tên và giá trị", "điền cả hai"),
    "property_twice": ("thuộc tính {property} đã được {by} đặt", "chỉ giữ một trong hai"),
    "own_property_wins": ("thuộc tính spiffworkflow '{property}' của chính phần tử được dùng",
                          "xoá {what} hoặc thuộc tính spiffworkflow"),
    "assignment_expression": ("'{value}' là biểu thức mà hệ thống khác tính khi chạy; hệ thống cần tên cố định",
                              _ASSIGNMENT_HINT_VI),
    "performer_expression": ("'{value}' không phải danh sách tên dạng user(...) và group(...)", _ASSIGNMENT_HINT_VI),
    "form_file": ("hệ thống không đọc được biểu mẫu để trong một tệp bên cạnh mô hình",
                  "đặt chính JSON Schema vào thuộc tính form_schema"),
    "start_form": ("sự kiện bắt đầu không có biểu mẫu: dữ liệu hồ sơ do bộ phận một cửa nhập khi tiếp nhận",
                   "đặt các trường vào công việc đầu tiên của người dùng"),
    "business_key": ("mã nghiệp vụ (business key) của hệ thống là mã hồ sơ", "xoá thiết lập này"),
    "field_properties": ("thuộc tính riêng của trường không được đọc", "xoá chúng"),
    "field_not_readable": ("trường không đọc được (readable=\"false\") không được hiển thị",
                           "xoá trường khỏi biểu mẫu"),
    "field_expression": ("biểu thức không được tính", "tính giá trị trong một script task"),
    "field_without_id": ("trường không có mã (id) bị bỏ qua", "đặt mã cho trường"),
    "field_twice": ("trường được khai báo hai lần; giữ lại lần đầu", "xoá một lần khai báo"),
    "field_type_unknown": ("kiểu '{type}' không được biết; trường được đọc như văn bản",
                           "dùng string, long, double, boolean, date hoặc enum"),
    "enum_without_values": ("trường enum không có giá trị nào được đọc như văn bản", "liệt kê các giá trị"),
    "constraint_not_read": ("ràng buộc '{constraint}'{config} không được đọc cho trường kiểu {kind}",
                            "kiểm tra giá trị trong một script task hoặc một cổng rẽ nhánh"),
    "default_not_read": ("'{value}' không phải giá trị kiểu {kind} mà hệ thống đọc được", "viết một giá trị đơn giản"),
}
assert REASONS_VI.keys() == REASONS.keys()

_TEMPLATES = {
    "vi": ("Phần tử '{element}' có những thiết lập hệ thống bỏ qua: {reasons}.", "{hints}."),
    "en": ("'{element}' carries what the engine ignores: {reasons}.", "{hints}."),
}


def render_ignored(element: str | None, constructs: list[dict], language: str) -> tuple[str, str]:
    """(message, hint) of a `vendor_ignored` warning: the constructs grouped by their reason, each reason
    with its fix."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for construct in constructs:
        said = _reason(construct.get("reason", "not_read"), construct.get("params") or {}, language)
        whats = grouped.setdefault(said, [])
        if construct["what"] not in whats:
            whats.append(construct["what"])
    reasons = "; ".join(f"{', '.join(whats)} ({reason})" for (reason, _), whats in grouped.items())
    hints = "; ".join(f"{', '.join(whats)}: {hint}" for (_, hint), whats in grouped.items())
    message, hint = _TEMPLATES[language]
    return message.format(element=element, reasons=reasons), hint.format(hints=hints)


def _reason(code: str, params: dict, language: str) -> tuple[str, str]:
    if language != "vi":
        return english(code, params)
    reason, hint = REASONS_VI.get(code, REASONS_VI["not_read"])
    try:
        return reason.format(**params), hint.format(**params)
    except (KeyError, IndexError, ValueError):
        return english(code, params)
