"""Why a construct of another engine's modeller is not read, and what to do instead, by reason code.

engine/vendor.py and engine/vendor_forms.py report each construct they leave unread with one of these
codes and the values of its sentence; the `vendor_ignored` warning (engine/parsing/ignored.py) carries
them, and the API words them in the reader's language (api/vendor_messages.py has the Vietnamese of
every code below). The English here is the engine's own.
"""

from __future__ import annotations

FORM_HINT = "describe the fields with camunda:formData or a form_schema property"
ASSIGNMENT_HINT = "name the groups or users themselves (e.g. candidateGroups=\"leader\"), or draw the task in a lane"

# code -> (why it is not read, what to do instead); both are str.format templates of the params.
REASONS: dict[str, tuple[str, str]] = {
    "async": ("MotCua runs every step in its own transaction: there is no job executor to hand it to",
              "remove it"),
    "implementation": ("MotCua has no Java class, bean, job worker or connector to run a service task",
                       "make it a script task (Python) or a user task"),
    "listener": ("listeners run Java or JavaScript code that MotCua does not run",
                 "put the logic in a script task, or a spiffworkflow:preScript/postScript"),
    "io_mapping": ("variable mappings are not applied: every task sees the process data",
                   "assign the variables in a script task"),
    "external_form": ("MotCua cannot fetch a form kept outside the model", FORM_HINT),
    "task_dates": ("task due dates, follow-up dates and priorities are not read",
                   "give the step a boundary timer, or a deadline(\"step\") allocation"),
    "multi_instance": ("multi-instance settings of other engines are not read",
                       "use loopDataInputRef and inputDataItem of the standard multiInstanceLoopCharacteristics"),
    "initiator": ("the dossier's process is started by the desk officer who receives it", "remove it"),
    "deployment": ("it configures the other engine's deployment", "remove it"),
    "not_read": ("MotCua does not read this extension", "remove it, or say it with spiffworkflow properties"),
    "property_incomplete": ("a property needs a name and a value", "set both"),
    "property_twice": ("the {property} property is already given by {by}", "keep one of them"),
    "own_property_wins": ("the element's own spiffworkflow property '{property}' wins",
                          "remove {what} or the spiffworkflow property"),
    "assignment_expression": ("'{value}' is an expression the other engine evaluates at run time; MotCua needs "
                              "fixed names", ASSIGNMENT_HINT),
    "performer_expression": ("'{value}' is not a plain list of user(...) and group(...) names", ASSIGNMENT_HINT),
    "form_file": ("MotCua cannot read a form kept in a file next to the model",
                  "put the JSON Schema itself in a form_schema property"),
    "start_form": ("a start event has no form in MotCua: the dossier's data comes from the desk's intake",
                   "put the fields on the first user task"),
    "business_key": ("MotCua's business key is the dossier code", "remove it"),
    "field_properties": ("field properties are not read", "remove them"),
    "field_not_readable": ("a field that is not readable is not shown", "remove it from the form"),
    "field_expression": ("expressions are not evaluated", "compute the value in a script task"),
    "field_without_id": ("a field without an id is left out", "give the field an id"),
    "field_twice": ("the field is listed twice; the first one is kept", "remove one"),
    "field_type_unknown": ("the type '{type}' is not known; the field is read as text",
                           "use string, long, double, boolean, date or enum"),
    "enum_without_values": ("an enum without values is read as text", "list its values"),
    "constraint_not_read": ("the constraint '{constraint}'{config} is not read for a {kind} field",
                            "check the value in a script or a gateway"),
    "default_not_read": ("'{value}' is not a {kind} value MotCua can read", "write a plain value"),
}

# The reason of a construct left where it is, by its local name (what engine/vendor.py does not convert).
BY_NAME: dict[str, str] = {}
for _code, _names in (
    ("async", ("asyncBefore", "asyncAfter", "async", "exclusive", "jobPriority", "failedJobRetryTimeCycle")),
    ("implementation", ("class", "expression", "delegateExpression", "type", "topic", "taskPriority",
                        "taskDefinition", "taskHeaders", "connector", "field", "resultVariable")),
    ("listener", ("executionListener", "taskListener", "eventListener")),
    ("io_mapping", ("inputOutput", "ioMapping", "in", "out")),
    ("external_form", ("formKey", "formRef", "formRefBinding", "formRefVersion", "formDefinition")),
    ("task_dates", ("dueDate", "followUpDate", "priority")),
    ("multi_instance", ("collection", "elementVariable", "loopCharacteristics")),
    ("initiator", ("initiator",)),
    ("deployment", ("historyTimeToLive", "versionTag", "isStartableInTasklist", "candidateStarterGroups",
                    "candidateStarterUsers")),
):
    BY_NAME.update(dict.fromkeys(_names, _code))


def reason_of(local_name: str) -> str:
    """The reason code of a vendor construct left unread, by its local name."""
    return BY_NAME.get(local_name, "not_read")


def english(code: str, params: dict) -> tuple[str, str]:
    """(reason, hint) in English."""
    reason, hint = REASONS.get(code, REASONS["not_read"])
    return _format(reason, params), _format(hint, params)


def _format(template: str, params: dict) -> str:
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template
