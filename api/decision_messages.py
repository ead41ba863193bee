"""What a refused DMN file's problems say to the designer, in Vietnamese or English.

engine/dmn/reading.py gives each problem a `reason` and the values of its sentence (`params`) beside its
English message; the catalogue below words it in the reader's language, with a short fix. A reason
missing here, or a sentence whose values are missing, keeps the engine's English.
"""

from __future__ import annotations

# reason -> language -> (message, hint)
CATALOGUE: dict[str, dict[str, tuple[str, str]]] = {
    "drg_unsupported": {
        "vi": ("Hệ thống chưa hỗ trợ {kind} '{id}': một bảng quyết định không gọi logic nào khác.",
               "Xoá phần tử này; đưa các quy tắc vào chính bảng quyết định."),
        "en": ("The {kind} '{id}' is not supported: a decision table calls no other logic.",
               "Remove it; put the rules in the decision table itself.")},
    "no_decision": {
        "vi": ("Tệp không có quyết định (decision) nào.", "Vẽ một bảng quyết định trong tệp."),
        "en": ("The file has no decision.", "Draw a decision table in the file.")},
    "several_decisions": {
        "vi": ("Tệp có {count} quyết định ({ids}); mỗi tệp chỉ triển khai một bảng quyết định.",
               "Tách mỗi quyết định ra một tệp .dmn riêng."),
        "en": ("The file has {count} decisions ({ids}); deploy one decision table per file.",
               "Move each decision into its own .dmn file.")},
    "decision_without_id": {
        "vi": ("Quyết định không có mã (hoặc mã dài quá 255 ký tự): công việc quy tắc nghiệp vụ gọi bảng theo mã.",
               "Đặt cho quyết định một mã ngắn, ví dụ le_phi_ban_sao."),
        "en": ("The decision has no id (or one over 255 characters): a business rule task calls it by its id.",
               "Give the decision a short id, e.g. le_phi_ban_sao.")},
    "decision_requires": {
        "vi": ("Quyết định '{id}' cần một quyết định hoặc mô hình tri thức khác; hệ thống chỉ hỗ trợ một bảng "
               "quyết định đứng riêng.", "Gộp các quy tắc vào một bảng, hoặc tính phần kia trong mô hình BPMN."),
        "en": ("The decision '{id}' requires another decision or knowledge model; only a single decision table "
               "is supported.", "Merge the rules into one table, or compute the other part in the BPMN model.")},
    "not_a_table": {
        "vi": ("Quyết định '{id}' là {logic}, không phải bảng quyết định; hệ thống chỉ hỗ trợ bảng quyết định.",
               "Viết quyết định thành một bảng quyết định (decision table)."),
        "en": ("The decision '{id}' is a {logic}, not a decision table; only decision tables are supported.",
               "Write the decision as a decision table.")},
    "hit_policy_unknown": {
        "vi": ("Chính sách khớp (hit policy) '{value}' không thuộc: {allowed}.",
               "Chọn một chính sách khớp trong số đó."),
        "en": ("The hit policy '{value}' is not one of {allowed}.", "Choose one of them.")},
    "aggregation_unknown": {
        "vi": ("Phép gộp '{value}' không thuộc: {allowed}.", "Chọn SUM, MIN, MAX hoặc COUNT."),
        "en": ("The aggregation '{value}' is not one of {allowed}.", "Choose SUM, MIN, MAX or COUNT.")},
    "aggregation_without_collect": {
        "vi": ("Phép gộp {aggregation} chỉ đi với chính sách khớp COLLECT, không đi với {hit_policy}.",
               "Chọn chính sách COLLECT, hoặc bỏ phép gộp."),
        "en": ("The aggregation {aggregation} goes with the hit policy COLLECT, not {hit_policy}.",
               "Choose COLLECT, or remove the aggregation.")},
    "input_without_expression": {
        "vi": ("Cột đầu vào {number} ('{title}') không có biểu thức đầu vào.",
               "Ghi tên biến (hoặc biểu thức FEEL) mà cột này kiểm tra."),
        "en": ("Input column {number} ('{title}') has no input expression.",
               "Write the variable (or FEEL expression) the column tests.")},
    "output_without_name": {
        "vi": ("Cột kết quả {number} ('{title}') không có tên.",
               "Đặt tên kết quả (output name): tên biến dữ liệu nhận kết quả."),
        "en": ("Output column {number} ('{title}') has no name.",
               "Set the output name: the data variable its result is stored in.")},
    "output_name_invalid": {
        "vi": ("Tên kết quả '{name}' không phải tên biến.",
               "Dùng chữ, số và dấu _, không bắt đầu bằng _ hay chữ số; dấu chấm cho dữ liệu lồng nhau."),
        "en": ("The output name '{name}' is not a variable name.",
               "Use letters, digits and _, not starting with _ or a digit; dots for nested data.")},
    "output_values_invalid": {
        "vi": ("Các giá trị kết quả của '{name}' ({values}) phải là danh sách giá trị cố định.",
               "Viết ví dụ \"cao\",\"trung bình\",\"thấp\"."),
        "en": ("The output values of '{name}' ({values}) must be a list of literal values.",
               "Write e.g. \"high\",\"medium\",\"low\".")},
    "no_output": {
        "vi": ("Bảng quyết định không có cột kết quả nào.", "Thêm một cột kết quả (output)."),
        "en": ("The decision table has no output column.", "Add an output column.")},
    "output_twice": {
        "vi": ("Hai cột kết quả cùng tên '{name}'.", "Đặt cho mỗi cột kết quả một tên riêng."),
        "en": ("Two output columns are named '{name}'.", "Give each output column a name of its own.")},
    "aggregation_outputs": {
        "vi": ("COLLECT {aggregation} cần đúng một cột kết quả; bảng có {count}.",
               "Giữ một cột kết quả, hoặc bỏ phép gộp."),
        "en": ("COLLECT {aggregation} needs exactly one output column; the table has {count}.",
               "Keep one output column, or remove the aggregation.")},
    "ranked_without_values": {
        "vi": ("Chính sách {hit_policy} xếp hạng các quy tắc theo các giá trị kết quả (output values), nhưng không "
               "cột kết quả nào có.", "Liệt kê các giá trị trong cột kết quả, ưu tiên cao nhất trước, ví dụ "
               "\"cao\",\"trung bình\",\"thấp\"."),
        "en": ("The hit policy {hit_policy} ranks the rules by the output values of the outputs, and no output has "
               "any.", "List them in the output column, highest priority first, e.g. \"high\",\"medium\",\"low\".")},
    "rule_cells": {
        "vi": ("Quy tắc {number} có {inputs} ô đầu vào và {outputs} ô kết quả; bảng có {input_columns} cột đầu vào "
               "và {output_columns} cột kết quả.", "Mở và lưu lại bảng bằng trình sửa bảng quyết định."),
        "en": ("Rule {number} has {inputs} input and {outputs} output cells; the table has {input_columns} input "
               "and {output_columns} output columns.", "Open and save the table in a decision table editor.")},
    "priority_value": {
        "vi": ("Quy tắc {number} cho {name} = {value}, không thuộc các giá trị kết quả của '{name}' ({values}); "
               "chính sách khớp xếp hạng các quy tắc theo các giá trị đó.",
               "Dùng một trong các giá trị kết quả, hoặc thêm giá trị này vào danh sách."),
        "en": ("Rule {number} gives {name} = {value}, which is not among the output values of '{name}' ({values}); "
               "the hit policy ranks the rules by them.", "Use one of the output values, or add this one to them.")},
    "cell_refused": {
        "vi": ("{where}: không chuyển được '{text}': {detail}",
               "Ô điều kiện viết bằng FEEL: một giá trị (\"a\", 10, true), so sánh (< 10, >= 5), khoảng ([1..5]), "
               "nhiều giá trị cách nhau bởi dấu phẩy, not(...), hoặc - cho mọi giá trị; ô kết quả là một giá trị "
               "hoặc một biểu thức số học."),
        "en": ("{where}: '{text}' cannot be translated: {detail}",
               "Input cells are FEEL unary tests: a value (\"a\", 10, true), a comparison (< 10, >= 5), a range "
               "([1..5]), several separated by commas, not(...), or - for any value; output cells a value or an "
               "arithmetic expression.")},
    "cell_not_feel": {
        "vi": ("{where}: '{text}' khai báo ngôn ngữ biểu thức '{language}'; bảng quyết định được đọc bằng FEEL "
               "(như Camunda Modeler và dmn-js ghi).", "Xoá thuộc tính expressionLanguage và viết ô bằng FEEL."),
        "en": ("{where}: '{text}' is declared in the expression language '{language}'; decision tables are read "
               "as FEEL (what Camunda Modeler and dmn-js write).",
               "Remove the expressionLanguage attribute and write the cell in FEEL.")},
    "cell_sandbox": {
        "vi": ("{where}: '{text}' bị môi trường chạy an toàn (sandbox) từ chối: {detail}",
               "Ô chỉ được tính toán trên các đầu vào và dữ liệu của công việc."),
        "en": ("{where}: '{text}' is refused by the sandbox: {detail}",
               "A cell may compute with the inputs and the task's data; nothing else.")},
}

# Which cell a translation problem is about.
_WHERE = {
    "vi": {"input_expression": "Biểu thức đầu vào của cột '{column}'",
           "input": "Quy tắc {rule}, cột đầu vào '{column}'", "output": "Quy tắc {rule}, kết quả '{column}'"},
    "en": {"input_expression": "The input expression of column '{column}'", "input": "Rule {rule}, input column "
           "'{column}'", "output": "Rule {rule}, output '{column}'"},
}
PUBLIC = ("severity", "code", "element", "line", "message", "hint")


def render(problem: dict, language: str) -> dict:
    """A DMN problem as the API shows it, in `language` ("vi" or "en")."""
    shown = {key: problem.get(key) for key in PUBLIC}
    entry = CATALOGUE.get(problem.get("reason") or "", {}).get(language)
    if entry is None:
        return shown
    params = dict(problem.get("params") or {})
    if "cell" in params:
        params["where"] = _WHERE[language].get(params["cell"], "").format(**params)
    try:
        shown["message"], shown["hint"] = entry[0].format(**params), entry[1].format(**params)
    except (KeyError, IndexError, ValueError):
        pass
    return shown
