"""Whose a recipient is, and what its owner may subscribe to (notifications' domain/access.py)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from mitra_notifications.domain import access
from mitra_shared.access import principal_from_claims
from mitra_shared.context import Principal
from mitra_shared.errors import Forbidden, NotFound

ORG_A, ORG_B = uuid.uuid4(), uuid.uuid4()


def principal(role: str, subject: str = "someone", **scope: object) -> Principal:
    return principal_from_claims({"sub": subject, "roles": [role], **{k: str(v) for k, v in scope.items()}})


def recipient(role: str, **fields: Any) -> dict[str, Any]:
    return {
        "role": role,
        "partner_code": None,
        "region_code": None,
        "organization_id": None,
        "account_subject": None,
        **fields,
    }


TPOA = principal("tpoa")
KEMENSOS = principal("ministry", ministry_code="KEMENSOS")
SEMARANG = principal("region", region_code="3374")
JAWA_TENGAH = principal("region", region_code="33")
NGO_A = principal("ngo", organization_id=ORG_A)


@pytest.mark.parametrize(
    ("who", "what", "owns"),
    [
        (TPOA, recipient("tpoa"), True),
        (TPOA, recipient("ngo", organization_id=ORG_A), False),
        (KEMENSOS, recipient("ministry", partner_code="KEMENSOS"), True),
        (KEMENSOS, recipient("ministry", partner_code="KEMENKES"), False),
        (KEMENSOS, recipient("ministry"), False),  # a ministry desk without a code is no ministry's
        (SEMARANG, recipient("regency", region_code="3374"), True),
        (SEMARANG, recipient("province", region_code="33"), False),
        (JAWA_TENGAH, recipient("regency", region_code="3374"), False),  # a province reads not its regencies' inboxes
        (JAWA_TENGAH, recipient("province", region_code="33"), True),
        (NGO_A, recipient("ngo", organization_id=ORG_A), True),
        (NGO_A, recipient("ngo", organization_id=ORG_B), False),
        (NGO_A, recipient("tpoa"), False),
        (principal("admin"), recipient("tpoa"), False),  # an administrator manages recipients, reads no inbox
        (principal("auditor"), recipient("tpoa"), False),
        (principal("tpoa", subject="desk-2"), recipient("tpoa", account_subject="desk-2"), True),
        (TPOA, recipient("tpoa", account_subject="desk-2"), False),  # linked: that account's alone
        (principal("ngo", subject="desk-2", organization_id=ORG_A), recipient("tpoa", account_subject="desk-2"), False),
        (Principal.system("notifications.consumer"), recipient("ngo", organization_id=ORG_B), True),
    ],
)
def test_whose_a_recipient_is(who: Principal, what: dict[str, Any], owns: bool) -> None:
    assert access.owns(who, what) is owns


def test_another_scopes_recipient_is_not_found_and_a_visible_one_forbidden() -> None:
    theirs = recipient("ngo", organization_id=ORG_B)
    with pytest.raises(NotFound):
        access.require_owner(NGO_A, theirs, uuid.uuid4(), "reading an inbox")
    with pytest.raises(Forbidden):
        access.require_owner(TPOA, theirs, uuid.uuid4(), "reading an inbox")
    access.require_owner_or_admin(principal("admin"), theirs, uuid.uuid4(), "subscribing")
    with pytest.raises(NotFound):
        access.require_visible(TPOA, None, uuid.uuid4())


@pytest.mark.parametrize(
    ("who", "organization_ids", "region_codes", "allowed"),
    [
        (NGO_A, [ORG_A], None, True),
        (NGO_A, [ORG_A, ORG_B], None, False),
        (NGO_A, None, None, False),
        (KEMENSOS, [ORG_A], None, True),
        (KEMENSOS, [ORG_B], None, False),
        (KEMENSOS, None, ["33"], False),
        (JAWA_TENGAH, None, ["33", "3374"], True),
        (SEMARANG, None, ["33"], False),
        (SEMARANG, None, None, False),
        (TPOA, None, None, True),
        (principal("admin"), [ORG_B], None, True),
    ],
)
def test_an_owner_subscribes_within_its_scope(
    who: Principal, organization_ids: list[uuid.UUID] | None, region_codes: list[str] | None, allowed: bool
) -> None:
    def subscribe() -> None:
        access.require_subscription_in_scope(who, organization_ids, region_codes, ministry_organizations=[ORG_A])

    if allowed:
        subscribe()
    else:
        with pytest.raises(Forbidden):
            subscribe()


def test_a_scoped_list_names_the_callers_scope_and_the_others_see_all() -> None:
    assert access.recipient_scope(TPOA) == access.RecipientScope(scoped=False)
    scope = access.recipient_scope(SEMARANG)
    assert (scope.scoped, scope.kinds, scope.region_code, scope.organization_id) == (
        True,
        ("province", "regency"),
        "3374",
        None,
    )
