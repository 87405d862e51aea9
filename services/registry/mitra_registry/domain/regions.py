"""Regions import, free of I/O: reading the CSV files of provinces and regencies, and what an import changes.

The files are shaped like BPS's lists: `code,name` for provinces and `code,province_code,name` for regencies and
cities (UTF-8, a header line, comma-separated, quoted fields allowed). A file is taken whole or not at all: every
malformed row is reported with its line number (the header is line 1) and nothing is imported.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, Field

from mitra_registry.domain.names import control_character_problem
from mitra_registry.domain.partners import code_problem, normalise_code
from mitra_shared.errors import RuleBroken

RegionLevel = Literal["provinces", "regencies"]
KIND_OF_LEVEL: dict[RegionLevel, Literal["province", "regency"]] = {"provinces": "province", "regencies": "regency"}
COLUMNS: dict[RegionLevel, tuple[str, ...]] = {
    "provinces": ("code", "name"),
    "regencies": ("code", "province_code", "name"),
}
MAX_ROWS = 20_000
MAX_NAME_LENGTH = 200
MAX_PROBLEMS_REPORTED = 50


@dataclass(frozen=True)
class RegionRow:
    line: int
    code: str
    name: str
    parent_code: str | None


@dataclass(frozen=True)
class LineProblem:
    line: int
    reason: str


class CsvRejected(RuleBroken):
    """The file cannot be imported, and nothing of it was: `problems` says where and why (each line's problem)."""

    def __init__(self, level: RegionLevel, problems: list[LineProblem]) -> None:
        self.level = level
        self.lines = problems[:MAX_PROBLEMS_REPORTED]
        reasons = [f"{level} file, line {problem.line}: {problem.reason}" for problem in self.lines]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__("body", f"{reasons[0]}{more}", problems=[("body", reason) for reason in reasons])

    def line_reasons(self) -> list[str]:
        """Each malformed line's problem, as a sentence that names the file and the line."""
        return [reason for _, reason in self.problems]


def read_csv(level: RegionLevel, content: bytes, known_provinces: frozenset[str] = frozenset()) -> list[RegionRow]:
    """Parse and check a whole file. A regency's province must be in `known_provinces`."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CsvRejected(level, [LineProblem(text_line(content, error.start), "not UTF-8 text")]) from error
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    expected = COLUMNS[level]
    problems: list[LineProblem] = []
    rows: list[RegionRow] = []
    seen: dict[str, int] = {}
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise CsvRejected(level, [LineProblem(1, f"not valid CSV: {error}")]) from error
    if header is None:
        raise CsvRejected(level, [LineProblem(1, f"the file is empty; expected the header {','.join(expected)}")])
    if tuple(column.strip().lower() for column in header) != expected:
        raise CsvRejected(level, [LineProblem(1, f"the header must be {','.join(expected)}, got {','.join(header)}")])
    while True:
        # A quoted field may span lines: a row is named by the line it starts on.
        line = reader.line_num + 1
        try:
            values = next(reader, None)
        except csv.Error as error:
            problems.append(LineProblem(line, f"not valid CSV: {error}"))
            break
        if values is None:
            break
        if not values or all(not value.strip() for value in values):
            continue
        if len(rows) >= MAX_ROWS:
            raise CsvRejected(level, [LineProblem(line, f"more than {MAX_ROWS} rows")])
        row = _row(level, line, values, known_provinces)
        if isinstance(row, RegionRow) and row.code in seen:
            row = f"code {row.code} already on line {seen[row.code]}"
        if isinstance(row, RegionRow):
            seen[row.code] = line
            rows.append(row)
        else:
            problems.append(LineProblem(line, row))
    if problems:
        raise CsvRejected(level, problems)
    return rows


def text_line(content: bytes, offset: int) -> int:
    return content[:offset].count(b"\n") + 1


def _row(level: RegionLevel, line: int, values: list[str], known_provinces: frozenset[str]) -> RegionRow | str:
    """The row, or why it cannot be imported."""
    expected = COLUMNS[level]
    if len(values) != len(expected):
        return f"expected {len(expected)} fields ({','.join(expected)}), got {len(values)}"
    raw = dict(zip(expected, values, strict=True))
    fields = {column: value.strip() for column, value in raw.items()}
    kind = KIND_OF_LEVEL[level]
    control = control_character_problem(raw["name"])
    if control is not None:
        return f"name {control}"
    name = " ".join(fields["name"].split())
    if not name:
        return "name is empty"
    if len(name) > MAX_NAME_LENGTH:
        return f"name is longer than {MAX_NAME_LENGTH} characters"
    parent_code = normalise_code("province", fields["province_code"]) if "province_code" in fields else None
    code = normalise_code(kind, fields["code"])
    if parent_code is not None:
        parent_problem = code_problem("province", parent_code, None)
        if parent_problem:
            return f"province_code {parent_code!r}: {parent_problem}"
    problem = code_problem(kind, code, parent_code)
    if problem:
        return f"code {code!r}: {problem}"
    if parent_code is not None and parent_code not in known_provinces:
        return f"province_code {parent_code}: no such province (import the provinces first)"
    return RegionRow(line=line, code=code, name=name, parent_code=parent_code)


@dataclass
class ImportPlan:
    added: list[RegionRow] = field(default_factory=list)
    renamed: list[RegionRow] = field(default_factory=list)
    unchanged: int = 0


def plan_import(rows: list[RegionRow], current_names: Mapping[str, str]) -> ImportPlan:
    """What importing `rows` changes, given the names of the regions of that level already known, by code.

    An import adds what is new and renames what the file names differently; it never removes a region (one that is
    gone is deactivated through the API) and leaves contacts and activity alone.
    """
    plan = ImportPlan()
    for row in rows:
        name = current_names.get(row.code)
        if name is None:
            plan.added.append(row)
        elif name != row.name:
            plan.renamed.append(row)
        else:
            plan.unchanged += 1
    return plan


class ImportReport(BaseModel):
    model_config = {
        "json_schema_extra": {"examples": [{"level": "provinces", "added": 34, "updated": 0, "unchanged": 0}]}
    }

    level: RegionLevel
    added: int = Field(description="Regions that were not known and were registered (`registry.partner.registered`).")
    updated: int = Field(description="Known regions the file names differently, renamed (`registry.partner.updated`).")
    unchanged: int = Field(description="Regions already known exactly as in the file.")
