"""Who sees an applicant's personal data in full: decided by the service's access rules, from the
caller and the dossier alone (no request, no database)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from workflows import access
from workflows.auth import Principal
from workflows.roles import ADMIN, CLERK, DESK_OFFICER, LEADER, SPECIALIST

FULL = {"full_name": "Nguyễn Văn An", "id_number": "079204001234", "phone": "0912345678",
        "email": "an.nguyen@example.vn", "address": "12 Lê Lợi, Phường 1"}
MASKED = {"full_name": "Nguyễn Văn An", "id_number": "*********234", "phone": "*******678",
          "email": "a***@example.vn", "address": ""}


def dossier(deciding_unit: str = "GDTrH"):
    unit = SimpleNamespace(code=deciding_unit, name="Phòng Giáo dục trung học")
    return SimpleNamespace(code="SGDDT-261203-0001", procedure=SimpleNamespace(deciding_unit=unit),
                           applicant_name=FULL["full_name"], applicant_id_number=FULL["id_number"],
                           applicant_phone=FULL["phone"], applicant_email=FULL["email"],
                           applicant_address=FULL["address"])


def principal(*roles: str, unit: str | None = None, scopes: tuple[str, ...] = ()) -> Principal:
    return Principal(1, "someone", "Người dùng", frozenset(roles), unit, frozenset(scopes))


@pytest.mark.parametrize("caller", [principal(DESK_OFFICER), principal(LEADER), principal(SPECIALIST, unit="GDTrH")],
                         ids=["desk officer", "leader", "specialist of the deciding unit"])
def test_those_who_handle_a_dossier_see_the_applicant_in_full(caller):
    shown = access.shown_to(caller, dossier())
    assert shown.applicant == FULL and shown.dossier.code == "SGDDT-261203-0001"


@pytest.mark.parametrize("caller", [principal(SPECIALIST, unit="KTQLCL"), principal(CLERK), principal(ADMIN),
                                    principal(scopes=("dossiers:read",))],
                         ids=["specialist of another unit", "clerk", "administrator", "API token"])
def test_everyone_else_sees_the_applicant_masked(caller):
    assert access.shown_to(caller, dossier()).applicant == MASKED


def test_a_listed_dossier_shows_the_applicant_masked_whoever_reads_it():
    assert access.listed(dossier()).applicant == MASKED
