"""The web pages for officers, administrators and process designers, under /app.

Each page is a server-rendered shell in the reader's language (Vietnamese unless they chose
English) carrying no data: its script calls the same JSON API as every other client, with the
token the sign-in page got from POST /api/v1/auth/login. Front-end packages (bpmn-js, dmn-js) come from
npm (`make run` installs them) and are served from node_modules (Settings.node_modules,
MOTCUA_NODE_MODULES), never committed.
"""

from __future__ import annotations

import json
from functools import cache
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)

from api.web import i18n

bp = Blueprint("web", __name__, url_prefix="/app", template_folder="templates", static_folder="static",
               static_url_path="/static")

# The files of an npm package the pages load: package -> folder inside node_modules. swagger-ui-dist is
# the API documentation's (/api/docs, OPENAPI_SWAGGER_UI_URL in api/app.py).
VENDOR = {"bpmn-js": "bpmn-js/dist", "dmn-js": "dmn-js/dist", "swagger-ui-dist": "swagger-ui-dist"}
LANGUAGE_COOKIE = "motcua_lang"

# page name -> (template, roles that see it in the menu; None: everyone signed in)
PAGES = {
    "inbox": ("inbox.html", None),
    "desk": ("desk.html", ("desk_officer",)),
    "dashboard": ("dashboard.html", ("leader", "admin", "clerk")),
    "admin": ("admin.html", ("admin",)),
    "designer": ("designer.html", ("designer",)),
}


def language() -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    return chosen if chosen in i18n.LANGUAGES else "vi"


@cache
def _catalogue_json(lang: str) -> str:
    """The catalogue for a <script type="application/json"> element: no "<" can end the element."""
    return json.dumps(i18n.catalogue(lang), ensure_ascii=False).replace("<", "\\u003c")


def _render(template: str, page: str, **context) -> str:
    lang = language()
    return render_template(f"web/{template}", page=page, lang=lang, t=lambda key: i18n.translate(lang, key),
                           catalogue_json=_catalogue_json(lang), menu=PAGES, **context)


@bp.get("/")
def home():
    return redirect(url_for("web.page", name="inbox"))


@bp.get("/login")
def login():
    return _render("login.html", "login")


@bp.get("/<any(inbox, desk, dashboard, admin, designer):name>")
def page(name: str):
    template, _roles = PAGES[name]
    return _render(template, name)


@bp.get("/dossiers/<string:code>")
def dossier(code: str):
    return _render("dossier.html", "dossier", code=code)


@bp.get("/language/<string:lang>")
def choose_language(lang: str):
    """Switch the pages' language (a cookie) and go back to where the reader was."""
    if lang not in i18n.LANGUAGES:
        abort(404)
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith(("/app", "/nguoi-nop")):  # only back into our pages
        target = url_for("web.home")
    response = redirect(target)
    response.set_cookie(LANGUAGE_COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                        secure=request.is_secure)
    return response


@bp.get("/vendor/<string:package>/<path:filename>")
def vendor(package: str, filename: str) -> Response:
    folder = VENDOR.get(package)
    if folder is None:
        abort(404)
    root = current_app.config["MOTCUA"].node_modules / folder
    if not root.is_dir():
        abort(Response(f"The npm package {package} is not installed: run `make run` (or `npm ci`).\n",
                       status=503, mimetype="text/plain"))
    return send_from_directory(root, filename, max_age=3600)
