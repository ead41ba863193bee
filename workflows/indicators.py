"""Decision 766's self-assessment for a quarter (or a year): each group, each sub-indicator with its
formula, target, value and points, and what the service cannot know said as such, never guessed.

The counts come from the store of the period statistics (workflows.reports): `statistics` for the
on-time rate and the average processing time, `digital_counts` for the rest. Scoring, as the
decision does: a rate at or above its target earns the full points, otherwise rate ÷ target ×
points; for a time (lower is better), target ÷ time × points once above the target.

A measure is a function of the period's counts returning (numerator, denominator); the value is
their ratio (a percentage, or days for a time). Online payment: of the dossiers received in the
period that had a fee to pay (workflows.payments), those paid online.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy.orm import Session

from engine.calendar_store import get_settings as get_calendar_settings
from workflows import indicator_settings, reports
from workflows.errors import InvalidInput
from workflows.indicator_catalogue import DAYS, GROUPS, INDICATORS, LOWER, Indicator, text

Measure = Callable[[dict], tuple[float, int]]

MEASURES: dict[str, Measure] = {
    "on_time": lambda c: (c["early"] + c["on_time"] + c["in_progress_within"], c["resolved"] + c["in_progress"]),
    "average_processing_time": lambda c: (c["processing_days"], c["resolved"]),
    "digitised_dossiers": lambda c: (c["digitised"], c["received"]),
    "electronic_results": lambda c: (c["electronic_results"], c["resolved"]),
    "reused_data": lambda c: (c["reused"], c["received"]),
    "online_dossiers": lambda c: (c["online"], c["received"]),
    "online_payment": lambda c: (c["paid_online"], c["with_fees"]),
    "dossier_satisfaction": lambda c: (c["resolved"] - c["not_satisfied"], c["resolved"]),
}

NOTHING_TO_COUNT = ("Không có hồ sơ nào trong kỳ để tính chỉ số này.", "No dossier in the period to compute this from.")


def indicators_of(session: Session, *, year: int, quarter: int | None = None, lang: str = "vi",
                  now=None) -> dict:
    """The self-assessment of a quarter of `year`, or of the whole year without a quarter."""
    if quarter is not None and quarter not in (1, 2, 3, 4):
        raise InvalidInput("A quarter is 1, 2, 3 or 4.", field="quarter", quarter=quarter)
    zone = get_calendar_settings(session).timezone
    period = (reports.period_of(quarter=f"{year:04d}-Q{quarter}", timezone=zone) if quarter
              else reports.period_of(first_day=date(year, 1, 1), last_day=date(year, 12, 31), timezone=zone))
    counts = _counts(session, period, now)
    settings = indicator_settings.effective(session)
    groups = []
    for group in GROUPS:
        rows = [_row(indicator, settings[indicator.code], counts, lang)
                for indicator in INDICATORS if indicator.group == group.code]
        groups.append({"code": group.code, "name": text(group.name, lang), "decision_points": group.max_points,
                       **_sums(rows), "indicators": rows})
    updated_by, updated_at = indicator_settings.last_change(session)
    return {"year": year, "quarter": quarter, "from": period.first_day.isoformat(), "to": period.last_day.isoformat(),
            "timezone": period.timezone, **_sums([row for group in groups for row in group["indicators"]]),
            "groups": groups,
            "settings_updated_by": updated_by, "settings_updated_at": updated_at}


def _counts(session: Session, period: reports.Period, now) -> dict:
    return {**reports.statistics(session, period, now=now)["totals"], **reports.digital_counts(session, period)}


def _row(indicator: Indicator, setting: dict, counts: dict, lang: str) -> dict:
    points, target = setting["points"], setting["target"]
    row = {"code": indicator.code, "name": text(indicator.name, lang), "formula": text(indicator.formula, lang),
           "unit": indicator.unit, "better": indicator.better, "target": target, "max_points": points,
           "points_confirmed": indicator.points_confirmed, "known": indicator.measure is not None,
           "value": None, "numerator": None, "denominator": None, "points": None,
           "reason": text(indicator.reason, lang), "note": text(indicator.note, lang)}
    if indicator.measure is None:
        return row
    numerator, denominator = MEASURES[indicator.measure](counts)
    row.update(numerator=round(numerator, 2), denominator=denominator)
    if not denominator:
        row["reason"] = text(NOTHING_TO_COUNT, lang)
        return row
    value = numerator / denominator if indicator.unit == DAYS else reports.percent(numerator, denominator)
    row.update(value=round(value, 2), points=score(value, target=target, points=points, better=indicator.better))
    return row


def score(value: float, *, target: float | None, points: float, better: str) -> float:
    """Full points at or beyond the target, else in proportion to it."""
    if not points or target is None:
        return 0.0
    if better == LOWER:
        earned = points if value <= target else points * target / value
    else:
        earned = points if value >= target else points * value / target
    return round(earned, 2)


def _sums(rows: list[dict]) -> dict:
    """Of sub-indicators: the points earned by those with a value, out of the points they can earn, and
    the points of those without one (not known to the service, or nothing to count)."""
    scored = [row for row in rows if row["points"] is not None]
    total, scored_max = sum(row["max_points"] for row in rows), sum(row["max_points"] for row in scored)
    return {"max_points": round(total, 2), "points": round(sum(row["points"] for row in scored), 2),
            "known_max_points": round(scored_max, 2), "unknown_max_points": round(total - scored_max, 2)}
