"""Problem documents in Bahasa Indonesia: which language a request prefers, and the catalog that turns the English
texts of problem documents (titles, details, reasons) into Indonesian.

The catalog is English templates → Indonesian ones, one entry each, split by where the texts come from (`common`:
HTTP, validation, authentication and the shared plumbing; then one module per service). A template's `{name}` is a
value carried across as it is (a name, a number, a date, a code); `{name!t}` is a value that is itself a text of the
catalog (the reason inside "invalid token: ..."), translated too; `{name:w}` a value of one word (an id, a code),
so that "no province with code {code:w}" does not also match a longer sentence that starts alike; `{name!c}` a
status or kind code (or codes joined by ", ") the caller reads, put into Indonesian through `codes.GLOSSARY`;
`{name!q}` codes the caller sends, quoted as codes (`draft`); `{name!o}` an obligation as an import names it
("annual_report 2024 for region 31"). A text that no template matches, or whose `!t` or `!c`
value none does, stays English: a half translation would be worse than none.

A validator's message (`raise ValueError("...")`) reaches a 422 after pydantic's "Value error, " and an import's
line bare: the engine drops that prefix (and "Assertion failed, ") before matching, so one entry serves both, and no
template starting with a value (`{fields} may be changed ...`) swallows the prefix as part of that value.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Literal

from mitra_shared.problem_texts import agreements, common, console, notifications, registry, reporting
from mitra_shared.problem_texts.codes import obligation_described, quoted_codes, translated_codes

Language = Literal["id", "en"]

CATALOG: Mapping[str, str] = {
    **common.TEXTS,
    **registry.TEXTS,
    **agreements.TEXTS,
    **notifications.TEXTS,
    **reporting.TEXTS,
    **console.TEXTS,
}
"""Every English template → its Indonesian."""

PYDANTIC_PREFIXES = ("Value error, ", "Assertion failed, ")
"""What pydantic puts before a validator's own message; the Indonesian is the message's alone."""

INDONESIAN_TAGS = ("id", "in")  # `in` is the tag Indonesian had before ISO 639 renamed it


def problem_language(accept_language: str | None) -> Language:
    """`id` when the request's `Accept-Language` prefers Indonesian (`id`, `id-ID`, q-values honoured) to English;
    `en` otherwise (no header, `*`, English or any other language first)."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate((accept_language or "").split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary and quality > 0:
            ranked.append((-quality, position, primary))
    for _, _, primary in sorted(ranked):
        if primary in INDONESIAN_TAGS:
            return "id"
        if primary in ("en", "*"):
            return "en"
    return "en"


def prefers_indonesian(accept_language: str | None) -> bool:
    return problem_language(accept_language) == "id"


@dataclass(frozen=True)
class Entry:
    english: str
    indonesian: str
    pattern: re.Pattern[str]
    nested: frozenset[str]
    codes: frozenset[str]
    quoted: frozenset[str]
    obligations: frozenset[str]
    weight: int


def _entry(english: str, indonesian: str) -> Entry:
    regex: list[str] = []
    seen: set[str] = set()
    nested: set[str] = set()
    conversions: dict[str, set[str]] = {"c": set(), "q": set(), "o": set()}
    weight = 0
    for literal, name, spec, conversion in string.Formatter().parse(english):
        regex.append(re.escape(literal))
        weight += len(literal)
        if name is None:
            continue
        if name in seen:
            regex.append(f"(?P={name})")
        else:
            regex.append(f"(?P<{name}>\\S+?)" if spec == "w" else f"(?P<{name}>.+?)")
            seen.add(name)
        if conversion == "t":
            nested.add(name)
        elif conversion in conversions:
            conversions[conversion].add(name)
    used = {name for _, name, _, _ in string.Formatter().parse(indonesian) if name is not None}
    if used != seen:
        raise ValueError(f"the translation of {english!r} names {sorted(used)}, not {sorted(seen)}")
    pattern = re.compile("".join(regex), re.DOTALL)
    codes, quoted, obligations = (frozenset(conversions[name]) for name in "cqo")
    return Entry(english, indonesian, pattern, frozenset(nested), codes, quoted, obligations, weight)


@cache
def _entries() -> tuple[Entry, ...]:
    # A file's line wrapper ("{what}, line {line}, {column}: {reason}") first: a reason that begins with a value
    # ("{organization} has no principle permit...") would otherwise swallow the wrapper into that value. Then the
    # most specific template: "Input should be a valid integer" before "Input should be {what}".
    entries = [_entry(english, indonesian) for english, indonesian in CATALOG.items()]
    return tuple(sorted(entries, key=lambda entry: (not _wraps_a_line(entry.english), -entry.weight)))


def _wraps_a_line(english: str) -> bool:
    return ", line {line}" in english and english.endswith(("!t}", "!t} (and {more} more)"))


@cache
def _exact() -> Mapping[str, str]:
    return {entry.english: entry.indonesian for entry in _entries() if not entry.pattern.groupindex}


def translate(text: str) -> str | None:
    """The Indonesian of an English problem text, or None when the catalog has none."""
    text = _without_pydantic_prefix(text)
    exact = _exact().get(text)
    if exact is not None:
        return exact
    for entry in _entries():
        found = entry.pattern.fullmatch(text)
        if found is None:
            continue
        values = found.groupdict()
        for name in entry.nested:
            inner = translate(values[name])
            if inner is None:
                return None
            values[name] = inner
        for names, render in ((entry.codes, translated_codes), (entry.obligations, obligation_described)):
            for name in names:
                rendered = render(values[name])
                if rendered is None:
                    return None
                values[name] = rendered
        for name in entry.quoted:
            values[name] = quoted_codes(values[name])
        return _fill(entry.indonesian, values)
    return None


def template_of(text: str) -> str | None:
    """The English template that matches a text (its `!t` values not looked at): what a test of the catalog's
    coverage asks, since the values it renders are samples."""
    text = _without_pydantic_prefix(text)
    exact = _exact().get(text)
    if exact is not None:
        return text
    return next((entry.english for entry in _entries() if entry.pattern.fullmatch(text)), None)


def _without_pydantic_prefix(text: str) -> str:
    for prefix in PYDANTIC_PREFIXES:
        if text.startswith(prefix):
            return text.removeprefix(prefix)
    return text


def _fill(template: str, values: Mapping[str, str]) -> str:
    filled: list[str] = []
    for literal, name, _spec, _conversion in string.Formatter().parse(template):
        filled.append(literal)
        if name is not None:
            filled.append(values[name])
    return "".join(filled)


def in_language(text: str, language: Language) -> str:
    """The text in that language: Indonesian when the catalog has it, else as it was."""
    if language != "id":
        return text
    return translate(text) or text
