"""The turns of an ordered consumer: one message at a time, in delivery-tag order, whatever order handlers start in."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import pytest
from aio_pika.exceptions import ChannelInvalidStateError

from mitra_shared.delivery_order import DeliveryOrder


@dataclass(eq=False)
class FakeChannel:
    is_closed: bool = False


@dataclass
class FakeMessage:
    tag: int
    on: FakeChannel = field(default_factory=FakeChannel)

    @property
    def delivery_tag(self) -> int:
        return self.tag

    @property
    def channel(self) -> FakeChannel:
        if self.on.is_closed:
            raise ChannelInvalidStateError
        return self.on


class Recorder:
    def __init__(self) -> None:
        self.handled: list[int] = []
        self.running = 0
        self.most_running = 0

        self.batches: list[list[int]] = []

    async def handle(self, messages: list[Any]) -> None:
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        await asyncio.sleep(0)  # let the others try to overtake
        await asyncio.sleep(0)
        self.handled.extend(message.tag for message in messages)
        self.batches.append([message.tag for message in messages])
        self.running -= 1


async def deliver(order: DeliveryOrder, recorder: Recorder, messages: list[FakeMessage]) -> None:
    await asyncio.gather(*(order.apply_in_turn(message, recorder.handle) for message in messages))  # type: ignore[arg-type]


async def test_handlers_that_start_out_of_order_apply_in_delivery_order_one_at_a_time() -> None:
    order, recorder = DeliveryOrder(grace_seconds=5), Recorder()
    channel = FakeChannel()
    tags = [3, 1, 2, 6, 5, 4, 7]
    await asyncio.wait_for(deliver(order, recorder, [FakeMessage(tag, channel) for tag in tags]), timeout=2)
    assert recorder.handled == sorted(tags)
    assert recorder.most_running == 1
    assert order.gaps_skipped == 0


async def test_a_delivery_that_never_reaches_the_handler_holds_the_others_only_for_the_grace() -> None:
    order, recorder = DeliveryOrder(grace_seconds=0.05), Recorder()
    channel = FakeChannel()
    await asyncio.wait_for(deliver(order, recorder, [FakeMessage(1, channel), FakeMessage(3, channel)]), timeout=2)
    assert recorder.handled == [1, 3]
    assert order.gaps_skipped == 1


async def test_a_reopened_channel_starts_again_at_one_after_what_the_old_one_delivered() -> None:
    order, recorder = DeliveryOrder(grace_seconds=5), Recorder()
    old, new = FakeChannel(), FakeChannel()
    await deliver(order, recorder, [FakeMessage(1, old), FakeMessage(2, old)])
    waiting_on_old = [FakeMessage(4, old), FakeMessage(3, old)]
    await asyncio.wait_for(deliver(order, recorder, [*waiting_on_old, FakeMessage(1, new), FakeMessage(2, new)]), 2)
    assert recorder.handled == [1, 2, 3, 4, 1, 2]
    assert order.gaps_skipped == 0


async def test_a_message_whose_channel_closed_is_left_to_its_redelivery() -> None:
    order, recorder = DeliveryOrder(grace_seconds=5), Recorder()
    closed = FakeChannel(is_closed=True)
    await asyncio.wait_for(deliver(order, recorder, [FakeMessage(1, closed)]), timeout=2)
    assert recorder.handled == []


async def test_a_cancelled_handler_gives_up_its_place_without_stopping_the_others() -> None:
    order, recorder = DeliveryOrder(grace_seconds=5), Recorder()
    channel = FakeChannel()
    blocker = asyncio.Event()

    async def slow(messages: list[Any]) -> None:
        await blocker.wait()
        await recorder.handle(messages)

    first = asyncio.create_task(order.apply_in_turn(FakeMessage(1, channel), slow))  # type: ignore[arg-type]
    second = asyncio.create_task(order.apply_in_turn(FakeMessage(2, channel), recorder.handle))  # type: ignore[arg-type]
    third = asyncio.create_task(order.apply_in_turn(FakeMessage(3, channel), recorder.handle))  # type: ignore[arg-type]
    await asyncio.sleep(0)
    assert order.waiting == 2
    second.cancel()
    with pytest.raises(asyncio.CancelledError):
        await second
    blocker.set()
    await asyncio.wait_for(asyncio.gather(first, third), timeout=2)
    # The cancelled one's tag counts as gone: the third does not wait out the grace for it.
    assert recorder.handled == [1, 3]


async def test_the_handler_whose_turn_it_is_takes_the_messages_waiting_right_behind_its_own() -> None:
    order, recorder = DeliveryOrder(grace_seconds=5, most_at_once=3), Recorder()
    channel = FakeChannel()
    blocker = asyncio.Event()

    async def first_waits(messages: list[Any]) -> None:
        await blocker.wait()
        await recorder.handle(messages)

    first = asyncio.create_task(order.apply_in_turn(FakeMessage(1, channel), first_waits))  # type: ignore[arg-type]
    await asyncio.sleep(0)
    # 2, 3 and 4 follow one another (taken three at a time); 6 waits for 5, which comes last.
    others = [FakeMessage(tag, channel) for tag in (6, 3, 2, 4)]
    rest = asyncio.gather(*(order.apply_in_turn(m, recorder.handle) for m in others))  # type: ignore[arg-type]
    await asyncio.sleep(0)
    blocker.set()
    await first
    await order.apply_in_turn(FakeMessage(5, channel), recorder.handle)  # type: ignore[arg-type]
    await asyncio.wait_for(rest, timeout=2)
    assert recorder.batches == [[1], [2, 3, 4], [5, 6]]
    assert recorder.most_running == 1
