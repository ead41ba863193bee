"""Deployed BPMN models, their versions, and the designer's validation of a file."""

from __future__ import annotations

from marshmallow import Schema, fields, pre_dump

from api.i18n import language
from api.problem_messages import render
from api.schemas.common import DeployedSchema, StrictSchema
from workflows import process_models


class ProblemSchema(StrictSchema):
    """A problem of a model, in the reader's language (Accept-Language; Vietnamese by default)."""

    severity = fields.String(metadata={"description": "error (blocks deployment) or warning"})
    code = fields.String(metadata={"description": "stable key, e.g. task_without_role"})
    element = fields.String(allow_none=True, metadata={"description": "the BPMN id of the element at fault"})
    line = fields.Integer(allow_none=True, metadata={"description": "the line of the file"})
    message = fields.String()
    hint = fields.String(allow_none=True, metadata={"description": "a short fix"})

    @pre_dump
    def _render(self, problem, **_kwargs):
        return render(problem, language())


class TranslationSchema(StrictSchema):
    """An expression written for another engine (JUEL, FEEL) or a bare timer literal, as the engine runs it."""

    element = fields.String()
    kind = fields.String()
    dialect = fields.String()
    original = fields.String()
    python = fields.String()


_WARNINGS = {"description": "what does not block the deployment but will not behave as drawn (task_without_role, "
                            "no_terminal_status, vendor_ignored...)"}
_TRANSLATIONS = {"description": "expressions the engine rewrote into its Python (empty when none)"}


class UploadSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class ProcessVersionSchema(DeployedSchema):
    process_id = fields.String()
    version = fields.Integer()
    name = fields.String()
    filename = fields.String()
    checksum = fields.String()
    lanes = fields.List(fields.String())
    user_tasks = fields.List(fields.Dict())
    decisions = fields.List(fields.Dict(), metadata={
        "description": "the decision versions bound into this version: decision_id, version, elements"})


class _VersionWithCountSchema(ProcessVersionSchema):
    """A version dumped from a (version, count) row: the count goes in the field `COUNT`."""

    COUNT = ""

    @pre_dump
    def _flatten(self, row, **_kwargs):
        version, count = row
        return {**{name: getattr(version, name) for name in ProcessVersionSchema._declared_fields},
                self.COUNT: count}


class ProcessModelSchema(_VersionWithCountSchema):
    """A deployed process: its latest version and how many versions it has."""

    COUNT = "version_count"
    version_count = fields.Integer()


class DeploymentSchema(ProcessVersionSchema):
    """A deployed version, with the warnings and translations of the file just deployed."""

    warnings = fields.List(fields.Nested(ProblemSchema), metadata=_WARNINGS)
    translations = fields.List(fields.Nested(TranslationSchema), metadata=_TRANSLATIONS)

    @pre_dump
    def _flatten(self, deployment, **_kwargs):
        version = deployment.version
        return {**{name: getattr(version, name) for name in ProcessVersionSchema._declared_fields},
                "warnings": deployment.warnings, "translations": deployment.translations}


class ProcessVersionDetailSchema(ProcessVersionSchema):
    bpmn_xml = fields.String()
    translations = fields.Function(lambda v: TranslationSchema(many=True).dump(process_models.translations(v)),
                                   metadata=_TRANSLATIONS)


class ProcessVersionListItemSchema(_VersionWithCountSchema):
    """One version of a process with how many dossiers still run on it."""

    COUNT = "running_instances"
    running_instances = fields.Integer(metadata={"description": "instances (dossiers) still running on this version"})


class ModelValidationSchema(StrictSchema):
    """What deploying the file would deploy; nothing is saved."""

    process_id = fields.Function(lambda p: p.parsed.process_id)
    name = fields.Function(lambda p: p.parsed.name)
    checksum = fields.String()
    lanes = fields.Function(lambda p: p.parsed.lanes)
    user_tasks = fields.Function(lambda p: p.parsed.user_tasks)
    latest_version = fields.Function(lambda p: p.latest.version if p.latest else None, metadata={
        "description": "the process's latest deployed version; null for a process never deployed"})
    differs_from_latest = fields.Function(lambda p: not p.identical, metadata={
        "description": "false: the content is the latest version's, deploying it would create nothing"})
    version = fields.Integer(metadata={"description": "the version deploying it would give (or the existing one)"})
    warnings = fields.Function(lambda p: ProblemSchema(many=True).dump(p.parsed.warnings), metadata=_WARNINGS)
    translations = fields.Function(lambda p: TranslationSchema(many=True).dump(p.parsed.translations),
                                   metadata=_TRANSLATIONS)
    decisions = fields.List(fields.Dict(), metadata={
        "description": "the decision versions deploying it would bind: decision_id, version, elements"})
