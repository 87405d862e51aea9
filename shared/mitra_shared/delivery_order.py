"""Applying a consumer's messages one at a time in the order the broker delivered them, with many in flight.

A consumer whose effects depend on the order of events (reporting's event log, replayed by a rebuild in the order it
was applied; its hash-chained audit log) used to take one message at a time (prefetch 1): every message then waited
for the previous one's acknowledgement to travel to the quorum queue and the next delivery to travel back. With
`DeliveryOrder` the broker keeps `consumer_prefetch` messages in flight, on a channel of the consumer's own, and
each handler waits for its turn.

aiormq starts a task per delivery and FastStream awaits several steps before the handler runs, so handlers start in
delivery order only as long as none of those steps suspends. The turns therefore follow the delivery tags, which the
broker numbers 1, 2, 3... on each channel: a message goes when the one tagged just before it has gone. A channel
reopened after a lost connection starts again at 1, so each channel is a generation of its own, and the messages of
an older one go first (their acknowledgements will fail: the broker has already returned them to the queue, so a
message whose channel closed while it waited is not applied at all). Should a tag never reach the handler, the next
message goes after `grace_seconds` rather than wait for ever. The handler whose turn it is takes the messages
already waiting right behind its own too, so that they are applied in one transaction (`EventConsumer.handle_many`).

Ordering holds within the queue's deliveries: a retried event is republished to a retry queue and comes back at the
end of the queue, after the events delivered meanwhile, as it did with prefetch 1.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import structlog
from aio_pika.abc import AbstractIncomingMessage
from aio_pika.exceptions import ChannelInvalidStateError

log = structlog.get_logger(__name__)

Position = tuple[int, int]
"""Where a delivery stands: the generation of its channel, then its delivery tag."""


Handlers = Callable[[list[AbstractIncomingMessage]], Awaitable[None]]
"""Handles messages that follow one another in delivery order, in that order."""


@dataclass(eq=False)
class _Waiter:
    message: AbstractIncomingMessage
    # The messages to handle (this one first) if the turn is this handler's; otherwise the future that the handler
    # whose turn it is completes once it has handled this message along with its own.
    granted: asyncio.Future[list[AbstractIncomingMessage] | asyncio.Future[None]]


class DeliveryOrder:
    """Hands out turns, one at a time, in delivery order (see the module's docstring)."""

    def __init__(self, *, grace_seconds: float = 0.5, most_at_once: int = 64) -> None:
        self._grace_seconds = grace_seconds
        self._most_at_once = most_at_once
        self._generations: dict[object, int] = {}
        self._last_generation = 0
        # The last tag that went, per generation; a fresh channel's first delivery is tagged 1.
        self._last_tag: dict[int, int] = {}
        self._waiting: dict[Position, _Waiter] = {}
        # Messages whose handlers were cancelled while they waited: nobody need wait for them.
        self._given_up: set[Position] = set()
        self._busy = False
        self._handled: asyncio.Future[None] | None = None
        self._gap_timer: asyncio.TimerHandle | None = None
        self._gap_position: Position | None = None
        self.gaps_skipped = 0

    @property
    def waiting(self) -> int:
        """How many delivered messages wait for their turn."""
        return len(self._waiting)

    async def apply_in_turn(self, message: AbstractIncomingMessage, handle: Handlers) -> None:
        """Handle the message once every message delivered before it has been handled. The handler whose turn it
        is also takes the messages waiting right behind its own, in order (so that `handle` may apply them in one
        transaction); theirs return once it is done. A message whose channel closed meanwhile is left alone: the
        broker returned it to the queue and will deliver it again."""
        channel = _open_channel(message)
        if channel is None:
            return
        share = await self._wait_for((self._generation_of(channel), message.delivery_tag or 0), message)
        if isinstance(share, asyncio.Future):
            await asyncio.shield(share)
            return
        try:
            settleable = [waiting for waiting in share if _open_channel(waiting) is not None]
            if settleable:
                await handle(settleable)
        finally:
            self._release()

    def _release(self) -> None:
        if self._handled is not None and not self._handled.done():
            self._handled.set_result(None)
        self._handled = None
        self._busy = False
        self._hand_on()

    def _generation_of(self, channel: object) -> int:
        generation = self._generations.get(channel)
        if generation is None:
            self._last_generation += 1
            generation = self._last_generation
            # Forget the closed channels nothing waits on any more.
            waited_on = {waiting_generation for waiting_generation, _ in self._waiting}
            self._generations = {known: number for known, number in self._generations.items() if number in waited_on}
            self._last_tag = {number: tag for number, tag in self._last_tag.items() if number in waited_on}
            self._given_up = {position for position in self._given_up if position[0] in waited_on}
            self._generations[channel] = generation
        return generation

    async def _wait_for(
        self, position: Position, message: AbstractIncomingMessage
    ) -> list[AbstractIncomingMessage] | asyncio.Future[None]:
        loop = asyncio.get_running_loop()
        if not self._busy and not self._waiting and self._is_next(position):
            self._go(position)
            self._handled = loop.create_future()
            return [message]
        waiter = _Waiter(message, loop.create_future())
        self._waiting[position] = waiter
        self._hand_on()
        try:
            return await waiter.granted
        except asyncio.CancelledError:
            if waiter.granted.done() and not waiter.granted.cancelled():
                if isinstance(waiter.granted.result(), list):
                    self._release()  # the turn came just as the handler was cancelled: pass it on
            elif self._waiting.pop(position, None) is not None:
                self._given_up.add(position)
                self._skip_given_up(position[0])
                self._hand_on()
            raise

    def _is_next(self, position: Position) -> bool:
        generation, tag = position
        return tag <= self._last_tag.get(generation, 0) + 1

    def _go(self, position: Position) -> None:
        generation, tag = position
        self._busy = True
        self._last_tag[generation] = max(tag, self._last_tag.get(generation, 0))
        self._skip_given_up(generation)

    def _skip_given_up(self, generation: int) -> None:
        following = (generation, self._last_tag.get(generation, 0) + 1)
        while following in self._given_up:
            self._given_up.discard(following)
            self._last_tag[generation] = following[1]
            following = (generation, following[1] + 1)

    def _hand_on(self) -> None:
        """Give the turn to the earliest waiting message if nothing runs and nothing delivered before it is missing."""
        if self._busy or not self._waiting:
            self._stop_gap_timer()
            return
        earliest = min(self._waiting)
        if not self._is_next(earliest) and self._gap_position != earliest:
            self._stop_gap_timer()
            self._gap_position = earliest
            self._gap_timer = asyncio.get_running_loop().call_later(self._grace_seconds, self._skip_gap, earliest)
            return
        if not self._is_next(earliest) and self._gap_position == earliest:
            return  # the timer runs
        self._stop_gap_timer()
        holder = self._waiting.pop(earliest)
        self._go(earliest)
        handled = self._handled = asyncio.get_running_loop().create_future()
        share = [holder.message]
        generation = earliest[0]
        while len(share) < self._most_at_once:
            following = (generation, self._last_tag[generation] + 1)
            carried = self._waiting.pop(following, None)
            if carried is None:
                break
            self._go(following)
            share.append(carried.message)
            carried.granted.set_result(handled)
        holder.granted.set_result(share)

    def _skip_gap(self, position: Position) -> None:
        self._gap_timer = None
        if self._busy or position not in self._waiting or min(self._waiting) != position:
            self._gap_position = None
            self._hand_on()
            return
        generation, tag = position
        log.warning("a delivery never reached the handler; going on without it", missing_before=tag)
        self.gaps_skipped += 1
        self._gap_position = None
        self._last_tag[generation] = tag - 1
        self._hand_on()

    def _stop_gap_timer(self) -> None:
        if self._gap_timer is not None:
            self._gap_timer.cancel()
        self._gap_timer = None
        self._gap_position = None


def _open_channel(message: AbstractIncomingMessage) -> object | None:
    try:
        channel = message.channel
    except ChannelInvalidStateError:
        return None
    return None if channel.is_closed else channel
