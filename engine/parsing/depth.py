"""How deep the engine must recurse to build and start a model, found before it tries.

SpiffWorkflow predicts a new workflow's future tasks recursively, one call per step along the
longest path (`TaskSpec._predict`), and its parser, even parsing deepest-first (engine/parsing/
spiff.py), follows a loop recursively around its whole length, two calls per step. At the default
recursion limit (1000), with the frames a web request already uses, a run of about 900 steps
fails. So a model is refused, with its longest run named, when a path is longer than
`MAX_PATH_STEPS` or a loop longer than `MAX_LOOP_STEPS`: it would otherwise deploy and fail with
a RecursionError when a dossier starts or reaches that part.
"""

from __future__ import annotations

from engine.parsing.checks import CONTAINERS, STRUCTURAL_TAGS
from engine.parsing.problems import Problems, local
from engine.parsing.xml import BPMN_NS, NS, is_bpmn

MAX_PATH_STEPS = 700
MAX_LOOP_STEPS = 300


def check_depth(root, problems: Problems) -> None:
    """Each process and subprocess is predicted on its own: check each one's flow graph."""
    for container in root.iter(*(f"{{{BPMN_NS}}}{c}" for c in CONTAINERS)):
        nodes, edges = _graph(container)
        costs = {node_id: _cost(node_id, nodes, edges) for node_id in nodes}
        if len(nodes) <= MAX_LOOP_STEPS and sum(costs.values()) <= MAX_PATH_STEPS:
            continue  # no loop or path can be longer than all of its steps
        components = _strongly_connected(list(nodes), edges)
        loop = max(components, key=len)
        if len(loop) > MAX_LOOP_STEPS:
            problems.error("loop_too_long", f"The loop through '{loop[0]}' in '{container.get('id')}' has {len(loop)} "
                           f"steps; the engine can follow a loop of at most {MAX_LOOP_STEPS} steps.", nodes[loop[0]],
                           hint="Move part of the loop into a subprocess, so that each loop is shorter.",
                           container=container.get("id"), steps=len(loop), limit=MAX_LOOP_STEPS)
            continue
        steps, first, last = _longest_path(components, edges, costs)
        if steps > MAX_PATH_STEPS:
            problems.error("model_too_deep", f"'{container.get('id')}' has a path of {steps} steps in a row, from "
                           f"'{first}' to '{last}'; the engine can follow at most {MAX_PATH_STEPS} steps in a row.",
                           container, element=container.get("id"), hint="Group parts of the path into "
                           "subprocesses: each subprocess counts as one step of the path around it.",
                           steps=steps, limit=MAX_PATH_STEPS, first=first, last=last)


def _graph(container) -> tuple[dict, dict]:
    """The container's flow nodes by id and the steps each leads to (sequence flows, and an
    activity to its boundary events)."""
    nodes = {child.get("id"): child for child in container
             if is_bpmn(child) and local(child.tag) not in STRUCTURAL_TAGS and child.get("id")}
    edges: dict = {node_id: [] for node_id in nodes}
    for flow in container.iterfind("bpmn:sequenceFlow", NS):
        source, target = flow.get("sourceRef"), flow.get("targetRef")
        if source in nodes and target in nodes:
            edges[source].append(target)
    for node_id, node in nodes.items():
        if local(node.tag) == "boundaryEvent" and node.get("attachedToRef") in nodes:
            edges[node.get("attachedToRef")].append(node_id)
    return nodes, edges


def _cost(node_id: str, nodes: dict, edges: dict) -> int:
    """The recursion one step costs when predicted: one call, one more for an activity with boundary
    events (SpiffWorkflow puts a split and a join around it; measured: a chain of such activities
    fails at half the length of a plain chain)."""
    return 2 if any(local(nodes[target].tag) == "boundaryEvent" for target in edges[node_id]) else 1


def _strongly_connected(node_ids: list, edges: dict) -> list[list]:
    """Tarjan's strongly connected components, iteratively, in reverse topological order."""
    index, low, on_stack, stack, components = {}, {}, set(), [], []
    for start in node_ids:
        if start in index:
            continue
        work = [(start, iter(edges[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            advanced = False
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(edges[successor])))
                    advanced = True
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component[::-1])
    return components


def _longest_path(components: list[list], edges: dict, costs: dict) -> tuple[int, str, str]:
    """The costliest path through the graph of components (a loop costs all of its steps: a path
    may go round it once), with its first and last node."""
    component_of = {node_id: i for i, component in enumerate(components) for node_id in component}
    cost = [sum(costs[n] for n in component) for component in components]
    best: list[tuple[int, str]] = [(0, "")] * len(components)  # (cost from here to the end, last node)
    for i, component in enumerate(components):  # reverse topological: successors come first
        after = max((best[component_of[t]] for n in component for t in edges[n] if component_of[t] != i),
                    default=(0, component[-1]))
        best[i] = (cost[i] + after[0], after[1])
    start = max(range(len(components)), key=lambda i: best[i][0])
    return best[start][0], components[start][0], best[start][1]
