"""Liveness and database reachability."""

from __future__ import annotations

from marshmallow import fields

from api.schemas.common import StrictSchema


class HealthSchema(StrictSchema):
    status = fields.String()
    database = fields.String()
