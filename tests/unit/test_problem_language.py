"""Problem documents in Bahasa Indonesia: the `Accept-Language` choice, the catalog's matching, and a walk of the
source that finds every reason a refusal can give and asserts the catalog translates it."""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import get_args

import pytest

from mitra_agreements.domain import msps, obligations, queues
from mitra_console.domain.problems import AS_GIVEN, FieldMessage, field_messages, in_page_language
from mitra_registry.domain import organizations, permits, sanctions, staff
from mitra_shared.contracts import agreements, registry
from mitra_shared.problem_language import localized
from mitra_shared.problem_texts import CATALOG, in_language, problem_language, template_of, translate
from mitra_shared.problem_texts.codes import GLOSSARY

ROOT = Path(__file__).resolve().parents[2]
SOURCES = (ROOT / "services", ROOT / "shared")

# The refusal family (its subclasses are found in the source) and other raisers whose text a problem carries.
REFUSAL_ROOTS = {"Refused"}
# A raiser whose reason is not its second argument: (class → index of the reason among the positional arguments).
OTHER_RAISERS = {
    "HTTPException": 1,
    "InvalidToken": 0,
    "InvalidClaims": 0,
    "LineProblem": 1,  # registry's regions CSV: `LineProblem(line, reason)`
    "require": 1,  # mitra_shared.access.require(allowed, reason)
    "require_keeper": 1,  # registry: "only TPOA {what}; ..."
    "require_not_same_person": 2,  # "you {what} this yourself; ..."
    "require_owner": 3,  # notifications: "{what} only its owner may; ..."
    "require_owner_or_admin": 3,
    "_require_owner_or_admin": 3,
}
# Raisers whose text reaches no problem document (dead-letter reasons, logs): none of these are walked.
NOT_SHOWN: set[str] = set()


@dataclass(frozen=True)
class Found:
    where: str
    text: str


def python_files() -> Iterator[Path]:
    for source in SOURCES:
        for path in sorted(source.rglob("*.py")):
            if ".venv" not in path.parts and "tests" not in path.parts:
                yield path


def parsed() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text(encoding="utf-8"))) for path in python_files()]


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def reason_positions(modules: list[tuple[Path, ast.Module]]) -> dict[str, int]:
    """Every subclass of `Refused` (by name, transitively) → where its reason sits among positional arguments:
    `reason`'s index in its own `__init__` (less `self`), else its parent's."""
    bases: dict[str, list[str]] = {}
    own_index: dict[str, int | None] = {}
    for _, module in modules:
        for node in ast.walk(module):
            if isinstance(node, ast.ClassDef):
                bases[node.name] = [name for base in node.bases if (name := _name(base))]
                own_index[node.name] = None
                for item in node.body:
                    if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                        names = [arg.arg for arg in item.args.args[1:]]
                        own_index[node.name] = names.index("reason") if "reason" in names else -1
    found: dict[str, int] = {"Refused": 1}
    changed = True
    while changed:
        changed = False
        for name, parents in bases.items():
            parent = next((p for p in parents if p in found), None)
            if name in found or parent is None:
                continue
            index = own_index.get(name)
            found[name] = found[parent] if index is None else index
            changed = True
    return found


def sample_texts(node: ast.expr) -> list[str]:
    """The texts an expression can be, with a sample for each interpolated value; [] when it is not literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        parts: list[list[str]] = [[]]
        for index, value in enumerate(node.values):
            piece = str(value.value) if isinstance(value, ast.Constant) else f"Sample{index}"
            parts = [[*done, piece] for done in parts]
        return ["".join(part) for part in parts]
    if isinstance(node, ast.IfExp):
        return sample_texts(node.body) + sample_texts(node.orelse)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = sample_texts(node.left), sample_texts(node.right)
        return [a + b for a in left for b in right]
    return []


def wrapper_positions(modules: list[tuple[Path, ast.Module]], raisers: dict[str, int]) -> dict[str, int]:
    """Functions that pass their `reason` parameter on to a raiser (`_refuse(column, reason)` → `RuleBroken`), by
    name → the index of `reason` among their positional arguments."""
    found: dict[str, int] = {}
    for _, module in modules:
        for node in ast.walk(module):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or node.name == "__init__":
                continue
            names = [arg.arg for arg in node.args.args]
            passed = (
                [*call.args, *(k.value for k in call.keywords)]
                for call in ast.walk(node)
                if isinstance(call, ast.Call) and _name(call.func) in raisers
            )
            if "reason" in names and any(isinstance(a, ast.Name) and a.id == "reason" for args in passed for a in args):
                found[node.name] = names.index("reason")
    return found


def _line_problem_reason(node: ast.AST) -> ast.expr | None:
    """The reason of a file's bad row written as a tuple `(line.line, column, reason)`, wherever it is built."""
    if not isinstance(node, ast.Tuple) or len(node.elts) != 3:
        return None
    first = node.elts[0]
    is_line = first.attr == "line" if isinstance(first, ast.Attribute) else "line" in (_name(first) or "")
    return node.elts[2] if is_line else None


def reasons_in_source() -> list[Found]:
    modules = parsed()
    positions = {**reason_positions(modules), **OTHER_RAISERS}
    positions = {**wrapper_positions(modules, positions), **positions}
    found: list[Found] = []
    for path, module in modules:
        assigned = _assigned_texts(module)
        for node in ast.walk(module):
            if (reason := _line_problem_reason(node)) is not None:
                where = f"{path.relative_to(ROOT)}:{reason.lineno}"
                found.extend(Found(where, text) for text in sample_texts(reason))
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            if name is None or (name not in positions and name not in ("append", "add")) or name in NOT_SHOWN:
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            candidates: list[ast.expr] = [kw.value for kw in node.keywords if kw.arg in ("reason", "detail")]
            index = positions.get(name, -1)
            if index >= 0 and len(node.args) > index and not isinstance(node.args[index], ast.Starred):
                candidates.append(node.args[index])
            if name == "FileRejected" and len(node.args) > 1:
                candidates.extend(_file_line_reasons(node.args[1]))
            if name == "append" and _is_problem_list(node):  # problems.append((line, column, reason))
                candidates.extend(_file_line_reasons(ast.List(elts=list(node.args))))
            if name == "add" and _is_problem_list(node, arguments=3):  # problems.add(line, column, reason)
                candidates.append(node.args[2])
            for candidate in candidates:
                if isinstance(candidate, ast.Name):
                    found.extend(Found(where, text) for text in assigned.get(candidate.id, []))
                found.extend(Found(where, text) for text in sample_texts(candidate))
    return found


def _assigned_texts(module: ast.Module) -> dict[str, list[str]]:
    """Texts assigned to a name in the module (`expired = f"..."` then `raise Conflict(None, expired)`)."""
    assigned: dict[str, list[str]] = {}
    for node in ast.walk(module):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            assigned.setdefault(node.targets[0].id, []).extend(sample_texts(node.value))
    return assigned


def _is_problem_list(node: ast.Call, arguments: int = 1) -> bool:
    """`problems.append((line, column, reason))` or `problems.add(line, column, reason)`: a file's bad rows."""
    receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
    return receiver is not None and "problem" in (_name(receiver) or "").lower() and len(node.args) == arguments


def _file_line_reasons(node: ast.expr) -> list[ast.expr]:
    """The literal reasons of `FileRejected(what, [(line, column, reason), ...])`."""
    if not isinstance(node, (ast.List, ast.Tuple)):
        return []
    return [item.elts[2] for item in node.elts if isinstance(item, ast.Tuple) and len(item.elts) == 3]


def test_the_walk_finds_the_reasons_it_must() -> None:
    texts = {found.text for found in reasons_in_source()}
    assert "a bearer token is required" in texts
    assert "this operation declares no access policy, so it is refused to everyone" in texts
    assert any(text.startswith("the organization is already ") for text in texts)  # TransitionRefused(reason)
    assert any(text.startswith("a webhook URL must") for text in texts)  # UrlRefused(reason, field)
    assert len(texts) > 200


def _shape_of_sample(text: str) -> str:
    return re.sub(r"Sample\d+", "\x00", text)


def _shape_of_template(template: str) -> str:
    return "".join(
        literal + ("" if name is None else "\x00") for literal, name, _, _ in string.Formatter().parse(template)
    )


def test_each_reason_is_matched_by_its_own_template_not_a_looser_one() -> None:
    """A reason matched by a template of another wording ("the {kind} is already {status}" for "the reference number
    ... is already used") would read wrong: each is matched by the template of its own words and values."""
    loose = sorted(
        {
            f"{found.where}: {found.text!r} matched by {template!r}"
            for found in reasons_in_source()
            if (template := template_of(found.text)) is not None
            and _shape_of_template(template) != _shape_of_sample(found.text)
        }
    )
    assert not loose, "\n".join(loose)


def test_every_reason_in_the_source_is_in_the_catalog() -> None:
    missing = sorted(
        {f"{found.where}: {found.text}" for found in reasons_in_source() if template_of(found.text) is None}
    )
    assert not missing, "reasons the catalog does not translate:\n" + "\n".join(missing)


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "en"),
        ("", "en"),
        ("*", "en"),
        ("id", "id"),
        ("id-ID", "id"),
        ("ID-id,en;q=0.5", "id"),
        ("en-US,en;q=0.9,id;q=0.8", "en"),
        ("en;q=0.4, id;q=0.7", "id"),
        ("id;q=0, en", "en"),
        ("fr, id;q=0.5", "id"),
        ("fr", "en"),
        ("*, id;q=0.5", "en"),
        ("id;q=abc", "en"),
    ],
)
def test_the_language_follows_accept_language_and_its_q_values(header: str | None, language: str) -> None:
    assert problem_language(header) == language


def test_values_are_carried_across_and_nested_texts_translated() -> None:
    assert translate("an organization that is active cannot become applicant (allowed: suspended, revoked)") == (
        "organisasi berstatus aktif tidak dapat diubah menjadi `applicant` (yang diizinkan: `suspended`, `revoked`)"
    )
    assert translate("String should have at least 3 characters") == "Teks harus berisi sekurang-kurangnya 3 karakter"
    assert translate("only TPOA records permits; the `ngo` role may not") == (
        "hanya TPOA yang mencatat izin; peran `ngo` tidak boleh"
    )
    assert translate("invalid token: Signature has expired") == "token tidak valid: masa berlaku token sudah habis"


def test_a_text_not_in_the_catalog_stays_english_whole() -> None:
    assert translate("the moon is made of cheese") is None
    assert translate("the MSP is sleeping") is None  # a status the glossary does not know
    assert in_language("the moon is made of cheese", "id") == "the moon is made of cheese"
    # a known frame around an unknown sentence is not half translated
    assert translate("invalid token: the moon is made of cheese") is None
    assert in_language("invalid token: the moon is made of cheese", "id") == "invalid token: the moon is made of cheese"


def test_the_most_specific_template_wins() -> None:
    assert translate("Input should be a valid integer") == "Isian harus berupa bilangan bulat"
    assert translate("Input should be 'draft' or 'submitted'") == "Isian harus 'draft' atau 'submitted'"
    assert translate("Input should be 'a', 'b' or 'c'") == "Isian harus salah satu dari 'a', 'b' atau 'c'"
    assert translate("no document 6f1c") == "tidak ada dokumen 6f1c"


def test_each_translation_names_the_values_of_its_template() -> None:
    for english, indonesian in CATALOG.items():
        assert indonesian.strip(), english
        names = {name for _, name, _, _ in string.Formatter().parse(english) if name}
        assert names == {name for _, name, _, _ in string.Formatter().parse(indonesian) if name}, english


def test_a_problem_document_is_localized_but_its_fields_lines_and_type_are_not() -> None:
    problem = {
        "type": "about:blank",
        "title": "Request breaks a rule",
        "status": 422,
        "detail": "body.name: Field required; query.limit: Input should be less than or equal to 500",
        "errors": [
            {"field": "body.name", "reason": "Field required"},
            {"field": "query.limit", "reason": "Input should be less than or equal to 500"},
        ],
    }
    found = localized(problem, "id")
    assert found["title"] == "Permintaan melanggar aturan"
    assert [e["field"] for e in found["errors"]] == ["body.name", "query.limit"]
    assert found["detail"] == "body.name: Wajib diisi; query.limit: Isian paling banyak 500"
    assert (found["type"], found["status"]) == ("about:blank", 422)
    assert localized(problem, "en") == problem
    with_line = localized({"title": "x", "errors": [{"field": "file", "reason": "required", "line": 7}]}, "id")
    assert with_line["errors"] == [{"field": "file", "reason": "wajib diisi", "line": 7}]


def test_the_console_shows_a_reason_it_had_translated_as_it_is() -> None:
    problem = {
        "title": "Request breaks a rule",
        "errors": [
            {"field": "query.to", "reason": "the period ends before it starts"},
            {"field": "body.title", "reason": "Field required"},
        ],
    }
    shown = field_messages(in_page_language(problem, "id"))
    assert shown[0] == FieldMessage("to", msgid=AS_GIVEN, params={"text": "periode berakhir sebelum dimulai"})
    assert shown[1] == FieldMessage("title", msgid="Enter a value.", params={})
    assert AS_GIVEN % {"text": "x"} == "x"
    english = field_messages(in_page_language(problem, "en"))
    assert english[0] == FieldMessage("to", text="the period ends before it starts")
    whole = field_messages(in_page_language({"title": "Forbidden", "detail": "only TPOA reviews an MSP"}, "id"))
    assert whole == [FieldMessage(None, msgid=AS_GIVEN, params={"text": "hanya TPOA yang meninjau MSP"})]


# Codes whose Indonesian differs from them ("valid" is Indonesian too): bare in an Indonesian text, a half translation.
CODES = {code for code, indonesian in GLOSSARY.items() if indonesian.lower() != code} - {"valid"}
QUOTED = re.compile(r"`[^`]*`|'[^']*'|\"[^\"]*\"|\{[^}]*\}")  # quoted values, and a template's placeholders


def bare_codes(indonesian: str) -> set[str]:
    words = re.findall(r"(?<![\w/])[a-z_]+(?![\w/])", QUOTED.sub(" ", indonesian))  # not in application/json
    return {word for word in words if word in CODES}


def test_the_glossary_names_every_status_and_kind() -> None:
    literals = [
        organizations.OrganizationStatus, permits.PermitStatus, permits.PermitType, sanctions.SanctionKind,
        sanctions.SanctionStatus, staff.StaffState, registry.PartnerKind, registry.ReviewVerdict, msps.MspStatus,
        obligations.ObligationKind, obligations.ObligationStatus, queues.VisitStatus, queues.RecommendationStatus,
        agreements.RecommendationKind, agreements.ActionStatus,
    ]  # fmt: skip
    missing = {code for literal in literals for code in get_args(literal)} - GLOSSARY.keys()
    assert not missing


def test_no_indonesian_template_holds_a_bare_code() -> None:
    found = {english: codes for english, indonesian in CATALOG.items() if (codes := bare_codes(indonesian))}
    assert not found


def test_a_status_or_kind_value_is_given_a_conversion() -> None:
    """A status or kind carried across as it is would put an English code into an Indonesian sentence."""
    names = {"status", "current", "target", "result", "allowed", "kind", "statuses", "kinds", "permit_type"}
    bare = [
        english
        for english in CATALOG
        for _, name, _, conversion in string.Formatter().parse(english)
        if name in names and conversion is None and "content is not of a type" not in english  # media types
    ]
    assert not bare


@pytest.mark.parametrize(
    ("english", "indonesian"),
    [
        ("an MSP that is draft cannot be signed (only from: approved)", "MSP berstatus draf tidak dapat beralih ke "
         "status ditandatangani (hanya dari status: disetujui)"),
        ("the action_plan is already accepted", "Rencana Aksi sudah berstatus diterima"),
        ("the organization is revoked, which is final", "organisasi berstatus dicabut, yang merupakan status akhir"),
        ("the sanction is already lifted", "sanksi sudah berstatus diakhiri"),
        ("a province with code 31 is already registered", "provinsi dengan kode 31 sudah terdaftar"),
        ("the action is done; it may move to: none", "tindakan berstatus selesai; status yang dapat dipilih: "
         "tidak ada"),
        ("the action is open; it may move to: in_progress, cancelled", "tindakan berstatus terbuka; status yang dapat "
         "dipilih: `in_progress`, `cancelled`"),
        ("MSP 12/2020 creates no annual_report 2024 for region 31", "MSP 12/2020 tidak menimbulkan kewajiban laporan "
         "tahunan 2024 untuk wilayah 31"),
        (
            "2021-01-05 is too early for the semester_report 2021-S1: a report cannot be received before its period "
            "ends (2021-06-30)",
            "2021-01-05 terlalu awal untuk laporan semester 2021-S1: laporan tidak dapat diterima sebelum periodenya "
            "berakhir (2021-06-30)",
        ),
    ],
)  # fmt: skip
def test_codes_read_as_indonesian_or_as_quoted_values(english: str, indonesian: str) -> None:
    assert translate(english) == indonesian
    assert not bare_codes(indonesian)
