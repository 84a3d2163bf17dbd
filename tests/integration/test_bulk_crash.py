"""Crash tests: `python -m tui bulk run N` in a real subprocess, on a real profile pointing at a
simulator on loopback, killed with `kill -9` at random points (seeded), then run again until
the run is done. Every target is done exactly once, counted on the simulator's side; a
downlink whose call may have gone through before a kill is `uncertain`, never sent twice."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.integration.test_bulk_runner import SimOps, device_keys, lorawan_rows, thingpark
from tui.api.actions import make_action
from tui.api.bulk import RunState, Target, TargetState
from tui.api.errors import ApiError
from tui.api.journal import Journal, RunInfo
from tui.sim import SimServer
from tui.sim.credentials import THINGPARK_CLIENT_ID, THINGPARK_CLIENT_SECRET

KILLS = 4
TARGETS = 160


class Crashes:
    """A real profile on a simulator, a journal, and `fleet bulk run` in subprocesses."""

    def __init__(self, tmp_path: Path, server: SimServer) -> None:
        self.server = server
        self.ops = SimOps(server)
        config = tmp_path / "config.toml"
        config.write_text(
            f'[profiles.crash]\nplatform = "thingpark"\nbase_url = "{server.base_url}"\n'
            f'client_id = "{THINGPARK_CLIENT_ID}"\nrate_limit = 80\n'
        )
        self.env = {
            **os.environ,
            "FLEET_CONFIG": str(config),
            "FLEET_JOURNAL": str(tmp_path / "journal.db"),
            "FLEET_CRASH_CLIENT_SECRET": THINGPARK_CLIENT_SECRET,
            "PYTHONUNBUFFERED": "1",
        }
        self.journal = Journal(self.env["FLEET_JOURNAL"])
        self.outputs: list[str] = []

    def plan(self, action_id: str, params: dict[str, Any], targets: list[Target]) -> int:
        async def made() -> int:
            async with thingpark(self.server) as tp:
                action = make_action(tp, action_id, params)
                return self.journal.create_run("crash", tp.name, action, targets, rate_limit=80)

        return asyncio.run(made())

    def _start(self, run_id: int, verb: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "tui", "bulk", verb, str(run_id)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=self.env,
        )

    def kill_at_random(self, run_id: int, rng: random.Random) -> None:
        """Start the run and `kill -9` it once it has settled a random number of targets more
        (none at all, at times: a kill while it claims and resumes), after a random moment."""
        before = self.journal.run(run_id).settled
        more = rng.choice([0, 1, 5, 10, 20, 30])
        proc = self._start(run_id, rng.choice(["run", "resume"]))
        try:
            while self.journal.run(run_id).settled < before + more and proc.poll() is None:
                time.sleep(0.01)
            time.sleep(rng.uniform(0, 0.3))
        finally:
            proc.send_signal(signal.SIGKILL)
            out, _ = proc.communicate(timeout=30)
            self.outputs.append(out)

    def finish(self, run_id: int) -> RunInfo:
        """Run it again until it is done, as a user would."""
        for _ in range(5):
            proc = self._start(run_id, "resume")
            out, _ = proc.communicate(timeout=300)
            self.outputs.append(out)
            assert "Traceback" not in out, out
            info = self.journal.run(run_id)
            if info.state is RunState.DONE:
                return info
        raise AssertionError(f"run {run_id} never finished: {info}\n{out}")

    def crash_and_finish(self, run_id: int, seed: int) -> RunInfo:
        rng = random.Random(seed)
        for _ in range(KILLS):
            self.kill_at_random(run_id, rng)
            assert self.journal.run(run_id).state in (RunState.INTERRUPTED, RunState.DONE)
        return self.finish(run_id)


@pytest.fixture
def crashes(tmp_path: Path, make_sim: Callable[..., SimServer]) -> Crashes:
    return Crashes(tmp_path, make_sim(devices=2 * TARGETS + 100, latency_ms=15))


def _get(server: SimServer, key: str) -> Any:
    async def get() -> Any:
        async with thingpark(server) as tp:
            try:
                return await tp.get_device(key)
            except ApiError as exc:
                if exc.status == 404:
                    return None
                raise

    return asyncio.run(get())


def _keys(server: SimServer, n: int) -> list[str]:
    async def keys() -> list[str]:
        async with thingpark(server) as tp:
            return await device_keys(tp, n)

    return asyncio.run(keys())


def test_creates_killed_and_resumed_make_each_device_once(crashes: Crashes) -> None:
    async def rows() -> list[Target]:
        async with thingpark(crashes.server) as tp:
            return await lorawan_rows(tp, TARGETS, prefix="C4A5E000")

    targets = asyncio.run(rows())
    run_id = crashes.plan("create:lorawan", {}, targets)
    info = crashes.crash_and_finish(run_id, seed=11)
    assert info.counts == {TargetState.DONE: TARGETS}, crashes.outputs[-1]
    for row in targets:
        eui = row.values["eui"]
        assert crashes.ops(eui, "create") == 1, eui
        assert _get(crashes.server, eui).name == row.values["name"]


def test_renames_killed_and_resumed_end_with_every_new_name(crashes: Crashes) -> None:
    keys = _keys(crashes.server, TARGETS)
    run_id = crashes.plan("edit:name", {}, [Target(k, k, {"name": f"crash-{k}"}) for k in keys])
    info = crashes.crash_and_finish(run_id, seed=22)
    assert info.counts == {TargetState.DONE: TARGETS}
    for key in keys:
        # an idempotent PUT may be sent again after a kill: harmless, and never lost
        assert crashes.ops(key, "update") >= 1
        assert _get(crashes.server, key).name == f"crash-{key}"


def test_deletes_killed_and_resumed_delete_each_device_once(crashes: Crashes) -> None:
    keys = _keys(crashes.server, TARGETS)
    run_id = crashes.plan("delete", {}, [Target(k, k) for k in keys])
    info = crashes.crash_and_finish(run_id, seed=33)
    assert info.counts == {TargetState.DONE: TARGETS}
    for key in keys:
        assert crashes.ops(key, "delete") == 1
        assert _get(crashes.server, key) is None


def test_downlinks_killed_and_resumed_are_never_sent_twice(crashes: Crashes) -> None:
    keys = _keys(crashes.server, TARGETS)
    params = {"payload_hex": "0A1B2C", "fport": 12}
    run_id = crashes.plan("command:downlink", params, [Target(k, k) for k in keys])
    info = crashes.crash_and_finish(run_id, seed=44)
    assert info.remaining == 0 and info.count(TargetState.FAILED) == 0
    assert info.count(TargetState.UNCERTAIN) >= 1  # some were in flight when a kill came
    for row in crashes.journal.targets(run_id):
        sent = crashes.ops(row.key, "downlink")
        if row.state is TargetState.DONE:
            assert sent == 1, row
        else:
            assert row.state is TargetState.UNCERTAIN and sent in (0, 1), row
