"""The console's languages: gettext catalogs read from `locale/<lang>/LC_MESSAGES/*.po` (every `.po` of a language is
merged: one file per area of the console, so that each area adds its own messages), compiled in memory with Babel
at start; one Jinja2 environment per language with the i18n extension and the date filters.

msgids are the English texts; Bahasa Indonesia is the default language, English the other one (its catalog may leave
a msgstr empty: the msgid is the English text).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable
from datetime import date, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context as JinjaContext

from mitra_console.domain.web import LANGUAGES
from mitra_console.domain.zones import WIB, ZONE_ABBREVIATIONS

PACKAGE = "mitra_console"


def package_path(*parts: str) -> Path:
    return Path(str(resources.files(PACKAGE).joinpath(*parts)))


def N_(message: str) -> str:
    """Marks a msgid in Python code (translated where it is shown); the catalog test finds these too."""
    return message


def po_files(language: str) -> list[Path]:
    return sorted(package_path("locale", language, "LC_MESSAGES").glob("*.po"))


def read_catalog(language: str, files: Iterable[Path] | None = None) -> Catalog:
    """Every `.po` of a language merged into one catalog (a msgid in two files: the first file's, by name, wins)."""
    merged = Catalog(locale=language, domain="console")
    for path in files if files is not None else po_files(language):
        with path.open("rb") as handle:
            part = read_po(handle, locale=language)
        for message in part:
            if message.id and message.id not in merged:
                merged[message.id] = message
    return merged


def compile_translations(catalog: Catalog) -> Translations:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain="console")


def _aware(value: datetime | date | str | None) -> datetime | date | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")) if "T" in value else date.fromisoformat(value)
        except ValueError:
            return None
    return value


@pass_context
def datetime_filter(context: JinjaContext, value: datetime | str | None, style: str = "medium") -> str:
    """A moment in the person's zone and language, with the zone's name: `3 Des 2026 14.20 WIB`."""
    moment = _aware(value)
    if moment is None:
        return ""
    if not isinstance(moment, datetime):
        return date_filter(context, moment, style)
    zone = context.get("time_zone") or WIB
    language = context.get("lang") or "id"
    text = format_datetime(
        moment, format="d MMM y HH.mm" if style == "medium" else style, tzinfo=ZoneInfo(zone), locale=language
    )
    return f"{text} {ZONE_ABBREVIATIONS.get(zone, zone)}"


@pass_context
def date_filter(context: JinjaContext, value: date | datetime | str | None, style: str = "medium") -> str:
    """A calendar date in the person's language (`3 Des 2026`); a moment becomes the date in their zone."""
    day = _aware(value)
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = day.astimezone(ZoneInfo(context.get("time_zone") or WIB)).date()
    return format_date(day, format="d MMM y" if style == "medium" else style, locale=context.get("lang") or "id")


@pass_context
def number_filter(context: JinjaContext, value: float | int | str | None) -> str:
    if value is None or value == "":
        return ""
    return format_decimal(value, locale=context.get("lang") or "id")


class Languages:
    """The compiled catalogs and a Jinja2 environment per language."""

    def __init__(self, templates: Path | None = None) -> None:
        self.templates = templates or package_path("templates")
        self.translations = {language: compile_translations(read_catalog(language)) for language in LANGUAGES}
        self.environments = {language: self._environment(language) for language in LANGUAGES}

    def _environment(self, language: str) -> Environment:
        env = Environment(
            loader=FileSystemLoader(str(self.templates)),
            autoescape=select_autoescape(["html"]),
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.install_gettext_translations(self.translations[language], newstyle=True)  # type: ignore[attr-defined]
        env.filters["datetime"] = datetime_filter
        env.filters["date"] = date_filter
        env.filters["number"] = number_filter
        env.globals["static_url"] = static_url
        return env

    def compile_all(self) -> int:
        """Compile every page template of every language now, rather than on the first page that uses it (about
        15 ms each: the first pages after a start would wait for it); the templates compiled."""
        compiled = 0
        for env in self.environments.values():
            for name in env.list_templates(filter_func=lambda name: name.endswith(".html")):
                env.get_template(name)
                compiled += 1
        return compiled

    def gettext(self, language: str, message: str, **params: Any) -> str:
        text = self.translations.get(language, self.translations["id"]).ugettext(message)
        return text % params if params else text


@cache
def static_digest(path: str) -> str:
    file = package_path("static", path)
    return hashlib.sha256(file.read_bytes()).hexdigest()[:12] if file.is_file() else "missing"


def static_url(path: str) -> str:
    """The URL of a file under `static/`, with its content's digest (so it may be cached for a year)."""
    return f"/static/{path}?v={static_digest(path)}"
