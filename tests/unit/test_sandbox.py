"""The sandbox model code runs in: what it refuses, what it still allows, and that a refusal leaves
the dossier as it was."""

from __future__ import annotations

import copy
import datetime
import decimal
import json
import sys
from xml.sax.saxutils import escape

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlalchemy import func, select

from engine import deployments, instances, runtime
from engine.errors import ExecutionFailed, ModelInvalid
from engine.models import AuditEvent, HumanTask, ProcessInstance
from engine.parsing import parse_model
from engine.sandbox import (
    AccessRefused,
    CodeRefused,
    Limits,
    MemoryLimitExceeded,
    ResultRefused,
    Sandbox,
    SandboxError,
    TimeLimitExceeded,
    compile_model_code,
)
from engine.scripting import make_script_engine

SANDBOX = Sandbox(Limits(time=0.25))
DOSSIER = {
    "dossier": {"code": "HS-2026-001", "status": "received", "documents": ["don.pdf", "bang.pdf"]},
    "check_result": "complete",
    "x": 1,
    "notes": ["nhận hồ sơ"],
}


def run(mode: str, code: str, data: dict, sandbox: Sandbox = SANDBOX, helpers: dict | None = None):
    if mode == "eval":
        return sandbox.evaluate(code, data, helpers)
    return sandbox.execute(code, data, helpers)


def refusal(kind, fragment):
    return kind, fragment


ESCAPES = [
    # Imports, and the builtins that open the way out
    pytest.param("exec", 'import os\nos.system("id")', *refusal(CodeRefused, "import statements"), id="import os"),
    pytest.param("exec", 'import subprocess\nsubprocess.run(["id"])', *refusal(CodeRefused, "import statements"),
                 id="import subprocess"),
    pytest.param("exec", "from sys import modules", *refusal(CodeRefused, "import statements"), id="from sys import"),
    pytest.param("eval", '__import__("os").system("id")', *refusal(CodeRefused, "'__import__' is not allowed"),
                 id="__import__"),
    pytest.param("eval", 'open("/etc/passwd").read()', *refusal(CodeRefused, "'open' is not available"), id="open"),
    pytest.param("eval", 'eval("1 + 1")', *refusal(CodeRefused, "Eval calls are not allowed"), id="eval"),
    pytest.param("exec", 'exec("import os")', *refusal(CodeRefused, "Exec calls are not allowed"), id="exec"),
    pytest.param("eval", 'compile("1", "<s>", "eval")', *refusal(CodeRefused, "'compile' is not available"),
                 id="compile"),
    pytest.param("eval", '__builtins__["open"]', *refusal(CodeRefused, "'__builtins__' is not allowed"),
                 id="__builtins__"),
    pytest.param("eval", '_getattr_(x, "__class__")', *refusal(CodeRefused, "'_getattr_' is not allowed"),
                 id="a guard's own name"),
    # Dunder walks and attribute tricks
    pytest.param("eval", "().__class__.__mro__[1].__subclasses__()", *refusal(CodeRefused, "is not allowed"),
                 id="().__class__.__mro__ walk"),
    pytest.param("eval", 'getattr((), "__cl" + "ass__")', *refusal(CodeRefused, "'getattr' is not available"),
                 id="getattr with a computed name"),
    pytest.param("eval", '"{0.__class__}".format(x)', *refusal(CodeRefused, "access to 'format'"),
                 id="str.format attribute walk"),
    pytest.param("eval", '"{v.__class__}".format_map({"v": x})', *refusal(CodeRefused, "access to 'format_map'"),
                 id="str.format_map attribute walk"),
    pytest.param("eval", 'f"{x.__class__.__mro__}"', *refusal(CodeRefused, "access to '__mro__'"),
                 id="f-string attribute walk"),
    pytest.param("eval", "(y for y in []).gi_frame.f_back.f_globals", *refusal(CodeRefused, "access to 'f_globals'"),
                 id="generator frame walk"),
    pytest.param("eval", "(y for y in []).gi_code", *refusal(CodeRefused, "access to 'gi_code'"),
                 id="generator code object"),
    pytest.param("eval", "(lambda: 0).__globals__", *refusal(CodeRefused, "access to '__globals__'"),
                 id="function globals"),
    pytest.param("exec", "try:\n    1 / 0\nexcept ZeroDivisionError as error:\n    frame = error.__traceback__",
                 *refusal(CodeRefused, "access to '__traceback__'"), id="traceback frames"),
    pytest.param("eval", "datetime.datetime.mro()", *refusal(CodeRefused, "access to 'mro'"), id="mro of a class"),
    pytest.param("eval", 'datetime.sys.modules["os"]', *refusal(AccessRefused, "'datetime.sys' is not available"),
                 id="the datetime module's sys"),
    pytest.param("exec", "math.pi = 3", *refusal(AccessRefused, "changing the module 'math'"),
                 id="changing a module"),
    pytest.param("exec", "class Escape:\n    pass", *refusal(CodeRefused, "class definitions"), id="a class"),
    pytest.param("exec", "with x:\n    pass", *refusal(CodeRefused, "'with' statements"), id="a with statement"),
    pytest.param("eval", "list(iter(float, 1.0))", *refusal(AccessRefused, "sentinel"),
                 id="an endless C iterator"),
    # Huge allocations, refused before they happen
    pytest.param("eval", '"x" * 10**10', *refusal(
        MemoryLimitExceeded, "an allocation of 10000000000 items is over the limit of 1000000"), id="a huge string"),
    pytest.param("eval", "[0] * 10**9", *refusal(
        MemoryLimitExceeded, "an allocation of 1000000000 items is over the limit of 1000000"), id="a huge list"),
    pytest.param("eval", "10**10**10", *refusal(MemoryLimitExceeded, "bits is over the limit of 10000 bits"),
                 id="a huge power"),
    pytest.param("eval", "1 << 10**10", *refusal(MemoryLimitExceeded, "bits is over the limit"), id="a huge shift"),
    pytest.param("eval", "pow(7, 10**9)", *refusal(MemoryLimitExceeded, "bits is over the limit"),
                 id="a huge pow()"),
    pytest.param("eval", "list(range(10**12))", *refusal(
        MemoryLimitExceeded, "a range of 1000000000000 items is over the limit"), id="range materialised"),
    pytest.param("eval", '"x".ljust(10**10)', *refusal(MemoryLimitExceeded, "10000000000 items"),
                 id="str padding"),
    pytest.param("eval", 'f"{x:>10000000000}"', *refusal(MemoryLimitExceeded, "a formatted text"),
                 id="f-string width"),
    pytest.param("eval", '"%10000000000d" % x', *refusal(MemoryLimitExceeded, "a formatted text"),
                 id="printf width"),
    pytest.param("eval", '",".join(["x" * 10**5] * 10**4)', *refusal(MemoryLimitExceeded, "over the limit"),
                 id="str.join of many big strings"),
    pytest.param("eval", '(1).to_bytes(10**10, "big")', *refusal(MemoryLimitExceeded, "10000000000 items"),
                 id="int.to_bytes"),
    pytest.param("eval", "math.factorial(10**6)", *refusal(MemoryLimitExceeded, "bits is over the limit"),
                 id="math.factorial"),
    pytest.param("eval", 'int(decimal.Decimal("1e999999"))', *refusal(MemoryLimitExceeded, "bits is over the limit"),
                 id="a Decimal turned into a huge integer"),
    pytest.param("exec", "items = [0]\nfor i in range(40):\n    items[len(items):] = items",
                 *refusal(MemoryLimitExceeded, "over the limit"), id="slice assignment doubling"),
    pytest.param("exec", "items = [0]\nfor i in range(40):\n    items = [*items, *items]",
                 *refusal(MemoryLimitExceeded, "over the limit"), id="starred unpacking doubling"),
    # Shared references that explode when turned into text, hashed or stored
    pytest.param("exec", "a = [0] * 1000\nb = [a] * 1000\nc = [b] * 1000\ntext = str(c)",
                 *refusal(MemoryLimitExceeded, "a value turned into text is too large"), id="str of shared lists"),
    pytest.param("exec", "a = (0,)\nfor i in range(60):\n    a = (a, a)\nkeys = {a: 1}",
                 *refusal(MemoryLimitExceeded, "a key is too large"), id="hashing a doubled tuple"),
    pytest.param("exec", "a = [0]\nfor i in range(60):\n    a = [a, a]",
                 *refusal(MemoryLimitExceeded, "'a' is too large"), id="a doubled list left in the task data"),
    pytest.param("exec", "a = (0,)\nb = (0,)\nfor i in range(60):\n    a = (a, a)\n    b = (b, b)\nsame = a == b",
                 *refusal(MemoryLimitExceeded, "a compared value is too large"), id="comparing doubled tuples"),
    pytest.param("exec", "a = (0,)\nfor i in range(60):\n    a = (a, a)\nkeys = {*(a for i in range(2))}",
                 *refusal(MemoryLimitExceeded, "is too large"), id="a set of generated doubled tuples"),
    pytest.param("exec", "a = [0] * 1000\nb = [a] * 1000\nc = [b] * 1000\ntext = str(object=c)",
                 *refusal(MemoryLimitExceeded, "a value turned into text is too large"),
                 id="str() with a keyword argument"),
    pytest.param("exec", "a = []\na.append(a)", *refusal(MemoryLimitExceeded, "'a' contains itself"),
                 id="a list that contains itself"),
    pytest.param("eval", 'format(decimal.Decimal("1e999999999"), "f")', *refusal(MemoryLimitExceeded, "too large"),
                 id="a Decimal written out in full"),
    pytest.param("eval", "sum([[1]] * 10**5, [])", *refusal(AccessRefused, "sum() adds numbers"),
                 id="sum() of lists"),
    pytest.param("exec", "try:\n    str.nope\nexcept AttributeError as error:\n    real = error.obj",
                 *refusal(AccessRefused, "access to 'obj'"), id="the real type behind a guarded builtin"),
    # Endless work
    pytest.param("exec", "while True: pass", *refusal(TimeLimitExceeded, "the script ran longer than 0.25 s"),
                 id="while True pass"),
    pytest.param("exec", "while True:\n    try:\n        while True: pass\n    except Exception:\n        pass",
                 *refusal(TimeLimitExceeded, "ran longer than"), id="a loop that catches the stop"),
    pytest.param("exec", "try:\n    x = 1\nfinally:\n    while True: pass", *refusal(CodeRefused, "'finally'"),
                 id="a finally block that outlives the stop"),
    pytest.param("exec", "try:\n    pass\nexcept:\n    pass", *refusal(CodeRefused, "bare 'except:'"),
                 id="a bare except"),
    pytest.param("exec", "def f(n):\n    return n and f(n - 1) + f(n - 1)\nf(200)",
                 *refusal(TimeLimitExceeded, "ran longer than"), id="exponential recursion"),
    pytest.param("eval", "sum(1 for a in range(10**6) for b in range(10**6))",
                 *refusal(TimeLimitExceeded, "the expression ran longer than"), id="a nested comprehension"),
]


@pytest.mark.parametrize(("mode", "code", "kind", "fragment"), ESCAPES)
def test_an_escape_attempt_is_refused_with_a_clear_error_and_the_data_left_intact(mode, code, kind, fragment):
    data = copy.deepcopy(DOSSIER)

    with pytest.raises(kind) as caught:
        run(mode, code, data)

    assert fragment in caught.value.message
    assert data == DOSSIER


@pytest.mark.parametrize(("mode", "code", "kind", "fragment"),
                         [p for p in ESCAPES if p.values[2] is CodeRefused])
def test_code_the_sandbox_refuses_is_refused_before_it_runs(mode, code, kind, fragment):
    with pytest.raises(CodeRefused) as caught:
        compile_model_code(code, mode)
    assert fragment in caught.value.message
    assert caught.value.line is not None


def test_a_refusal_names_the_line_of_the_script():
    with pytest.raises(MemoryLimitExceeded) as caught:
        SANDBOX.execute('total = 1\nlabel = "ok"\nblob = "x" * 10**10', {})
    assert caught.value.line == 3
    assert "(line 3)" in str(caught.value)


def test_an_error_a_helper_raises_cannot_be_caught_and_inspected_by_the_model():
    secret = object()

    def deadline(step):
        raise RuntimeError("no allocation for this step", secret)

    data = {"x": 1}
    script = "try:\n    due = deadline('review')\nexcept Exception as error:\n    leaked = error.args"
    with pytest.raises(RuntimeError, match="no allocation"):
        SANDBOX.execute(script, data, {"deadline": deadline})
    assert data == {"x": 1}


def test_an_expression_cannot_change_the_data_it_reads():
    data = {"documents": ["don.pdf"]}
    with pytest.raises(AccessRefused, match="an expression cannot change data"):
        SANDBOX.evaluate('documents.append("virus.exe") or True', data)
    assert data == {"documents": ["don.pdf"]}


def test_an_expression_must_give_data():
    with pytest.raises(ResultRefused, match="generator"):
        SANDBOX.evaluate("(n for n in [1, 2])", {})


# --- Limits ---------------------------------------------------------------------------------


def test_the_time_limit_stops_a_script_and_says_how_long_it_may_run():
    sandbox = Sandbox(Limits(time=0.1))
    with pytest.raises(TimeLimitExceeded) as caught:
        sandbox.execute("n = 0\nwhile True:\n    n = n + 1", {})
    assert caught.value.message == "the script ran longer than 0.1 s"
    assert caught.value.line == 2  # the loop


def test_time_spent_in_the_services_helpers_does_not_count_against_the_model():
    import time

    def slow_helper(step):
        time.sleep(0.3)
        return f"due for {step}"

    sandbox = Sandbox(Limits(time=0.1))
    assert sandbox.evaluate('deadline("review")', {}, {"deadline": slow_helper}) == "due for review"


def test_an_allocation_over_the_limit_is_refused_before_it_happens():
    sandbox = Sandbox(Limits(max_items=1000))
    assert sandbox.evaluate('"x" * 1000', {}) == "x" * 1000
    with pytest.raises(MemoryLimitExceeded, match="an allocation of 1001 items is over the limit of 1000"):
        sandbox.evaluate('"x" * 1001', {})


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="memory is measured from /proc/self/statm")
def test_the_memory_limit_stops_a_loop_that_keeps_allocating():
    sandbox = Sandbox(Limits(time=10, max_memory_growth=32 * 2**20))
    script = "kept = []\nwhile True:\n    kept.append('y' * 500000 + str(len(kept)))"
    with pytest.raises(MemoryLimitExceeded, match="the script used more than 32 MiB of memory"):
        sandbox.execute(script, {})


# --- What models may still do ---------------------------------------------------------------


@pytest.mark.parametrize(("expression", "data", "expected"), [
    ('check_result == "complete"', {"check_result": "complete"}, True),
    ('opinion in ("approve", "refuse")', {"opinion": "supplement"}, False),
    ('check_result != "refuse" and decision == "approve"', {"check_result": "complete", "decision": "approve"}, True),
    ("counter < target", {"counter": 3, "target": 10}, True),
    ('return_method == "post"', {"return_method": "in_person"}, False),
    ('"PT1S"', {}, "PT1S"),
])
def test_the_expressions_of_the_seed_models_still_work(expression, data, expected):
    assert SANDBOX.evaluate(expression, data) == expected


def test_helpers_passed_in_can_be_called_like_the_deadline_helpers():
    helpers = {"deadline": lambda step: f"2026-12-07T09:30:00+07:00#{step}",
               "before_due": lambda days: f"{days} days before", "ahead_of_due": lambda: True}
    assert SANDBOX.evaluate('deadline("review")', {}, helpers) == "2026-12-07T09:30:00+07:00#review"
    assert SANDBOX.evaluate("before_due(apology_lead_days)", {"apology_lead_days": 1}, helpers) == "1 days before"
    assert SANDBOX.evaluate("ahead_of_due()", {}, helpers) is True


def test_a_script_can_do_date_arithmetic():
    script = (
        "received = datetime.datetime(2026, 12, 4, 15, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))\n"
        "due = received + datetime.timedelta(days=15)\n"
        "due_text = due.isoformat()\n"
        "weekday = due.weekday()\n"
        "days_left = (due.date() - datetime.date(2026, 12, 10)).days\n"
    )
    result = SANDBOX.execute(script, {})
    assert result["due_text"] == "2026-12-19T15:00:00+07:00"
    assert result["weekday"] == 5
    assert result["days_left"] == 9
    assert isinstance(result["due"], datetime.datetime)


def test_a_script_can_compute_with_decimals_and_math():
    script = (
        "fee = (decimal.Decimal(unit_fee) * copies).quantize(decimal.Decimal('1'), rounding=decimal.ROUND_HALF_UP)\n"
        "pages = math.ceil(words / 250)\n"
        "side = math.isqrt(17)\n"
        "share = round(math.pi, 2)\n"
        "big = 2 ** 64\n"
    )
    result = SANDBOX.execute(script, {"unit_fee": "2500.5", "copies": 3, "words": 1001})
    assert result["fee"] == decimal.Decimal("7502")
    assert (result["pages"], result["side"], result["share"], result["big"]) == (5, 4, 3.14, 2**64)


def test_a_script_can_use_comprehensions_loops_functions_and_change_dicts():
    script = (
        "names = sorted((d['name'] for d in documents if d['required']), key=lambda n: n.lower())\n"
        "summary = {'count': len(names)}\n"
        "summary.update(first=names[0])\n"
        "summary['last'] = names[-1]\n"
        "for i, name in enumerate(names):\n"
        "    summary[f'doc_{i}'] = name.upper()\n"
        "scores = {k: v * 2 for k, v in weights.items()}\n"
        "def label(code, n):\n"
        "    return '%s-%03d' % (code, n)\n"
        "reference = label('HS', 7)\n"
        "joined = ', '.join(names)\n"
        "n = 0\n"
        "while n < 5:\n"
        "    n += 1\n"
        "try:\n"
        "    number = int('abc')\n"
        "except ValueError:\n"
        "    number = -1\n"
        "first, *rest = names\n"
        "kinds = {isinstance(v, (int, float)) for v in weights.values()}\n"
        "dossier['status'] = 'checked'\n"
        "notes.append(f'{len(names)} documents')\n"
    )
    data = {"documents": [{"name": "Đơn", "required": True}, {"name": "bằng", "required": True},
                          {"name": "ảnh", "required": False}],
            "weights": {"a": 1, "b": 2.5}, "dossier": {"status": "received"}, "notes": []}
    result = SANDBOX.execute(script, data)
    assert result["names"] == ["bằng", "Đơn"]
    assert result["summary"] == {"count": 2, "first": "bằng", "last": "Đơn", "doc_0": "BẰNG", "doc_1": "ĐƠN"}
    assert result["scores"] == {"a": 2, "b": 5.0}
    assert (result["reference"], result["joined"], result["n"], result["number"]) == ("HS-007", "bằng, Đơn", 5, -1)
    assert (result["first"], result["rest"], result["kinds"]) == ("bằng", ["Đơn"], {True})
    assert result["dossier"] == {"status": "checked"} and result["notes"] == ["2 documents"]
    assert "label" not in result  # functions the script defines are not data
    assert data["dossier"] == {"status": "received"} and data["notes"] == []  # the input is not changed


def test_names_starting_with_an_underscore_pass_through_a_script_untouched():
    result = SANDBOX.execute("x = 2", {"_internal": {"a": 1}, "x": 1})
    assert result == {"_internal": {"a": 1}, "x": 2}


# --- Through SpiffWorkflow and the engine -------------------------------------------------------

MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                  id="Definitions_sandbox" targetNamespace="http://motcua.gov.vn/bpmn/test">
  <bpmn:process id="sandbox_test" name="Sandbox test" isExecutable="true">
    <bpmn:startEvent id="start">
      <bpmn:outgoing>f1</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:userTask id="intake" name="Intake">
      <bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:scriptTask id="tally" name="Tally">
      <bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script>{script}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:exclusiveGateway id="decide" name="Decide" default="f5">
      <bpmn:incoming>f3</bpmn:incoming>
      <bpmn:outgoing>f4</bpmn:outgoing>
      <bpmn:outgoing>f5</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:userTask id="confirm" name="Confirm">
      <bpmn:incoming>f4</bpmn:incoming>
      <bpmn:outgoing>f6</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end">
      <bpmn:incoming>f5</bpmn:incoming>
      <bpmn:incoming>f6</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="intake"/>
    <bpmn:sequenceFlow id="f2" sourceRef="intake" targetRef="tally"/>
    <bpmn:sequenceFlow id="f3" sourceRef="tally" targetRef="decide"/>
    <bpmn:sequenceFlow id="f4" sourceRef="decide" targetRef="confirm">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f5" sourceRef="decide" targetRef="end"/>
    <bpmn:sequenceFlow id="f6" sourceRef="confirm" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def model(script: str = "total = score * 10", condition: str = "total > 5") -> bytes:
    return MODEL.format(script=escape(script), condition=escape(condition)).encode()


def line_of(content: bytes, number: int) -> str:
    return content.decode().splitlines()[number - 1]


def test_deploying_a_script_the_sandbox_refuses_names_the_element_and_line():
    content = model(script="total = score * 10\nsecret = ().__class__")

    with pytest.raises(ModelInvalid) as caught:
        parse_model(content, "escape.bpmn")

    error = caught.value
    assert error.details["element"] == "tally"
    assert error.details["file"] == "escape.bpmn"
    assert "__class__" in error.message and "refused by the sandbox" in error.message
    assert "__class__" in line_of(content, error.details["line"])


@pytest.mark.parametrize(("script", "condition", "element", "fragment"), [
    ("import os", "total > 5", "tally", "import statements"),
    ("total = _private", "total > 5", "tally", "'_private'"),
    ("total = 1", "open('/etc/passwd')", "f4", "'open' is not available"),
    ("total = 1", "total.__class__", "f4", "'__class__'"),
])
def test_deploying_code_the_sandbox_refuses_is_refused_naming_the_element(script, condition, element, fragment):
    with pytest.raises(ModelInvalid) as caught:
        parse_model(model(script, condition), "escape.bpmn")
    assert caught.value.details["element"] == element
    assert fragment in caught.value.message


def start(script: str, engine=None) -> BpmnWorkflow:
    parsed = parse_model(model(script), "sandbox.bpmn")
    workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs, script_engine=engine or make_script_engine())
    runtime.run_engine_steps(workflow)
    return workflow


def complete_intake(workflow: BpmnWorkflow, data: dict) -> None:
    [intake] = runtime.ready_human_tasks(workflow)
    intake.data.update(data)
    runtime.run_task(intake)
    runtime.run_engine_steps(workflow)


def test_helpers_and_modules_do_not_leak_into_the_task_data_after_a_script_task():
    engine = make_script_engine(helpers={"fee_for": lambda copies: copies * 2500})
    workflow = start("total = score * 10\nfee = fee_for(2)\nwhen = datetime.date(2026, 12, 1).isoformat()\n"
                     "def twice(n):\n    return 2 * n\ndoubled = twice(total)", engine)

    complete_intake(workflow, {"score": 3})

    [confirm] = runtime.ready_human_tasks(workflow)
    assert confirm.data == {"score": 3, "total": 30, "fee": 5000, "when": "2026-12-01", "doubled": 60}
    json.dumps(confirm.data)  # plain data only


@pytest.mark.parametrize(("script", "fragment", "line"), [
    ('total = score * 10\nnotes.append("changed")\nblob = "x" * 10**10',
     "an allocation of 10000000000 items is over the limit of 1000000", 3),
    ("total = score * 10\nwhile True:\n    total = total + 1", "the script ran longer than 0.2 s", 2),
    ("total = score * 10\nescape = datetime.sys", "'datetime.sys' is not available in model code", 2),
])
def test_a_malicious_script_task_fails_its_element_and_leaves_the_workflow_data_unchanged(script, fragment, line):
    workflow = start(script, make_script_engine(limits=Limits(time=0.2)))
    [intake] = runtime.ready_human_tasks(workflow)
    intake.data.update({"score": 3, "notes": ["received"]})
    before = {str(task.id): copy.deepcopy(task.data) for task in runtime.iter_tasks(workflow)}
    workflow_data = copy.deepcopy(workflow.data)

    with pytest.raises(ExecutionFailed) as caught:
        runtime.run_task(intake)
        runtime.run_engine_steps(workflow)

    assert caught.value.details["element"] == "tally"
    assert caught.value.details["line"] == line
    assert fragment in caught.value.message
    [tally] = [t for t in runtime.iter_tasks(workflow) if runtime.element_id(t) == "tally"]
    assert tally.data == {"score": 3, "notes": ["received"]}  # nothing the script wrote before it was stopped
    assert workflow.data == workflow_data
    for task in runtime.iter_tasks(workflow):
        if str(task.id) in before and runtime.element_id(task) != "tally":
            assert task.data == before[str(task.id)]


def test_a_malicious_script_leaves_the_stored_dossier_intact(sessions):
    content = model('total = score * 10\nnotes.append("changed")\nescape = "x" * 10**10')
    with sessions() as session, session.begin():
        deployments.deploy(session, content, "sandbox.bpmn", actor="designer")
        instance_id = instances.start_instance(session, "sandbox_test", actor="desk",
                                               data={"score": 3, "notes": []}).instance.id
    with sessions() as session:
        state_before = session.get(ProcessInstance, instance_id).state
        audit_before = session.scalar(select(func.count()).select_from(AuditEvent))
        task_id = session.scalars(select(HumanTask.id).where(HumanTask.instance_id == instance_id)).one()

    with pytest.raises(ExecutionFailed) as caught, sessions() as session, session.begin():
        instances.complete_task(session, task_id, actor="desk", data={"score": 4})

    assert caught.value.details["element"] == "tally"
    assert "is over the limit of 1000000" in caught.value.message
    with sessions() as session:
        assert session.get(ProcessInstance, instance_id).state == state_before
        assert session.get(HumanTask, task_id).state == "ready"
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == audit_before


def test_every_refusal_is_a_sandbox_error():
    for kind in (CodeRefused, AccessRefused, TimeLimitExceeded, MemoryLimitExceeded, ResultRefused):
        assert issubclass(kind, SandboxError)
