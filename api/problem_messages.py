"""What a model's problems say to the designer, in Vietnamese or English.

Each `Problem` of engine/parsing (and of workflows/model_checks.py) has a stable `code` and the
values of its sentence in `params`; the catalogue below renders it in the reader's language (the
`vendor_ignored` warning, construct by construct, api/vendor_messages.py). A
code missing here, or a sentence whose values are missing, falls back to the engine's English.
"""

from __future__ import annotations

from api.vendor_messages import render_ignored
from engine.parsing import Problem
from engine.parsing.expressions import WHAT

# What the expression kinds (`params["what"]`, the element's tag) are called.
TERMS_VI = {
    "conditionExpression": "điều kiện", "condition": "điều kiện", "script": "đoạn mã (script)",
    "preScript": "đoạn mã chạy trước (preScript)", "postScript": "đoạn mã chạy sau (postScript)",
    "timeDuration": "thời lượng hẹn giờ (timeDuration)", "timeDate": "thời điểm hẹn giờ (timeDate)",
    "timeCycle": "chu kỳ hẹn giờ (timeCycle)", "loopCardinality": "số lần lặp (loopCardinality)",
    "completionCondition": "điều kiện hoàn thành (completionCondition)",
    "loopCondition": "điều kiện lặp (loopCondition)",
}
_KIND = {"script": "script", "preScript": "script", "postScript": "script", "timeDuration": "timer",
         "timeDate": "timer", "timeCycle": "timer", "loopCardinality": "expression"}

# The hints of expression problems, by kind of text: each says which language the text is read in.
_EXPRESSION_HINTS = {
    "vi": {
        "condition": "Điều kiện viết bằng biểu thức Python, ví dụ: amount > 1000 and approved (so sánh bằng ==, "
                     "dùng and/or/not, True/False, chuỗi ký tự đặt trong dấu nháy), hoặc JUEL trong ${{...}} "
                     "(Camunda 7, Flowable), hoặc FEEL sau dấu = (Camunda 8).",
        "script": "Đoạn mã viết bằng câu lệnh Python, ví dụ: total = amount * 2.",
        "timer": "Giá trị hẹn giờ là một giá trị ISO 8601 (PT4H, P2D, R3/PT10H, 2026-12-01T08:00:00+07:00) hoặc "
                 "một biểu thức Python như deadline(\"review\"); JUEL trong ${{...}} và FEEL sau dấu = cũng được đọc.",
        "expression": "Biểu thức viết bằng Python, ví dụ: len(officers).",
    },
    "en": {
        "condition": "Conditions are Python expressions, e.g. amount > 1000 and approved (== to compare, "
                     "and/or/not, True/False, text in quotes), or JUEL in ${{...}} (Camunda 7, Flowable), "
                     "or FEEL after = (Camunda 8).",
        "script": "Scripts are Python statements, e.g. total = amount * 2.",
        "timer": "Timer values are an ISO 8601 value (PT4H, P2D, R3/PT10H, 2026-12-01T08:00:00+07:00) or a "
                 "Python expression, like deadline(\"review\"); JUEL in ${{...}} and FEEL after = are read too.",
        "expression": "Expressions are Python, e.g. len(officers).",
    },
}

GUIDE_VI = "xem bảng phần tử được hỗ trợ trong hướng dẫn thiết kế quy trình"
GUIDE_EN = "see the designer guide's table of supported elements"

# code -> language -> (message, hint); a hint of None means none; `EXPRESSION` picks the hint by kind.
EXPRESSION = object()
CATALOGUE: dict[str, dict[str, tuple]] = {
    "file_too_large": {
        "vi": ("Tệp có dung lượng {size} byte, vượt quá giới hạn {limit} byte.", None),
        "en": ("The file is {size} bytes; the limit is {limit} bytes.", None)},
    "file_empty": {
        "vi": ("Tệp rỗng, không có nội dung.", None),
        "en": ("The file is empty.", None)},
    "dtd_forbidden": {
        "vi": ("Tệp BPMN không được chứa khai báo DTD hay thực thể (<!DOCTYPE>, <!ENTITY>).",
               "Xuất lại tệp từ công cụ vẽ BPMN."),
        "en": ("DTDs and entity declarations are not allowed in a BPMN file.",
               "Export the file again from the modeler.")},
    "xml_malformed": {
        "vi": ("Tệp không phải là XML hợp lệ: {detail}", "Mở và lưu lại tệp bằng công cụ vẽ BPMN, hoặc sửa thẻ XML "
               "bị lỗi ở dòng này."),
        "en": ("The file is not well-formed XML: {detail}", "Open and save the file in a BPMN modeler, or correct "
               "the XML at this line.")},
    "xml_too_deep": {
        "vi": ("Các phần tử lồng nhau quá {limit} cấp.", None),
        "en": ("Elements are nested more than {limit} levels deep.", None)},
    "not_bpmn": {
        "vi": ("Phần tử gốc không phải bpmn:definitions: đây không phải tệp BPMN 2.0.",
               "Chọn tệp .bpmn xuất từ công cụ vẽ quy trình."),
        "en": ("The root element is not bpmn:definitions: this is not a BPMN 2.0 file.",
               "Choose a .bpmn file exported by a process modeler.")},
    "duplicate_id": {
        "vi": ("Mã (id) '{id}' được dùng hai lần (dòng {first_line} và dòng {line}).",
               "Đặt cho mỗi phần tử một mã riêng."),
        "en": ("The id '{id}' is used twice (lines {first_line} and {line}).", "Give each element an id of its own.")},
    "foreign_id_collision": {
        "vi": ("Phần tử mở rộng {tag} ở dòng {line} có mã '{id}', trùng với mã của một phần tử BPMN: hệ thống sẽ "
               "nhầm phần tử này với phần tử kia.", "Đổi mã của phần tử mở rộng."),
        "en": ("The extension element {tag} at line {line} has the id '{id}', which is also the id of a BPMN "
               "element: the engine would take one for the other.", "Rename the extension element's id.")},
    "reserved_id": {
        "vi": ("Mã '{id}' được hệ thống dành riêng cho các bước nội bộ của nó.",
               "Đổi mã của phần tử, ví dụ thành '{suggestion}'."),
        "en": ("The id '{id}' is reserved by the engine for its own steps.",
               "Rename the element, e.g. to '{suggestion}'.")},
    "dangling_reference": {
        "vi": ("Thuộc tính {attribute} của '{element}' trỏ tới '{target}', nhưng trong tệp không có phần tử nào "
               "mang mã này.", "Trỏ {attribute} tới một phần tử có trong tệp, hoặc xoá tham chiếu này."),
        "en": ("The {attribute} of '{element}' is '{target}', which does not exist in this file.",
               "Point {attribute} at an existing element or remove it.")},
    "reference_wrong_type": {
        "vi": ("Thuộc tính {attribute} của '{element}' trỏ tới '{target}', là một {found} chứ không phải {expected}.",
               "Trỏ {attribute} tới một phần tử {expected}."),
        "en": ("The {attribute} of '{element}' is '{target}', which is a {found}, not a {expected}.",
               "Point {attribute} at a {expected}.")},
    "unsupported_element": {
        "vi": ("Hệ thống chưa hỗ trợ loại phần tử bpmn:{tag} ('{element}').",
               f"Thay bằng một phần tử được hỗ trợ ({GUIDE_VI})."),
        "en": ("The element type bpmn:{tag} ('{element}') is not supported by the engine.",
               f"Replace it with a supported element ({GUIDE_EN}).")},
    "not_executable": {
        "vi": ("Quy trình '{element}' được đánh dấu là không thực thi (isExecutable=\"false\").",
               "Trong công cụ vẽ, đánh dấu \"Executable\" (isExecutable=\"true\") cho quy trình cần triển khai."),
        "en": ("The process '{element}' is marked not executable (isExecutable=\"false\").",
               "Tick \"Executable\" in the modeler (isExecutable=\"true\") for the process to deploy.")},
    "no_executable_process": {
        "vi": ("Tệp không có quy trình nào thực thi được (các quy trình tìm thấy: {processes}).",
               "Vẽ một quy trình có sự kiện bắt đầu và đánh dấu là thực thi (isExecutable=\"true\")."),
        "en": ("The file has no executable process (processes found: {processes}).",
               "Draw a process with a start event and mark it executable (isExecutable=\"true\").")},
    "several_processes": {
        "vi": ("Tệp có {count} quy trình thực thi ở cấp cao nhất ({processes}).",
               "Mỗi tệp chỉ triển khai một quy trình: đánh dấu các quy trình còn lại là không thực thi "
               "(isExecutable=\"false\")."),
        "en": ("The file has {count} top-level executable processes ({processes}).",
               "Deploy one process per file (mark the others isExecutable=\"false\").")},
    "expression_empty": {
        "vi": ("Phần {what} của '{element}' đang để trống.", EXPRESSION),
        "en": ("The {what} of '{element}' is empty.", EXPRESSION)},
    "expression_syntax": {
        "vi": ("Phần {what} của '{element}' không phải là Python hợp lệ: {detail} (trong '{text}').", EXPRESSION),
        "en": ("The {what} of '{element}' is not valid Python: {detail} (in '{text}').", EXPRESSION)},
    "sandbox_refused": {
        "vi": ("Phần {what} của '{element}' bị môi trường chạy an toàn (sandbox) từ chối: {detail}.",
               "Mã trong mô hình chỉ được tính toán trên dữ liệu của công việc và các hàm trợ giúp nêu trong "
               "hướng dẫn thiết kế quy trình."),
        "en": ("The {what} of '{element}' is refused by the sandbox: {detail}.",
               "Model code may compute with the task's data and the helpers the designer guide lists; nothing else.")},
    "script_missing": {
        "vi": ("Công việc chạy mã (script task) '{element}' không có đoạn mã.",
               "Viết đoạn mã Python ngay trong công việc (đoạn mã để ở nơi khác, như camunda:resource, không "
               "được đọc)."),
        "en": ("The script task '{element}' has no script.",
               "Write the Python script in the task (a script kept elsewhere, like camunda:resource, is not read).")},
    "expression_refused": {
        "vi": ("Phần {what} của '{element}' viết bằng {dialect} nhưng không chuyển được sang biểu thức của hệ thống: "
               "{detail}", "Chỉ chuyển được phần cơ bản của JUEL và FEEL: giá trị, tên biến và đường dẫn a.b, so sánh, "
               "và/hoặc/phủ định, empty, phép tính số học; viết lại bằng phần đó hoặc bằng Python."),
        "en": ("The {what} of '{element}' is {dialect} that cannot be translated: {detail}",
               "JUEL and FEEL are translated for literals, variables and paths a.b, comparisons, and/or/not, "
               "empty and arithmetic; rewrite it with those, or in Python.")},
    "timer_invalid": {
        "vi": ("Giá trị {what} '{value}' của '{element}' không đúng định dạng ISO 8601: {detail}",
               "Thời lượng viết như \"PT4H\" hoặc \"P2D\", thời điểm như \"2026-12-01T08:00:00+07:00\", chu kỳ như "
               "\"R3/PT10H\"."),
        "en": ("The {what} '{value}' of '{element}' is not a valid ISO 8601 value: {detail}",
               "Durations look like \"PT4H\" or \"P2D\", dates like \"2026-12-01T08:00:00+07:00\", cycles like "
               "\"R3/PT10H\".")},
    "form_schema_invalid": {
        "vi": ("Biểu mẫu (form_schema) của '{element}' không phải là JSON Schema hợp lệ: {detail}",
               "Sửa biểu mẫu trong trình soạn biểu mẫu, hoặc dán một JSON Schema mô tả đối tượng "
               "({{\"type\": \"object\", \"properties\": {{...}}}})."),
        "en": ("The form_schema of '{element}' is not a valid JSON Schema: {detail}",
               "Fix the form in the form editor, or paste a JSON Schema of an object "
               "({{\"type\": \"object\", \"properties\": {{...}}}}).")},
    "loop_too_long": {
        "vi": ("Vòng lặp đi qua '{element}' trong '{container}' có {steps} bước; hệ thống chỉ theo được vòng lặp "
               "tối đa {limit} bước.", "Chuyển một phần vòng lặp vào một quy trình con để mỗi vòng lặp ngắn hơn."),
        "en": ("The loop through '{element}' in '{container}' has {steps} steps; the engine can follow a loop of "
               "at most {limit} steps.", "Move part of the loop into a subprocess, so that each loop is shorter.")},
    "model_too_deep": {
        "vi": ("'{element}' có một chuỗi {steps} bước liên tiếp, từ '{first}' đến '{last}'; hệ thống chỉ theo được "
               "tối đa {limit} bước liên tiếp.", "Gom từng đoạn của chuỗi vào các quy trình con: mỗi quy trình con "
               "chỉ tính là một bước của chuỗi bên ngoài."),
        "en": ("'{element}' has a path of {steps} steps in a row, from '{first}' to '{last}'; the engine can follow "
               "at most {limit} steps in a row.", "Group parts of the path into subprocesses: each subprocess counts "
               "as one step of the path around it.")},
    "schema_violation": {
        "vi": ("Dòng {line}{where} không đúng lược đồ BPMN 2.0: {detail}",
               "Mở và lưu lại tệp bằng công cụ vẽ BPMN, hoặc sửa phần tử ở dòng này."),
        "en": ("Line {line}{where} does not follow the BPMN 2.0 schema: {detail}",
               "Open and save the file in a BPMN modeler, or correct the element by hand.")},
    "spiff_refused": {
        "vi": ("Hệ thống không dựng được quy trình tại '{element}': {detail}",
               f"Sửa phần tử theo nội dung thông báo ({GUIDE_VI})."),
        "en": ("The engine cannot build the process at '{element}': {detail}",
               f"Change the element as the message says ({GUIDE_EN}).")},
    "dossier_status_invalid": {
        "vi": ("'{element}' đặt {property}='{value}'; giá trị phải là mã trạng thái từ 1 đến 10.",
               "Dùng mã trạng thái hồ sơ của Cổng Dịch vụ công quốc gia, từ 1 đến 10 (ví dụ 4: đang xử lý, "
               "9: đã xử lý xong)."),
        "en": ("'{element}' sets {property}='{value}'; it must be a status code from 1 to 10.",
               "Use a status code of the national portal, 1 to 10 (e.g. 4 in progress, 9 processed).")},
    "dossier_notice_invalid": {
        "vi": ("'{element}' đặt {property}='{value}'; giá trị phải là một trong: {allowed}.",
               "Dùng một trong các loại phiếu: {allowed}."),
        "en": ("'{element}' sets {property}='{value}'; it must be one of {allowed}.", "Use one of {allowed}.")},
    "dossier_fields_invalid": {
        "vi": ("'{element}' đặt {property}='{value}'; các trường phải nằm trong số: {allowed}.",
               "Liệt kê các trường trong số {allowed}, cách nhau bởi dấu phẩy."),
        "en": ("'{element}' sets {property}='{value}'; the fields must be among {allowed}.",
               "List fields among {allowed}, separated by commas.")},
    "issue_result_unknown": {
        "vi": ("'{element}' đặt {property}='{value}'; giá trị phải là một loại kết quả: {allowed}.",
               "Dùng một trong các loại kết quả: {allowed}."),
        "en": ("'{element}' sets {property}='{value}'; it must be a result kind: one of {allowed}.",
               "Use one of the result kinds: {allowed}.")},
    "payment_property_invalid": {
        "vi": ("'{element}' đặt {property}='{value}'; giá trị phải là một tên (chữ, số, dấu gạch dưới).",
               "Ghi tên dữ liệu chứa số tiền lệ phí (ví dụ le_phi), hoặc procedure_fee để lấy lệ phí của thủ tục; "
               "với payment_message, ghi tên thông điệp."),
        "en": ("'{element}' sets {property}='{value}'; it must be a name (letters, digits, underscores).",
               "Name the data that holds the fee (e.g. le_phi), or procedure_fee for the procedure's fee; a message "
               "name for payment_message.")},
    "dossier_data_invalid": {
        "vi": ("'{element}' đặt {property}='{value}'; phải là danh sách tên dữ liệu cách nhau bởi dấu phẩy.",
               "Liệt kê tên dữ liệu (chữ, số, dấu gạch dưới), cách nhau bởi dấu phẩy."),
        "en": ("'{element}' sets {property}='{value}'; it must list data names separated by commas.",
               "List data names (letters, digits, underscores) separated by commas.")},
    "event_gateway_timers": {
        "vi": ("Cổng theo sự kiện (event-based gateway) '{element}' có {count} sự kiện hẹn giờ theo sau ({timers}); "
               "hệ thống chỉ giữ một hẹn giờ cho mỗi cổng theo sự kiện.", "Giữ lại hẹn giờ sớm nhất sau cổng."),
        "en": ("The event-based gateway '{element}' is followed by {count} timer events ({timers}); the engine "
               "keeps one timer per event-based gateway.", "Keep the earliest timer after the gateway.")},
    "self_call": {
        "vi": ("Hoạt động gọi quy trình (call activity) '{element}' gọi chính quy trình '{process}' chứa nó.",
               "Gọi một quy trình khác, hoặc lặp lại bằng một luồng quay về bước trước."),
        "en": ("The call activity '{element}' calls its own process '{process}'.",
               "Call another process, or loop with a sequence flow back to an earlier step.")},
    "message_roles_invalid": {
        "vi": ("'{element}' đặt {property}='{value}'; phải là danh sách mã vai trò cách nhau bởi dấu phẩy, trong số: "
               "{allowed}.", "Liệt kê các mã vai trò trong số {allowed}, cách nhau bởi dấu phẩy."),
        "en": ("'{element}' sets {property}='{value}'; it must be a comma-separated list of role codes among "
               "{allowed}.", "List role codes among {allowed}, separated by commas.")},
    "notification_kind_unknown": {
        "vi": ("'{element}' đặt {property}='{value}'; chưa có mẫu thông báo nào thuộc loại này (đã có: {known}).",
               "Dùng một loại đã có mẫu, hoặc đề nghị quản trị viên thêm mẫu thông báo trước."),
        "en": ("'{element}' sets {property}='{value}'; no notification template has this kind (known: {known}).",
               "Use a kind that has a template, or ask an administrator to add one.")},
    "no_terminal_status": {
        "vi": ("Không phần tử nào đặt trạng thái kết thúc cho hồ sơ (dossier_status {statuses}): khi quy trình kết "
               "thúc, hồ sơ sẽ được tính là đã xử lý xong ({processed}).",
               "Đặt dossier_status trên các sự kiện kết thúc: 9 khi đã xử lý xong, 3 khi từ chối, 8 khi dừng xử lý."),
        "en": ("No element sets a final dossier_status ({statuses}): the dossier will be counted as processed "
               "({processed}) when the process ends.",
               "Set dossier_status on the end events: 9 when processed, 3 when refused, 8 when processing stops.")},
    "task_without_role": {
        "vi": ("Công việc '{element}' không nằm trong làn (lane) nào và không nêu nhóm hay người thực hiện: nếu "
               "thủ tục không có vai trò mặc định thì sẽ không ai thấy công việc này.",
               "Đặt công việc vào một làn (thủ tục gán mỗi làn cho một vai trò), hoặc nêu nhóm thực hiện "
               "(candidate groups)."),
        "en": ("The user task '{element}' is in no lane and names no candidate group or user: unless the procedure "
               "gives a default role, nobody will see this task.",
               "Put the task in a lane (the procedure maps each lane to a role), or name its candidate groups.")},
    # said construct by construct (api/vendor_messages.py) whenever the warning lists them; this is its
    # sentence when it does not
    "vendor_ignored": {
        "vi": ("Phần tử '{element}' có phần mở rộng của công cụ khác mà hệ thống không đọc.",
               "Xem bảng các phần mở rộng bị bỏ qua trong hướng dẫn thiết kế quy trình và cách thay thế."),
        "en": ("'{element}' carries another tool's extensions, which the engine does not read.",
               "See the table of ignored extensions in the designer guide, and what to use instead.")},
}


def render(problem: Problem, language: str) -> dict:
    """The problem as the API shows it, in `language` ("vi" or "en")."""
    if problem.code == "vendor_ignored" and problem.params.get("constructs"):
        message, hint = render_ignored(problem.element, problem.params["constructs"], language)
        return {"severity": problem.severity, "code": problem.code, "element": problem.element, "line": problem.line,
                "message": message, "hint": hint}
    entry = CATALOGUE.get(problem.code, {}).get(language)
    what = problem.params.get("what")
    params = {**problem.params, "element": problem.element, "line": problem.line}
    if what is not None:
        params["what"] = (TERMS_VI if language == "vi" else WHAT).get(what, what)
    message, hint = problem.message, problem.hint
    if entry is not None:
        rendered = _format(entry[0], params)
        if rendered is not None:
            message = rendered
            template = entry[1]
            if template is EXPRESSION:
                template = _EXPRESSION_HINTS[language][_KIND.get(what, "condition")]
            hint = _format(template, params) if template is not None else None
    return {"severity": problem.severity, "code": problem.code, "element": problem.element, "line": problem.line,
            "message": message, "hint": hint}


def _format(template: str, params: dict) -> str | None:
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return None
