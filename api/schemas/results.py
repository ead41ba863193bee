"""Signed results, their public verification, and the applicants' stored documents."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.schemas.common import LocalDateTime, StrictSchema
from workflows.results import VERIFY_PATH


class ResultSchema(StrictSchema):
    id = fields.String(attribute="public_id", metadata={"description": "the id in the result's QR code"})
    kind = fields.String()
    title = fields.String()
    filename = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    signer_subject = fields.String(metadata={"description": "the signing certificate's subject"})
    signed_at = LocalDateTime()
    timestamp_at = LocalDateTime(allow_none=True, metadata={"description": "the timestamp server's time, if any"})
    valid_until = LocalDateTime(allow_none=True)
    issued_by = fields.String()
    verification_path = fields.Function(lambda r: VERIFY_PATH + r.public_id)


class PublicResultSchema(StrictSchema):
    id = fields.String()
    title = fields.String()
    issuer = fields.String()
    dossier_code = fields.String()
    procedure_code = fields.String()
    procedure_name = fields.String()
    signed_at = LocalDateTime()
    signer_subject = fields.String()
    timestamp_at = LocalDateTime(allow_none=True)
    valid_until = LocalDateTime(allow_none=True)
    signature_valid = fields.Boolean(metadata={"description": "the issued file's signature, validated now"})
    problem = fields.String(metadata={"description": "why the signature is not valid; empty when it is"})


class SignatureCheckSchema(StrictSchema):
    signed = fields.Boolean()
    intact = fields.Boolean(metadata={"description": "the signed bytes are unchanged"})
    trusted = fields.Boolean(metadata={"description": "the signer chains to a configured trust root"})
    whole_file = fields.Boolean(metadata={"description": "nothing was appended after the signature"})
    valid = fields.Boolean()
    signer_subject = fields.String()
    timestamp_time = LocalDateTime(allow_none=True)
    problem = fields.String()


class VerificationSchema(StrictSchema):
    result = fields.Nested(PublicResultSchema)
    sha256 = fields.String(metadata={"description": "of the file presented"})
    same_file = fields.Boolean(metadata={"description": "byte for byte the result issued"})
    signature = fields.Nested(SignatureCheckSchema)
    matches = fields.Boolean(metadata={"description": "same file and a valid signature"})
    message = fields.String()


class ResultUploadSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class StoredDocumentQuerySchema(StrictSchema):
    procedure_code = fields.String(load_default=None, validate=validate.Length(max=50), metadata={
        "description": "only the documents that stand for one of this procedure's checklist items"})


class StoredDocumentSchema(StrictSchema):
    id = fields.Integer(attribute="document.id")
    kind = fields.String(attribute="document.kind", metadata={"description": "digitised | result"})
    document_name = fields.String(attribute="document.document_name")
    dossier_code = fields.String(attribute="document.dossier.code")
    filename = fields.String(attribute="document.filename")
    signer_subject = fields.String(attribute="document.signer_subject")
    recorded_by = fields.String(attribute="document.recorded_by")
    recorded_at = LocalDateTime(attribute="document.recorded_at")
    valid_until = LocalDateTime(attribute="document.valid_until", allow_none=True)
    matches = fields.List(fields.String(), metadata={"description": "the checklist items it can stand for"})


class ReuseSchema(StrictSchema):
    document_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2147483647))
    document_name = fields.String(required=True, validate=validate.Length(min=1, max=500))
