"""Statistics for a period, per procedure: what the department reports each quarter.

Counted in SQL (one grouped query), for dossiers of the period [first day, last day] in the
agency's time zone:
- received: received in the period, not refused at the desk (status 3 without a hand-over);
- resolved: resolved in the period (`Dossier.resolved_at`), split by outcome early / on time /
  late (see `workflows.outcomes`); `extended`: of them, those whose time was extended with an
  apology (form 04), still judged against their statutory due date;
- in progress: received by the end of the period and neither resolved nor stopped by then, split
  into within the deadline and overdue (due before the end of the period, or before now if that is earlier).
Percentages as in the source article: resolved as % of received; early, on time and late as % of
resolved. Decision 766's on-time rate: (resolved early or on time + in progress within the
deadline) / (resolved + in progress); its average processing time: mean of resolved_at -
received_at over the resolved dossiers, in days.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, exists, func, not_, or_, select
from sqlalchemy.orm import Session

from engine.calendar_store import get_settings as get_calendar_settings
from engine.clock import utcnow
from workflows import outcomes, statuses
from workflows.errors import InvalidInput
from workflows.models import (
    ApplicantDocument,
    DocumentReuse,
    Dossier,
    DossierNotice,
    IssuedResult,
    Procedure,
    Rating,
    Unit,
)
from workflows.payment_models import PaymentOrder, PaymentReceipt

RATING_LEVELS = ("not_satisfied", "satisfied", "very_satisfied")
COUNTS = ("received", "resolved", "early", "on_time", "late", "extended", "in_progress", "in_progress_within",
          "in_progress_overdue")


@dataclass(frozen=True)
class Period:
    first_day: date
    last_day: date
    timezone: str

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time.min, ZoneInfo(self.timezone))

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last_day + timedelta(days=1), time.min, ZoneInfo(self.timezone))


def period_of(*, first_day: date | None = None, last_day: date | None = None, quarter: str | None = None,
              month: str | None = None, timezone: str) -> Period:
    """A period from explicit days, a quarter ("2019-Q1") or a month ("2019-03")."""
    given = [name for name, value in (("from/to", first_day or last_day), ("quarter", quarter), ("month", month))
             if value]
    if len(given) != 1:
        raise InvalidInput("Give the period as from and to, or as quarter (2019-Q1), or as month (2019-03).",
                           period=given)
    if quarter:
        match = re.fullmatch(r"(\d{4})-Q([1-4])", quarter.upper())
        if not match:
            raise InvalidInput("A quarter is written YYYY-Qn, e.g. 2019-Q1.", quarter=quarter)
        year, number = _year(match[1], quarter=quarter), int(match[2])
        first = date(year, 3 * number - 2, 1)
        return Period(first, _month_end(year, 3 * number), timezone)
    if month:
        match = re.fullmatch(r"(\d{4})-(0[1-9]|1[0-2])", month)
        if not match:
            raise InvalidInput("A month is written YYYY-MM, e.g. 2019-03.", month=month)
        year, number = _year(match[1], month=month), int(match[2])
        return Period(date(year, number, 1), _month_end(year, number), timezone)
    if first_day is None or last_day is None:
        raise InvalidInput("Give both from and to.", **{"from": str(first_day), "to": str(last_day)})
    return Period(first_day, last_day, timezone)


def statistics_of(session: Session, *, first_day: date | None = None, last_day: date | None = None,
                  quarter: str | None = None, month: str | None = None, procedure_code: str | None = None,
                  unit_code: str | None = None) -> dict:
    """The statistics of a period given as days, a quarter or a month, in the working calendar's zone."""
    period = period_of(first_day=first_day, last_day=last_day, quarter=quarter, month=month,
                       timezone=get_calendar_settings(session).timezone)
    return statistics(session, period, procedure_code=procedure_code, unit_code=unit_code)


def _year(text: str, **field) -> int:
    year = int(text)
    if not 1990 <= year <= 2100:
        raise InvalidInput("Statistics cover the years 1990 to 2100.", **field)
    return year


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def statistics(session: Session, period: Period, *, procedure_code: str | None = None,
               unit_code: str | None = None, now: datetime | None = None) -> dict:
    if period.last_day < period.first_day:
        raise InvalidInput("The period ends before it starts.", **{"from": period.first_day.isoformat(),
                                                                   "to": period.last_day.isoformat()})
    start, end = period.start, period.end
    cutoff = min(end, now or utcnow())
    counted: dict[tuple, dict] = {}  # (procedure code, name, unit code) -> counts and processing seconds
    for query in _counting_queries(session, start, end, cutoff):
        if procedure_code:
            query = query.where(Procedure.code == procedure_code)
        if unit_code:
            query = query.where(Unit.code == unit_code)
        for row in session.execute(query):
            found = counted.setdefault((row.code, row.name, row.unit_code), dict.fromkeys(COUNTS, 0))
            for name, value in row._mapping.items():
                if name in COUNTS or name == "processing_seconds":
                    found[name] = found.get(name, 0) + (value or 0)

    rows, seconds = [], {}  # seconds: procedure code -> total processing time of its resolved dossiers
    unit_names = {code: name for code, name in session.execute(select(Unit.code, Unit.name))} if counted else {}
    for (code, name, unit), found in sorted(counted.items()):
        counts = {key: int(found[key]) for key in COUNTS}
        seconds[code] = float(found.get("processing_seconds") or 0)
        rows.append({"procedure_code": code, "procedure_name": name, "unit_code": unit,
                     "unit_name": unit_names.get(unit, unit), **_with_rates(counts, seconds[code])})

    def summed(group: list[dict]) -> dict:
        counts = {name: sum(r[name] for r in group) for name in COUNTS}
        return _with_rates(counts, sum(seconds[r["procedure_code"]] for r in group))

    by_unit = [{"unit_code": unit, "unit_name": unit_names.get(unit, unit),
                **summed([r for r in rows if r["unit_code"] == unit])}
               for unit in sorted({r["unit_code"] for r in rows})]
    return {
        "from": period.first_day.isoformat(), "to": period.last_day.isoformat(), "timezone": period.timezone,
        "procedure_code": procedure_code, "unit": unit_code,
        "totals": summed(rows), "by_procedure": rows, "by_unit": by_unit,
        "satisfaction": satisfaction(session, start, end, procedure_code=procedure_code, unit_code=unit_code),
    }


def _counting_queries(session: Session, start: datetime, end: datetime, cutoff: datetime) -> list:
    """The counts of the period, each over only the dossiers it can count, found by an index on
    `received_at` or `resolved_at`: received in the period; resolved in it; in progress at its end,
    i.e. received before the end and not resolved by then (never resolved, or resolved after it).

    A dossier is counted by every query whose condition it meets, as one query over all of them
    with a sum per condition would (no scan of the whole table, which that query needed).
    """

    def count(condition=None):
        return func.count() if condition is None else func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    def per_procedure(*columns):
        return (select(Procedure.code, Procedure.name, Unit.code.label("unit_code"), *columns).select_from(Dossier)
                .join(Procedure, Procedure.id == Dossier.procedure_id)
                .join(Unit, Unit.id == Procedure.deciding_unit_id)
                .group_by(Procedure.code, Procedure.name, Unit.code))

    received = per_procedure(count().label("received")).where(
        Dossier.received_at >= start, Dossier.received_at < end, _was_received())
    resolved = per_procedure(
        count().label("resolved"),
        count(Dossier.outcome == outcomes.EARLY).label("early"),
        count(Dossier.outcome == outcomes.ON_TIME).label("on_time"),
        count(Dossier.outcome == outcomes.LATE).label("late"),
        count(exists().where(DossierNotice.dossier_id == Dossier.id, DossierNotice.kind == "apology"))
        .label("extended"),
        func.sum(_seconds_between(session, Dossier.received_at, Dossier.resolved_at)).label("processing_seconds"),
    ).where(Dossier.resolved_at >= start, Dossier.resolved_at < end)
    in_progress_columns = (
        count().label("in_progress"),
        count(or_(Dossier.due_at.is_(None), Dossier.due_at >= cutoff)).label("in_progress_within"),
        count(Dossier.due_at < cutoff).label("in_progress_overdue"),
    )
    never_resolved = per_procedure(*in_progress_columns).where(
        Dossier.resolved_at.is_(None), Dossier.received_at < end, _was_received(),
        # a dossier stopped (8, final: its status_changed_at is the stop) is no longer in progress
        or_(Dossier.status != statuses.PROCESSING_STOPPED, Dossier.status_changed_at >= end))
    resolved_later = per_procedure(*in_progress_columns).where(
        Dossier.resolved_at >= end, Dossier.received_at < end, _was_received())
    return [received, resolved, never_resolved, resolved_later]


def digital_counts(session: Session, period: Period) -> dict:
    """What Decision 766 counts beyond the statistics, over the same dossiers: of those received in the
    period (as `received` counts them), how many came online, had documents digitised at intake or
    reused from the applicant's store, and reused one, had a fee to pay (an order, or a payment at the
    desk) and paid it online; of those resolved in it, how many have a signed
    electronic result and how many were rated not satisfied (whenever rated)."""
    start, end = period.start, period.end

    def count(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    digitised = exists().where(ApplicantDocument.dossier_id == Dossier.id, ApplicantDocument.kind == "digitised")
    paid = exists().where(PaymentReceipt.dossier_id == Dossier.id, PaymentReceipt.kind == "payment")
    paid_online = exists().where(PaymentReceipt.dossier_id == Dossier.id, PaymentReceipt.kind == "payment",
                                 PaymentReceipt.method == "online")
    with_fees = or_(exists().where(PaymentOrder.dossier_id == Dossier.id), paid)
    reused = exists().where(DocumentReuse.dossier_id == Dossier.id)
    received = session.execute(select(
        func.count().label("received"),
        count(Dossier.channel == "online").label("online"),
        count(or_(digitised, reused)).label("digitised"),
        count(reused).label("reused"),
        count(with_fees).label("with_fees"),
        count(paid_online).label("paid_online"),
    ).where(Dossier.received_at >= start, Dossier.received_at < end, _was_received())).one()
    resolved = session.execute(select(
        func.count().label("resolved"),
        count(exists().where(IssuedResult.dossier_id == Dossier.id)).label("electronic_results"),
        count(exists().where(Rating.dossier_id == Dossier.id, Rating.level == "not_satisfied")).label("not_satisfied"),
    ).where(Dossier.resolved_at >= start, Dossier.resolved_at < end)).one()
    return {key: int(value) for key, value in {**received._mapping, **resolved._mapping}.items()}


def satisfaction(session: Session, start: datetime, end: datetime, *, procedure_code: str | None = None,
                 unit_code: str | None = None) -> dict:
    """The ratings given in the period: how many of each level, and the share satisfied or better."""
    query = (select(Rating.level, func.count()).where(Rating.rated_at >= start, Rating.rated_at < end)
             .group_by(Rating.level))
    if procedure_code or unit_code:  # every rating has a dossier of a procedure of a unit: join only to filter
        query = (query.join(Dossier, Dossier.id == Rating.dossier_id)
                 .join(Procedure, Procedure.id == Dossier.procedure_id)
                 .join(Unit, Unit.id == Procedure.deciding_unit_id))
    if procedure_code:
        query = query.where(Procedure.code == procedure_code)
    if unit_code:
        query = query.where(Unit.code == unit_code)
    counts = {level: 0 for level in RATING_LEVELS} | {level: n for level, n in session.execute(query)}
    total = sum(counts.values())
    return {"ratings": total, **counts,
            "satisfied_percent": percent(counts["satisfied"] + counts["very_satisfied"], total)}


def _was_received():
    """Not refused at the desk, and not an online registration still waiting to be accepted."""
    return not_(and_(Dossier.handed_over_at.is_(None),
                     Dossier.status.in_((statuses.NOT_RECEIVED, statuses.NEWLY_REGISTERED))))


def _seconds_between(session: Session, earlier, later):
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(later) - func.julianday(earlier)) * 86400.0
    return func.extract("epoch", later - earlier)


def percent(part: int, whole: int) -> float:
    if not whole:
        return 0.0
    return float((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _with_rates(counts: dict, processing_seconds: float) -> dict:
    resolved = counts["resolved"]
    considered = resolved + counts["in_progress"]
    in_time = counts["early"] + counts["on_time"] + counts["in_progress_within"]
    average_days = processing_seconds / resolved / 86400 if resolved else 0.0
    return {
        **counts,
        "resolved_percent": percent(resolved, counts["received"]),
        "early_percent": percent(counts["early"], resolved),
        "on_time_percent": percent(counts["on_time"], resolved),
        "late_percent": percent(counts["late"], resolved),
        "timeliness_percent": percent(in_time, considered),
        "average_processing_days": round(average_days, 2),
        "processing_days": round(processing_seconds / 86400, 2),  # of the resolved dossiers, together
    }
