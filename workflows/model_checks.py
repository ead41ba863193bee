"""The one-stop service's checks of a model, beside the engine's: the properties it reads and what a
dossier needs from the drawing.

Errors: a `dossier_status` that is not a portal status code (1-10), a `dossier_notice` or
`dossier_fields` the service does not know, a `payment_request` or `payment_message` that is no
name, an `issue_result` that is not a result kind, a `notification` kind without a template.
Warnings: a user task in no lane naming no candidate (only a default role makes it seen), and a model where no
element sets a final status (the dossier is counted as processed when the process ends).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine.parsing import NS, ParsedModel, Problems, owner_id
from workflows import lifecycle, messages, notifications, statuses
from workflows.result_kinds import result_kinds

PAYMENT_MESSAGE_PROPERTY = "payment_message"  # as workflows/payments.py reads it

# The statuses a dossier ends in.
FINAL_STATUSES = frozenset({statuses.NOT_RECEIVED, statuses.PROCESSING_STOPPED, statuses.PROCESSED,
                            statuses.RESULT_RETURNED})


def domain_checks(session: Session):
    """The check `engine.parsing.parse_model` runs for the service (it reads the notification kinds
    from `session` when the model names one)."""
    def check(root, parsed: ParsedModel | None, problems: Problems) -> None:
        check_properties(session, root, problems)
        check_final_status(root, parsed, problems)
        check_roles(root, parsed, problems)
    return check


def check_properties(session: Session, root, problems: Problems) -> None:
    known_kinds = None
    for prop in root.iterfind(".//spiffworkflow:property", NS):
        name, value = prop.get("name"), (prop.get("value") or "").strip()
        if name == statuses.STATUS_PROPERTY and (not value.isdigit() or int(value) not in statuses.LABELS):
            _refuse(problems, prop, "dossier_status_invalid", "it must be a status code from 1 to 10",
                    "Use a status code of the national portal, 1 to 10 (e.g. 4 in progress, 9 processed).")
        elif name == lifecycle.NOTICE_PROPERTY and value not in lifecycle.NOTICE_KINDS:
            allowed = ", ".join(lifecycle.NOTICE_KINDS)
            _refuse(problems, prop, "dossier_notice_invalid", f"it must be one of {allowed}",
                    f"Use one of {allowed}.", allowed=allowed)
        elif name == lifecycle.FIELDS_PROPERTY and not {f.strip() for f in value.split(",")} <= set(
                lifecycle.RECORDED_FIELDS):
            allowed = ", ".join(lifecycle.RECORDED_FIELDS)
            _refuse(problems, prop, "dossier_fields_invalid", f"the fields must be among {allowed}",
                    f"List fields among {allowed}, separated by commas.", allowed=allowed)
        elif name == lifecycle.DATA_PROPERTY and not all(
                f.strip().isidentifier() and not f.strip().startswith("_") for f in value.split(",")):
            _refuse(problems, prop, "dossier_data_invalid", "it must list data names separated by commas",
                    "List data names (letters, digits, underscores) separated by commas.")
        elif name in (lifecycle.PAYMENT_PROPERTY, PAYMENT_MESSAGE_PROPERTY) and not (
                value.isidentifier() and not value.startswith("_")):
            _refuse(problems, prop, "payment_property_invalid", "it must be a name (letters, digits, underscores)",
                    "Name the data that holds the fee (e.g. le_phi), or procedure_fee for the procedure's fee; "
                    "a message name for payment_message.")
        elif name == messages.ROLES_PROPERTY and messages.roles_problem(value):
            allowed = ", ".join(messages.TASK_ROLES)
            _refuse(problems, prop, "message_roles_invalid", messages.roles_problem(value),
                    f"List role codes among {allowed}, separated by commas.", allowed=allowed)
        elif name == lifecycle.RESULT_PROPERTY and value not in result_kinds():
            allowed = ", ".join(sorted(result_kinds()))
            _refuse(problems, prop, "issue_result_unknown", f"it must be a result kind: one of {allowed}",
                    f"Use one of the result kinds: {allowed}.", allowed=allowed)
        elif name == lifecycle.NOTIFICATION_PROPERTY:
            known_kinds = known_kinds if known_kinds is not None else notifications.kinds(session)
            if value not in known_kinds:
                known = ", ".join(sorted(known_kinds))
                _refuse(problems, prop, "notification_kind_unknown",
                        f"no notification template has this kind (an administrator adds one first; known: {known})",
                        "Use a kind that has a template, or ask an administrator to add one.", known=known)


def _refuse(problems: Problems, prop, code: str, reason: str, hint: str, **params) -> None:
    name, value = prop.get("name"), (prop.get("value") or "").strip()
    problems.error(code, f"'{owner_id(prop)}' sets {name}={value!r}; {reason}.", prop, hint=hint, property=name,
                   value=value, **params)


def check_final_status(root, parsed: ParsedModel | None, problems: Problems) -> None:
    """A warning when no element sets a final status: the dossier would never resolve by itself."""
    for prop in root.iterfind(f".//spiffworkflow:property[@name='{statuses.STATUS_PROPERTY}']", NS):
        value = (prop.get("value") or "").strip()
        if value.isdigit() and int(value) in FINAL_STATUSES:
            return
    process = _by_id(root, parsed.process_id) if parsed else None
    final = ", ".join(str(s) for s in sorted(FINAL_STATUSES))
    problems.warning("no_terminal_status", f"No element sets a final dossier_status ({final}): the dossier will be "
                     f"counted as processed ({statuses.PROCESSED}) when the process ends.", process,
                     hint="Set dossier_status on the end events: 9 when processed, 3 when refused, "
                     "8 when processing stops.", statuses=final, processed=statuses.PROCESSED)


def check_roles(root, parsed: ParsedModel | None, problems: Problems) -> None:
    """A warning for each user task in no lane that names no candidate group or user: it resolves to a
    role only through the procedure's default role (checked when the procedure is registered)."""
    if parsed is None:
        return
    for task in parsed.user_tasks:
        if task["lane"] is None and not task.get("candidate_groups") and not task.get("candidate_users"):
            node = _by_id(root, task["bpmn_id"])
            problems.warning("task_without_role", f"The user task '{task['bpmn_id']}' is in no lane and names no "
                             "candidate group or user: unless the procedure gives a default role, nobody will see "
                             "this task.", node, element=task["bpmn_id"],
                             hint="Put the task in a lane (the procedure maps each lane to a role), or name its "
                             "candidate groups.")


def _by_id(root, element_id: str):
    found = root.xpath("//bpmn:*[@id=$id]", namespaces=NS, id=element_id)
    return found[0] if found else None
