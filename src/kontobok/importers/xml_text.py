"""Reading values out of XML elements, the same way for camt.053 and SAF-T.

A value element's text is its whole character content, not only the text before its first child node. XML
allows a comment or a processing instruction anywhere inside an element, so ``<Amt>1<!-- c -->05.50</Amt>``
is a valid way to write 105.50; reading only ``element.text`` would give 1. Here the text before, between and
after such nodes is joined.

An entity reference (``&name;`` of an entity the document declares itself) is not expanded: the parsers run
with ``resolve_entities=False`` so that a document cannot make kontobok read other files or expand an entity
bomb. A value that holds one is refused with its line, as is a value element that holds another element
where the format allows only text. Character references (``&#48;``) and the five predefined entities are
ordinary text to the parser and read as the characters they stand for.
"""

from __future__ import annotations

from lxml import etree

from kontobok.core.errors import ValidationFailed


def source_line(element: etree._Element | None) -> int:
    """The line the element starts on, 1 when the parser does not know it."""
    line = getattr(element, "sourceline", None)
    return line if isinstance(line, int) and line > 0 else 1


def local_name(element: etree._Element | None) -> str:
    tag = element.tag if element is not None else None
    return tag[tag.rfind("}") + 1 :] if isinstance(tag, str) else ""


def element_text(element: etree._Element | None, path: str = "") -> str:
    """The element's whole text, stripped; ``""`` for no element.

    ``path`` names the element in an error (``Line/DebitAmount/Amount``); without it, its local name does.
    """
    if element is None:
        return ""
    if len(element) == 0:
        return (element.text or "").strip()
    parts = [element.text or ""]
    for child in element:
        if isinstance(child, etree._Entity):
            raise _refused(child, path or local_name(element), f"holds the entity reference {child.text}")
        if isinstance(child.tag, str):
            raise _refused(
                child, path or local_name(element), f"holds the element {local_name(child)}, not only text"
            )
        parts.append(child.tail or "")  # a comment or a processing instruction: its text is no part of it
    return "".join(parts).strip()


def _refused(node: etree._Element, path: str, message: str) -> ValidationFailed:
    return ValidationFailed.single(
        f"line {source_line(node)} {path}", "format", f"{path} {message}: write the value as plain text"
    )
