"""The targets and points of Decision 766's sub-indicators, as an administrator sets them.

Kept in `app_setting` under "indicators" as {code: {"points": p, "target": t}}, over the defaults of
workflows.indicator_catalogue. A change is checked as a whole (the points add up to 100; a scored
sub-indicator has a target) and recorded in the change log as `indicators.updated`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from engine import audit
from workflows import app_settings
from workflows.errors import InvalidInput
from workflows.indicator_catalogue import BY_CODE, INDICATORS, PERCENT, TOTAL_POINTS, text

KEY = "indicators"


class PointsDoNotAddUp(InvalidInput):
    """The sub-indicators' points do not add up to the decision's 100."""

    code = "indicator_points_total"


def effective(session: Session) -> dict[str, dict]:
    """{code: {"points", "target"}} for every sub-indicator: the administrator's values over the defaults."""
    stored = _stored(session)
    return {indicator.code: {"points": float(indicator.points), "target": indicator.target,
                             **stored.get(indicator.code, {})} for indicator in INDICATORS}


def described(session: Session, lang: str = "vi") -> dict:
    """Every sub-indicator's points and target beside its defaults, for the page that edits them."""
    values = effective(session)
    updated_by, updated_at = last_change(session)
    return {"indicators": [{"code": i.code, "group": i.group, "name": text(i.name, lang), "unit": i.unit,
                            "better": i.better, **values[i.code], "default_points": float(i.points),
                            "default_target": i.target, "points_confirmed": i.points_confirmed,
                            "known": i.measure is not None} for i in INDICATORS],
            "updated_by": updated_by, "updated_at": updated_at}


def last_change(session: Session) -> tuple[str | None, datetime | None]:
    return app_settings.last_change(session, KEY)


def update(session: Session, changes: list[dict], *, actor: str) -> dict[str, dict]:
    """Set the points and targets of some sub-indicators ({"code", "points"?, "target"?} each)."""
    before = effective(session)
    after = {code: dict(values) for code, values in before.items()}
    for position, change in enumerate(changes):
        code = change.get("code")
        if code not in BY_CODE:
            raise InvalidInput(f"There is no sub-indicator '{code}'.", field=f"indicators.{position}.code",
                               known=sorted(BY_CODE))
        for name in ("points", "target"):
            if name in change:
                after[code][name] = _checked(code, name, change[name], position)
    _check_whole(after)
    app_settings.store(session, KEY, {code: values for code, values in after.items()
                                      if values != {"points": float(BY_CODE[code].points),
                                                    "target": BY_CODE[code].target}}, actor=actor)
    changed = {f"{code}.{name}": {"from": before[code][name], "to": after[code][name]}
               for code in after for name in ("points", "target") if before[code][name] != after[code][name]}
    audit.record(session, actor=actor, action="indicators.updated", subject=KEY, data={
        "changes": changed, "names": {key.split(".")[0]: BY_CODE[key.split(".")[0]].name[0] for key in changed}})
    return after


def _stored(session: Session) -> dict:
    return {code: values for code, values in app_settings.stored(session, KEY).items() if code in BY_CODE}


def _checked(code: str, name: str, value, position: int):
    field = f"indicators.{position}.{name}"
    if value is None:
        if name == "points":
            raise InvalidInput("Points are a number from 0 to 100.", field=field)
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(f"The {name} of '{code}' must be a number.", field=field)
    value = float(value)
    if name == "points" and not 0 <= value <= TOTAL_POINTS:
        raise InvalidInput("Points are a number from 0 to 100.", field=field, value=value)
    if name == "target" and BY_CODE[code].unit == PERCENT and not 0 < value <= 100:
        raise InvalidInput("A target rate is a percentage above 0 and at most 100.", field=field, value=value)
    if name == "target" and not 0 < value <= 3650:
        raise InvalidInput("A target time is a number of days above 0.", field=field, value=value)
    return round(value, 2)


def _check_whole(values: dict[str, dict]) -> None:
    total = round(sum(v["points"] for v in values.values()), 2)
    if total != TOTAL_POINTS:
        raise PointsDoNotAddUp(f"The points of all sub-indicators must add up to {TOTAL_POINTS}, not {total:g}.",
                               field="points", total=f"{total:g}", expected=TOTAL_POINTS)
    for code, v in values.items():
        if v["points"] and v["target"] is None:
            raise InvalidInput(f"'{code}' scores {v['points']:g} points: give it a target.",
                               field=f"{code}.target")
