"""A receipt reads its procedure and the latest version of the procedure's model in one statement
(`workflows.procedures.get_procedure_with_latest_version`): the same version the engine would pick."""

from __future__ import annotations

import pytest

from engine import deployments
from tests.conftest import BPMN_MODELS, ROOT
from workflows import procedures
from workflows.errors import NotFound
from workflows.process_models import deploy_folder
from workflows.seed import seed_demo

TRANSFER = "CHUYEN_TRUONG_THPT"


@pytest.fixture
def seeded(sessions):
    with sessions() as session, session.begin():
        deploy_folder(session, ROOT / "bpmn_models", actor="designer")
        seed_demo(session)
    return sessions


def test_the_procedure_comes_with_the_latest_version_of_its_model(seeded):
    with seeded() as session, session.begin():
        content = (BPMN_MODELS / "chuyen_truong_thpt.bpmn").read_bytes()
        second, created = deployments.deploy(session, content.replace(b"</bpmn:definitions>",
                                                                      b"<!-- v2 --></bpmn:definitions>"),
                                             "chuyen_truong_thpt.bpmn", actor="designer")
        assert created and second.version == 2

        procedure, version = procedures.get_procedure_with_latest_version(session, TRANSFER)

        assert procedure.code == TRANSFER
        assert version is second
        assert version is deployments.find_latest_version(session, procedure.process_id)


def test_a_procedure_whose_model_is_not_deployed_comes_with_no_version(seeded):
    with seeded() as session, session.begin():
        procedures.get_procedure(session, TRANSFER).process_id = "khong_co_mo_hinh"
        session.flush()

        procedure, version = procedures.get_procedure_with_latest_version(session, TRANSFER)

        assert procedure.code == TRANSFER and version is None
        session.rollback()


def test_an_unknown_procedure_is_not_found_by_its_code(seeded):
    with seeded() as session, session.begin(), pytest.raises(NotFound) as raised:
        procedures.get_procedure_with_latest_version(session, "KHONG_CO")
    assert raised.value.details == {"procedure_code": "KHONG_CO"}
