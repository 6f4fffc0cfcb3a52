"""The atomic Redis lock store: one holder per conversation, in ticket order, across servers.

Each `AtomicRedisLockStore` object stands for one Rasa server (its own connection).
Needs Redis (skips on a laptop without it, fails when CI is set).
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from typing import List

import pytest
from rasa.core.lock_store import LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_server.locks import AtomicRedisLockStore
from tests.ports import free_port
from tests.reliability.conftest import REDIS_URL, require_redis

WAIT_LIMIT_S = 10.0  # a bound on the waits below, never an expectation about speed


@pytest.fixture
def servers() -> List[AtomicRedisLockStore]:
    require_redis()
    config = EndpointConfig(url=REDIS_URL, key_prefix="test:lock:")
    return [AtomicRedisLockStore(config), AtomicRedisLockStore(config)]


@pytest.fixture
def conversation() -> str:
    return f"locks-{uuid.uuid4().hex}"


def test_rasa_creates_it_from_the_endpoints_lock_store_section():
    require_redis()
    store = LockStore.create(EndpointConfig(url=REDIS_URL, type="bot.rasa_server.locks.AtomicRedisLockStore"))
    assert isinstance(store, AtomicRedisLockStore)


def test_tickets_are_served_in_the_order_they_were_issued_across_servers(servers, conversation):
    first, second = servers
    tickets = [first.take_ticket(conversation), second.take_ticket(conversation), first.take_ticket(conversation)]
    assert [first.is_turn(conversation, ticket) for ticket in tickets] == [True, False, False]
    first.release(conversation, tickets[0])
    assert [second.is_turn(conversation, ticket) for ticket in tickets[1:]] == [True, False]
    second.release(conversation, tickets[1])
    assert first.is_turn(conversation, tickets[2])
    first.release(conversation, tickets[2])


def test_the_last_release_leaves_no_keys_behind(servers, conversation):
    store = servers[0]
    asyncio.run(_hold(store, conversation))
    assert store.red.exists(*store.keys(conversation)) == 0


def test_holders_on_two_servers_in_parallel_never_overlap(servers, conversation):
    """Two threads, each an event loop with its own store, like two Rasa processes."""
    inside: List[int] = []
    overlaps: List[int] = []
    entered: List[int] = []
    guard = threading.Lock()

    async def message(store: AtomicRedisLockStore, number: int) -> None:
        async with store.lock(conversation, wait_time_in_seconds=0.001):
            with guard:
                inside.append(number)
                overlaps.append(len(inside))
                entered.append(number)
            await asyncio.sleep(0)
            with guard:
                inside.remove(number)

    async def server(store: AtomicRedisLockStore, numbers: range) -> None:
        await asyncio.gather(*(message(store, number) for number in numbers))

    threads = [
        threading.Thread(target=asyncio.run, args=(server(store, range(start, start + 40)),))
        for store, start in zip(servers, (0, 100))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(entered) == [*range(0, 40), *range(100, 140)]
    assert max(overlaps) == 1


def test_a_crashed_holder_blocks_the_conversation_only_for_its_lifetime(servers, conversation):
    crashed, survivor = servers
    crashed.take_ticket(conversation, lock_lifetime=0.2)  # never released
    asyncio.run(asyncio.wait_for(_hold(survivor, conversation), WAIT_LIMIT_S))
    assert survivor.red.exists(*survivor.keys(conversation)) == 0


def test_a_ticket_that_expires_while_waiting_is_a_lock_error(servers, conversation):
    holder, waiter = servers
    held = holder.take_ticket(conversation)
    ticket = waiter.take_ticket(conversation, lock_lifetime=0.1)

    async def wait_for_the_error() -> None:
        while not waiter.is_turn(conversation, ticket):
            await asyncio.sleep(0.05)

    with pytest.raises(LockError, match="expired while waiting"):
        asyncio.run(asyncio.wait_for(wait_for_the_error(), WAIT_LIMIT_S))
    holder.release(conversation, held)
    assert holder.red.exists(*holder.keys(conversation)) == 0  # the expired ticket went too


def test_a_holder_that_overran_its_lifetime_cannot_release_a_later_ticket(servers, conversation):
    slow, other = servers
    stale = slow.take_ticket(conversation, lock_lifetime=0.1)
    asyncio.run(asyncio.wait_for(_hold(other, conversation), WAIT_LIMIT_S))  # after the stale one expired
    fresh = other.take_ticket(conversation)  # the queue was empty: numbering starts again
    assert fresh.split(":")[0] == stale.split(":")[0]
    slow.release(conversation, stale)
    assert other.is_turn(conversation, fresh)
    other.release(conversation, fresh)


def test_an_unreachable_redis_is_a_lock_error():
    store = AtomicRedisLockStore(EndpointConfig(url=f"redis://127.0.0.1:{free_port()}/0"))
    with pytest.raises(LockError, match="could not issue a ticket"):
        store.take_ticket("anyone")


async def _hold(store: AtomicRedisLockStore, conversation: str) -> None:
    async with store.lock(conversation):
        pass
