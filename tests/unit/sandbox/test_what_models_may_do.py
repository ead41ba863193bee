"""What models may still do in the sandbox: the seed models' expressions, dates, decimals, math,
comprehensions, loops, functions and changing lists and dicts."""

from __future__ import annotations

import datetime
import decimal

import pytest

from engine.sandbox import Limits, Sandbox

SANDBOX = Sandbox(Limits(time=0.25))


@pytest.mark.parametrize(("expression", "data", "expected"), [
    ('check_result == "complete"', {"check_result": "complete"}, True),
    ('opinion in ("approve", "refuse")', {"opinion": "supplement"}, False),
    ('check_result != "refuse" and decision == "approve"', {"check_result": "complete", "decision": "approve"}, True),
    ("counter < target", {"counter": 3, "target": 10}, True),
    ('return_method == "post"', {"return_method": "in_person"}, False),
    ('"PT1S"', {}, "PT1S"),
])
def test_the_expressions_of_the_seed_models_still_work(expression, data, expected):
    assert SANDBOX.evaluate(expression, data) == expected


def test_a_script_can_do_date_arithmetic():
    script = (
        "received = datetime.datetime(2026, 12, 4, 15, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))\n"
        "due = received + datetime.timedelta(days=15)\n"
        "due_text = due.isoformat()\n"
        "weekday = due.weekday()\n"
        "days_left = (due.date() - datetime.date(2026, 12, 10)).days\n"
    )
    result = SANDBOX.execute(script, {})
    assert result["due_text"] == "2026-12-19T15:00:00+07:00"
    assert result["weekday"] == 5
    assert result["days_left"] == 9
    assert isinstance(result["due"], datetime.datetime)


def test_a_script_can_compute_with_decimals_and_math():
    script = (
        "fee = (decimal.Decimal(unit_fee) * copies).quantize(decimal.Decimal('1'), rounding=decimal.ROUND_HALF_UP)\n"
        "pages = math.ceil(words / 250)\n"
        "side = math.isqrt(17)\n"
        "share = round(math.pi, 2)\n"
        "big = 2 ** 64\n"
    )
    result = SANDBOX.execute(script, {"unit_fee": "2500.5", "copies": 3, "words": 1001})
    assert result["fee"] == decimal.Decimal("7502")
    assert (result["pages"], result["side"], result["share"], result["big"]) == (5, 4, 3.14, 2**64)


def test_a_script_can_use_comprehensions_loops_functions_and_change_dicts():
    script = (
        "names = sorted((d['name'] for d in documents if d['required']), key=lambda n: n.lower())\n"
        "summary = {'count': len(names)}\n"
        "summary.update(first=names[0])\n"
        "summary['last'] = names[-1]\n"
        "for i, name in enumerate(names):\n"
        "    summary[f'doc_{i}'] = name.upper()\n"
        "scores = {k: v * 2 for k, v in weights.items()}\n"
        "def label(code, n):\n"
        "    return '%s-%03d' % (code, n)\n"
        "reference = label('HS', 7)\n"
        "joined = ', '.join(names)\n"
        "n = 0\n"
        "while n < 5:\n"
        "    n += 1\n"
        "try:\n"
        "    number = int('abc')\n"
        "except ValueError:\n"
        "    number = -1\n"
        "first, *rest = names\n"
        "kinds = {isinstance(v, (int, float)) for v in weights.values()}\n"
        "dossier['status'] = 'checked'\n"
        "notes.append(f'{len(names)} documents')\n"
    )
    data = {"documents": [{"name": "Đơn", "required": True}, {"name": "bằng", "required": True},
                          {"name": "ảnh", "required": False}],
            "weights": {"a": 1, "b": 2.5}, "dossier": {"status": "received"}, "notes": []}
    result = SANDBOX.execute(script, data)
    assert result["names"] == ["bằng", "Đơn"]
    assert result["summary"] == {"count": 2, "first": "bằng", "last": "Đơn", "doc_0": "BẰNG", "doc_1": "ĐƠN"}
    assert result["scores"] == {"a": 2, "b": 5.0}
    assert (result["reference"], result["joined"], result["n"], result["number"]) == ("HS-007", "bằng, Đơn", 5, -1)
    assert (result["first"], result["rest"], result["kinds"]) == ("bằng", ["Đơn"], {True})
    assert result["dossier"] == {"status": "checked"} and result["notes"] == ["2 documents"]
    assert "label" not in result  # functions the script defines are not data
    assert data["dossier"] == {"status": "received"} and data["notes"] == []  # the input is not changed
