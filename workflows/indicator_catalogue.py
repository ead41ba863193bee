"""Decision 766/QĐ-TTg's self-assessment, as data: its five groups and, in each, the sub-indicators
with their formula, the default target and points, and where the value comes from.

Confirmed against published summaries of the decision (see docs/administration.md, "Chỉ số 766"):
the five groups and their maxima (publicity 18, progress and results 20, digitisation 22, online
services 22, satisfaction 18, out of 100); the satisfaction group's three rates, with 6 points for
satisfaction with dossiers; 4 points for procedures published on time; up to 20 points for dossiers
handled on time; a rate at or above its target scores full points, else rate ÷ target × points. Not
confirmed: how the other groups split their points among sub-indicators, and the targets. Those
defaults are marked `points_confirmed=False`; an administrator changes points and targets
(workflows.indicator_settings), never the code.

`measure` names how the service measures a sub-indicator (workflows.indicators.MEASURES); None when
the service cannot know it, with the reason said. To wire a new source (online payments, when they
are recorded), write its measure and name it here.
"""

from __future__ import annotations

from dataclasses import dataclass

PERCENT, DAYS = "percent", "days"
HIGHER, LOWER = "higher", "lower"


@dataclass(frozen=True)
class Group:
    code: str
    name: tuple[str, str]  # (Vietnamese, English)
    max_points: int  # as the decision sets it


@dataclass(frozen=True)
class Indicator:
    code: str
    group: str
    name: tuple[str, str]
    formula: tuple[str, str]
    points: float  # default points, an administrator changes them
    target: float | None  # default target (percent, or days for a time); None: shown for information
    points_confirmed: bool  # whether the default points were read in the decision
    unit: str = PERCENT
    better: str = HIGHER
    measure: str | None = None  # None: the service cannot know it
    reason: tuple[str, str] | None = None  # why it cannot, or what the value leaves out
    note: tuple[str, str] | None = None


GROUPS = (
    Group("publicity", ("Công khai, minh bạch", "Publicity and transparency"), 18),
    Group("progress", ("Tiến độ, kết quả giải quyết", "Progress and results"), 20),
    Group("digitisation", ("Số hóa hồ sơ", "Digitisation of dossiers"), 22),
    Group("online", ("Cung cấp dịch vụ trực tuyến", "Online services"), 22),
    Group("satisfaction", ("Mức độ hài lòng", "Satisfaction"), 18),
)

_PORTAL = ("Do Cổng Dịch vụ công quốc gia và Cơ sở dữ liệu quốc gia về thủ tục hành chính đánh giá; phần mềm "
           "một cửa của Sở không lưu dữ liệu này.",
           "Assessed by the National Public Service Portal and the national database of procedures; the "
           "department's one-stop software does not hold this data.")
_FEEDBACK = ("Phản ánh, kiến nghị được tiếp nhận và xử lý trên Hệ thống tiếp nhận, trả lời phản ánh, kiến nghị, "
             "không qua phần mềm này.",
             "Feedback and petitions are received and answered in the national feedback system, not in this "
             "software.")

INDICATORS = (
    Indicator(
        "procedures_published", "publicity",
        ("Tỷ lệ thủ tục hành chính được công bố, công khai đúng hạn",
         "Procedures published on time"),
        ("Số TTHC được công bố, công khai đúng hạn / Tổng số TTHC phải công bố × 100%",
         "Procedures published on time / procedures to publish × 100%"),
        points=4, target=100, points_confirmed=True, reason=_PORTAL),
    Indicator(
        "public_information", "publicity",
        ("Công khai thông tin thủ tục, tiến độ và kết quả giải quyết hồ sơ trên Cổng Dịch vụ công quốc gia",
         "Procedures, progress and results published on the National Public Service Portal"),
        ("Theo cách chấm của Cổng Dịch vụ công quốc gia (các chỉ số thành phần còn lại của nhóm)",
         "As the national portal scores it (the group's other sub-indicators)"),
        points=14, target=100, points_confirmed=False, reason=_PORTAL),
    Indicator(
        "on_time", "progress",
        ("Tỷ lệ hồ sơ giải quyết trước hạn, đúng hạn", "Dossiers handled early or on time"),
        ("(Số hồ sơ đã giải quyết trước hạn, đúng hạn + số hồ sơ đang giải quyết còn trong hạn) / (Số hồ sơ "
         "đã giải quyết + số hồ sơ đang giải quyết) × 100%",
         "(dossiers resolved early or on time + dossiers in progress within their deadline) / (dossiers "
         "resolved + dossiers in progress) × 100%"),
        points=20, target=100, points_confirmed=True, measure="on_time"),
    Indicator(
        "average_processing_time", "progress",
        ("Thời gian giải quyết trung bình một hồ sơ", "Average processing time of a dossier"),
        ("Tổng thời gian từ khi tiếp nhận đến khi có kết quả của các hồ sơ đã giải quyết trong kỳ / số hồ sơ "
         "đó (ngày theo lịch)",
         "Total time from receipt to result of the dossiers resolved in the period / those dossiers "
         "(calendar days)"),
        points=0, target=None, points_confirmed=False, unit=DAYS, better=LOWER, measure="average_processing_time",
        note=("Không tính điểm theo mặc định: Quyết định chấm nhóm này bằng tỷ lệ đúng hạn; con số để tham khảo.",
              "Not scored by default: the decision scores this group by the on-time rate; shown for guidance.")),
    Indicator(
        "digitised_dossiers", "digitisation",
        ("Tỷ lệ số hóa hồ sơ", "Dossiers digitised"),
        ("Số hồ sơ tiếp nhận trong kỳ có thành phần hồ sơ được số hóa (bản sao điện tử ký số khi tiếp nhận, "
         "hoặc lấy lại từ kho dữ liệu của công dân) / Tổng số hồ sơ tiếp nhận trong kỳ × 100%",
         "Dossiers received in the period with documents digitised (signed digitised copies made at intake, "
         "or reused from the applicant's store) / dossiers received in the period × 100%"),
        points=8, target=100, points_confirmed=False, measure="digitised_dossiers"),
    Indicator(
        "electronic_results", "digitisation",
        ("Tỷ lệ cấp kết quả giải quyết điện tử", "Results issued electronically"),
        ("Số hồ sơ đã giải quyết trong kỳ có kết quả điện tử được ký số / Tổng số hồ sơ đã giải quyết trong "
         "kỳ × 100%",
         "Dossiers resolved in the period with a signed electronic result / dossiers resolved in the period "
         "× 100%"),
        points=8, target=100, points_confirmed=False, measure="electronic_results"),
    Indicator(
        "reused_data", "digitisation",
        ("Tỷ lệ khai thác, sử dụng lại thông tin, dữ liệu số hóa", "Digitised data reused"),
        ("Số hồ sơ tiếp nhận trong kỳ dùng lại giấy tờ, kết quả đã số hóa trong kho dữ liệu của công dân / "
         "Tổng số hồ sơ tiếp nhận trong kỳ × 100%",
         "Dossiers received in the period that reused a digitised paper or result from the applicant's "
         "store / dossiers received in the period × 100%"),
        points=6, target=100, points_confirmed=False, measure="reused_data"),
    Indicator(
        "online_dossiers", "online",
        ("Tỷ lệ hồ sơ tiếp nhận trực tuyến", "Dossiers received online"),
        ("Số hồ sơ tiếp nhận trực tuyến trong kỳ / Tổng số hồ sơ tiếp nhận trong kỳ × 100%",
         "Dossiers received online in the period / dossiers received in the period × 100%"),
        points=12, target=100, points_confirmed=False, measure="online_dossiers"),
    Indicator(
        "online_payment", "online",
        ("Tỷ lệ thanh toán trực tuyến", "Fees paid online"),
        ("Số hồ sơ có nghĩa vụ tài chính được thanh toán trực tuyến / Tổng số hồ sơ có nghĩa vụ tài chính × 100%",
         "Dossiers whose fees were paid online / dossiers with fees to pay × 100%"),
        points=10, target=100, points_confirmed=False, measure="online_payment"),
    Indicator(
        "dossier_satisfaction", "satisfaction",
        ("Tỷ lệ hài lòng trong tiếp nhận, giải quyết thủ tục hành chính",
         "Satisfaction with the handling of dossiers"),
        ("(Tổng số hồ sơ đã giải quyết trong kỳ − số hồ sơ bị đánh giá không hài lòng) / Tổng số hồ sơ đã "
         "giải quyết trong kỳ × 100%",
         "(dossiers resolved in the period − those rated not satisfied) / dossiers resolved in the period "
         "× 100%"),
        points=6, target=100, points_confirmed=True, measure="dossier_satisfaction",
        note=("Quyết định còn trừ hồ sơ bị phản ánh, kiến nghị; phản ánh không qua phần mềm này nên không được trừ.",
              "The decision also subtracts dossiers with feedback complaints; those do not reach this "
              "software and are not subtracted.")),
    Indicator(
        "feedback_on_time", "satisfaction",
        ("Tỷ lệ phản ánh, kiến nghị được xử lý đúng hạn", "Feedback answered on time"),
        ("Số phản ánh, kiến nghị xử lý đúng hoặc trước hạn / Tổng số phản ánh, kiến nghị thuộc thẩm quyền × 100%",
         "Feedback answered on or before time / feedback within the agency's remit × 100%"),
        points=6, target=100, points_confirmed=False, reason=_FEEDBACK),
    Indicator(
        "feedback_satisfaction", "satisfaction",
        ("Tỷ lệ hài lòng trong xử lý phản ánh, kiến nghị", "Satisfaction with answers to feedback"),
        ("(Tổng số phản ánh, kiến nghị − số bị phản hồi không hài lòng hoặc xử lý quá hạn) / Tổng số phản ánh, "
         "kiến nghị × 100%",
         "(feedback − feedback rated not satisfied or answered late) / feedback × 100%"),
        points=6, target=100, points_confirmed=False, reason=_FEEDBACK),
)

BY_CODE = {indicator.code: indicator for indicator in INDICATORS}
GROUP_BY_CODE = {group.code: group for group in GROUPS}
TOTAL_POINTS = 100


def text(pair: tuple[str, str] | None, lang: str) -> str | None:
    """The Vietnamese or English of a (vi, en) pair."""
    if pair is None:
        return None
    return pair[1] if lang == "en" else pair[0]
