"""What notifications does with the console's account events: each person's account becomes (or updates) a
recipient of its own, found by the routing rules through its role and scope (`domain/accounts.py`)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from mitra_notifications.domain.accounts import AccountState
from mitra_notifications.usecases.recipients import apply_account_state
from mitra_shared.contracts import console as contracts
from mitra_shared.events import ConsumedData, ReceivedEvent
from mitra_shared.inbox import Handler, handler
from mitra_shared.uow import Transaction


class Account(ConsumedData):
    """Notifications' slim copy of `console.account.created` and `.updated`."""

    account_id: UUID
    display_name: str
    email: str
    role: str
    ministry_code: str | None = None
    region_code: str | None = None
    organization_id: UUID | None = None
    active: bool
    version: int


async def account_changed(tx: Transaction, event: ReceivedEvent, data: Account) -> None:
    await apply_account_state(tx, AccountState(**data.model_dump()))


HANDLERS: dict[Any, Handler[Any]] = {
    contracts.AccountCreated.kind: handler(Account, account_changed),
    contracts.AccountUpdated.kind: handler(Account, account_changed),
}
