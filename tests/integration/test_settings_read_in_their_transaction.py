"""Settings the hot path reads on the session's connection (the calendar's, the agency's) are seen,
changed, by a later read in the same transaction: their changes are flushed as they are made."""

from __future__ import annotations

from datetime import date

from engine import calendar_store
from workflows import agency, app_settings


def test_a_new_calendar_zone_is_read_in_the_transaction_that_set_it(sessions):
    with sessions() as session, session.begin():
        before = calendar_store.get_timezone(session)
        calendar_store.update_settings(session, {"timezone": "Asia/Bangkok"}, actor="admin")

        assert before == "Asia/Ho_Chi_Minh"
        assert calendar_store.get_timezone(session) == "Asia/Bangkok"
        assert calendar_store.load_calendar(session).settings.timezone == "Asia/Bangkok"
        session.rollback()


def test_a_calendar_exception_added_or_deleted_counts_in_the_same_transaction(sessions):
    day = date(2031, 3, 4)  # a Tuesday
    with sessions() as session, session.begin():
        calendar_store.add_exception(session, day=day, kind="day_off", reason="Nghỉ bù", actor="admin")
        assert not calendar_store.load_calendar(session).is_working_day(day)

        calendar_store.delete_exception(session, day, actor="admin")
        assert calendar_store.load_calendar(session).is_working_day(day)
        session.rollback()


def test_an_agency_setting_stored_is_read_back_in_the_same_transaction(sessions):
    with sessions() as session, session.begin():
        agency.update_agency(session, {"dossier_code_prefix": "000.00.20.H56"}, actor="admin")

        assert agency.get_agency(session)["dossier_code_prefix"] == "000.00.20.H56"
        assert app_settings.stored(session, "no such key") == {}
        session.rollback()
