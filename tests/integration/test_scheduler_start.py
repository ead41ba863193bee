"""The scheduler is built once, from the Settings, by the one function the app factory and
`motcua scheduler` both call, and a process never runs two."""

from __future__ import annotations

import threading

import pytest

from api import create_app
from tests.servers import wait_for
from workflows.scheduler import (
    FIRE_JOB_ID,
    OUTBOX_JOB_ID,
    POLL_JOB_ID,
    SEAL_JOB_ID,
    SchedulerAlreadyRunning,
    running_scheduler,
    start_scheduler,
)
from workflows.settings import ChannelConfig, EmailConfig, Settings


def shut_down(scheduler) -> None:
    """Shut a scheduler down once its start-up firing is done: APScheduler 3 shut down while it hands
    out a run-once job fails to remove that job and its loop dies with JobLookupError."""
    wait_for(lambda: scheduler.get_job(FIRE_JOB_ID) is None, 5)
    if scheduler.running:
        scheduler.shutdown(wait=False)


@pytest.fixture
def shut_down_afterwards():
    """Every scheduler a test starts is shut down when it ends, even when an assertion fails."""
    started = []
    yield started.append
    for scheduler in started:
        shut_down(scheduler)


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    return Settings(data_dir=tmp_path, database_url=database_url, timer_poll_seconds=7.0, outbox_poll_seconds=3.0,
                    channels=ChannelConfig(email=EmailConfig(host="127.0.0.1", port=1)))


def running_and_started():
    """The process's scheduler once it has started, else None."""
    scheduler = running_scheduler()
    return scheduler if scheduler is not None and scheduler.running else None


def test_the_scheduler_is_built_from_the_settings(settings, sessions, shut_down_afterwards):
    scheduler = start_scheduler(settings, sessions)
    shut_down_afterwards(scheduler)

    assert scheduler.running
    assert scheduler.get_job(POLL_JOB_ID).trigger.interval.total_seconds() == 7.0
    outbox_job = scheduler.get_job(OUTBOX_JOB_ID)
    assert outbox_job.trigger.interval.total_seconds() == 3.0
    assert outbox_job.args == (sessions, settings.channels)
    assert scheduler.get_job(SEAL_JOB_ID) is not None
    assert wait_for(lambda: scheduler.get_job(FIRE_JOB_ID) is None, 5)  # the start-up firing ran: nothing is due


def test_a_second_scheduler_in_the_same_process_is_refused_until_the_first_is_shut_down(
        settings, sessions, shut_down_afterwards):
    first = start_scheduler(settings, sessions)
    shut_down_afterwards(first)

    with pytest.raises(SchedulerAlreadyRunning, match="already running in this process"):
        start_scheduler(settings, sessions)
    with pytest.raises(SchedulerAlreadyRunning):
        start_scheduler(settings, sessions, blocking=True)
    assert first.running

    assert running_scheduler() is first
    shut_down(first)
    assert running_scheduler() is None
    second = start_scheduler(settings, sessions)
    shut_down_afterwards(second)
    assert second.running and second is not first


def test_a_blocking_scheduler_counts_as_running_until_it_returns(settings, sessions, shut_down_afterwards):
    returned: list = []
    thread = threading.Thread(target=lambda: returned.append(start_scheduler(settings, sessions, blocking=True)),
                              daemon=True)
    thread.start()
    try:
        blocking = wait_for(running_and_started, 5)
        assert blocking is not None, "the blocking scheduler did not start"
        with pytest.raises(SchedulerAlreadyRunning):
            start_scheduler(settings, sessions)
        assert thread.is_alive()
    finally:
        if running_scheduler() is not None:
            shut_down(running_scheduler())
        thread.join(10)
    assert not thread.is_alive() and returned == [blocking]
    assert running_scheduler() is None
    shut_down_afterwards(start_scheduler(settings, sessions))  # the process may start one again


def test_the_app_factory_starts_the_one_scheduler_and_a_second_app_cannot(settings, sessions, shut_down_afterwards):
    apps = []
    try:
        apps.append(create_app(settings, start_scheduler=True))
        scheduler = apps[0].extensions["motcua_scheduler"]
        shut_down_afterwards(scheduler)
        assert scheduler.running

        with pytest.raises(SchedulerAlreadyRunning):
            create_app(settings, start_scheduler=True)
        # MOTCUA_SCHEDULER=off, or an app built without the flag: no scheduler, nothing to refuse
        apps.append(create_app(settings.with_overrides(scheduler_enabled=False), start_scheduler=True))
        apps.append(create_app(settings))
        assert all("motcua_scheduler" not in app.extensions for app in apps[1:])
    finally:
        for app in apps:
            app.extensions["motcua_engine"].dispose()
