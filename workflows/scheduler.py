"""The timer scheduler (APScheduler), armed for the earliest due timer.

One date job (`fire-due-timers`) runs just after the earliest due instant in the database; it is
re-armed after every firing and after every commit of this process that changes timers. A slow
safety poll (`timer-safety-poll`, MOTCUA_TIMER_POLL_SECONDS) re-arms too, for timers that other
processes wrote. At start-up it fires at once whatever fell due while the service was down.

Several processes may run it on one database: each instance's timers fire in a transaction
that holds its row (FOR UPDATE SKIP LOCKED on PostgreSQL, the write lock on SQLite), so a timer
fires once; a process that dies mid-firing loses its transaction and with it the lock.

A second job (`deliver-notifications`, every MOTCUA_OUTBOX_POLL_SECONDS) delivers the outbox, and
with the national portal configured another (`deliver-portal`, as often) its outbox (workflows/portal/),
and with online payment configured `deliver-payments` the payment orders to create at the platform
and the payments whose dossier's process has not heard of them yet (workflows/payment_orders.py).
A third (`seal-audit`, every few seconds) seals new audit events into the hash chain; sealers of
several processes take turns on one lock (engine/audit.py).

`start_scheduler(settings, session_factory)` is how the server (create_app) and `motcua scheduler`
start it: built from the Settings, one per process; `build_scheduler` is the builder under it.
"""

from __future__ import annotations

import logging
import os
import threading
from datetime import datetime, timedelta, timezone

from apscheduler.events import EVENT_SCHEDULER_SHUTDOWN
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy.orm import sessionmaker

from engine import audit, instances, timer_events
from workflows import outbox, payment_orders, payments
from workflows.portal import outbox as portal_outbox
from workflows.settings import ChannelConfig, PaymentConfig, PortalConfig, Settings
from workflows.timers import fire_due_timers

log = logging.getLogger(__name__)
FIRE_JOB_ID = "fire-due-timers"
REARM_JOB_ID = "rearm-timers"
POLL_JOB_ID = "timer-safety-poll"
OUTBOX_JOB_ID = "deliver-notifications"
PORTAL_JOB_ID = "deliver-portal"
PAYMENT_JOB_ID = "deliver-payments"
SEAL_JOB_ID = "seal-audit"
AUDIT_SEAL_SECONDS = 5.0
SEAL_BATCH = 1000
# SpiffWorkflow fires a timer strictly after its due instant: run just after it.
AFTER_DUE = timedelta(milliseconds=5)

_started_lock = threading.Lock()
_started: tuple[int, BaseScheduler] | None = None  # (process id, scheduler) of the one started here


class SchedulerAlreadyRunning(RuntimeError):
    """A scheduler was started in this process already: a second one would fire every job twice."""


def start_scheduler(settings: Settings, session_factory: sessionmaker, *, blocking: bool = False) -> BaseScheduler:
    """Build the scheduler from the settings and start it; the one entry point of the app and the CLI.

    A process runs at most one: while the first runs (until its shutdown), another call raises
    SchedulerAlreadyRunning. With `blocking`, this returns only once the scheduler has been shut down
    (Ctrl+C raises KeyboardInterrupt out of it); otherwise the scheduler runs in background threads
    and is returned.
    """
    global _started
    with _started_lock:
        if _started is not None and _started[0] == os.getpid():  # a forked child inherits no threads
            raise SchedulerAlreadyRunning(
                "a scheduler is already running in this process (started by create_app(start_scheduler=True) "
                "or `motcua scheduler`); shut it down before starting another")
        scheduler = build_scheduler(session_factory, poll_seconds=settings.timer_poll_seconds, blocking=blocking,
                                    channels=settings.channels, outbox_seconds=settings.outbox_poll_seconds,
                                    portal=settings.portal, payment=settings.payment)
        scheduler.add_listener(lambda _event: _forget(scheduler), mask=EVENT_SCHEDULER_SHUTDOWN)
        _started = (os.getpid(), scheduler)
    try:
        scheduler.start()
    finally:
        if blocking or not scheduler.running:
            _forget(scheduler)
    return scheduler


def running_scheduler() -> BaseScheduler | None:
    """The scheduler `start_scheduler` started in this process, until it is shut down; else None."""
    started = _started
    return started[1] if started is not None and started[0] == os.getpid() else None


def _forget(scheduler: BaseScheduler) -> None:
    global _started
    with _started_lock:
        if _started is not None and _started[1] is scheduler:
            _started = None


def build_scheduler(session_factory: sessionmaker, *, poll_seconds: float, blocking: bool = False,
                    channels: ChannelConfig | None = None, outbox_seconds: float = 5.0,
                    audit_seal_seconds: float = AUDIT_SEAL_SECONDS,
                    portal: PortalConfig | None = None, payment: PaymentConfig | None = None) -> BaseScheduler:
    scheduler_class = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = scheduler_class(timezone=timezone.utc,
                                job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None})
    arming_lock = threading.Lock()

    def fire() -> None:
        try:
            moved = fire_due_timers(session_factory)
            if moved:
                log.info("fired timers of %d instance(s)", moved)
        except Exception:  # noqa: BLE001 - a bad tick must not stop the scheduler
            log.exception("firing due timers failed")
        arm()

    def arm() -> None:
        # A job must not call the scheduler while it shuts down: shutdown(wait=True) holds the
        # scheduler's job-store lock until running jobs end. Shut it down with wait=False.
        if not scheduler.running:
            return
        with arming_lock:
            try:
                with session_factory() as session:
                    due = instances.next_timer_due_at(session)
            except Exception:  # noqa: BLE001 - the safety poll tries again
                log.exception("reading the next due timer failed")
                return
            if not scheduler.running:
                return
            if due is None:
                if scheduler.get_job(FIRE_JOB_ID):
                    scheduler.remove_job(FIRE_JOB_ID)
                return
            run_at = max(due + AFTER_DUE, datetime.now(timezone.utc))
            armed = scheduler.get_job(FIRE_JOB_ID)
            if armed is not None and armed.next_run_time == run_at:
                return  # armed for it already: the safety poll need not rewrite (and log) the same job
            # More than one instance may run: a re-armed firing must not be skipped while the
            # previous one finishes (the database keeps two firings from touching one timer).
            scheduler.add_job(fire, "date", run_date=run_at, id=FIRE_JOB_ID, replace_existing=True,
                              max_instances=4)

    def timers_changed() -> None:
        # Called right after a commit, in the committing thread: hand the work to the scheduler.
        if scheduler.running:
            scheduler.add_job(arm, id=REARM_JOB_ID, replace_existing=True)

    scheduler.add_job(fire, id=FIRE_JOB_ID, max_instances=4,
                      next_run_time=datetime.now(timezone.utc))  # what fell due while the service was down
    scheduler.add_job(arm, "interval", seconds=poll_seconds, id=POLL_JOB_ID)
    if channels is not None:
        scheduler.add_job(_deliver, "interval", args=(session_factory, channels), seconds=outbox_seconds,
                          id=OUTBOX_JOB_ID, next_run_time=datetime.now(timezone.utc))
    if portal is not None:
        scheduler.add_job(_deliver_to_portal, "interval", args=(session_factory, portal), seconds=outbox_seconds,
                          id=PORTAL_JOB_ID, next_run_time=datetime.now(timezone.utc))
    if payment is not None:
        scheduler.add_job(_deliver_payments, "interval", args=(session_factory, payment), seconds=outbox_seconds,
                          id=PAYMENT_JOB_ID, next_run_time=datetime.now(timezone.utc))
    scheduler.add_job(_seal_audit, "interval", args=(session_factory,), seconds=audit_seal_seconds, id=SEAL_JOB_ID)
    unsubscribe = timer_events.subscribe(timers_changed)
    scheduler.add_listener(lambda _event: unsubscribe(), mask=EVENT_SCHEDULER_SHUTDOWN)
    return scheduler


def _deliver(session_factory: sessionmaker, channels: ChannelConfig) -> None:
    try:
        report = outbox.deliver_pending(session_factory, channels)
        if report.sent or report.retrying or report.failed:
            log.info("notifications: %d sent, %d to retry, %d failed", report.sent, report.retrying, report.failed)
    except Exception:  # noqa: BLE001 - a bad tick must not stop the scheduler
        log.exception("delivering notifications failed")


def _deliver_to_portal(session_factory: sessionmaker, portal: PortalConfig) -> None:
    try:
        report = portal_outbox.deliver_pending(session_factory, portal)
        if report.sent or report.retrying or report.failed:
            log.info("national portal: %d sent, %d to retry, %d failed", report.sent, report.retrying, report.failed)
    except Exception:  # noqa: BLE001 - a bad tick must not stop the scheduler
        log.exception("delivering to the national portal failed")


def _deliver_payments(session_factory: sessionmaker, payment: PaymentConfig) -> None:
    """The payment orders to create at the platform, and the paid ones whose process has not heard yet."""
    try:
        report = payment_orders.create_pending(session_factory, payment)
        delivered = payments.deliver_paid(session_factory)
        if report.created or report.retrying or report.failed or delivered:
            log.info("payments: %d orders created, %d to retry, %d failed; %d payments delivered to their dossiers",
                     report.created, report.retrying, report.failed, delivered)
    except Exception:  # noqa: BLE001 - a bad tick must not stop the scheduler
        log.exception("delivering payment orders failed")


def _seal_audit(session_factory: sessionmaker) -> None:
    """Seal every audit event written so far, a batch per transaction (the chain lock is short)."""
    try:
        total = 0
        while True:
            with session_factory() as session, session.begin():
                sealed = audit.seal_pending(session, limit=SEAL_BATCH)
            total += sealed
            if sealed < SEAL_BATCH:
                break
        if total:
            log.debug("sealed %d audit event(s)", total)
    except Exception:  # noqa: BLE001 - a bad tick must not stop the scheduler
        log.exception("sealing the audit trail failed")
