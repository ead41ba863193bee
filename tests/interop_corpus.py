"""The interop corpus (tests/fixtures/interop): BPMN and DMN files written the way other modellers and
engines write them, and what MotCua must make of each.

`expectations.json` is the one source of what is expected: the corpus tests read it, and the table
of the corpus's README is rendered from it. `python -m tests.interop_corpus` rewrites the table after
the data changed; a test fails while the README and the data disagree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from tests.conftest import FIXTURES
from tests.modeler import camunda_model, user_tasks_chain

CORPUS = FIXTURES / "interop"
EXPECTATIONS = CORPUS / "expectations.json"
README = CORPUS / "README.md"
TABLE_START = "<!-- corpus table: rendered from expectations.json by `python -m tests.interop_corpus` -->"
TABLE_END = "<!-- end of the corpus table -->"

# Files too big to commit, made by the test: the name in `generated` -> the content.
GENERATED = {
    "chain_of_600_user_tasks": lambda: camunda_model(
        *user_tasks_chain(600, lane="Lane_0desk"), process_id="Process_0long", lanes={"Lane_0desk": "desk_officer"}),
}


@dataclass(frozen=True)
class Entry:
    """One file of the corpus and what it must give (see expectations.json's `about`)."""

    file: str
    tool: str
    habit: str
    outcome: str  # "deploys" or "refused"
    process_id: str | None = None
    warnings: list = field(default_factory=list)
    translations: int = 0
    problems: list = field(default_factory=list)
    names: list = field(default_factory=list)
    lane_roles: dict = field(default_factory=dict)
    requires: list = field(default_factory=list)
    run: str | None = None
    generated: str | None = None

    @property
    def is_decision(self) -> bool:
        return self.file.endswith(".dmn")

    @property
    def deploys(self) -> bool:
        return self.outcome == "deploys"

    @property
    def procedure_code(self) -> str:
        return ("IO_" + Path(self.file).stem.upper())[:50]

    def content(self) -> bytes:
        return GENERATED[self.generated]() if self.generated else (CORPUS / self.file).read_bytes()


def entries() -> list[Entry]:
    return [Entry(**item) for item in json.loads(EXPECTATIONS.read_text(encoding="utf-8"))["files"]]


def entry(name: str) -> Entry:
    return next(e for e in entries() if e.file == name)


# --- the README's table -----------------------------------------------------------------------------

def _counted(codes: list[str]) -> str:
    counts = {code: codes.count(code) for code in dict.fromkeys(codes)}
    return ", ".join(f"`{code}`" + (f" ×{n}" if n > 1 else "") for code, n in counts.items())


def expected_outcome(e: Entry) -> str:
    if e.is_decision:
        return "deploys as a decision (`/api/v1/decision-models`)"
    if e.deploys:
        warned = [code for code, _ in e.warnings]
        text = f"deploys with {len(warned)} warning{'s' if len(warned) != 1 else ''}"
        text += f" ({_counted(warned)})" if warned else ""
        if e.translations:
            text += f", {e.translations} expression{'s' if e.translations > 1 else ''} translated"
        if e.requires:
            text += " once " + ", ".join(f"`{r}`" for r in e.requires) + " is deployed"
        return text + (f"; **runs to its end through the API**: {e.run}" if e.run else "")
    errors = [code for severity, code, _ in e.problems if severity == "error"]
    warned = [code for severity, code, _ in e.problems if severity == "warning"]
    text = f"refused: {_counted(errors)}"
    text += f" (and warning {_counted(warned)})" if warned else ""
    return text + ", naming " + ", ".join(f"`{name}`" for name in e.names)


def render_table(items: list[Entry]) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    rows = ["| file | habit it covers | written by | expected outcome |", "|---|---|---|---|"]
    for e in items:
        name = f"`{e.file}` (generated)" if e.generated else f"[`{e.file}`]({e.file})"
        rows.append(f"| {name} | {cell(e.habit)} | {cell(e.tool)} | {cell(expected_outcome(e))} |")
    return "\n".join(rows)


def readme_with_table(readme: str, items: list[Entry]) -> str:
    before, rest = readme.split(TABLE_START, 1)
    _, after = rest.split(TABLE_END, 1)
    return f"{before}{TABLE_START}\n{render_table(items)}\n{TABLE_END}{after}"


# --- through the API ----------------------------------------------------------------------------------

def upload(api, path: str, content: bytes, filename: str, user: str = "admin"):
    return api.post(path, user=user, headers={"Accept-Language": "en"},
                    data={"file": (BytesIO(content), filename)}, content_type="multipart/form-data")


def deploy(api, e: Entry):
    """Deploy the entry's file after what it requires; the answer to the entry's own deployment."""
    for required in e.requires:
        response = deploy(api, entry(required))
        assert response.status_code in (200, 201), response.get_json()
    path = "/api/v1/decision-models" if e.is_decision else "/api/v1/process-models"
    return upload(api, path, e.content(), e.file)


def register(api, e: Entry, **fields):
    """A procedure of the transfers' unit running the entry's process, its groups and lanes mapped by
    the entry's `lane_roles`."""
    return api.post("/api/v1/procedures", user="admin", json={
        "code": e.procedure_code, "name": f"Thử nghiệm liên thông: {e.file}", "field": "Thử nghiệm",
        "processing_time_value": 5, "processing_time_unit": "working_days", "deciding_unit_code": "PHONG_GDTRH",
        "process_id": e.process_id, "lane_roles": e.lane_roles,
        "required_documents": [{"name": "Đơn đề nghị", "form": "original", "quantity": 1}], **fields})


def deployed_and_registered(api, name: str) -> Entry:
    e = entry(name)
    deployed = deploy(api, e)
    assert deployed.status_code == 201, deployed.get_json()
    registered = register(api, e)
    assert registered.status_code == 201, registered.get_json()
    return e


if __name__ == "__main__":
    README.write_text(readme_with_table(README.read_text(encoding="utf-8"), entries()), encoding="utf-8")
    print(f"{README}: table of {len(entries())} files rendered")
