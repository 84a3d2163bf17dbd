"""The bulk runner over real HTTP against the simulator and its fault knobs: injected 5xx, 429
with Retry-After, latency; cancel (in this process and through the journal), a task cancelled
mid-run, resume after a crash, a platform gone silent. What was done is counted on the
simulator's side."""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tui.api.actions import make_action
from tui.api.bulk import Action, RunClaimed, Runner, RunState, Target, TargetState
from tui.api.errors import ApiError
from tui.api.http import RetryPolicy
from tui.api.journal import Journal, RunInfo
from tui.api.platforms.thingpark import ThingPark
from tui.sim import SimServer
from tui.sim.credentials import THINGPARK_CLIENT_ID, THINGPARK_CLIENT_SECRET

APP_KEY = "A1B2C3D4E5F60718293A4B5C6D7E8F90"
T = TypeVar("T")

# ------------------------------------------------------------------------------ the simulator's count

_DEVICE = re.compile(r"/subscriptions/mine/devices/e([0-9A-Fa-f]{16})(/admins/downlink)?$")
_DEVICES = re.compile(r"/subscriptions/mine/devices$")
_ACK = re.compile(r"/deviceAlarms/([^/]+)/acks$")


class _CountOps:
    """ASGI middleware inside the simulator: counts the operations it applied (answered 2xx)
    per ThingPark target and kind (create, update, delete, downlink, ack)."""

    def __init__(self, app: ASGIApp, counts: Counter[tuple[str, str]]) -> None:
        self.app = app
        self.counts = counts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        body = bytearray()
        status = 0

        async def receiving() -> Message:
            message = await receive()
            body.extend(message.get("body", b""))
            return message

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await self.app(scope, receiving, sending)
        if 200 <= status < 300:
            op = self._op(scope["method"], scope["path"], bytes(body))
            if op is not None:
                self.counts[op] += 1

    @staticmethod
    def _op(method: str, path: str, body: bytes) -> tuple[str, str] | None:
        if (found := _DEVICE.search(path)) is not None:
            key = found.group(1).upper()
            if found.group(2):
                return key, "downlink"
            return key, {"PUT": "update", "DELETE": "delete"}.get(method, method)
        if _DEVICES.search(path) and method == "POST":
            return str(json.loads(body).get("EUI", "")).upper(), "create"
        if (found := _ACK.search(path)) is not None:
            return found.group(1), "ack"
        return None


class SimOps:
    """The simulator's count of the operations it applied per target.

    Counted by middleware installed in the simulator until its own `GET /_sim/ops` reaches
    this branch (then this reads that instead)."""

    def __init__(self, server: SimServer) -> None:
        self.counts: Counter[tuple[str, str]] = Counter()
        server.app.add_middleware(_CountOps, counts=self.counts)  # before its first request

    def __call__(self, key: str, op: str) -> int:
        return self.counts[(key.upper(), op)]

    def total(self, op: str) -> int:
        return sum(n for (_, kind), n in self.counts.items() if kind == op)


class _LoseAnswers:
    """ASGI middleware: every `every`-th call of `method` on a path ending in `suffix` is made,
    then its answer is replaced by a 502 (a gateway that lost it on the way back)."""

    def __init__(self, app: ASGIApp, method: str, suffix: str, every: int) -> None:
        self.app = app
        self.method, self.suffix, self.every = method, suffix, every
        self.seen = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != self.method
            or not scope["path"].endswith(self.suffix)
        ):
            await self.app(scope, receive, send)
            return
        self.seen += 1
        if self.seen % self.every:
            await self.app(scope, receive, send)
            return

        async def swallow(message: Message) -> None:
            return None

        await self.app(scope, receive, swallow)  # the platform did it …
        await send({"type": "http.response.start", "status": 502, "headers": []})
        await send({"type": "http.response.body", "body": b"Bad Gateway"})  # … nobody heard


# ------------------------------------------------------------------------------ fixtures


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with Journal(tmp_path / "journal.db") as opened:
        yield opened


def thingpark(server: SimServer, **kwargs: Any) -> ThingPark:
    return ThingPark(server.base_url, THINGPARK_CLIENT_ID, THINGPARK_CLIENT_SECRET, **kwargs)


@pytest.fixture
def sim_with_ops(make_sim: Callable[..., SimServer]) -> Callable[..., tuple[SimServer, SimOps]]:
    def start(**knobs: Any) -> tuple[SimServer, SimOps]:
        server = make_sim(**knobs)
        return server, SimOps(server)

    return start


async def steady(call: Callable[[], Awaitable[T]]) -> T:
    """`call()`, again while the simulator's injected faults answer it (a test's own look-ups)."""
    for _ in range(30):
        try:
            return await call()
        except ApiError as exc:
            if exc.status not in (429, 500, 503):
                raise
            await asyncio.sleep(0.05)
    return await call()


async def lorawan_rows(tp: ThingPark, n: int, prefix: str = "FEEDBEEF") -> list[Target]:
    """`n` rows of new LoRaWAN devices, with EUIs the simulator has not got."""
    model = (await steady(lambda: tp.device_models("LORAWAN")))[0].key
    server = (await steady(tp._app_server_choices))[0].value
    return [
        Target(
            "",
            f"line {i + 2}",
            {
                "name": f"bulk-{prefix}-{i}",
                "eui": f"{prefix}{i:08X}",
                "app_key": APP_KEY,
                "model_key": model,
                "connection_keys": [server],
            },
        )
        for i in range(n)
    ]


async def device_keys(tp: ThingPark, n: int, connectivity: str = "LORAWAN") -> list[str]:
    keys: list[str] = []
    cursor = None
    while True:
        page = await steady(partial(tp.list_devices, cursor))
        keys += [d.key for d in page.items if (d.connectivity or "").upper() == connectivity]
        cursor = page.cursor
        if len(keys) >= n:
            return keys[:n]
        assert cursor is not None, "not enough devices"


def renames(keys: list[str], tag: str) -> list[Target]:
    return [Target(key, key, {"name": f"{tag}-{key}"}) for key in keys]


async def run_to_the_end(
    journal: Journal, tp: ThingPark, action: Action, run_id: int, **kwargs: Any
) -> RunState:
    """Run, and resume while it stops with work left (a resume is what a user would do)."""
    kwargs.setdefault("rate_limit", 1000)
    for _ in range(5):
        info = await Runner(journal, tp, action, run_id, **kwargs).run()
        if info.state is not RunState.INTERRUPTED:
            return info.state
    return info.state


async def wait_for(journal: Journal, run_id: int, settled: int) -> None:
    while journal.run(run_id).settled < settled:
        await asyncio.sleep(0.02)


# ------------------------------------------------------------------------------ a run


async def test_a_run_renames_every_device_once_and_audits_each_call(
    sim_with_ops: Any, journal: Journal
) -> None:
    server, ops = sim_with_ops(devices=80)
    async with thingpark(server) as tp:
        tp.set_recorder(journal.recorder("lab"))
        keys = await device_keys(tp, 40)
        action = make_action(tp, "edit:name", {})
        run_id = journal.create_run("lab", tp.name, action, renames(keys, "renamed"))
        info = await Runner(journal, tp, action, run_id, rate_limit=1000).run()
        assert info.state is RunState.DONE and info.counts == {TargetState.DONE: 40}
        assert info.owner is None and info.finished is not None
        for key in keys:
            assert (await tp.get_device(key)).name == f"renamed-{key}"
            assert ops(key, "update") == 1
    journal.flush()
    audited = journal.audit("lab", run_id=run_id)
    assert len(audited) == 40 and {a.method for a in audited} == {"PUT"}
    assert {a.target for a in audited} == set(keys)  # the device, not the vendor's reference
    assert all(a.result == "ok" for a in audited)


async def test_creates_through_injected_5xx_are_each_made_once_and_no_appkey_is_kept(
    sim_with_ops: Any, journal: Journal
) -> None:
    server, ops = sim_with_ops(devices=50, fail_rate=0.15, seed=7)
    async with thingpark(server) as tp:
        tp.set_recorder(journal.recorder("lab"))
        rows = await lorawan_rows(tp, 60)
        action = make_action(tp, "create:lorawan", {})
        run_id = journal.create_run("lab", tp.name, action, rows)
        assert await run_to_the_end(journal, tp, action, run_id) is RunState.DONE
        targets = journal.targets(run_id)
        for row, target in zip(rows, targets, strict=True):
            eui = row.values["eui"]
            # the journal and the platform agree, and nothing was created twice
            if target.state is TargetState.DONE:
                assert target.key == eui and ops(eui, "create") == 1
                assert (await steady(partial(tp.get_device, eui))).name == row.values["name"]
            else:
                assert target.state is TargetState.FAILED and target.status >= 500
                assert ops(eui, "create") == 0
        assert sum(t.state is TargetState.DONE for t in targets) >= 55
    journal.flush()
    failures = [a for a in journal.audit("lab") if a.result == "failed"]
    assert failures and all(a.status in (500, 503) for a in failures)  # the 5xx were met
    disk = journal.path.read_bytes() + Path(f"{journal.path}-wal").read_bytes()
    assert APP_KEY.encode() not in disk and APP_KEY.lower().encode() not in disk


async def test_429s_slow_the_run_down_and_lose_nothing(sim_with_ops: Any, journal: Journal) -> None:
    server, ops = sim_with_ops(devices=80, rate_limit=20)
    heard: list[float | None] = []
    async with thingpark(server) as tp:
        tp.on_throttle(heard.append)
        keys = await device_keys(tp, 60)
        action = make_action(tp, "edit:name", {})
        run_id = journal.create_run("lab", tp.name, action, renames(keys, "throttled"))
        runner = Runner(journal, tp, action, run_id, rate_limit=500, concurrency=8)
        assert (await runner.run()).state is RunState.DONE
        assert heard and all(wait is not None and wait >= 1 for wait in heard)  # Retry-After
        assert runner.limiter.rate < 500  # it backed off
        for key in keys:
            assert ops(key, "update") >= 1
            assert (await steady(partial(tp.get_device, key))).name == f"throttled-{key}"


async def test_a_clear_refusal_fails_and_a_downlink_that_may_have_gone_through_is_uncertain(
    sim_with_ops: Any, journal: Journal
) -> None:
    server, ops = sim_with_ops(devices=200, fail_rate=0.3, seed=3)
    async with thingpark(server, retry=RetryPolicy(attempts=1)) as tp:
        keys = await device_keys(tp, 30)
        cellular = (await device_keys(tp, 1, "CELLULAR"))[0]
        action = make_action(tp, "command:downlink", {"payload_hex": "0A1B", "fport": 2})
        targets = [Target(key, key, facts={"connectivity": "LORAWAN"}) for key in keys]
        targets.append(Target(cellular, cellular))  # the platform refuses it: 400
        run_id = journal.create_run("lab", tp.name, action, targets)
        info = await Runner(journal, tp, action, run_id, rate_limit=1000).run()
    assert info.state is RunState.DONE
    rows = journal.targets(run_id)
    assert rows[-1].state is TargetState.FAILED or rows[-1].status in (500, 503)
    uncertain = [r for r in rows if r.state is TargetState.UNCERTAIN]
    assert uncertain and all(r.status in (500, 503) for r in uncertain)
    for row in rows[:-1]:
        sent = ops(row.key, "downlink")
        assert sent == (1 if row.state is TargetState.DONE else 0)  # never twice
        assert row.attempts == 1


# ------------------------------------------------------------------------------ cancel


async def _slow_run(
    sim_with_ops: Any, journal: Journal, n: int
) -> tuple[SimOps, ThingPark, Action, int, list[str]]:
    server, ops = sim_with_ops(devices=2 * n, latency_ms=30)
    tp = thingpark(server)
    keys = await device_keys(tp, n)
    action = make_action(tp, "edit:name", {})
    run_id = journal.create_run("lab", tp.name, action, renames(keys, "cancel"))
    return ops, tp, action, run_id, keys


async def test_cancel_lets_the_calls_in_flight_finish_and_the_rest_resume(
    sim_with_ops: Any, journal: Journal
) -> None:
    ops, tp, action, run_id, keys = await _slow_run(sim_with_ops, journal, 150)
    async with tp:
        runner = Runner(journal, tp, action, run_id, rate_limit=1000, concurrency=4)
        task = asyncio.create_task(runner.run())
        await wait_for(journal, run_id, 10)
        runner.cancel()
        info = await task
        assert info.state is RunState.CANCELLED
        assert info.count(TargetState.SENDING) == 0  # the calls in flight finished
        assert 10 <= info.count(TargetState.DONE) < 150
        assert info.count(TargetState.PENDING) == 150 - info.count(TargetState.DONE)
        for row in journal.targets(run_id):
            assert ops(row.key, "update") == (1 if row.state is TargetState.DONE else 0)
        # resumable: the rest is sent, what was done is not sent again
        resumed = await Runner(journal, tp, action, run_id, rate_limit=1000).run()
        assert resumed.state is RunState.DONE and resumed.count(TargetState.DONE) == 150
        assert all(ops(key, "update") == 1 for key in keys)


async def test_a_cancel_asked_through_the_journal_is_honoured(
    sim_with_ops: Any, journal: Journal
) -> None:
    _, tp, action, run_id, _ = await _slow_run(sim_with_ops, journal, 300)
    async with tp:
        task = asyncio.create_task(
            Runner(journal, tp, action, run_id, rate_limit=1000, concurrency=2).run()
        )
        await wait_for(journal, run_id, 5)
        other = Journal(journal.path)  # as `fleet bulk cancel` in another process would
        assert await asyncio.to_thread(other.request_cancel, run_id) is RunState.RUNNING
        other.close()
        info = await task
    assert info.state is RunState.CANCELLED and info.count(TargetState.SENDING) == 0
    assert info.remaining > 0


async def test_a_run_task_cancelled_mid_run_is_interrupted_and_resumable(
    sim_with_ops: Any, journal: Journal
) -> None:
    _, tp, action, run_id, keys = await _slow_run(sim_with_ops, journal, 100)
    async with tp:
        task = asyncio.create_task(Runner(journal, tp, action, run_id, rate_limit=1000).run())
        await wait_for(journal, run_id, 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        info = journal.run(run_id)
        assert info.state is RunState.INTERRUPTED and info.owner is None
        assert await run_to_the_end(journal, tp, action, run_id) is RunState.DONE
        for key in keys:
            assert (await tp.get_device(key)).name == f"cancel-{key}"


async def test_two_runners_never_run_one_run(sim_with_ops: Any, journal: Journal) -> None:
    _, tp, action, run_id, _ = await _slow_run(sim_with_ops, journal, 100)
    async with tp:
        first = Runner(journal, tp, action, run_id, rate_limit=1000, concurrency=2)
        task = asyncio.create_task(first.run())
        await wait_for(journal, run_id, 2)
        with pytest.raises(RunClaimed, match=r"process \d+"):
            await Runner(journal, tp, action, run_id, rate_limit=1000).run()
        first.cancel()
        assert (await task).state is RunState.CANCELLED


# ------------------------------------------------------------------------------ resume after a crash


async def _crashed(journal: Journal, run_id: int, sending: list[int]) -> None:
    """What a process killed mid-run leaves: its targets `sending`, its owner gone."""
    dead = "gone-host/1/dead"
    journal.claim(run_id, dead)
    for index in sending:
        assert await journal.begin(run_id, index, dead)
    journal._conn.execute("UPDATE runs SET lease = 0 WHERE id = ?", (run_id,))


async def test_a_resumed_create_is_looked_up_before_it_is_sent_again(
    sim_with_ops: Any, journal: Journal
) -> None:
    server, ops = sim_with_ops(devices=30)
    async with thingpark(server) as tp:
        rows = await lorawan_rows(tp, 10)
        action = make_action(tp, "create:lorawan", {})
        run_id = journal.create_run("lab", tp.name, action, rows)
        await _crashed(journal, run_id, [0, 1, 2, 3])
        for row in rows[:2]:  # the dead process's first two calls had gone through
            await action.apply(row)
        assert journal.run(run_id).state is RunState.INTERRUPTED
        info = await Runner(journal, tp, action, run_id, rate_limit=1000).run()
        assert info.state is RunState.DONE and info.count(TargetState.DONE) == 10
        assert [ops(row.values["eui"], "create") for row in rows] == [1] * 10
        messages = [t.message for t in journal.targets(run_id)]
        assert messages[0] == "created before the interruption"
        assert messages[2] is None  # not found: sent again, and done


async def test_a_resumed_edit_is_sent_again_and_a_downlink_left_uncertain(
    sim_with_ops: Any, journal: Journal
) -> None:
    server, ops = sim_with_ops(devices=60)
    async with thingpark(server) as tp:
        keys = await device_keys(tp, 6)
        edit = make_action(tp, "edit:name", {})
        edits = journal.create_run("lab", tp.name, edit, renames(keys, "again"))
        await _crashed(journal, edits, [0, 1])
        assert (
            await Runner(journal, tp, edit, edits, rate_limit=1000).run()
        ).state is RunState.DONE
        assert [ops(key, "update") for key in keys] == [1] * 6

        downlink = make_action(tp, "command:downlink", {"payload_hex": "01", "fport": 3})
        run_id = journal.create_run("lab", tp.name, downlink, [Target(k, k) for k in keys])
        await _crashed(journal, run_id, [0, 1])
        await downlink.apply(Target(keys[0]))  # the dead process had sent the first one
        info = await Runner(journal, tp, downlink, run_id, rate_limit=1000).run()
        assert info.state is RunState.DONE
        assert info.counts == {TargetState.UNCERTAIN: 2, TargetState.DONE: 4}
        assert [ops(key, "downlink") for key in keys] == [1, 0, 1, 1, 1, 1]  # never twice
        # the user decides: the second was never sent, send it; nothing else moves
        assert journal.decide(run_id, [1], resend=True) == 1
        assert journal.decide(run_id, [0], resend=False) == 1
        info = await Runner(journal, tp, downlink, run_id, rate_limit=1000).run()
        assert info.counts == {TargetState.SKIPPED: 1, TargetState.DONE: 5}
        assert [ops(key, "downlink") for key in keys] == [1] * 6


# ------------------------------------------------------------------------------ a platform gone


async def test_a_platform_gone_silent_stops_the_run_interrupted_with_nothing_failed(
    make_sim: Callable[..., SimServer], journal: Journal
) -> None:
    server = make_sim(devices=200, latency_ms=20)
    fast = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.02)
    async with thingpark(server, retry=fast) as tp:
        keys = await device_keys(tp, 150)
        action = make_action(tp, "edit:name", {})
        run_id = journal.create_run("lab", tp.name, action, renames(keys, "silent"))
        runner = Runner(journal, tp, action, run_id, rate_limit=1000, concurrency=2)
        runner.BACKOFF_SECONDS = 0.01
        task = asyncio.create_task(runner.run())
        await wait_for(journal, run_id, 5)
        await asyncio.to_thread(server.stop)
        info = await task
    assert info.state is RunState.INTERRUPTED
    assert "did not answer" in (info.message or "")
    assert info.count(TargetState.FAILED) == 0 and info.count(TargetState.SENDING) == 0
    assert info.count(TargetState.PENDING) > 0


async def test_a_target_whose_input_is_refused_fails_without_a_call(
    sim_with_ops: Any, journal: Journal
) -> None:
    server, ops = sim_with_ops(devices=30)
    async with thingpark(server) as tp:
        rows = await lorawan_rows(tp, 2)
        bad = Target("", "line 9", {**rows[0].values, "eui": "NOT-HEX", "app_key": APP_KEY})
        action = make_action(tp, "create:lorawan", {})
        run_id = journal.create_run("lab", tp.name, action, [bad, rows[1]])
        info = await Runner(journal, tp, action, run_id, rate_limit=1000).run()
    assert info.counts == {TargetState.FAILED: 1, TargetState.DONE: 1}
    failed = journal.targets(run_id)[0]
    assert failed.message.startswith("eui:") and APP_KEY not in failed.message
    assert ops.total("create") == 1


# ------------------------------------------------------------------------------ answers lost


def lossy_sim(
    make_sim: Callable[..., SimServer], suffix: str, every: int, **knobs: Any
) -> tuple[SimServer, SimOps]:
    """A simulator whose every `every`-th POST to a path ending in `suffix` is done and its
    answer lost."""
    server = make_sim(**knobs)
    ops = SimOps(server)
    server.app.add_middleware(_LoseAnswers, method="POST", suffix=suffix, every=every)
    return server, ops


async def plan_and_run(
    journal: Journal, tp: ThingPark, action_id: str, params: dict[str, Any], targets: list[Target]
) -> tuple[int, RunInfo]:
    action = make_action(tp, action_id, params)
    run_id = journal.create_run("lab", tp.name, action, targets)
    return run_id, await Runner(journal, tp, action, run_id, rate_limit=1000, concurrency=1).run()


async def test_a_create_whose_answer_is_lost_is_found_and_not_made_twice(
    make_sim: Callable[..., SimServer], journal: Journal
) -> None:
    server, ops = lossy_sim(make_sim, "/devices", 3, devices=30)
    async with thingpark(server) as tp:
        rows = await lorawan_rows(tp, 12)
        run_id, info = await plan_and_run(journal, tp, "create:lorawan", {}, rows)
    assert info.counts == {TargetState.DONE: 12}
    assert [ops(row.values["eui"], "create") for row in rows] == [1] * 12
    found = [t for t in journal.targets(run_id) if t.status == 502]
    assert len(found) == 4 and all("found on the platform" in (t.message or "") for t in found)


async def test_a_downlink_whose_answer_is_lost_is_uncertain_never_sent_twice(
    make_sim: Callable[..., SimServer], journal: Journal
) -> None:
    server, ops = lossy_sim(make_sim, "/admins/downlink", 4, devices=60)
    async with thingpark(server) as tp:
        keys = await device_keys(tp, 8)
        downlink = {"payload_hex": "0A", "fport": 9}
        targets = [Target(k, k) for k in keys]
        _, info = await plan_and_run(journal, tp, "command:downlink", downlink, targets)
    assert info.counts == {TargetState.DONE: 6, TargetState.UNCERTAIN: 2}
    assert [ops(key, "downlink") for key in keys] == [1] * 8  # sent once each, whatever we heard
