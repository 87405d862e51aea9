"""Events published by the notifications service."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from mitra_shared.events import EventData, EventKind

Channel = Literal["email", "webhook", "inbox"]


class NotificationDelivered(EventData):
    """A notification reached its recipient's channel (accepted by the SMTP server or the webhook endpoint)."""

    kind = EventKind("notifications", "notification", "delivered", 1)

    notification_id: UUID = Field(description="Id of the notification in the notifications service.")
    cause_event_id: UUID = Field(description="Id of the event the notification is about.")
    cause_event_type: str = Field(description="Type of that event.")
    recipient_id: UUID = Field(description="Id of the recipient in the notifications service.")
    channel: Channel = Field(description="How it was delivered.")
    attempts: int = Field(description="Delivery attempts it took.", ge=1)
    delivered_at: datetime


class NotificationFailed(EventData):
    """A notification could not be delivered within the retry period and was given up."""

    kind = EventKind("notifications", "notification", "failed", 1)

    notification_id: UUID
    cause_event_id: UUID
    cause_event_type: str
    recipient_id: UUID
    channel: Channel
    attempts: int = Field(ge=1)
    last_error: str = Field(description="The error of the last attempt.")
    failed_at: datetime


EVENTS: tuple[type[EventData], ...] = (NotificationDelivered, NotificationFailed)
