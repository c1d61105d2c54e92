"""Text that kontobok keeps: no NUL character, on either backend.

PostgreSQL cannot store the NUL character (U+0000) in a text column, and SQLite would store it and hand it
back to programs that end a string at the first NUL. No accounting text (a comment, a name, a URL, a key)
has a use for it, so every door into kontobok refuses it before anything is written: the API for every
JSON body (:func:`nul_pointer` names the field), the importers for every value they read.
"""

from __future__ import annotations

NUL = "\x00"
NUL_MESSAGE = "must not contain the NUL character"


def has_nul(text: str) -> bool:
    return NUL in text


def nul_pointer(document: object) -> str | None:
    """The JSON pointer (``/lines/0/comment``) of the first string in ``document`` that holds a NUL, as a key
    or a value; ``None`` when there is none. Walked with a stack, so a deeply nested document cannot
    exhaust Python's recursion limit."""
    stack: list[tuple[str, object]] = [("", document)]
    while stack:
        pointer, value = stack.pop()
        if isinstance(value, str):
            if NUL in value:
                return pointer
        elif isinstance(value, dict):
            children: list[tuple[str, object]] = []
            for key, child in value.items():
                child_pointer = f"{pointer}/{_escape(str(key))}"
                if NUL in str(key):
                    return child_pointer
                children.append((child_pointer, child))
            stack.extend(reversed(children))
        elif isinstance(value, list):
            stack.extend(reversed([(f"{pointer}/{index}", child) for index, child in enumerate(value)]))
    return None


def _escape(key: str) -> str:
    """A key as one JSON pointer segment (RFC 6901); the NUL itself is shown as ``\\u0000``."""
    return key.replace("~", "~0").replace("/", "~1").replace(NUL, "\\u0000")
