"""The language of what the API says to people: Vietnamese first, English on request."""

from __future__ import annotations

from flask import request

SUPPORTED = ("vi", "en")

# Messages for error codes, in Vietnamese. Placeholders come from the error's details; the
# specific English message stays available in `errors.detail`.
ERROR_MESSAGES_VI = {
    "unauthenticated": "Bạn cần đăng nhập (tên đăng nhập, mật khẩu hoặc mã truy cập không đúng hoặc đã hết hạn).",
    "forbidden": "Bạn không có quyền thực hiện thao tác này.",
    "not_found": "Không tìm thấy đối tượng được yêu cầu.",
    "conflict": "Thao tác xung đột với trạng thái hiện tại của hồ sơ.",
    "task_not_ready": "Công việc này đã được xử lý hoặc chưa sẵn sàng; vui lòng tải lại danh sách công việc.",
    "concurrent_update": "Hồ sơ vừa được người khác cập nhật cùng lúc; vui lòng tải lại và thử lại.",
    "invalid_task_data": "Dữ liệu nhập cho công việc chưa hợp lệ; xem chi tiết từng trường.",
    "execution_failed": "Quy trình không thể tiếp tục tại bước '{element}'; dữ liệu hồ sơ được giữ nguyên.",
    "bpmn_invalid": "Tệp BPMN '{file}' không hợp lệ; xem chi tiết (dòng, phần tử).",
    "dmn_invalid": "Tệp DMN '{file}' không hợp lệ; xem chi tiết (dòng, ô của bảng quyết định).",
    "calendar_error": "Không tính được theo lịch làm việc; xem chi tiết.",
    "invalid_input": "Dữ liệu gửi lên chưa hợp lệ; xem chi tiết.",
    "validation_error": "Dữ liệu gửi lên chưa hợp lệ; xem chi tiết từng trường.",
    "bad_request": "Yêu cầu không hợp lệ.",
    "method_not_allowed": "Phương thức HTTP này không được hỗ trợ cho địa chỉ này.",
    "payload_too_large": "Dữ liệu gửi lên vượt quá dung lượng cho phép.",
    "unsupported_media_type": "Định dạng dữ liệu gửi lên không được hỗ trợ.",
    "invalid_transition": "Hồ sơ đang ở trạng thái '{from_label}', không thể chuyển sang '{to_label}'.",
    "supplement_limit": "Hồ sơ đã được yêu cầu bổ sung {count} lần; thủ tục này chỉ cho phép {limit} lần.",
    "indicator_points_total": "Tổng điểm tối đa của các chỉ số phải bằng {expected}, hiện là {total}.",
    "stop_not_allowed": "Chỉ người có vai trò {role_names} được dừng giải quyết hồ sơ.",
    "already_rated": "Hồ sơ này đã được đánh giá; mỗi hồ sơ chỉ đánh giá một lần.",
    "too_many_requests": "Bạn đã thử quá nhiều lần; vui lòng thử lại sau {retry_after} giây.",
    "instance_suspended": ("Hồ sơ đang bị quản trị viên tạm dừng xử lý; chưa thể thao tác cho đến khi hồ sơ "
                           "được tiếp tục."),
    "repair_refused": ("Không thực hiện được thao tác sửa quy trình vì sẽ làm hồ sơ rơi vào trạng thái không "
                       "nhất quán; xem chi tiết."),
    "form_unavailable": "Biểu mẫu này không áp dụng cho hồ sơ: {reason_text}",
    "payment_unavailable": "Cổng thanh toán chưa nhận được yêu cầu thanh toán; vui lòng thử lại sau ít phút.",
    "internal_error": "Đã có lỗi hệ thống; dữ liệu không bị thay đổi. Vui lòng thử lại hoặc báo quản trị viên.",
}


# Why a printable form does not apply to a dossier (workflows/printouts.py REASONS_EN), (vi, en).
FORM_REASONS = {
    "not_received": ("hồ sơ chưa được tiếp nhận.", "the dossier has not been received yet."),
    "refused_at_intake": ("hồ sơ đã bị từ chối tiếp nhận nên không có giấy tiếp nhận.",
                          "the dossier was refused at intake, so it has no receipt."),
    "no_supplement_request": ("hồ sơ chưa có yêu cầu bổ sung, hoàn thiện nào.",
                              "no supplement has been requested for the dossier."),
    "no_refusal": ("hồ sơ không bị từ chối.", "the dossier has not been refused."),
    "no_apology": ("hồ sơ chưa có văn bản xin lỗi và hẹn lại ngày trả kết quả.",
                   "no apology with a new return date has been issued for the dossier."),
    "no_stop": ("hồ sơ không bị dừng giải quyết.", "the dossier's processing has not been stopped."),
    "no_steps": ("hồ sơ chưa có bước xử lý nào.", "the dossier has no processing step yet."),
}

# Words the API writes into values it puts in words (a step's opinion), (vi, en).
WORDS = {"yes": ("Có", "Yes"), "no": ("Không", "No")}


def in_words(table: dict[str, tuple[str, str]], key: str | None) -> str | None:
    """`table[key]` in the reader's language; None for no key, the key itself when unknown."""
    if key is None:
        return None
    pair = table.get(key)
    if pair is None:
        return key
    return pair[1] if language() == "en" else pair[0]


def form_reason(key: str | None) -> str | None:
    """Why a form does not apply, in the reader's language, as a sentence."""
    text = in_words(FORM_REASONS, key)
    return text[:1].upper() + text[1:] if text else text


def language() -> str:
    """The caller's language (Accept-Language), found once per request: an answer's rows ask for it each."""
    if not request:
        return "vi"
    environ = request.environ  # the request's own (an application context may outlive several requests)
    if "motcua.language" not in environ:
        environ["motcua.language"] = request.accept_languages.best_match(SUPPORTED) or "vi"
    return environ["motcua.language"]


def error_message(code: str, english: str, details: dict) -> str:
    if language() == "en":
        return english
    template = ERROR_MESSAGES_VI.get(code)
    if template is None:
        return english
    if code == "form_unavailable":
        details = {**details, "reason_text": in_words(FORM_REASONS, details.get("reason"))}
    try:
        return template.format(**details)
    except (KeyError, IndexError):
        return template.split(";")[0] + "."


# The actors that are not people: what an administrator reads for them instead of the login the
# audit trail keeps (`make run` and `motcua deploy-models` deploy the bundled models as "cli").
SYSTEM_ACTORS = {
    "cli": {"vi": "Hệ thống (mẫu đi kèm)", "en": "System (bundled)"},
    "seed": {"vi": "Hệ thống (dữ liệu ban đầu)", "en": "System (initial data)"},
    "system": {"vi": "Hệ thống", "en": "System"},
    "scheduler": {"vi": "Hệ thống (hẹn giờ)", "en": "System (timers)"},
}


def actor_label(actor: str | None) -> str | None:
    """The reader's words for a system actor; a person's login as it is."""
    names = SYSTEM_ACTORS.get(actor or "")
    return names[language()] if names else actor
