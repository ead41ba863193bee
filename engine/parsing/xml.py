"""Reading untrusted BPMN XML: no DTD, no entities, no network, bounded size and depth.

A file that cannot be read is one problem: nothing else can be checked in it.
"""

from __future__ import annotations

from lxml import etree

from engine.parsing.problems import refuse

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}

# The namespaces whose elements' ids are BPMN ids (the model and its diagram interchange).
BPMN_ID_NAMESPACES = frozenset({BPMN_NS, BPMNDI_NS, DC_NS, DI_NS})

MAX_BPMN_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64


def _hardened_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=False, remove_pis=True,
    )


def read_xml(content: bytes, filename: str, max_bytes: int = MAX_BPMN_BYTES) -> etree._ElementTree:
    """Parse untrusted XML: no DTD, no entities, no network, bounded size and depth."""
    if len(content) > max_bytes:
        raise refuse(filename, "file_too_large",
                     f"The file is {len(content):,} bytes; the limit is {max_bytes:,} bytes.",
                     size=len(content), limit=max_bytes)
    if not content.strip():
        raise refuse(filename, "file_empty", "The file is empty.")
    head = content[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in content.lower():
        raise refuse(filename, "dtd_forbidden", "DTDs and entity declarations are not allowed in a BPMN file.")
    try:
        tree = etree.ElementTree(etree.fromstring(content, _hardened_parser()))
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else exc.lineno
        raise refuse(filename, "xml_malformed", f"The file is not well-formed XML: {exc.msg}", line=line,
                     detail=exc.msg) from None
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        raise refuse(filename, "dtd_forbidden", "DTDs are not allowed in a BPMN file.")
    _check_depth(tree.getroot(), filename)
    return tree


def _check_depth(root, filename: str) -> None:
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise refuse(filename, "xml_too_deep", f"Elements are nested more than {MAX_DEPTH} levels deep.",
                         line=node.sourceline, limit=MAX_DEPTH)
        stack.extend((child, depth + 1) for child in node)


def is_bpmn(node, *names: str) -> bool:
    """`node` is an element of the BPMN model namespace (named one of `names`, when given)."""
    if not isinstance(node.tag, str):
        return False
    qname = etree.QName(node)
    return qname.namespace == BPMN_NS and (not names or qname.localname in names)
