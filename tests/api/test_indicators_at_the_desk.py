"""Decision 766's digitisation and satisfaction indicators follow what the desk, the leader and the
applicant actually do: a scan attached at intake (a signed digitised copy), a stored copy reused by a
later dossier, the result signed at the leader's signature, a rating. Guards the indicators' queries
against the rows those features really write."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.api.test_applicant_store import attach, on_file, scan_pdf
from tests.api.test_statistics import rate, resolve

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def settings(settings, pki):
    return settings.with_overrides(signing=pki.config(), trust_roots=pki.root_pem)


def test_a_digitised_scan_a_reused_copy_a_signed_result_and_a_rating_are_counted(api):
    # a day the test PKI's certificates are valid on (from yesterday for a year): all on that one day
    day = datetime.now(VN).date() + timedelta(days=2)
    at = lambda hour: datetime.combine(day, time(hour), VN)  # noqa: E731
    with time_machine.travel(at(8), tick=False) as clock:
        first = api.receive()["code"]
        attach(api, first, scan_pdf(), "hoc-ba.pdf", "Học bạ")
        second = api.receive()["code"]
        [stored] = on_file(api).get_json()
        reused = api.post(f"/api/v1/dossiers/{second}/reused-documents", user="desk",
                          json={"document_id": stored["id"], "document_name": "Học bạ"})
        assert reused.status_code == 201, reused.get_json()
        api.receive()  # nothing digitised
        resolve(api, clock, first, at(10))
        rate(api, first, "not_satisfied")
        clock.move_to(at(16))
        response = api.get("/api/v1/reports/indicators", user="leader",
                           query_string={"year": day.year, "quarter": (day.month - 1) // 3 + 1})

    assert response.status_code == 200, response.get_json()
    rows = {row["code"]: row for group in response.get_json()["groups"] for row in group["indicators"]}
    counted = {code: (rows[code]["numerator"], rows[code]["denominator"], rows[code]["value"])
               for code in ("digitised_dossiers", "reused_data", "electronic_results", "dossier_satisfaction",
                            "online_dossiers")}
    assert counted == {"digitised_dossiers": (2, 3, 66.67), "reused_data": (1, 3, 33.33),
                       "electronic_results": (1, 1, 100.0), "dossier_satisfaction": (0, 1, 0.0),
                       "online_dossiers": (0, 3, 0.0)}
