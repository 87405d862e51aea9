"""Names in the register hold no control characters. Pure.

A name (an NGO's legal name, acronym and representative, a foreign expert's name and function, a partner's name and
its contacts' names, a region's name, a focus area's names) is shown on screens, printed in letters and written
into CSV and XML: a control character in one is never intended and may break what it is written into. Every C0
control (U+0000 to U+001F, tab and line breaks included), DEL (U+007F) and every C1 control (U+0080 to U+009F)
is refused (422 naming the field), before surrounding whitespace is stripped, so a trailing line break is refused
too rather than silently dropped.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator

CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f]")
CONTROL_CHARACTERS_REASON = "must not hold control characters (U+0000 to U+001F, U+007F to U+009F)"


def control_character_problem(value: str) -> str | None:
    """Why this name cannot be kept (it holds a control character, named by its code point), or None."""
    found = CONTROL_CHARACTERS.search(value)
    if found is None:
        return None
    return f"{CONTROL_CHARACTERS_REASON}; found U+{ord(found.group()):04X} at position {found.start() + 1}"


def _refuse_control_characters(value: Any) -> Any:
    if isinstance(value, str) and (problem := control_character_problem(value)) is not None:
        raise ValueError(problem)
    return value


NameText = Annotated[str, BeforeValidator(_refuse_control_characters)]
"""A `str` field that refuses control characters (use with `Field(...)` for its length and description)."""
