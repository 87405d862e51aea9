"""The messages of the commands' pydantic validators (`raise ValueError("...")`) in the Indonesian catalog.

An import shows such a message bare as a line's reason; a request body's 422 shows it after pydantic's
"Value error, ". A walk of the source finds every one (in the validators, the functions they call, and the texts
that flow into `raise ValueError(name)`) and asserts the catalog translates it both ways."""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pydantic import ValidationError

from mitra_registry.domain.organizations import RegisterOrganization
from mitra_registry.domain.partners import RegisterPartner
from mitra_shared.problem_language import localized
from mitra_shared.problem_texts import template_of, translate

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "Value error, "
DECORATORS = {"field_validator", "model_validator"}
WRAPPERS = {"BeforeValidator", "AfterValidator", "PlainValidator", "WrapValidator"}


@dataclass(frozen=True)
class Found:
    where: str
    text: str


def walked_files() -> Iterator[Path]:
    """The commands and contracts: each service's `domain/` and `usecases/`, and the shared wire contracts."""
    roots = [*sorted(ROOT.glob("services/*/mitra_*/domain")), *sorted(ROOT.glob("services/*/mitra_*/usecases"))]
    roots.append(ROOT / "shared" / "mitra_shared" / "contracts")
    for root in roots:
        yield from sorted(path for path in root.rglob("*.py") if "__pycache__" not in path.parts)


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Call):
        return _name(node.func)
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def sample_texts(node: ast.expr | None, constants: dict[str, str]) -> list[str]:
    """The texts an expression can be, a sample for each interpolated value (a module's text constant as it is);
    [] when it is not literal."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        pieces = []
        for index, value in enumerate(node.values):
            if isinstance(value, ast.Constant):
                pieces.append(str(value.value))
            elif isinstance(value, ast.FormattedValue) and isinstance(value.value, ast.Name):
                pieces.append(constants.get(value.value.id, f"Sample{index}"))
            else:
                pieces.append(f"Sample{index}")
        return ["".join(pieces)]
    if isinstance(node, ast.IfExp):
        return sample_texts(node.body, constants) + sample_texts(node.orelse, constants)
    return []


def model_classes(modules: list[ast.Module]) -> set[str]:
    """Classes deriving from pydantic's `BaseModel`, by name, transitively across the walked modules."""
    bases = {
        node.name: {name for base in node.bases if (name := _name(base))}
        for module in modules
        for node in ast.walk(module)
        if isinstance(node, ast.ClassDef)
    }
    found = {"BaseModel"}
    while grown := {name for name, parents in bases.items() if name not in found and parents & found}:
        found |= grown
    return found - {"BaseModel"}


def validators(module: ast.Module, models: set[str]) -> list[ast.FunctionDef]:
    """The functions pydantic runs while validating: the models' methods, functions decorated as validators or
    wrapped in `BeforeValidator(...)` and the like, and the module's functions these call."""
    functions = {node.name: node for node in module.body if isinstance(node, ast.FunctionDef)}
    chosen: dict[int, ast.FunctionDef] = {}
    for node in ast.walk(module):
        if isinstance(node, ast.ClassDef) and node.name in models:
            chosen.update({id(item): item for item in node.body if isinstance(item, ast.FunctionDef)})
        elif isinstance(node, ast.FunctionDef) and any(_name(d) in DECORATORS for d in node.decorator_list):
            chosen[id(node)] = node
        elif (
            isinstance(node, ast.Call)
            and _name(node) in WRAPPERS
            and node.args
            and (wrapped := functions.get(_name(node.args[0]) or "")) is not None
        ):
            chosen[id(wrapped)] = wrapped
    pending = list(chosen.values())
    while pending:
        for call in ast.walk(pending.pop()):
            called = functions.get(_name(call) or "") if isinstance(call, ast.Call) else None
            if called is not None and id(called) not in chosen:
                chosen[id(called)] = called
                pending.append(called)
    return list(chosen.values())


def _flowing_in(function: ast.FunctionDef, name: str, module: ast.Module, constants: dict[str, str]) -> list[str]:
    """The texts a name holds in a function: what is assigned to it, or returned by the module's functions whose
    result is assigned to it (`problem = code_problem(...)`, `(problem := control_character_problem(value))`)."""
    functions = {node.name: node for node in module.body if isinstance(node, ast.FunctionDef)}
    texts: list[str] = []
    for node in ast.walk(function):
        assigned = isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
        if not (assigned or (isinstance(node, ast.NamedExpr) and node.target.id == name)):
            continue
        assert isinstance(node, (ast.Assign, ast.NamedExpr))
        value = node.value
        texts.extend(sample_texts(value, constants))
        for call in ast.walk(value):
            if isinstance(call, ast.Call) and (source := functions.get(_name(call) or "")) is not None:
                for returned in ast.walk(source):
                    if isinstance(returned, ast.Return):
                        texts.extend(sample_texts(returned.value, constants))
    return texts


def validator_messages() -> list[Found]:
    parsed = [(path, ast.parse(path.read_text(encoding="utf-8"))) for path in walked_files()]
    models = model_classes([module for _, module in parsed])
    found: list[Found] = []
    for path, module in parsed:
        constants = {
            target.id: node.value.value
            for node in module.body
            if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for function in validators(module, models):
            for node in ast.walk(function):
                if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                    continue
                if _name(node.exc) != "ValueError" or not node.exc.args:
                    continue
                argument = node.exc.args[0]
                texts = sample_texts(argument, constants)
                if isinstance(argument, ast.Name):
                    texts = _flowing_in(function, argument.id, module, constants)
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                found.extend(Found(where, text) for text in texts)
    return found


def test_the_walk_finds_the_validator_messages_it_must() -> None:
    texts = {found.text for found in validator_messages()}
    assert "a foreign NGO cannot have Indonesia as its country of origin" in texts  # a helper a validator calls
    assert "a regency or city code has four digits, e.g. 3374" in texts  # returned, then `raise ValueError(problem)`
    assert any(text.startswith("must not hold control characters (U+0000") for text in texts)  # BeforeValidator
    assert "give at least one field to change" in texts  # agreements' usecases
    assert "Sample0 may be changed but not removed (null)" in texts  # an f-string, its value a sample
    assert len(texts) >= 25


def _shape_of_sample(text: str) -> str:
    return re.sub(r"Sample\d+", "\x00", text)


def _shape_of_template(template: str) -> str:
    return "".join(
        literal + ("" if name is None else "\x00") for literal, name, _, _ in string.Formatter().parse(template)
    )


def test_every_validator_message_is_translated_bare_and_after_value_error() -> None:
    missing = sorted(
        f"{found.where}: {found.text}"
        for found in validator_messages()
        if (indonesian := translate(found.text)) is None
        or indonesian == found.text
        or translate(PREFIX + found.text) != indonesian
    )
    assert not missing, "validator messages the catalog does not translate:\n" + "\n".join(missing)


def test_each_validator_message_is_matched_by_its_own_template() -> None:
    loose = sorted(
        f"{found.where}: {found.text!r} matched by {template!r}"
        for found in validator_messages()
        if (template := template_of(found.text)) is not None
        and _shape_of_template(template) != _shape_of_sample(found.text)
    )
    assert not loose, "\n".join(loose)


@pytest.mark.parametrize(
    ("body", "field", "indonesian"),
    [
        (
            {"legal_name": "Plan International", "country_of_origin": "id"},
            "country_of_origin",
            "negara asal ormas asing tidak boleh Indonesia",
        ),
        (
            {"legal_name": "Plan\x07 International", "country_of_origin": "GB"},
            "legal_name",
            "tidak boleh memuat karakter kontrol (U+0000 sampai U+001F, U+007F sampai U+009F); ditemukan U+0007 pada "
            "posisi 5",
        ),
    ],
)
def test_a_refused_body_reads_in_indonesian_as_a_422_and_as_an_import_line(
    body: dict[str, str], field: str, indonesian: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        RegisterOrganization.model_validate(body)
    [error] = refused.value.errors()
    assert error["loc"] == (field,)
    message = str(error["msg"])
    assert message.startswith(PREFIX)
    problem = {"title": "Invalid request", "errors": [{"field": field, "reason": message}]}
    assert localized(problem, "id")["errors"] == [{"field": field, "reason": indonesian}]
    assert localized(problem, "en")["errors"] == [{"field": field, "reason": message}]
    assert translate(message.removeprefix(PREFIX)) == indonesian  # as registry's import names a bad line


def test_a_partner_code_refused_by_a_returned_reason_reads_in_indonesian() -> None:
    with pytest.raises(ValidationError) as refused:
        RegisterPartner.model_validate({"kind": "regency", "code": "33-74x", "name": "Kota Semarang"})
    reasons = {str(error["msg"]) for error in refused.value.errors()}
    assert PREFIX + "a regency or city code has four digits, e.g. 3374" in reasons
    assert translate(PREFIX + "a regency or city code has four digits, e.g. 3374") == (
        "kode kabupaten/kota terdiri atas empat digit, mis. 3374"
    )


def test_a_file_line_is_translated_around_a_reason_that_begins_with_a_value() -> None:
    reason = "Plan International has no principle permit (izin prinsip) valid on 2024-12-20: an MSP cannot be signed"
    reason += " without one"
    assert translate(f"MSP file, line 2, signed_on: {reason} (and 3 more)") == (
        "berkas MSP, baris 2, signed_on: Plan International tidak memiliki izin prinsip yang berlaku pada 2024-12-20: "
        "MSP tidak dapat ditandatangani tanpa izin prinsip (dan 3 lainnya)"
    )
