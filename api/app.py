"""The Flask application: factory, extensions, blueprints. Thin: views call workflows/."""

from __future__ import annotations

import atexit
from zoneinfo import ZoneInfo

from flask import Flask, redirect, url_for
from werkzeug.middleware.proxy_fix import ProxyFix

from api import db, errors, headers, oidc, security, web
from api.views import (
    agency,
    applicant_pages,
    audit,
    auth,
    boundary,
    calendar,
    decision_models,
    dossiers,
    health,
    notifications,
    operations,
    payment_pages,
    payments,
    portal,
    procedures,
    process_models,
    public,
    public_pages,
    reports,
    results,
    stopping,
    tasks,
    units,
    users,
)
from workflows import printable, production
from workflows import scheduler as timer_scheduler
from workflows import settings as settings_module
from workflows.portal import events as portal_events
from workflows.signing import context as signing_context
from workflows.signing.keys import SigningUnavailable

BLUEPRINTS = (health.blp, auth.blp, procedures.blp, process_models.blp, decision_models.blp, dossiers.blp, tasks.blp,
              calendar.blp, reports.blp, notifications.blp, agency.blp, public.blp, users.blp, audit.blp, units.blp,
              operations.blp, portal.blp, results.blp, results.public_blp, stopping.blp,
              boundary.blp, payments.callbacks_blp, payments.blp)


def _local_time(value) -> str:
    """A stored UTC time as people here read it: 14:05 ngày 03/12/2026 (the calendar's zone)."""
    return value.astimezone(ZoneInfo(db.display_timezone())).strftime("%H:%M ngày %d/%m/%Y") if value else ""


def _refuse_unsafe_production(app: Flask) -> None:
    with db.session_factory(app)() as session:
        found = production.problems(app.config["MOTCUA"], session)
    if found:
        raise SystemExit("MotCua will not start in production:\n- " + "\n- ".join(found))


def _configure_signing(settings: settings_module.Settings) -> None:
    try:
        signing_context.configure(signing=settings.signing, trust_roots=settings.trust_roots,
                                  font_cache=settings.font_cache)
    except SigningUnavailable as exc:
        raise SystemExit(f"MotCua will not start: {exc}") from None


def _shut_down(scheduler) -> None:
    if scheduler.running:  # not shut down already (a test, a server's own shutdown)
        scheduler.shutdown(wait=False)


def create_app(settings: settings_module.Settings | None = None, *, start_scheduler: bool = False) -> Flask:
    """The app for `settings` (default: read from the environment). With `start_scheduler`, and unless
    MOTCUA_SCHEDULER is off, this process's one timer scheduler starts with it (a second raises)."""
    settings = settings or settings_module.from_env()
    printable.configure(font_cache=settings.font_cache)
    _configure_signing(settings)
    app = Flask(__name__)
    app.config.update(
        MOTCUA=settings,
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=max(settings.max_upload_bytes, settings.max_attachment_bytes),
        JSON_SORT_KEYS=False,
        API_TITLE="MotCua API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs",
        OPENAPI_SWAGGER_UI_URL="/app/vendor/swagger-ui-dist/",  # served from node_modules (api/web)
        OPENAPI_SWAGGER_UI_CONFIG={"validatorUrl": None},  # no badge fetched from validator.swagger.io
        API_SPEC_OPTIONS={
            "info": {"description": "Dịch vụ tự động hoá thủ tục hành chính một cửa — Sở Giáo dục và Đào tạo. "
                                    "Log in at POST /api/v1/auth/login, then send `Authorization: Bearer <token>`."},
            "security": [{"bearerAuth": []}],
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        },
    )
    app.json.ensure_ascii = False
    if settings.trusted_proxies:
        # the client's address and scheme as the proxies in front saw them, believed from exactly that
        # many hops: the per-address limits then count applicants, not the proxy
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)
    db.init_app(app)
    if settings.portal is not None:  # changes of dossiers go to the portal's outbox
        portal_events.attach(db.session_factory(app))
    if settings.env == "production":
        _refuse_unsafe_production(app)
    api = errors.DocumentedApi(app)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    app.register_blueprint(public_pages.bp)
    app.register_blueprint(applicant_pages.bp)
    oidc.init_app(app, settings)
    app.register_blueprint(payment_pages.bp)
    app.register_blueprint(web.bp)
    app.add_url_rule("/", "index", lambda: redirect(url_for("web.home")))
    app.add_template_filter(_local_time, "local")
    errors.init_app(app)
    security.init_app(app)
    headers.init_app(app)
    if start_scheduler and settings.scheduler_enabled:
        scheduler = timer_scheduler.start_scheduler(settings, db.session_factory(app))
        app.extensions["motcua_scheduler"] = scheduler
        atexit.register(_shut_down, scheduler)
    return app
