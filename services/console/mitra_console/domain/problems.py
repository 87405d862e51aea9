"""What a page shows of an API's problem document (RFC 9457): each `errors[].field` (`body.legal_name`,
`query.limit`) becomes the form field it names (`legal_name`, `limit`; nested ones keep their path:
`funding_lines.0.amount`), and each reason a known validation message (pydantic's wording) becomes a msgid to
translate, with its parameters; any other reason is the API's own text. The services answer the console in
English; on an Indonesian page `in_page_language` puts those other reasons (and the detail) in Indonesian with the
services' shared catalog (`mitra_shared.problem_texts`), and they are shown as they are; a reason the catalog does
not know is shown in English under a translated lead-in. Pure.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mitra_shared.problem_texts import translate

LOCATIONS = ("body", "query", "path", "header")
TRANSLATED = "translated"
"""The member `in_page_language` sets on a problem's error (and on the problem, for its detail) it translated."""
AS_GIVEN = "%(text)s"
"""The msgid of a text already in the page's language: not in the catalogs, so gettext gives back `text` itself."""


def N_(message: str) -> str:
    return message


@dataclass(frozen=True)
class FieldMessage:
    """One thing to tell: about a form field (`field`) or the whole form (None). `msgid` with `params` when the
    console knows the message (translate it), else `text` as the API wrote it."""

    field: str | None
    msgid: str | None = None
    params: Mapping[str, str] = dataclasses.field(default_factory=dict)
    text: str | None = None


# pydantic v2's messages (as the services' problem documents carry them) → the console's msgids.
KNOWN_REASONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), msgid)
    for pattern, msgid in (
        (r"^Field required$", N_("Enter a value.")),
        (r"^String should have at least (?P<n>\d+) characters?$", N_("Enter at least %(n)s characters.")),
        (r"^String should have at most (?P<n>\d+) characters?$", N_("Enter at most %(n)s characters.")),
        (r"^String should match pattern", N_("The value is not in the expected format.")),
        (r"^value is not a valid email address", N_("Enter an e-mail address like name@example.org.")),
        (r"^Input should be a valid integer", N_("Enter a whole number.")),
        (r"^Input should be a valid (number|decimal)", N_("Enter a number.")),
        (r"^Input should be a valid date", N_("Enter a date like 2026-12-31.")),
        (r"^Input should be a valid datetime", N_("Enter a date and time.")),
        (r"^Input should be a valid UUID", N_("Choose one from the list.")),
        (r"^Input should be a valid boolean", N_("Choose yes or no.")),
        (r"^Input should be greater than or equal to (?P<n>\S+)$", N_("Enter %(n)s or more.")),
        (r"^Input should be greater than (?P<n>\S+)$", N_("Enter more than %(n)s.")),
        (r"^Input should be less than or equal to (?P<n>\S+)$", N_("Enter %(n)s or less.")),
        (r"^Input should be less than (?P<n>\S+)$", N_("Enter less than %(n)s.")),
        (r"^List should have at least (?P<n>\d+) items?", N_("Add at least %(n)s.")),
        (r"^List should have at most (?P<n>\d+) items?", N_("Add at most %(n)s.")),
        (r"^Input should be ", N_("Choose one of the options.")),
        (r"^Extra inputs are not permitted$", N_("This field is not expected here.")),
        # the console's own password rules (domain.passwords, usecases.accounts)
        (
            r"^a password has (?P<n>\d+) characters at least",
            N_("Use at least %(n)s characters: a few words make a good password."),
        ),
        (r"^a password has (?P<n>\d+) characters at most", N_("Use at most %(n)s characters.")),
        (r"^a password holds no control characters", N_("The password holds characters that cannot be typed.")),
        (r"^a password does not contain the username", N_("The password must not contain the username.")),
        (
            r"^a password of so few different characters",
            N_("The password is too easy to guess: use more different characters."),
        ),
        (r"^this password is well known", N_("This password is well known: choose another.")),
        (r"^the current password is wrong", N_("The current password is wrong.")),
        (r"^the new password is the current one", N_("The new password is the current one: choose another.")),
        # agreements, while a freeze (a registry sanction) lasts (domain/msps.check_not_frozen)
        (
            r"^(?P<name>.+) is frozen by a sanction \((?P<reason>.*)\):",
            N_(
                "%(name)s is frozen by a sanction (%(reason)s): "
                "no new MSP, submission, extension or visit while it lasts."
            ),
        ),
        # the TPOA team's review: registry's of an application, agreements' of an MSP or an extension
        (
            r"^objected by the TPOA member\(s\) (?P<codes>.+)$",
            N_("TPOA cannot register the applicant while a member ministry objects: %(codes)s."),
        ),
        (
            r"^(?P<codes>.+) objected; TPOA cannot approve while an objection stands$",
            N_("TPOA cannot approve while a member ministry objects: %(codes)s."),
        ),
        (
            r"^awaiting the (TPOA member\(s\)|answers of) (?P<codes>.+) until (?P<day>\d{4}-\d{2}-\d{2})",
            N_("The answers of %(codes)s are awaited until %(day)s: TPOA may decide without them after that day."),
        ),
        (
            r"^the application was decided: the NGO is ",
            N_("The application is already decided: its review is closed."),
        ),
        (r"^(?P<code>\S+) (has )?already answered this review$", N_("%(code)s has already answered this review.")),
        (r"^the MSP has no open review to answer$", N_("The MSP has no open review to answer.")),
        (
            r"^(?P<code>\S+) is not among the members asked \((?P<codes>.*)\)$",
            N_("%(code)s is not among the member ministries asked (%(codes)s)."),
        ),
    )
)


def form_field(location: str | None) -> str | None:
    """`body.legal_name` → `legal_name`; `body` alone, or nothing → None (about the whole form)."""
    if not location:
        return None
    parts = location.split(".")
    if parts[0] in LOCATIONS:
        parts = parts[1:]
    return ".".join(parts) or None


def known_reason(reason: str) -> tuple[str, dict[str, str]] | None:
    """The console's msgid (and its parameters) for a validation message it knows."""
    for pattern, msgid in KNOWN_REASONS:
        found = pattern.search(reason)
        if found:
            return msgid, {name: value for name, value in found.groupdict().items() if value is not None}
    return None


def field_messages(problem: Mapping[str, Any]) -> list[FieldMessage]:
    """Each field problem of a problem document; one about the whole form (its `detail`) when it names none."""
    found: list[FieldMessage] = []
    for item in problem.get("errors") or []:
        if not isinstance(item, Mapping):
            continue
        reason = str(item.get("reason") or "")
        name = form_field(str(item.get("field") or "") or None)
        known = known_reason(reason)
        if item.get(TRANSLATED):
            found.append(FieldMessage(name, msgid=AS_GIVEN, params={"text": reason}))
        elif known:
            found.append(FieldMessage(name, msgid=known[0], params=known[1]))
        else:
            found.append(FieldMessage(name, text=reason))
    if not found:
        detail = str(problem.get("detail") or problem.get("title") or "")
        known = known_reason(detail)
        if problem.get(TRANSLATED) and problem.get("detail"):
            found.append(FieldMessage(None, msgid=AS_GIVEN, params={"text": detail}))
        else:
            found.append(
                FieldMessage(None, msgid=known[0], params=known[1]) if known else FieldMessage(None, text=detail)
            )
    return found


def in_page_language(problem: Mapping[str, Any], language: str) -> dict[str, Any]:
    """The problem document for a page in `language`: on an Indonesian page, each reason the console has no msgid
    for and the shared catalog translates is put in Indonesian and marked `translated` (the detail likewise, the
    mark then on the problem; the title is translated too). English pages, and what no catalog knows, as given."""
    found = dict(problem)
    if language != "id":
        return found
    errors = problem.get("errors")
    if isinstance(errors, list):
        found["errors"] = [_translated(item, "reason") if isinstance(item, Mapping) else item for item in errors]
    localized = _translated(found, "detail")
    title = found.get("title")
    if isinstance(title, str):
        localized["title"] = translate(title) or title
    return localized


def _translated(item: Mapping[str, Any], key: str) -> dict[str, Any]:
    text = item.get(key)
    if not isinstance(text, str) or known_reason(text) is not None:
        return dict(item)
    translation = translate(text)
    return dict(item) if translation is None else {**item, key: translation, TRANSLATED: True}
