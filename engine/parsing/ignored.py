"""What other engines' modelers write on flow nodes that MotCua does not read.

Camunda 7/8, Flowable and Activiti keep assignments, forms, listeners and connectors in their own
attributes and extension elements. The engine runs the model without them; the designer is told,
element by element, which ones it ignores (a warning: the model still deploys).
"""

from __future__ import annotations

from lxml import etree

from engine.parsing.checks import flow_nodes
from engine.parsing.problems import Problems, local
from engine.parsing.xml import NS

VENDOR_PREFIXES = {
    "http://camunda.org/schema/1.0/bpmn": "camunda",
    "http://camunda.org/schema/zeebe/1.0": "zeebe",
    "http://flowable.org/bpmn": "flowable",
    "http://activiti.org/bpmn": "activiti",
}

# Vendor names the engine reads (engine/vendor.py interprets them): not reported as ignored.
INTERPRETED: frozenset[str] = frozenset()


def vendor_name(qualified_tag: str) -> str | None:
    """`camunda:formData` for a Camunda tag or attribute name, whatever prefix the file uses; None
    for names of other namespaces."""
    qname = etree.QName(qualified_tag)
    prefix = VENDOR_PREFIXES.get(qname.namespace or "")
    return f"{prefix}:{qname.localname}" if prefix else None


def ignored_names(node) -> list[str]:
    """The vendor attributes and extension elements of a flow node the engine does not read, in
    the file's order, each once."""
    names = [vendor_name(attribute) for attribute in node.attrib]
    for extensions in node.iterfind("bpmn:extensionElements", NS):
        names += [vendor_name(child.tag) for child in extensions if isinstance(child.tag, str)]
    return list(dict.fromkeys(name for name in names if name and name not in INTERPRETED))


def check_vendor_extensions(root, problems: Problems) -> None:
    for node in flow_nodes(root):
        names = ignored_names(node)
        if names:
            problems.warning("vendor_ignored", f"{local(node.tag)} '{node.get('id')}' carries {', '.join(names)}, "
                             "which the engine ignores.", node, element=node.get("id"),
                             hint="Give tasks a role with lanes and a form with the form editor; conditions, "
                             "timers and scripts go in the standard BPMN fields.", names=", ".join(names))
