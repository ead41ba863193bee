"""The `motcua` command: migrate, deploy models, seed demo data, create users, serve, run timers,
catch up with the national portal."""

from __future__ import annotations

import getpass
import logging
import sys
from pathlib import Path

import click

import migrations
from engine.db import make_engine, make_session_factory
from workflows import settings as settings_module
from workflows.errors import EngineError


def _sessions(settings):
    sessions = make_session_factory(make_engine(settings.database_url))
    if settings.portal is not None:  # what the commands change goes to the national portal too
        from workflows.portal.events import attach

        attach(sessions)
    return sessions


@click.group()
@click.pass_context
def main(ctx: click.Context) -> None:
    """MotCua: BPMN automation of one-stop administrative procedures."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)  # not a line per tick
    ctx.obj = settings_module.from_env()
    if ctx.obj.database_url.startswith("sqlite:///"):
        ctx.obj.data_dir.mkdir(parents=True, exist_ok=True)


@main.command()
@click.pass_obj
def migrate(settings) -> None:
    """Upgrade the database schema to the latest migration."""
    migrations.upgrade(settings.database_url)
    click.echo(f"database at head: {_safe_url(settings.database_url)}")


@main.command("deploy-models")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--actor", default="cli", show_default=True, help="Who the audit trail names.")
@click.pass_obj
def deploy_models(settings, paths, actor) -> None:
    """Deploy .dmn and .bpmn files, or every such file in the given folders (default: bpmn_models/);
    the .dmn files first, since a model binds the decisions deployed when it is.

    A file whose content is already deployed, as any version, is left alone: a version a designer
    deployed since stays the latest."""
    from workflows.process_models import deploy_shipped_file, model_files

    sessions = _sessions(settings)
    for file in model_files(paths or (Path("bpmn_models"),)):
        try:
            with sessions() as session, session.begin():
                version, created = deploy_shipped_file(session, file, actor=actor)
                deployed = getattr(version, "process_id", None) or f"decision {version.decision_id}"
        except EngineError as exc:
            raise click.ClickException(f"{file}: {exc.message} {exc.details}") from None
        state = "deployed" if created else "already deployed"
        click.echo(f"{state}: {deployed} v{version.version} ({file})")


@main.command("seed-demo")
@click.pass_obj
def seed_demo(settings) -> None:
    """Create the demo units, procedures and users (password 'demo'); keeps what exists."""
    from workflows.seed import seed_demo as run_seed

    if settings.env == "production":
        raise click.ClickException("The demo seed (users with the password 'demo') is not for production.")
    with _sessions(settings)() as session, session.begin():
        created = run_seed(session)
    click.echo("demo data: " + ", ".join(f"{n} new {kind}" for kind, n in created.items()))


@main.command("make-demo-certificate")
@click.pass_obj
def make_demo_certificate(settings) -> None:
    """Make the demo signing certificate under the data folder (kept when it exists); not for production."""
    from workflows.signing.demo import make_demo_certificate as make

    if settings.env == "production":
        raise click.ClickException("The demo certificate has no legal value and is not for production.")
    files, made = make(settings.data_dir)
    click.echo(f"demo certificate {'made' if made else 'already made'}: {files.pkcs12}")
    click.echo(f"  MOTCUA_SIGNING_PKCS12={files.pkcs12}")
    click.echo(f"  MOTCUA_SIGNING_PKCS12_PASSWORD_FILE={files.password_file}")
    click.echo(f"  MOTCUA_SIGNING_TRUST_ROOTS={files.trust_root}")


@main.command("create-user")
@click.argument("username")
@click.option("--full-name", required=True)
@click.option("--role", "roles", multiple=True, required=True, help="Repeat for several roles.")
@click.option("--unit", "unit_code", default=None)
@click.option("--password", default=None, help="Prompted for when left out.")
@click.pass_obj
def create_user(settings, username, full_name, roles, unit_code, password) -> None:
    """Create a user with one or more roles."""
    from workflows.auth import create_user as create

    password = password or getpass.getpass(f"Password for {username}: ")
    try:
        with _sessions(settings)() as session, session.begin():
            create(session, username=username, password=password, full_name=full_name, roles=list(roles),
                   unit_code=unit_code, actor="cli")
    except EngineError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"user {username} created")


@main.command()
@click.option("--port", type=int, default=None, help="Default: $PORT or 5000.")
@click.option("--workers", type=int, default=None, help="Default: $MOTCUA_WORKERS or 1.")
@click.pass_obj
def serve(settings, port, workers) -> None:
    """Serve the API on 127.0.0.1 (gunicorn) with the timer scheduler in the same process."""
    settings = settings.with_overrides(port=port or settings.port, workers=workers or settings.workers)
    from api.server import run

    run(settings)


@main.command()
@click.pass_obj
def scheduler(settings) -> None:
    """Run the timer scheduler alone (for servers started with MOTCUA_SCHEDULER=off)."""
    from workflows.scheduler import start_scheduler
    from workflows.signing import context as signing_context
    from workflows.signing.keys import SigningUnavailable

    try:  # a timer may lead a model to an element that issues a result
        signing_context.configure(signing=settings.signing, trust_roots=settings.trust_roots,
                                  font_cache=settings.font_cache)
    except SigningUnavailable as exc:
        raise click.ClickException(str(exc)) from None
    click.echo("timer scheduler running; Ctrl+C to stop")
    try:
        start_scheduler(settings, _sessions(settings), blocking=True)
    except (KeyboardInterrupt, SystemExit):
        pass


@main.command("portal-resync")
@click.option("--since", required=True, type=click.DateTime(formats=["%Y-%m-%d"]),
              help="A day (YYYY-MM-DD, local time): every dossier changed since its start.")
@click.option("--steps", is_flag=True, help="Also each completed step of those dossiers (the portal may then "
              "show a step twice).")
@click.option("--actor", default="cli", show_default=True, help="Who the audit trail names.")
@click.pass_obj
def portal_resync(settings, since, steps, actor) -> None:
    """Send the national portal again, as updates, every dossier changed since a day."""
    from workflows.portal.events import resync

    if settings.portal is None:
        raise click.ClickException("MOTCUA_PORTAL_URL is not set: synchronisation with the portal is off.")
    with _sessions(settings)() as session, session.begin():
        count = resync(session, since=since.date(), actor=actor, steps=steps)
    click.echo(f"{count} dossier(s) changed since {since.date().isoformat()} queued for the national portal")


@main.command("verify-audit")
@click.pass_obj
def verify_audit(settings) -> None:
    """Check the audit trail's hash chain; seals nothing. Exit code 1 if it was tampered with."""
    import sqlalchemy as sa

    from engine.audit import verify_chain

    # SQLite: read outside a write transaction (make_engine begins each one IMMEDIATE), so that
    # the server's writers do not wait while a long chain is checked. Nothing is committed.
    url = settings.database_url
    engine = sa.create_engine(url) if url.startswith("sqlite") else make_engine(url)
    with make_session_factory(engine)() as session:
        result = verify_chain(session)
    engine.dispose()
    for line in result.report():
        click.echo(line)
    if result.tampered:
        sys.exit(1)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    sys.exit(main())
