"""Deployed DMN decisions, their versions, and the designer's validation of a .dmn file."""

from __future__ import annotations

from marshmallow import fields, pre_dump

from api.schemas.common import DeployedSchema, StrictSchema


class DecisionVersionSchema(DeployedSchema):
    decision_id = fields.String()
    version = fields.Integer()
    name = fields.String()
    filename = fields.String()
    checksum = fields.String()
    hit_policy = fields.String(metadata={"description": "UNIQUE, FIRST, PRIORITY, ANY, COLLECT, RULE ORDER or "
                                                       "OUTPUT ORDER"})
    aggregation = fields.String(allow_none=True, metadata={"description": "SUM, MIN, MAX or COUNT (COLLECT only)"})
    inputs = fields.List(fields.Dict(), metadata={"description": "the input columns: label, expression"})
    outputs = fields.List(fields.Dict(), metadata={"description": "the output columns: name (the data variable), "
                                                                 "label, values"})
    rule_count = fields.Integer()


class _VersionWithExtraSchema(DecisionVersionSchema):
    """A version dumped from a (version, extra) row: the extra goes in the field `EXTRA`."""

    EXTRA = ""

    @pre_dump
    def _flatten(self, row, **_kwargs):
        version, extra = row
        return {**{name: getattr(version, name) for name in DecisionVersionSchema._declared_fields},
                self.EXTRA: extra}


class DecisionModelSchema(_VersionWithExtraSchema):
    """A deployed decision: its latest version and how many versions it has."""

    EXTRA = "version_count"
    version_count = fields.Integer()


class DecisionVersionListItemSchema(_VersionWithExtraSchema):
    """One version of a decision, with the process versions bound to it."""

    EXTRA = "used_by"
    used_by = fields.List(fields.Dict(), metadata={
        "description": "the process versions whose business rule tasks run this version: process_id, version"})


class DecisionVersionDetailSchema(DecisionVersionSchema):
    dmn_xml = fields.String()


class TranslationSchema(StrictSchema):
    element = fields.String(metadata={"description": "the id of the cell (or input expression) in the DMN file"})
    kind = fields.String(metadata={"description": "unary_test (an input entry) or value"})
    dialect = fields.String()
    original = fields.String()
    python = fields.String(metadata={"description": "what runs; in an input entry '?' is the input's value"})


class DecisionValidationSchema(StrictSchema):
    """What deploying the file would deploy; nothing is saved."""

    decision_id = fields.Function(lambda p: p.parsed.decision_id)
    name = fields.Function(lambda p: p.parsed.name)
    dmn_version = fields.Function(lambda p: p.parsed.dmn_version)
    hit_policy = fields.Function(lambda p: p.parsed.table.hit_policy)
    aggregation = fields.Function(lambda p: p.parsed.table.aggregation)
    inputs = fields.Function(lambda p: [{"label": c.label, "expression": c.text} for c in p.parsed.table.inputs])
    outputs = fields.Function(lambda p: [{"name": c.name, "label": c.label, "values": list(c.values)}
                                         for c in p.parsed.table.outputs])
    rule_count = fields.Function(lambda p: len(p.parsed.table.rules))
    checksum = fields.String()
    latest_version = fields.Function(lambda p: p.latest.version if p.latest else None, metadata={
        "description": "the decision's latest deployed version; null for a decision never deployed"})
    differs_from_latest = fields.Function(lambda p: not p.identical, metadata={
        "description": "false: the content is the latest version's, deploying it would create nothing"})
    version = fields.Integer(metadata={"description": "the version deploying it would give (or the existing one)"})
    translations = fields.Function(lambda p: TranslationSchema(many=True).dump(p.parsed.translations), metadata={
        "description": "every cell and input expression translated from FEEL (or JUEL) into the sandbox's Python"})
