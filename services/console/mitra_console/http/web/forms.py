"""What forms and lists share: the errors to show (the GOV.UK error summary and each field's inline message),
paging, sorting.

    errors = FormErrors(page)
    if not form.get("title"):
        errors.add("title", N_("Enter a title."))           # a msgid of the catalog, translated here
    answer = await page.api.send("POST", "agreements", "/msps", json=...)
    if not answer.ok:
        errors.add_problem(answer.problem)                # each `body.x` of the API's problem → field `x`
    if errors:
        return page.render("ngo/msp_form.html", {"form": form}, errors=errors, status=422)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from markupsafe import Markup, escape

from mitra_console.domain.problems import FieldMessage, field_messages
from mitra_console.http.web.i18n import N_

if TYPE_CHECKING:
    from mitra_console.http.web.page import WebPage

API_LEAD_IN = N_("The service answered:")


@dataclass(frozen=True)
class ShownError:
    field: str | None
    text: str

    @property
    def anchor(self) -> str:
        """The id of the field's input (`field_id`), or the form's top."""
        return field_id(self.field) if self.field else "main"


def field_id(name: str) -> str:
    """The `id` an input of that field name has: `funding_lines.0.amount` → `f-funding_lines-0-amount`."""
    return "f-" + name.replace(".", "-").replace("[", "-").replace("]", "")


class FormErrors:
    """The errors of one form, translated for the page's language, in the order found."""

    def __init__(self, page: WebPage) -> None:
        self._page = page
        self._errors: list[ShownError] = []

    def add(self, field: str | None, msgid: str, **params: Any) -> None:
        """A message of the console (a msgid, `%(name)s` parameters) about a field (None: the whole form)."""
        self._errors.append(ShownError(field, self._page.gettext(msgid, **params)))

    def add_problem(self, problem: Mapping[str, Any] | None, fields: set[str] | None = None) -> None:
        """An API's refusal: each field it names next to that field (only those of `fields` when given; the rest go
        to the summary), known validation messages translated, other reasons as the API gave them."""
        if not problem:
            return
        for message in field_messages(problem):
            name = message.field if fields is None or message.field in fields else None
            self._errors.append(ShownError(name, self._text(message)))

    def _text(self, message: FieldMessage) -> str:
        if message.msgid:
            return self._page.gettext(message.msgid, **dict(message.params))
        return f"{self._page.gettext(API_LEAD_IN)} {message.text or ''}".strip()

    def extend(self, other: FormErrors) -> None:
        """Another form's errors after these (already translated)."""
        self._errors.extend(other)

    def get(self, field: str) -> str | None:
        """The first message about that field (for its inline error)."""
        return next((error.text for error in self._errors if error.field == field), None)

    def __bool__(self) -> bool:
        return bool(self._errors)

    def __iter__(self) -> Iterator[ShownError]:
        return iter(self._errors)

    def __len__(self) -> int:
        return len(self._errors)


@dataclass(frozen=True)
class Paging:
    """One page of a list: `limit` and `offset` for the API, `links(total)` for the pagination macro."""

    limit: int
    offset: int
    path: str
    query: Mapping[str, str]

    @classmethod
    def from_request(cls, page: WebPage, *, per_page: int = 20, max_per_page: int = 100) -> Paging:
        query = dict(page.request.query_params)
        number = _positive(query.get("page"), 1)
        limit = min(_positive(query.get("per_page"), per_page), max_per_page)
        return cls(limit=limit, offset=(number - 1) * limit, path=page.request.url.path, query=query)

    @property
    def number(self) -> int:
        return self.offset // self.limit + 1

    def url(self, number: int) -> str:
        return f"{self.path}?{urlencode({**self.query, 'page': str(number)})}"

    def links(self, total: int) -> dict[str, Any]:
        """What `pagination(...)` in `kit/macros.html` shows: previous, numbered pages (with gaps), next."""
        pages = max(1, -(-total // self.limit))
        current = min(self.number, pages)
        shown = sorted({1, pages, current - 1, current, current + 1} & set(range(1, pages + 1)))
        items: list[dict[str, Any]] = []
        for index, number in enumerate(shown):
            if index and number - shown[index - 1] > 1:
                items.append({"gap": True})
            items.append({"number": number, "url": self.url(number), "current": number == current})
        return {
            "total": total,
            "pages": pages,
            "first": self.offset + 1 if total else 0,
            "last": min(self.offset + self.limit, total),
            "previous": self.url(current - 1) if current > 1 else None,
            "next": self.url(current + 1) if current < pages else None,
            "items": items,
        }


@dataclass(frozen=True)
class Sorting:
    """`?sort=name` or `?sort=-name` among the allowed keys; `header(key)` for the sortable table header macro."""

    key: str
    descending: bool
    path: str
    query: Mapping[str, str]

    @classmethod
    def from_request(cls, page: WebPage, allowed: tuple[str, ...], default: str) -> Sorting:
        query = dict(page.request.query_params)
        value = query.get("sort", default)
        key = value.removeprefix("-")
        if key not in allowed:
            value, key = default, default.removeprefix("-")
        return cls(key=key, descending=value.startswith("-"), path=page.request.url.path, query=query)

    @property
    def value(self) -> str:
        """As the APIs take it (`-name`)."""
        return f"-{self.key}" if self.descending else self.key

    def header(self, key: str) -> dict[str, Any]:
        active = key == self.key
        next_value = key if not active or self.descending else f"-{key}"
        query = {name: value for name, value in self.query.items() if name not in ("page", "sort")}
        aria = ("descending" if self.descending else "ascending") if active else "none"
        return {"url": f"{self.path}?{urlencode({**query, 'sort': next_value})}", "aria": aria, "active": active}


def _positive(value: str | None, default: int) -> int:
    return int(value) if value and value.isdigit() and 0 < int(value) < 1_000_000 else default


def hidden_csrf(token: str) -> Markup:
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(escape(token))
