"""Running the app under gunicorn (or Werkzeug where gunicorn cannot run)."""

from __future__ import annotations

from api import create_app
from workflows.settings import Settings


def run(settings: Settings) -> None:
    create_app(settings).extensions["motcua_engine"].dispose()  # refuses an unsafe production set-up here, once
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError:  # e.g. Windows
        create_app(settings, start_scheduler=True).run(host=settings.host, port=settings.port)
        return

    class _Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{settings.host}:{settings.port}")
            self.cfg.set("workers", settings.workers)
            self.cfg.set("threads", settings.threads)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("accesslog", "-")
            # the path without its query string: public lookups carry check digits there
            self.cfg.set("access_log_format", '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss')
            self.cfg.set("timeout", 60)
            # No control socket (gunicorn 25.1+ opens one per user account, in $XDG_RUNTIME_DIR or
            # ~/.gunicorn): nothing here uses it, every `motcua serve` of the host would take the same
            # path from the one before, and any process of the account could resize or stop the server.
            if "control_socket_disable" in self.cfg.settings:  # not before 25.1 (setup.cfg allows 22)
                self.cfg.set("control_socket_disable", True)

        def load(self):
            # Each worker builds its own app and scheduler; timers are claimed in the database.
            return create_app(settings, start_scheduler=True)

    _Server().run()
