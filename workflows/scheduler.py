"""The timer scheduler (APScheduler): one job with an explicit id that fires due timers.

Started once per process by whoever serves (`motcua serve`, `motcua scheduler`), never at import.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy.orm import sessionmaker

from workflows.timers import fire_due_timers

log = logging.getLogger(__name__)
JOB_ID = "fire-due-timers"


def _tick(session_factory: sessionmaker) -> None:
    try:
        moved = fire_due_timers(session_factory)
        if moved:
            log.info("fired timers of %d instance(s)", moved)
    except Exception:  # noqa: BLE001 - a bad tick must not stop the scheduler
        log.exception("firing due timers failed")


def build_scheduler(session_factory: sessionmaker, *, poll_seconds: float, blocking: bool = False) -> BaseScheduler:
    scheduler_class = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = scheduler_class(timezone=timezone.utc,
                                job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None})
    # First run now: timers that fell due while the service was down fire at start-up.
    scheduler.add_job(_tick, "interval", seconds=poll_seconds, id=JOB_ID, args=[session_factory],
                      next_run_time=datetime.now(timezone.utc), replace_existing=True)
    return scheduler
