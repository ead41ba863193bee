"""Dossier statuses: the national public service portal's codes 1-10 (see shared/domain.md)."""

NEWLY_REGISTERED = 1
RECEIVED = 2
NOT_RECEIVED = 3
IN_PROGRESS = 4
SUPPLEMENT_REQUESTED = 5
FINANCIAL_OBLIGATION_REQUESTED = 6
WITHDRAWAL_REQUESTED = 7
PROCESSING_STOPPED = 8
PROCESSED = 9
RESULT_RETURNED = 10

LABELS = {
    NEWLY_REGISTERED: ("Mới đăng ký", "Newly registered"),
    RECEIVED: ("Đã tiếp nhận", "Received"),
    NOT_RECEIVED: ("Không tiếp nhận / từ chối", "Not received / refused"),
    IN_PROGRESS: ("Đang xử lý", "In progress"),
    SUPPLEMENT_REQUESTED: ("Yêu cầu bổ sung", "Supplement requested"),
    FINANCIAL_OBLIGATION_REQUESTED: ("Yêu cầu thực hiện nghĩa vụ tài chính", "Financial obligation requested"),
    WITHDRAWAL_REQUESTED: ("Công dân yêu cầu rút hồ sơ", "Withdrawal requested"),
    PROCESSING_STOPPED: ("Dừng xử lý", "Processing stopped"),
    PROCESSED: ("Đã xử lý xong", "Processed"),
    RESULT_RETURNED: ("Đã trả kết quả", "Result returned"),
}

# A dossier is resolved when processed or returned, or refused after it reached a division
# (refused at the desk it was never received: status 3 without a hand-over).
RESOLVED = frozenset({PROCESSED, RESULT_RETURNED})

# Where a dossier's process may leave it: refused, stopped, processed, returned. A process that ends
# with its dossier in any other status leaves it processed (workflows/lifecycle.py).
END_STATUSES = frozenset({NOT_RECEIVED, PROCESSING_STOPPED, PROCESSED, RESULT_RETURNED})

# While a dossier is in one of these it waits for the applicant: the statutory clock stops.
CLOCK_STOPPED = frozenset({SUPPLEMENT_REQUESTED, FINANCIAL_OBLIGATION_REQUESTED})

# Which status may follow which (the portal's lifecycle). 3 (refused), 8 (stopped) and 10
# (returned) are final. Staying in the same status is not a transition.
TRANSITIONS = {
    NEWLY_REGISTERED: frozenset({RECEIVED, NOT_RECEIVED, SUPPLEMENT_REQUESTED, WITHDRAWAL_REQUESTED}),
    RECEIVED: frozenset({NOT_RECEIVED, IN_PROGRESS, SUPPLEMENT_REQUESTED, FINANCIAL_OBLIGATION_REQUESTED,
                         WITHDRAWAL_REQUESTED, PROCESSING_STOPPED, PROCESSED}),
    IN_PROGRESS: frozenset({NOT_RECEIVED, SUPPLEMENT_REQUESTED, FINANCIAL_OBLIGATION_REQUESTED,
                            WITHDRAWAL_REQUESTED, PROCESSING_STOPPED, PROCESSED}),
    SUPPLEMENT_REQUESTED: frozenset({RECEIVED, IN_PROGRESS, WITHDRAWAL_REQUESTED, PROCESSING_STOPPED}),
    FINANCIAL_OBLIGATION_REQUESTED: frozenset({RECEIVED, IN_PROGRESS, WITHDRAWAL_REQUESTED, PROCESSING_STOPPED}),
    WITHDRAWAL_REQUESTED: frozenset({IN_PROGRESS, PROCESSING_STOPPED}),
    PROCESSED: frozenset({RESULT_RETURNED}),
    NOT_RECEIVED: frozenset(),
    PROCESSING_STOPPED: frozenset(),
    RESULT_RETURNED: frozenset(),
}


def can_move(current: int, new: int) -> bool:
    return new == current or new in TRANSITIONS.get(current, frozenset())


# The BPMN property that sets the dossier's status when its element completes.
STATUS_PROPERTY = "dossier_status"


def label(code: int, language: str = "vi") -> str:
    vi, en = LABELS[code]
    return en if language == "en" else vi
