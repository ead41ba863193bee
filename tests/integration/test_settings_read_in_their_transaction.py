"""Settings the hot path reads on the session's connection (the calendar's, the agency's) are seen,
changed, by a later read in the same transaction: their changes are flushed as they are made. The
calendar's zone, brought by the bearer token's read, is kept for that transaction alone."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from engine import calendar_store
from workflows import agency, app_settings, auth


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


def _signed_in(sessions) -> str:
    with sessions() as session, session.begin():
        auth.create_user(session, username="zone.reader", password="Mật-khẩu-dài-2026", full_name="Người Đọc Giờ",
                         roles=["specialist"])
        raw, _expires, _user = auth.login(session, username="zone.reader", password="Mật-khẩu-dài-2026",
                                          ttl_minutes=60)
    return raw


@pytest.fixture
def reads(db_engine):
    """The SELECTs sent during the test."""
    sent: list[str] = []

    def sending(_connection, _cursor, statement, *_rest):
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append(statement)

    sa.event.listen(db_engine, "before_cursor_execute", sending)
    yield sent
    sa.event.remove(db_engine, "before_cursor_execute", sending)


def test_the_token_read_brings_the_calendar_zone_and_the_request_reads_it_no_more(sessions, reads):
    raw = _signed_in(sessions)
    with sessions() as session, session.begin():
        calendar_store.update_settings(session, {"timezone": "Asia/Bangkok"}, actor="admin")
    with sessions() as session, session.begin():
        reads.clear()
        auth.principal_for_token(session, raw)
        assert calendar_store.get_timezone(session) == "Asia/Bangkok"
        assert len(reads) == 1, reads


def test_a_zone_brought_by_the_token_read_lasts_its_transaction_only(sessions):
    raw = _signed_in(sessions)
    with sessions() as session:
        with session.begin():
            auth.principal_for_token(session, raw)
            assert calendar_store.get_timezone(session) == "Asia/Ho_Chi_Minh"
        with sessions() as other, other.begin():
            calendar_store.update_settings(other, {"timezone": "Asia/Bangkok"}, actor="admin")
        with session.begin():
            assert calendar_store.get_timezone(session) == "Asia/Bangkok"


def test_a_zone_set_after_the_token_read_is_the_one_shown_in_the_same_transaction(sessions):
    raw = _signed_in(sessions)
    with sessions() as session, session.begin():
        auth.principal_for_token(session, raw)
        calendar_store.update_settings(session, {"timezone": "Asia/Bangkok"}, actor="admin")
        assert calendar_store.get_timezone(session) == "Asia/Bangkok"
        session.rollback()
