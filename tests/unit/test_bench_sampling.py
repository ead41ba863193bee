"""bench.sampling reads py-spy's raw samples: busy ones by package, and by the functions below them."""

from __future__ import annotations

from bench.sampling import frame_name, summarise

HANDLE = "ThreadWorker.handle (/v/lib/python3.11/site-packages/gunicorn/workers/gthread.py:280)"
VIEW = "CompleteTask.post (/work/main/api/views/tasks.py:60)"  # this checkout at /work/main
QUERY = "Session.execute (/v/lib/python3.11/site-packages/sqlalchemy/orm/session.py:2488)"
IDLE = ("ThreadWorker.run (/v/lib/python3.11/site-packages/gunicorn/workers/gthread.py:425);"
        "EpollSelector.select (/usr/lib/python3.11/selectors.py:468)")
WAITING = ("Thread.run (/usr/lib/python3.11/threading.py:982);"
           "_worker (/usr/lib/python3.11/concurrent/futures/thread.py:81)")


def test_a_frame_is_named_by_its_package_or_our_folder_and_its_function():
    ours = "/work/main/"
    assert frame_name(QUERY, ours) == ("sqlalchemy", "Session.execute (sqlalchemy/orm/session.py)")
    assert frame_name(VIEW, ours) == ("api", "CompleteTask.post (api/views/tasks.py)")
    assert frame_name("get (engine/instances.py:12)", ours) == ("engine", "get (engine/instances.py)")
    engine = "Connection.execute (/v/lib/python3.11/site-packages/sqlalchemy/engine/base.py:1416)"
    assert frame_name(engine, ours)[0] == "sqlalchemy"  # not our engine/
    assert frame_name("_worker (/usr/lib/python3.11/concurrent/futures/thread.py:83)", ours)[0] == "concurrent"
    assert frame_name("loads (/usr/lib/python3.11/json/__init__.py:346)", ours)[0] == "json"
    assert frame_name("Thread.run (/usr/lib/python3.11/threading.py:982)", ours)[0] == "python"
    generated = "_go (<sqlalchemy generated _go() wrapper for sqlalchemy.orm.session.SessionTransaction.commit>:2)"
    assert frame_name(generated, ours)[0] == "sqlalchemy"


def test_idle_waits_are_left_out_and_a_function_counts_once_a_sample():
    lines = [f"{HANDLE};{VIEW};{QUERY} 3", f"{HANDLE};{VIEW} 1", f"{IDLE} 50", f"{WAITING} 7", "not a sample line"]

    total, by_package, below = summarise(lines, ours="/work/main/")

    assert total == 4
    assert by_package == {"sqlalchemy": 3, "api": 1}
    assert below["CompleteTask.post (api/views/tasks.py)"] == 4
    assert below["Session.execute (sqlalchemy/orm/session.py)"] == 3
