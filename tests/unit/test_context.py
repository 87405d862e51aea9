"""The context of a change (who, when, in which request, because of which event): pure values, no I/O."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime

import pytest

from mitra_shared.context import Context, Principal

NOW = datetime(2030, 1, 2, 2, 0, tzinfo=UTC)


def test_a_person_is_the_subject_of_the_token_with_its_roles_name_and_scope() -> None:
    person = Principal(
        subject="official-1", roles=("ministry",), name="Siti", scope={"ministry": "KEMENSOS"}, claims={"iss": "x"}
    )
    assert (person.subject, person.roles, person.name) == ("official-1", ("ministry",), "Siti")
    assert person.scope == {"ministry": "KEMENSOS"}
    assert person.claims == {"iss": "x"}
    assert not person.is_system


def test_a_principal_has_no_roles_claims_name_or_scope_unless_given() -> None:
    bare = Principal(subject="someone")
    assert (bare.roles, dict(bare.claims), bare.name, dict(bare.scope)) == ((), {}, None, {})
    # The defaults are not shared between instances.
    assert Principal(subject="a").claims is not Principal(subject="b").claims


def test_the_service_itself_is_a_system_principal_named_after_its_component() -> None:
    system = Principal.system("agreements.deadlines")
    assert system.subject == "system:agreements.deadlines"
    assert system.roles == ("system",)
    assert system.name == "agreements.deadlines"
    assert system.is_system


def test_a_context_says_who_acts() -> None:
    context = Context(principal=Principal(subject="official-1"), now=NOW, request_id="req-1")
    assert context.actor == "official-1"
    assert context.causation_id is None


def test_a_context_for_a_worker_or_a_consumer_acts_as_the_system() -> None:
    cause = uuid.uuid4()
    context = Context.for_system("notifications.consumer", NOW, request_id="corr-9", causation_id=cause)
    assert context.principal == Principal.system("notifications.consumer")
    assert context.actor == "system:notifications.consumer"
    assert (context.now, context.request_id, context.causation_id) == (NOW, "corr-9", cause)


def test_a_system_context_without_a_request_id_gets_a_new_one_each_time() -> None:
    first = Context.for_system("registry.expiry", NOW)
    second = Context.for_system("registry.expiry", NOW)
    assert first.request_id != second.request_id
    uuid.UUID(first.request_id)  # a uuid, so logs and events can be joined on it


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError, match="aware"):
        Context(principal=Principal(subject="x"), now=datetime(2030, 1, 2, 9, 0), request_id="r")


def test_a_context_cannot_be_changed_once_made() -> None:
    context = Context.for_system("registry.expiry", NOW)
    with pytest.raises(dataclasses.FrozenInstanceError):
        context.now = datetime(2031, 1, 1, tzinfo=UTC)  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        context.principal.subject = "someone else"  # type: ignore[misc]
