"""Who a human task is for: its role, and the users it is offered to when the model names them.

A task names them in two `spiffworkflow:properties` (engine/vendor.py writes them from Camunda's,
Zeebe's and Flowable's assignment attributes; a designer may write them by hand):

- `candidate_groups`: comma-separated group names, each mapped to a role like a lane is;
- `candidate_users`: comma-separated usernames.

The role of a task is the first of its candidate groups that `role_map` maps to a role, else the
role `role_map` gives its lane (an unmapped lane: the lane's own name), else `default_role`.
`role_map` maps any name, lane or group, to a role code; the caller builds it (the engine knows
nothing of which roles exist).
"""

from __future__ import annotations

CANDIDATE_GROUPS = "candidate_groups"
CANDIDATE_USERS = "candidate_users"


def names(value: str | None) -> list[str]:
    """`"a, b,,a"` -> `["a", "b"]`: the names of a comma-separated list, in order, once each."""
    found: list[str] = []
    for name in (value or "").split(","):
        name = name.strip()
        if name and name not in found:
            found.append(name)
    return found


def candidate_groups(properties: dict) -> list[str]:
    return names(properties.get(CANDIDATE_GROUPS))


def candidate_users(properties: dict) -> list[str]:
    return names(properties.get(CANDIDATE_USERS))


def declared_candidates(task_spec) -> dict:
    """What a task's spec names: `{"candidate_groups": [...], "candidate_users": [...]}`."""
    properties = (getattr(task_spec, "extensions", None) or {}).get("properties", {})
    return {CANDIDATE_GROUPS: candidate_groups(properties), CANDIDATE_USERS: candidate_users(properties)}


def task_role(groups: list[str], lane: str | None, role_map: dict, default_role: str | None) -> str | None:
    """The role that works a task with these candidate groups, in this lane (see the module's rule)."""
    for group in groups:
        if role_map.get(group):
            return role_map[group]
    if lane:
        role = role_map.get(lane, lane)
        if role:
            return role
    return default_role or None
