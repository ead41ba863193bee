"""The audit trail is append-only and hash-chained: a sealer chains new events, verify finds tampering."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import delete, select, update

from engine import audit
from engine.audit import GENESIS_HASH, AuditTrailAppendOnly, seal_pending, verify_chain
from engine.clock import utcnow
from engine.models import AuditChainHead, AuditEvent
from tests.conftest import ROOT
from tests.servers import wait_for
from workflows.scheduler import build_scheduler

MOTCUA = str(Path(sys.executable).parent / "motcua")


def write_events(sessions, count: int, start: int = 0) -> list[int]:
    with sessions() as session, session.begin():
        events = [audit.record(session, actor=f"user{i}", action="test.happened", subject=f"hồ sơ {i}",
                               data={"n": i, "nested": {"b": [1, 2.5, None], "a": "Đ"}, "ok": True})
                  for i in range(start, start + count)]
        session.flush()
        return [event.id for event in events]


def seal(sessions) -> int:
    with sessions() as session, session.begin():
        return seal_pending(session)


def verify(sessions):
    with sessions() as session, session.begin():
        return verify_chain(session)


def chain(sessions) -> list[tuple[int, int, str]]:
    """(chain_seq, id, chain_hash) of the sealed events, in chain order."""
    with sessions() as session:
        query = (select(AuditEvent.chain_seq, AuditEvent.id, AuditEvent.chain_hash)
                 .where(AuditEvent.chain_seq.is_not(None)).order_by(AuditEvent.chain_seq))
        return [tuple(row) for row in session.execute(query)]


@contextmanager
def triggers_lifted(db_engine):
    """A transaction in which the audit triggers are off: what an attacker owning the tables could do.

    PostgreSQL: ALTER TABLE ... DISABLE TRIGGER; SQLite: drop them and create them again before
    committing. Either way, only this transaction ever sees the tables unguarded.
    """
    with db_engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            for table in ("audit_event", "audit_chain_head"):
                connection.execute(sa.text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
            yield connection
            for table in ("audit_event", "audit_chain_head"):
                connection.execute(sa.text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
        else:
            triggers = connection.execute(sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all()
            for name, _sql in triggers:
                connection.execute(sa.text(f'DROP TRIGGER "{name}"'))
            yield connection
            for _name, sql in triggers:
                connection.exec_driver_sql(sql)


def test_events_written_then_sealed_form_a_chain_that_verifies(sessions):
    ids = write_events(sessions, 5)
    before = verify(sessions)
    assert (before.checked, before.unsealed, before.tampered) == (0, 5, False)

    assert seal(sessions) == 5
    result = verify(sessions)
    assert (result.checked, result.unsealed, result.head_seq, result.tampered) == (5, 0, 5, False)
    assert result.report()[-1] == "audit chain: OK"
    sealed = chain(sessions)
    assert [(seq, event_id) for seq, event_id, _ in sealed] == list(zip(range(1, 6), ids, strict=True))
    with sessions() as session:
        first = session.get(AuditEvent, ids[0])
        expected = hashlib.sha256((GENESIS_HASH + audit.canonical_json(first)).encode()).hexdigest()
        assert first.chain_hash == expected
        assert audit.canonical_json(first).startswith('{"action":"test.happened","actor":"user0",'
                                                      '"data":{"n":0,"nested":{"a":"Đ","b":[1,2.5,null]},"ok":true},')
        head = session.get(AuditChainHead, 1)
        assert (head.last_seq, head.last_hash) == (5, sealed[-1][2])


def test_new_events_after_sealing_are_reported_as_unsealed_until_the_next_seal(sessions):
    write_events(sessions, 3)
    seal(sessions)
    later = write_events(sessions, 2, start=3)
    result = verify(sessions)
    assert (result.checked, result.unsealed, result.tampered) == (3, 2, False)
    assert "2 event(s) not sealed yet" in result.report()[0]

    assert seal(sessions) == 2
    assert seal(sessions) == 0  # nothing left
    result = verify(sessions)
    assert (result.checked, result.unsealed, result.head_seq, result.tampered) == (5, 0, 5, False)
    assert [event_id for seq, event_id, _ in chain(sessions) if seq > 3] == later


def test_the_sealer_takes_batches_in_id_order(sessions):
    ids = write_events(sessions, 7)
    with sessions() as session, session.begin():
        assert seal_pending(session, limit=3) == 3
    with sessions() as session, session.begin():
        assert seal_pending(session, limit=3) == 3
    assert seal(sessions) == 1
    assert [event_id for _, event_id, _ in chain(sessions)] == ids
    assert not verify(sessions).tampered


def test_the_orm_refuses_to_update_or_delete_an_audit_event(sessions):
    sealed, unsealed = write_events(sessions, 2)
    with sessions() as session, session.begin():
        assert seal_pending(session, limit=1) == 1

    with sessions() as session:
        session.get(AuditEvent, unsealed).data = {"n": 99}
        with pytest.raises(AuditTrailAppendOnly, match=f"append-only: changing audit event {unsealed} \\(data\\)"):
            session.flush()
    with sessions() as session:
        session.get(AuditEvent, sealed).actor = "someone else"
        with pytest.raises(AuditTrailAppendOnly, match=f"changing audit event {sealed} \\(actor\\)"):
            session.flush()
    with sessions() as session:
        session.delete(session.get(AuditEvent, sealed))
        with pytest.raises(AuditTrailAppendOnly, match=f"append-only: deleting audit event {sealed}"):
            session.flush()
    with sessions() as session:
        session.get(AuditEvent, sealed).chain_hash = "f" * 64  # sealed once, for good
        with pytest.raises(AuditTrailAppendOnly, match="chain_hash"):
            session.flush()
    with sessions() as session:
        session.get(AuditEvent, unsealed).chain_seq = 42  # only the sealer seals, both columns at once
        with pytest.raises(AuditTrailAppendOnly, match="chain_seq"):
            session.flush()
    with sessions() as session:
        with pytest.raises(AuditTrailAppendOnly, match="UPDATE or DELETE statements on audit_event"):
            session.execute(update(AuditEvent).values(actor="someone else"))
        with pytest.raises(AuditTrailAppendOnly):
            session.execute(delete(AuditEvent).where(AuditEvent.id == unsealed))
        with pytest.raises(AuditTrailAppendOnly):
            session.execute(AuditEvent.__table__.delete())
    with sessions() as session:
        session.add(AuditEvent(occurred_at=utcnow(), actor="x", action="forged", data={},
                               chain_seq=99, chain_hash="0" * 64))
        with pytest.raises(AuditTrailAppendOnly, match="already sealed"):
            session.flush()

    with sessions() as session:
        assert session.get(AuditEvent, unsealed).data["n"] == 1
        assert session.get(AuditEvent, sealed).actor == "user0"
        assert session.scalar(select(sa.func.count()).select_from(AuditEvent)) == 2
    assert seal(sessions) == 1
    assert not verify(sessions).tampered


def test_the_database_refuses_raw_updates_and_deletes_of_audit_events(sessions, db_engine, db_kind):
    first, second = write_events(sessions, 2)
    with sessions() as session, session.begin():
        seal_pending(session, limit=1)

    refused = [
        f"UPDATE audit_event SET actor = 'someone else' WHERE id = {first}",
        f"UPDATE audit_event SET actor = 'someone else' WHERE id = {second}",  # not sealed yet: refused all the same
        f"UPDATE audit_event SET chain_hash = '{'f' * 64}' WHERE id = {first}",  # sealed once
        f"UPDATE audit_event SET chain_seq = 7 WHERE id = {second}",  # sealing sets both columns
        f"UPDATE audit_event SET chain_seq = 2, chain_hash = '{'f' * 64}', subject = 'x' WHERE id = {second}",
        f"DELETE FROM audit_event WHERE id = {second}",
        "DELETE FROM audit_event",
        "UPDATE audit_chain_head SET last_seq = 0",
        "DELETE FROM audit_chain_head",
    ]
    if db_kind == "postgresql":
        refused += ["TRUNCATE audit_event CASCADE", "TRUNCATE audit_chain_head"]
    for statement in refused:
        with pytest.raises(sa.exc.DBAPIError, match="append-only|only moves forward"):
            with db_engine.begin() as connection:
                connection.execute(sa.text(statement))

    with sessions() as session:
        assert session.scalar(select(sa.func.count()).select_from(AuditEvent)) == 2
        assert session.get(AuditEvent, first).actor == "user0"
    assert seal(sessions) == 1
    result = verify(sessions)
    assert (result.checked, result.tampered) == (2, False)


def test_changing_an_event_behind_the_triggers_is_detected_by_verify_naming_the_event(sessions, db_engine):
    ids = write_events(sessions, 5)
    seal(sessions)
    with triggers_lifted(db_engine) as connection:
        connection.execute(sa.text("UPDATE audit_event SET actor = 'mallory' WHERE id = :id"), {"id": ids[2]})

    result = verify(sessions)
    assert result.tampered
    assert (result.first_mismatch.event_id, result.first_mismatch.chain_seq, result.mismatches) == (ids[2], 3, 1)
    assert f"TAMPERED: event {ids[2]} (chain_seq 3) does not match its hash" in "\n".join(result.report())
    assert result.report()[-1] == "audit chain: TAMPERED"


def test_rewriting_an_event_together_with_its_hash_is_detected_at_the_next_event_or_the_head(sessions, db_engine):
    ids = write_events(sessions, 4)
    seal(sessions)
    with sessions() as session:
        events = {event.id: event for event in session.scalars(select(AuditEvent))}
    for target in (ids[1], ids[3]):
        event = events[target]
        event.subject = "rewritten"
        previous = GENESIS_HASH if event.chain_seq == 1 else events[ids[ids.index(target) - 1]].chain_hash
        rewrite = sa.text("UPDATE audit_event SET subject = 'rewritten', chain_hash = :hash WHERE id = :id")
        with triggers_lifted(db_engine) as connection:
            connection.execute(rewrite, {"hash": audit.chain_hash(previous, event), "id": target})

    result = verify(sessions)
    assert result.first_mismatch.event_id == ids[2]  # its link to the rewritten event breaks
    assert result.head_problem == (f"event {ids[3]} (chain_seq 4) does not match the chain head's hash: "
                                   "the last sealed event was rewritten")


def test_deleting_a_sealed_event_is_detected_as_a_gap(sessions, db_engine):
    ids = write_events(sessions, 6)
    seal(sessions)
    with triggers_lifted(db_engine) as connection:
        connection.execute(sa.text("DELETE FROM audit_event WHERE id IN (:a, :b)"), {"a": ids[1], "b": ids[2]})

    result = verify(sessions)
    assert result.tampered and result.first_mismatch is None
    assert (result.gaps, result.missing, result.unchecked_after_gap) == ([(2, 3)], 2, [ids[3]])
    assert "DELETED: chain_seq 2-3 missing (2 event(s))" in result.report()

    with triggers_lifted(db_engine) as connection:  # the newest one: the head still remembers it
        connection.execute(sa.text("DELETE FROM audit_event WHERE id = :id"), {"id": ids[5]})
    result = verify(sessions)
    assert result.gaps == [(2, 3), (6, 6)]
    assert "DELETED: chain_seq 6 missing (1 event(s))" in result.report()

    write_events(sessions, 1, start=6)
    assert seal(sessions) == 1  # the chain goes on from its head: the gaps stay visible
    assert verify(sessions).gaps == [(2, 3), (6, 6)]


def test_two_sessions_writing_concurrently_and_a_seal_in_between_give_one_gap_free_chain(sessions, db_kind):
    if db_kind == "sqlite":
        pytest.skip("SQLite runs one writing transaction at a time")
    with sessions() as slow:
        with slow.begin():
            slow_event = audit.record(slow, actor="slow", action="test.slow")
            slow.flush()  # its id is taken, its transaction still open
            fast_ids = write_events(sessions, 2)
            assert fast_ids[0] > slow_event.id
            assert seal(sessions) == 2  # the slow event is not visible yet
        assert seal(sessions) == 1  # committed: it is sealed in the next batch

    assert [event_id for _, event_id, _ in chain(sessions)] == [*fast_ids, slow_event.id]
    result = verify(sessions)
    assert (result.checked, result.unsealed, result.gaps, result.tampered) == (3, 0, [], False)


def test_many_writers_and_two_sealers_at_once_give_one_gap_free_chain(sessions, db_kind):
    if db_kind == "sqlite":
        pytest.skip("SQLite runs one writing transaction at a time")
    writers_done = threading.Event()
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(20):
                write_events(sessions, 3, start=n * 100 + i * 3)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def sealer() -> None:
        try:
            while not writers_done.is_set():
                seal(sessions)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    writers = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    sealers = [threading.Thread(target=sealer) for _ in range(2)]
    for thread in writers + sealers:
        thread.start()
    for thread in writers:
        thread.join()
    writers_done.set()
    for thread in sealers:
        thread.join()
    assert errors == []
    seal(sessions)

    sealed = chain(sessions)
    assert [seq for seq, _, _ in sealed] == list(range(1, 241))
    assert sorted(event_id for _, event_id, _ in sealed) == sorted({event_id for _, event_id, _ in sealed})
    result = verify(sessions)
    assert (result.checked, result.unsealed, result.tampered) == (240, 0, False)


def test_the_scheduler_seals_new_events_every_few_seconds(sessions):
    write_events(sessions, 3)
    scheduler = build_scheduler(sessions, poll_seconds=3600, audit_seal_seconds=0.2)
    scheduler.start()
    try:
        assert wait_for(lambda: verify(sessions).checked == 3, 10)
        write_events(sessions, 2, start=3)
        assert wait_for(lambda: verify(sessions).checked == 5, 10)
    finally:
        scheduler.shutdown(wait=False)
    assert not verify(sessions).tampered


def verify_audit(database_url: str, tmp_path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTCUA_")}
    env.update(MOTCUA_DATA_DIR=str(tmp_path), MOTCUA_DATABASE_URL=database_url)
    return subprocess.run([MOTCUA, "verify-audit"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_motcua_verify_audit_exits_0_on_a_good_chain_and_1_after_tampering(sessions, db_engine, database_url,
                                                                           tmp_path):
    ids = write_events(sessions, 4)
    seal(sessions)
    write_events(sessions, 1, start=4)
    good = verify_audit(database_url, tmp_path)
    assert good.returncode == 0, good.stdout + good.stderr
    with sessions() as session:
        head_hash = session.get(AuditChainHead, 1).last_hash
    assert good.stdout.splitlines() == [
        "audit chain: 4 sealed event(s) checked, 1 event(s) not sealed yet",
        f"chain head: chain_seq 4, hash {head_hash}",
        "audit chain: OK",
    ]
    with sessions() as session:
        assert session.scalar(select(sa.func.count()).where(AuditEvent.chain_seq.is_(None))) == 1  # sealed nothing

    # a writer holding the write lock does not hold it up: were it to wait for the lock, it would wait
    # until the writer ends, which is after it (the subprocess' timeout, or the database's lock timeout)
    with sessions() as writer, writer.begin():
        audit.record(writer, actor="busy", action="test.writing")
        writer.flush()
        assert verify_audit(database_url, tmp_path).returncode == 0

    with triggers_lifted(db_engine) as connection:
        connection.execute(sa.text("UPDATE audit_event SET subject = 'changed' WHERE id = :id"), {"id": ids[1]})
    tampered = verify_audit(database_url, tmp_path)
    assert tampered.returncode == 1, tampered.stdout + tampered.stderr
    assert f"TAMPERED: event {ids[1]} (chain_seq 2) does not match its hash" in tampered.stdout
    assert tampered.stdout.splitlines()[-1] == "audit chain: TAMPERED"


def test_an_event_written_at_once_is_in_the_chain_like_any_other_and_leaves_with_its_transaction(sessions):
    write_events(sessions, 1)
    with sessions() as session, session.begin():
        audit.record_at_once(session, actor="chuyenvien1", action="task.claimed", subject="task-1",
                             data={"bpmn_id": "xem_xet", "name": "Xem xét hồ sơ"})
        session.rollback()
    with sessions() as session, session.begin():
        audit.record_at_once(session, actor="chuyenvien1", action="task.claimed", subject="task-1",
                             data={"bpmn_id": "xem_xet", "name": "Xem xét hồ sơ"})
    write_events(sessions, 1, start=1)

    assert seal(sessions) == 3
    assert verify(sessions).report()[-1] == "audit chain: OK"
    with sessions() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        claimed = events[1]
        assert [e.action for e in events] == ["test.happened", "task.claimed", "test.happened"]
        assert (claimed.actor, claimed.subject, claimed.data) == (
            "chuyenvien1", "task-1", {"bpmn_id": "xem_xet", "name": "Xem xét hồ sơ"})
        assert claimed.occurred_at.tzinfo is not None


def test_only_a_claim_a_release_and_a_completion_are_written_at_once(sessions):
    assert audit.WRITTEN_AT_ONCE == {"task.claimed", "task.unclaimed", "task.completed"}
    with sessions() as session, session.begin(), pytest.raises(ValueError, match="dossier.received"):
        audit.record_at_once(session, actor="motcua", action="dossier.received")


def test_an_event_written_at_once_comes_after_the_events_recorded_before_it_and_is_told_to_the_commit(sessions):
    with sessions() as session:
        with session.begin():
            audit.record(session, actor="motcua", action="dossier.received", subject="HS-1")
            completed = audit.record_at_once(session, actor="chuyenvien1", action="task.completed",
                                             subject="task-1")
            audit.record(session, actor="motcua", action="dossier.status_changed", subject="HS-1")
            assert audit.take_written_at_once(session) == [(completed, "task.completed")]
            assert audit.take_written_at_once(session) == []  # taken once
        with session.begin():
            audit.record_at_once(session, actor="chuyenvien1", action="task.claimed", subject="task-2")
        assert audit.take_written_at_once(session) == []  # forgotten when its transaction ended
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["dossier.received", "task.completed", "dossier.status_changed", "task.claimed"]
