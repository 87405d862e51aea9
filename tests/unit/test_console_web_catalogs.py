"""The console's catalogs: every msgid its templates use (`_()`) or its Python code marks (`N_()`) has an
Indonesian translation; each translation keeps the msgid's `%(name)s` parameters; no msgid is translated two ways
by two area files; every template compiles. Run it after adding texts: it lists what is missing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from mitra_console.domain.web import LANGUAGES
from mitra_console.http.web.i18n import Languages, package_path, po_files, read_catalog

PARAMETER = re.compile(r"%\((\w+)\)s")
ROOT = package_path()


def used_msgids() -> Iterator[tuple[str, str]]:
    """(msgid, where) of every text to translate."""
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for lineno, message, _comments, _context in extract_from_file(
            "jinja2", str(path), keywords={"_": None, "gettext": None}, options={"extensions": "jinja2.ext.i18n"}
        ):
            yield str(message), f"{path.relative_to(ROOT)}:{lineno}"
    for path in sorted([*(ROOT / "http" / "web").rglob("*.py"), ROOT / "domain" / "problems.py"]):
        for lineno, message, _comments, _context in extract_from_file("python", str(path), keywords={"N_": None}):
            yield str(message), f"{path.relative_to(ROOT)}:{lineno}"


def test_texts_are_found() -> None:
    found = dict(used_msgids())
    assert "Log in to Mitra" in found  # a template's
    assert "Enter a value." in found  # a Python N_()'s
    assert len(found) > 50


def test_every_text_has_an_indonesian_translation() -> None:
    catalog = read_catalog("id")
    missing = sorted(
        {f"{where}: {msgid!r}" for msgid, where in used_msgids() if not (catalog.get(msgid) and catalog[msgid].string)}
    )
    assert not missing, "no Indonesian translation in locale/id/LC_MESSAGES/*.po:\n" + "\n".join(missing)


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_parameters(language: str) -> None:
    wrong = [
        message.id
        for message in read_catalog(language)
        if message.id
        and message.string
        and set(PARAMETER.findall(str(message.id))) != set(PARAMETER.findall(str(message.string)))
    ]
    assert not wrong, wrong


@pytest.mark.parametrize("language", LANGUAGES)
def test_area_files_do_not_translate_a_msgid_two_ways(language: str) -> None:
    files = po_files(language)
    assert files, f"no catalog for {language}"
    seen: dict[str, tuple[str, Path]] = {}
    clashes = []
    for path in files:
        with path.open("rb") as handle:
            for message in read_po(handle, locale=language):
                if not message.id or not message.string:
                    continue
                earlier = seen.setdefault(str(message.id), (str(message.string), path))
                if earlier[0] != message.string:
                    clashes.append(f"{message.id!r}: {earlier[1].name} and {path.name}")
    assert not clashes, clashes


def test_every_template_compiles_in_both_languages() -> None:
    languages = Languages()
    for language in LANGUAGES:
        environment = languages.environments[language]
        for path in sorted((ROOT / "templates").rglob("*.html")):
            environment.get_template(str(path.relative_to(ROOT / "templates")))
    assert languages.gettext("id", "Log in") == "Masuk"
    assert languages.gettext("en", "Log in") == "Log in"
    assert languages.gettext("id", "Welcome, %(name)s.", name="Siti") == "Selamat datang, Siti."
