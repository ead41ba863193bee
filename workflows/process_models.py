"""Deploying models for the one-stop service: the engine's checks plus the domain's own."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from engine import deployments
from engine.decisions import Binding
from engine.models import DecisionVersion, ProcessVersion
from engine.parsing import ParsedModel, Problem, parse_model, translations_of
from workflows import decision_models
from workflows.model_checks import domain_checks

# Decisions are deployed before the models: a model binds the decisions deployed when it is.
MODEL_SUFFIXES = (".dmn", ".bpmn")


@dataclass(frozen=True)
class Deployment:
    """A deployed model: its version, whether this deployment created it, and what the designer
    should know (warnings; expressions the engine translated)."""

    version: ProcessVersion
    created: bool
    warnings: list[Problem] = field(default_factory=list)
    translations: list[dict] = field(default_factory=list)


def deploy_model(session: Session, content: bytes, filename: str, *, actor: str) -> Deployment:
    """Deploy a BPMN file after the engine's checks and the domain's (workflows/model_checks.py):
    a `ModelInvalid` lists every problem found when any is an error."""
    parsed = parse(session, content, filename)
    version, created = deployments.deploy(session, content, filename, actor=actor, parsed=parsed)
    return Deployment(version, created, parsed.warnings, parsed.translations)


def validate_model(session: Session, content: bytes, filename: str) -> deployments.Preview:
    """Every check `deploy_model` makes, without deploying: what would be deployed (process, lanes,
    user tasks, warnings) and whether it differs from the latest version. A bad model raises
    `ModelInvalid` listing every problem."""
    return deployments.preview(session, content, filename, parse(session, content, filename))


def parse(session: Session, content: bytes, filename: str) -> ParsedModel:
    """The engine's checks and the domain's, business rule tasks bound to the decisions deployed now."""
    return parse_model(content, filename, checks=[domain_checks(session)], decisions=Binding(session))


def list_models(session: Session) -> list[tuple[ProcessVersion, int]]:
    """Each deployed process's latest version, with how many versions it has."""
    return deployments.list_latest_versions(session)


def list_versions(session: Session, process_id: str) -> list[tuple[ProcessVersion, int]]:
    """A process's versions, newest first, with how many instances still run on each."""
    return deployments.list_versions(session, process_id)


def get_version(session: Session, process_id: str, number: int) -> ProcessVersion:
    return deployments.get_version(session, process_id, number)


def translations(version: ProcessVersion) -> list[dict]:
    """The expressions of a deployed version written for another engine (JUEL, FEEL) and its bare timer
    values, as its dossiers run them."""
    return translations_of(version.bpmn_xml.encode("utf-8"), version.filename)


def deploy_shipped(session: Session, content: bytes, filename: str, *, actor: str) -> tuple[ProcessVersion, bool]:
    """Deploy a model shipped with the service (the bundled ones, at every `make run`) unless its
    content is already deployed as any version: a version a designer deployed since stays the latest."""
    known = deployments.find_version_with_content(session, content)
    if known:
        return known, False
    deployed = deploy_model(session, content, filename, actor=actor)
    return deployed.version, deployed.created


def model_files(paths) -> list[Path]:
    """The .dmn and .bpmn files of `paths` (files, or folders searched for both), the .dmn files first."""
    files = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(p for p in sorted(path.iterdir()) if p.suffix in MODEL_SUFFIXES)
        else:
            files.append(path)
    return sorted(files, key=lambda p: p.suffix != ".dmn")


def deploy_shipped_file(session: Session, path: Path, *, actor: str) -> tuple[ProcessVersion | DecisionVersion, bool]:
    """`deploy_shipped` for a .bpmn file, `decision_models.deploy_shipped` for a .dmn file."""
    if path.suffix == ".dmn":
        return decision_models.deploy_shipped(session, path.read_bytes(), path.name, actor=actor)
    return deploy_shipped(session, path.read_bytes(), path.name, actor=actor)


def deploy_folder(session: Session, folder: Path, *, actor: str) -> list[tuple[ProcessVersion | DecisionVersion, bool]]:
    """`deploy_shipped_file` for every .dmn file of `folder`, then every .bpmn file."""
    return [deploy_shipped_file(session, path, actor=actor) for path in model_files([folder])]

