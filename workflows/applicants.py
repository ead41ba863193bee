"""What a signed-in applicant does (see workflows.applicant_sessions): file a dossier online as
themselves, and see their own dossiers, found by their ID number, without the dossier code and check
digits that an anonymous lookup needs (workflows.public)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows import dossiers
from workflows.applicant_sessions import Identity
from workflows.errors import InvalidInput
from workflows.models import Dossier, Rating
from workflows.public import PublicStatus, status_of

OWN_DOSSIERS_SHOWN = 200
PHONE = re.compile(r"\+?[0-9 .-]{8,20}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def own_dossiers(session: Session, identity: Identity) -> list[PublicStatus]:
    """The applicant's dossiers, newest first: every channel (desk, post, online) under their ID number."""
    rows = session.scalars(select(Dossier).where(Dossier.applicant_id_number == identity.id_number)
                           .order_by(Dossier.submitted_at.desc(), Dossier.id.desc()).limit(OWN_DOSSIERS_SHOWN)).all()
    rated = set(session.scalars(select(Rating.dossier_id).where(Rating.dossier_id.in_([d.id for d in rows]))))
    return [status_of(dossier, rated=dossier.id in rated) for dossier in rows]


def submit(session: Session, identity: Identity, *, procedure_code: str, phone: str, email: str, address: str,
           subject: str, code_prefix: str) -> Dossier:
    """Register a dossier online (status 1) in the applicant's own name and ID number, which come from the
    identity provider and not from the form; `InvalidInput` names the field at fault."""
    phone, email, address, subject = phone.strip(), email.strip(), address.strip(), subject.strip()
    if not procedure_code:
        raise InvalidInput("Choose a procedure.", field="procedure_code")
    if not PHONE.fullmatch(phone):
        raise InvalidInput("A phone number has 8-20 digits.", field="phone")
    if email and not EMAIL.fullmatch(email):
        raise InvalidInput("Not a valid email address.", field="email")
    if len(address) > 500:
        raise InvalidInput("The address is at most 500 characters.", field="address")
    if len(subject) > 2000:
        raise InvalidInput("The request is at most 2000 characters.", field="subject")
    applicant = dossiers.Applicant(full_name=identity.full_name or identity.id_number, id_number=identity.id_number,
                                   phone=phone, email=email, address=address)
    return dossiers.submit_online(session, procedure_code=procedure_code, applicant=applicant,
                                  data={"subject": subject} if subject else {}, code_prefix=code_prefix)
