"""One JSON error shape for every failure: {code, status, message, errors}.

`code` is a stable machine-readable key, `status` the HTTP status, `message` a sentence for a
person (Vietnamese, or English with `Accept-Language: en`), `errors` the details: fields at
fault, the BPMN file, line and element, the specific English explanation. Never a stack trace.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from flask_smorest import Api
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

from api.decision_messages import render as render_decision_problem
from api.i18n import error_message, language
from api.problem_messages import render
from api.validation_messages import localized
from engine.working_calendar import CalendarError
from workflows import errors

log = logging.getLogger(__name__)

STATUS_BY_ERROR = (
    (errors.Unauthenticated, 401),
    (errors.Forbidden, 403),
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.RateLimited, 429),
    (errors.ModelInvalid, 422),
    (errors.InvalidTaskData, 422),
    (errors.InvalidInput, 422),
    (errors.ExecutionFailed, 422),
    (errors.RepairRefused, 422),
    (CalendarError, 422),
)

HTTP_CODES = {
    400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type",
    422: "validation_error", 429: "too_many_requests",
}


class ErrorSchema(Schema):
    """The one error shape, as the OpenAPI document describes it."""

    code = fields.String(metadata={"description": "stable machine-readable key, e.g. invalid_task_data"})
    status = fields.Integer(metadata={"description": "the HTTP status"})
    message = fields.String(metadata={"description": "a sentence for a person, Vietnamese or English"})
    errors = fields.Dict(metadata={"description": "specifics: fields at fault, file, line, element; detail"})


class DocumentedApi(Api):
    """flask-smorest's Api with our error shape in the document (its default swaps code and status)."""

    ERROR_SCHEMA = ErrorSchema


def error_response(status: int, code: str, english: str, details: dict | None = None):
    details = localized(details or {}, language())
    body = {
        "code": code,
        "status": status,
        "message": error_message(code, english, details),
        "errors": {**details, "detail": english},
    }
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="motcua"'
    if status == 429 and "retry_after" in details:
        response.headers["Retry-After"] = str(details["retry_after"])
    return response


def handle_service_error(error: errors.EngineError):
    status = next((s for cls, s in STATUS_BY_ERROR if isinstance(error, cls)), 400)
    details = error.details
    if isinstance(error, errors.ModelInvalid):
        details = {**details, "problems": model_problems(error)}
    return error_response(status, error.code, error.message, details)


def model_problems(error: errors.ModelInvalid) -> list[dict]:
    """Every problem of a refused model (errors, then warnings), in the reader's language."""
    if not error.problems:  # raised without a list: its one message is the one problem
        return [{"severity": "error", "code": error.code, "element": error.details.get("element"),
                 "line": error.details.get("line"), "message": error.message, "hint": None}]
    lang = language()
    return [render_decision_problem(problem, lang) if isinstance(problem, dict) else render(problem, lang)
            for problem in error.problems]


def handle_http_exception(error: HTTPException):
    status = error.code or 500
    if status >= 500:
        return handle_unexpected(error)
    data = getattr(error, "data", None) or {}
    details = {}
    if "messages" in data:  # webargs / marshmallow validation
        details = {location: fields for location, fields in data["messages"].items()}
    code = HTTP_CODES.get(status, "bad_request")
    english = error.description if status != 422 else "The request data is not valid; see the fields."
    return error_response(status, code, english, details)


def handle_unexpected(error: Exception):
    log.exception("unexpected error", exc_info=error)
    return error_response(500, "internal_error", "An unexpected error occurred; nothing was changed.")


def init_app(app: Flask) -> None:
    app.register_error_handler(errors.EngineError, handle_service_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
