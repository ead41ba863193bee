"""WSGI entry point for an external server: `gunicorn api.wsgi:app`."""

from api import create_app

app = create_app(start_scheduler=True)
