"""Admission: a few messages at a time inside Rasa's pipeline, in arrival order, none stuck for good.

bot.rasa_server.channels.admission wraps the channels' on_new_message. A patient's answer must
never be lost to it: whatever the handler returns or raises reaches its caller, even
after the message outlived its place (HOLD_S) and let the next one in; a request that
goes away (its task cancelled) takes its message with it and frees the place. And the
gate must hold what it promises: at most `limit` messages inside, entering in the order
they arrived, and at most `max_waiting` in line: one more is refused at once, never
handled, and the line takes messages again as soon as it has room. Handlers here are
fake coroutines that record when each message enters and leaves; every scenario runs
under a generous wait_for as a safety net only.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any, Awaitable, Callable, Dict, List, Tuple

import pytest
from rasa.core.channels.channel import UserMessage

from bot.rasa_server.channels.admission import Gate, Handler, Overloaded, admitted, channel_gate, process_gate
from bot.settings import Settings

SAFETY_S = 10.0  # bounds every scenario; never an expectation about speed
LONG_HOLD_S = 30.0  # a hold no message here reaches: only the limit lets messages in
ROOMY = 1000  # a line no scenario here fills


@dataclasses.dataclass
class Visits:
    """What the handler saw: ("enter" | "exit" | "cancelled", text) in order, and how many were inside at most."""

    log: List[Tuple[str, str]] = dataclasses.field(default_factory=list)
    inside: int = 0
    most: int = 0

    def entered(self) -> List[str]:
        return [text for kind, text in self.log if kind == "enter"]


def recording(visits: Visits, behaviour: Callable[[UserMessage], Awaitable[Any]]) -> Handler:
    """A handler that runs `behaviour` and records the visit in `visits`."""

    async def handler(message: UserMessage) -> Any:
        visits.log.append(("enter", message.text))
        visits.inside += 1
        visits.most = max(visits.most, visits.inside)
        try:
            return await behaviour(message)
        except asyncio.CancelledError:
            visits.log.append(("cancelled", message.text))
            raise
        finally:
            visits.inside -= 1
            visits.log.append(("exit", message.text))

    return handler


def sleeping(seconds: Callable[[UserMessage], float]) -> Callable[[UserMessage], Awaitable[str]]:
    async def behaviour(message: UserMessage) -> str:
        await asyncio.sleep(seconds(message))
        return f"answer to {message.text}"

    return behaviour


def message(text: str, sender: str = "a") -> UserMessage:
    return UserMessage(text=text, sender_id=sender)


def run(scenario: Awaitable[Any]) -> Any:
    return asyncio.run(asyncio.wait_for(scenario, SAFETY_S))


async def until(condition: Callable[[], bool]) -> None:
    """Let the loop run until `condition` holds (bounded by the scenario's wait_for)."""
    while not condition():
        await asyncio.sleep(0.001)


# --- the limit and the order ---------------------------------------------------------


def test_with_limit_one_messages_run_one_after_another_in_arrival_order():
    visits = Visits()
    # Later messages are quicker: if two were ever inside together, the exits would cross.
    handle = admitted(recording(visits, sleeping(lambda m: 0.005 * (5 - int(m.text)))), Gate(1, ROOMY), LONG_HOLD_S)

    async def scenario() -> List[Any]:
        return await asyncio.gather(*(handle(message(str(number), f"s{number}")) for number in range(5)))

    answers = run(scenario())
    assert answers == [f"answer to {number}" for number in range(5)]
    assert visits.log == [(kind, str(number)) for number in range(5) for kind in ("enter", "exit")]
    assert visits.most == 1


def test_with_limit_two_two_messages_are_inside_at_once_never_three():
    visits = Visits()
    handle = admitted(recording(visits, sleeping(lambda m: 0.02)), Gate(2, ROOMY), LONG_HOLD_S)

    async def scenario() -> List[Any]:
        return await asyncio.gather(*(handle(message(str(number))) for number in range(7)))

    answers = run(scenario())
    assert answers == [f"answer to {number}" for number in range(7)]  # each caller gets its own answer
    assert visits.most == 2  # two overlapped, and never more
    assert visits.entered() == [str(number) for number in range(7)]
    # The third enters only once one of the first two has left.
    assert visits.log.index(("enter", "2")) > min(visits.log.index(("exit", "0")), visits.log.index(("exit", "1")))


@pytest.mark.parametrize("steps", range(6))
def test_a_message_arriving_as_a_place_frees_waits_behind_those_already_waiting(steps: int):
    """No barging: the freed place goes to the first waiter, not to whoever asks at that moment.

    "late" arrives `steps` loop steps after "first" is told to finish, so that one of
    the cases lands between the release of its place and the waiter's wake-up.
    """
    visits = Visits()

    async def scenario() -> List[str]:
        first_done = asyncio.Event()

        async def behaviour(m: UserMessage) -> str:
            if m.text == "first":
                await first_done.wait()
            return m.text

        handle = admitted(recording(visits, behaviour), Gate(1, ROOMY), LONG_HOLD_S)
        first = asyncio.ensure_future(handle(message("first")))
        await until(lambda: visits.entered() == ["first"])
        waiting = asyncio.ensure_future(handle(message("waiting")))
        await asyncio.sleep(0.01)  # "waiting" is now queued at the gate
        first_done.set()
        for _ in range(steps):
            await asyncio.sleep(0)
        late = asyncio.ensure_future(handle(message("late")))
        return list(await asyncio.gather(first, waiting, late))

    assert run(scenario()) == ["first", "waiting", "late"]
    assert visits.entered() == ["first", "waiting", "late"]
    assert visits.most == 1


def test_wrappers_with_the_same_limit_share_their_places():
    """The website's and the SMS channel's messages queue together (one gate per process)."""
    visits = Visits()
    website = admitted(recording(visits, sleeping(lambda m: 0.01)), process_gate(1, ROOMY), LONG_HOLD_S)
    sms = admitted(recording(visits, sleeping(lambda m: 0.01)), process_gate(1, ROOMY), LONG_HOLD_S)

    async def scenario() -> List[Any]:
        return await asyncio.gather(
            website(message("w1")), sms(message("s1")), website(message("w2")), sms(message("s2"))
        )

    assert run(scenario()) == ["answer to w1", "answer to s1", "answer to w2", "answer to s2"]
    assert visits.most == 1
    assert visits.entered() == ["w1", "s1", "w2", "s2"]


@pytest.mark.parametrize("limit, max_waiting", [(0, 1), (-1, 1), (1, 0), (1, -1)])
def test_a_limit_or_a_line_below_one_is_refused(limit: int, max_waiting: int):
    with pytest.raises(ValueError, match="at least 1"):
        Gate(limit, max_waiting)


def test_the_channels_share_the_gate_their_settings_name(tmp_path):
    settings = Settings.from_env({"VAR_DIR": str(tmp_path), "MESSAGE_CONCURRENCY": "2", "MESSAGE_QUEUE_LIMIT": "7"})
    gate = channel_gate(settings)
    assert (gate.limit, gate.max_waiting) == (2, 7)
    assert channel_gate(Settings.from_env({"VAR_DIR": str(tmp_path / "other"), "MESSAGE_CONCURRENCY": "2",
                                           "MESSAGE_QUEUE_LIMIT": "7"})) is gate  # fmt: skip


# --- a message past its hold ---------------------------------------------------------


@pytest.mark.parametrize("outcome", ["returns", "raises"])
def test_a_message_past_its_hold_lets_the_next_in_and_still_answers_its_caller(outcome: str):
    visits = Visits()

    async def scenario() -> Dict[str, Any]:
        slow_may_finish = asyncio.Event()

        async def behaviour(m: UserMessage) -> str:
            if m.text == "slow":
                await slow_may_finish.wait()
                if outcome == "raises":
                    raise LookupError("action server answered late, and badly")
            return f"answer to {m.text}"

        handle = admitted(recording(visits, behaviour), Gate(1, ROOMY), 0.05)
        slow = asyncio.ensure_future(handle(message("slow")))
        quick = asyncio.ensure_future(handle(message("quick")))
        quick_answer = await quick  # got in although "slow" still holds the only place
        slow_was_running = not slow.done() and visits.inside == 1
        log_while_slow_ran = list(visits.log)
        slow_may_finish.set()
        try:
            slow_answer: Any = await slow
        except LookupError as error:
            slow_answer = error
        return {"quick": quick_answer, "slow": slow_answer, "running": slow_was_running, "log": log_while_slow_ran}

    seen = run(scenario())
    assert seen["quick"] == "answer to quick"
    assert seen["running"] is True
    assert seen["log"] == [("enter", "slow"), ("enter", "quick"), ("exit", "quick")]
    if outcome == "returns":
        assert seen["slow"] == "answer to slow"
    else:
        assert isinstance(seen["slow"], LookupError) and str(seen["slow"]) == "action server answered late, and badly"
    assert ("cancelled", "slow") not in visits.log  # the hold never cancels a message
    assert visits.log[-1] == ("exit", "slow")


# --- failures and cancellation -------------------------------------------------------


def test_an_exception_reaches_its_caller_and_frees_the_place():
    visits = Visits()

    class Broken(Exception):
        pass

    async def behaviour(m: UserMessage) -> str:
        await asyncio.sleep(0.005)
        if m.text == "bad":
            raise Broken("boom")
        return f"answer to {m.text}"

    handle = admitted(recording(visits, behaviour), Gate(1, ROOMY), LONG_HOLD_S)

    async def scenario() -> List[Any]:
        return await asyncio.gather(handle(message("bad")), handle(message("good")), return_exceptions=True)

    bad, good = run(scenario())
    assert isinstance(bad, Broken) and str(bad) == "boom"
    assert good == "answer to good"
    assert visits.log == [("enter", "bad"), ("exit", "bad"), ("enter", "good"), ("exit", "good")]


def test_cancelling_the_caller_cancels_the_message_inside_and_frees_the_place():
    visits = Visits()

    async def behaviour(m: UserMessage) -> str:
        if m.text == "stuck":
            await asyncio.Event().wait()  # never set: only cancellation ends it
        return f"answer to {m.text}"

    handle = admitted(recording(visits, behaviour), Gate(1, ROOMY), LONG_HOLD_S)

    async def scenario() -> Tuple[bool, str, List[Tuple[str, str]]]:
        stuck = asyncio.ensure_future(handle(message("stuck")))
        await until(lambda: visits.entered() == ["stuck"])
        after = asyncio.ensure_future(handle(message("after")))
        await asyncio.sleep(0.01)
        assert visits.entered() == ["stuck"]  # "after" waits: the place is taken for 30 s
        stuck.cancel()
        with pytest.raises(asyncio.CancelledError):
            await stuck
        answer = await after  # the place was freed, long before the hold
        await asyncio.sleep(0.01)
        # Read before asyncio.run ends, which would cancel a leftover handler itself.
        return stuck.cancelled(), answer, list(visits.log)

    cancelled, answer, log = run(scenario())
    assert cancelled is True
    assert answer == "answer to after"
    assert ("cancelled", "stuck") in log  # the handler itself saw the cancellation
    assert ("exit", "stuck") in log
    assert log.count(("enter", "after")) == 1


def test_cancelling_the_caller_after_the_hold_still_cancels_the_message():
    visits = Visits()

    async def behaviour(m: UserMessage) -> str:
        await asyncio.Event().wait()
        return "never"

    handle = admitted(recording(visits, behaviour), Gate(1, ROOMY), 0.01)

    async def scenario() -> List[Tuple[str, str]]:
        caller = asyncio.ensure_future(handle(message("outlived")))
        await until(lambda: visits.entered() == ["outlived"])
        await asyncio.sleep(0.1)  # well past the hold: the message now runs outside the gate
        caller.cancel()
        with pytest.raises(asyncio.CancelledError):
            await caller
        await asyncio.sleep(0.01)
        return list(visits.log)  # read before asyncio.run ends, which cancels leftovers itself

    assert run(scenario()) == [("enter", "outlived"), ("cancelled", "outlived"), ("exit", "outlived")]


def test_a_caller_cancelled_while_waiting_never_runs_and_keeps_the_others_in_order():
    visits = Visits()

    async def scenario() -> List[Any]:
        first_done = asyncio.Event()

        async def behaviour(m: UserMessage) -> str:
            if m.text == "first":
                await first_done.wait()
            return f"answer to {m.text}"

        handle = admitted(recording(visits, behaviour), Gate(1, ROOMY), LONG_HOLD_S)
        callers = [asyncio.ensure_future(handle(message(text))) for text in ("first", "gone", "third", "fourth")]
        await until(lambda: visits.entered() == ["first"])
        await asyncio.sleep(0.01)
        callers[1].cancel()
        await asyncio.sleep(0)
        first_done.set()
        return await asyncio.gather(*callers, return_exceptions=True)

    first, gone, third, fourth = run(scenario())
    assert (first, third, fourth) == ("answer to first", "answer to third", "answer to fourth")
    assert isinstance(gone, asyncio.CancelledError)
    assert visits.entered() == ["first", "third", "fourth"]
    assert visits.most == 1


# --- event loops ---------------------------------------------------------------------


def test_a_wrapper_made_outside_any_loop_works_in_successive_loops():
    """Made at import/blueprint time, used in one loop, then in another (a test's next asyncio.run).

    Each loop makes messages wait (so an asyncio semaphore gets bound to it), and the
    limit still holds in the next loop.
    """
    visits = Visits()
    handle = admitted(recording(visits, sleeping(lambda m: 0.002)), Gate(1, ROOMY), LONG_HOLD_S)

    async def scenario(loop_number: int) -> List[Any]:
        return await asyncio.gather(*(handle(message(f"{loop_number}.{n}")) for n in range(3)))

    for loop_number in range(3):
        assert run(scenario(loop_number)) == [f"answer to {loop_number}.{n}" for n in range(3)]
    assert visits.entered() == [f"{loop_number}.{n}" for loop_number in range(3) for n in range(3)]
    assert visits.most == 1


# --- a bounded line ------------------------------------------------------------------


def test_a_message_finding_the_line_full_is_refused_at_once_and_never_handled():
    """Limit 1, line of 2: the third message to wait is refused; all the others are answered."""
    visits = Visits()

    async def scenario() -> Tuple[List[Any], Tuple[bool, int]]:
        release = asyncio.Event()

        async def behaviour(m: UserMessage) -> str:
            await release.wait()
            return f"answer to {m.text}"

        gate = Gate(1, 2)
        handle = admitted(recording(visits, behaviour), gate, LONG_HOLD_S)
        inside = asyncio.ensure_future(handle(message("inside")))
        await until(lambda: visits.entered() == ["inside"])
        line = [asyncio.ensure_future(handle(message(text))) for text in ("second", "third")]
        await until(lambda: gate.waiting == 2)
        full_then = gate.full(), gate.waiting
        with pytest.raises(Overloaded) as refused:
            await handle(message("fourth"))  # raises at once: nothing set `release` yet
        assert refused.value.waiting == 2
        release.set()
        return list(await asyncio.gather(inside, *line)), full_then

    answers, (full, waiting) = run(scenario())
    assert (full, waiting) == (True, 2)
    assert answers == ["answer to inside", "answer to second", "answer to third"]
    assert visits.entered() == ["inside", "second", "third"]  # "fourth" never reached the handler


def test_a_line_with_room_again_takes_messages_again():
    visits = Visits()

    async def scenario() -> List[Any]:
        release = asyncio.Event()

        async def behaviour(m: UserMessage) -> str:
            if m.text != "after":
                await release.wait()
            return f"answer to {m.text}"

        gate = Gate(1, 1)
        handle = admitted(recording(visits, behaviour), gate, LONG_HOLD_S)
        first = asyncio.ensure_future(handle(message("first")))
        await until(lambda: visits.entered() == ["first"])
        waiting = asyncio.ensure_future(handle(message("waiting")))
        await until(lambda: gate.waiting == 1)
        refused = await asyncio.gather(handle(message("refused")), return_exceptions=True)
        release.set()
        answered = await asyncio.gather(first, waiting)
        assert not gate.full() and gate.waiting == 0
        return [*refused, *answered, await handle(message("after"))]

    refused, *answers = run(scenario())
    assert isinstance(refused, Overloaded)
    assert answers == ["answer to first", "answer to waiting", "answer to after"]
    assert visits.entered() == ["first", "waiting", "after"]


def test_a_waiter_that_goes_away_frees_its_place_in_line():
    async def scenario() -> Tuple[int, str]:
        release = asyncio.Event()

        async def behaviour(m: UserMessage) -> str:
            await release.wait()
            return f"answer to {m.text}"

        gate = Gate(1, 1)
        handle = admitted(behaviour, gate, LONG_HOLD_S)
        first = asyncio.ensure_future(handle(message("first")))
        await asyncio.sleep(0.01)
        gone = asyncio.ensure_future(handle(message("gone")))
        await until(lambda: gate.waiting == 1)
        gone.cancel()
        await asyncio.gather(gone, return_exceptions=True)
        waiting_after_cancel = gate.waiting
        taken = asyncio.ensure_future(handle(message("taken")))  # the line has room for it again
        await until(lambda: gate.waiting == 1)
        release.set()
        await first
        return waiting_after_cancel, await taken

    assert run(scenario()) == (0, "answer to taken")


def test_messages_let_in_at_once_never_count_as_waiting():
    """With places free nobody waits, so even a line of one refuses nothing."""

    async def scenario() -> List[Any]:
        gate = Gate(3, 1)
        handle = admitted(sleeping(lambda m: 0.01), gate, LONG_HOLD_S)
        return list(await asyncio.gather(*(handle(message(str(n))) for n in range(4))))

    assert run(scenario()) == [f"answer to {n}" for n in range(4)]  # three inside, one in line
