"""Bulk runs in the console: started from a plan, going on while the user browses, followed in
`:bulk`, reported with the vendor's words, exported, re-run, decided, stopped and resumed; on
the real app, its journal and the real simulator, whose own counters (`/_sim/ops`) say what
each target really got."""

from __future__ import annotations

import asyncio
import json
import socket
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest
from textual.widgets import DataTable, Input

from tests.app.conftest import SIZES, notifications, wait_for
from tests.app.test_bulk import downlink_plan, menu
from tests.app.test_devices import loaded, table
from tui.api.actions import make_action
from tui.api.bulk import RunState, Target, TargetState
from tui.api.journal import Journal, RunInfo
from tui.screens.bulk import BulkScreen, RunScreen, duration, progress_bar
from tui.screens.bulk_plan import ActionMenu, PlanScreen
from tui.screens.confirm import ConfirmScreen

#: the owner of a run whose process died (this host, a pid that no process has)
DEAD = f"{socket.gethostname()}/999999999/dead"
#: a fixed time for the runs shown in snapshots (2026-11-18 20:26:40 UTC)
FROZEN_AT = 1_795_033_600.0


def sim_ops(app: Any) -> dict[str, dict[str, int]]:
    """What the app's simulator says ThingPark did, per target."""
    answer = httpx.get(f"{app.simulator.ensure()}/_sim/ops", timeout=10)
    answer.raise_for_status()
    return answer.json()["thingpark"]


def runs() -> list[RunInfo]:
    with Journal() as journal:
        return journal.runs()


async def settled(pilot: Any, app: Any, count: int = 1, timeout: float = 30) -> list[RunInfo]:
    """Wait until `count` runs exist, every one done, none running in this app; the runs,
    newest first."""

    def over() -> bool:
        found = runs()
        return (
            len(found) >= count
            and not app.runs.live
            and all(run.state is RunState.DONE for run in found)
        )

    await wait_for(pilot, over, timeout)
    return runs()


def freeze_times(journal_path: Path) -> None:
    """Give every run the same times, so that snapshots do not depend on the day."""
    with sqlite3.connect(journal_path) as conn:
        conn.execute(
            "UPDATE runs SET created = ?, started = ?, finished = CASE WHEN finished IS NULL "
            "THEN NULL ELSE ? END",
            (FROZEN_AT, FROZEN_AT + 60, FROZEN_AT + 120),
        )


#: what a dead process left of a target: its state, and what the platform said (a failure)
Left = TargetState | tuple[TargetState, str, str]


async def left_by_a_dead_process(
    app: Any, action_id: str, params: dict[str, Any], targets: list[Target], left: list[Left]
) -> int:
    """A run of the app's profile that a process claimed and died in, its first targets left as
    `left` says (done, failed with a code and message, or sending: begun, never settled), the
    others pending; released as done when every target is settled. Its number."""
    journal = Journal()
    action = make_action(app.platform, action_id, params)
    run_id = journal.create_run(app.profile_name, app.platform.name, action, targets)
    assert journal.claim(run_id, DEAD)
    for index, what in enumerate(left):
        assert await journal.begin(run_id, index, DEAD)
        if isinstance(what, tuple):
            state, code, message = what
            await journal.settle(run_id, index, DEAD, state, status=400, code=code, message=message)
        elif what is not TargetState.SENDING:
            await journal.settle(run_id, index, DEAD, what)
    if len(left) == len(targets) and TargetState.SENDING not in left:
        journal.release(run_id, DEAD, RunState.DONE)
    journal.close()
    return run_id


async def mark(pilot: Any, n: int) -> None:
    """Mark the first `n` rows of the list."""
    for _ in range(n):
        await pilot.press("space", "down")


async def goto(pilot: Any, app: Any, view: str) -> None:
    app.goto(view)
    await wait_for(pilot, lambda: getattr(app.screen, "VIEW", "") == view)


# --------------------------------------------------------------------------- runs


async def test_a_delete_run_deletes_each_marked_device_once_and_the_list_drops_them(
    make_app,
) -> None:
    app = make_app(devices=50)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, app)
        await mark(pilot, 3)
        keys = set(screen.marked)
        await menu(pilot, app)
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, PlanScreen))
        await pilot.press(*"3", "ctrl+s")
        [run] = await settled(pilot, app)
        assert run.state is RunState.DONE and run.count(TargetState.DONE) == 3
        assert run.action_id == "delete" and run.profile == app.profile_name
        assert not screen.marked  # the run has them now
        await wait_for(pilot, lambda: all(table(app).rows.find(k) is None for k in keys))
        assert any("Bulk run #1 done: Delete devices: 3 done" in n for n in notifications(app))
        ops = sim_ops(app)
        assert {k: ops[k] for k in keys} == {k: {"delete": 1} for k in keys}
        with Journal() as journal:
            journal.flush()
            audit = journal.audit(run_id=run.id)
        assert sorted(a.target for a in audit) == sorted(keys)
        assert {(a.method, a.result) for a in audit} == {("DELETE", "ok")}


async def test_a_run_goes_on_while_the_user_browses_and_the_bulk_view_follows_it(
    make_app,
) -> None:
    app = make_app(devices=60, latency_ms=150)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, app)
        await mark(pilot, 12)
        keys = set(screen.marked)
        await downlink_plan(pilot, app)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: bool(app.runs.live))
        await goto(pilot, app, "alarms")  # browsing meanwhile: the run is not the screen's
        await pilot.press("down", "down")
        await goto(pilot, app, "bulk")
        bulk = app.screen
        assert isinstance(bulk, BulkScreen)
        await wait_for(pilot, lambda: bool(bulk.run_list))
        if app.runs.live:
            assert bulk.run_list[0].state is RunState.RUNNING
        [_run] = await settled(pilot, app)
        await wait_for(pilot, lambda: bulk.run_list[0].state is RunState.DONE)
        cells = bulk.table.get_row_at(0)
        assert "100%" in str(cells[3]) and str(cells[4]) == "12"
        assert {k: sim_ops(app)[k] for k in keys} == {k: {"downlink": 1} for k in keys}
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RunScreen))
        report = app.screen
        await wait_for(pilot, lambda: len(report.rows) == 12)  # all went well: every target
        assert {row.key for row in report.rows} == keys


async def test_failures_show_the_vendors_code_and_message_export_and_rerun(
    make_app, tmp_path: Path
) -> None:
    app = make_app(devices=50)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await loaded(pilot, app)
        keys = [table(app).rows.row(i)[0] for i in range(3)]
        rows = tmp_path / "connections.csv"
        rows.write_text("key,connection_keys\n" + "".join(f"{k},NOPE\n" for k in keys))
        await menu(pilot, app)
        await pilot.press("2")  # Set the connections of each device from a CSV file
        await wait_for(pilot, lambda: screen.prompt.is_open)
        screen.prompt.query_one(Input).value = str(rows)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PlanScreen))
        await pilot.press("ctrl+s")
        [run] = await settled(pilot, app)
        assert run.count(TargetState.FAILED) == 3
        assert any(":bulk shows the report" in n for n in notifications(app))
        await goto(pilot, app, "bulk")
        await wait_for(pilot, lambda: bool(app.screen.run_list))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RunScreen))
        report = app.screen
        await wait_for(pilot, lambda: len(report.rows) == 3)
        assert {(r.status, r.code) for r in report.rows} == {(400, "40001")}
        assert all("Unknown appServer NOPE" in (r.message or "") for r in report.rows)
        shown = report.query_one(DataTable).get_row_at(0)
        assert str(shown[6]) == "40001" and "Unknown appServer NOPE" in str(shown[7])
        # The report, exported: each failure with the platform's words.
        await pilot.press("e")
        await wait_for(pilot, lambda: report.prompt.is_open)
        report.prompt.query_one(Input).value = str(tmp_path / "report.jsonl")
        await pilot.press("enter")
        await wait_for(pilot, lambda: (tmp_path / "report.jsonl").exists())
        lines = [json.loads(x) for x in (tmp_path / "report.jsonl").read_text().splitlines()]
        assert [(x["key"], x["state"], x["code"]) for x in lines] == [
            (k, "failed", "40001") for k in keys
        ]
        # A re-run of just the failed targets: a new run, child of the first.
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        second, first = await settled(pilot, app, count=2)
        assert second.parent == first.id and second.total == 3
        assert second.count(TargetState.FAILED) == 3
        assert "(failed of #1)" in second.title


async def test_an_interrupted_run_resumes_when_its_profile_opens(make_app) -> None:
    app = make_app(devices=40)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        keys = [table(app).rows.row(i)[0] for i in range(6)]
        # A process that died half-way: two targets sent, one sending, three pending.
        run_id = await left_by_a_dead_process(
            app,
            "command:downlink",
            {"payload_hex": "0A", "fport": 3},
            [Target(k, k) for k in keys],
            [TargetState.DONE, TargetState.DONE, TargetState.SENDING],
        )
        app.switch_profile(app.profile_name)  # as a new console opening the profile
        [run] = await settled(pilot, app)
        assert any(f"Bulk run #{run_id} resumed" in n for n in notifications(app))
        assert run.state is RunState.DONE
        # The one in flight when the process died cannot be looked up: uncertain, not resent.
        assert (run.count(TargetState.DONE), run.count(TargetState.UNCERTAIN)) == (5, 1)
        ops = sim_ops(app)
        assert [ops.get(k, {}).get("downlink", 0) for k in keys] == [0, 0, 0, 1, 1, 1]
        # The user decides: skip it.
        await goto(pilot, app, "bulk")
        await wait_for(pilot, lambda: bool(app.screen.run_list))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RunScreen))
        report = app.screen
        await wait_for(pilot, lambda: len(report.rows) == 1)
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, ActionMenu))
        await pilot.press("k")
        await wait_for(pilot, lambda: runs()[0].count(TargetState.SKIPPED) == 1)
        assert sim_ops(app).get(keys[2], {}).get("downlink", 0) == 0


async def test_uncertain_targets_sent_again_when_the_user_says_so(make_app) -> None:
    app = make_app(devices=20)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        key = table(app).rows.row(0)[0]
        await left_by_a_dead_process(
            app,
            "command:downlink",
            {"payload_hex": "0B", "fport": 4},
            [Target(key, key)],
            [TargetState.SENDING],
        )
        app.switch_profile(app.profile_name)
        [run] = await settled(pilot, app)
        assert run.count(TargetState.UNCERTAIN) == 1
        await goto(pilot, app, "bulk")
        await wait_for(pilot, lambda: bool(app.screen.run_list))
        await pilot.press("u")
        await wait_for(pilot, lambda: isinstance(app.screen, ActionMenu))
        await pilot.press("s")
        await wait_for(pilot, lambda: runs()[0].count(TargetState.DONE) == 1, 30)
        assert sim_ops(app)[key] == {"downlink": 1}


async def test_read_only_resumes_nothing_and_offers_no_change(make_app) -> None:
    app = make_app(devices=20, readonly=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        key = table(app).rows.row(0)[0]
        await left_by_a_dead_process(app, "delete", {}, [Target(key, key)], [])
        app.switch_profile(app.profile_name)
        await wait_for(
            pilot, lambda: any("not resumed: read-only" in n for n in notifications(app))
        )
        await goto(pilot, app, "bulk")
        bulk = app.screen
        await wait_for(pilot, lambda: bool(bulk.run_list))
        for action in ("resume", "rerun_failed", "decide"):
            assert bulk.check_action(action, ()) is False
        assert bulk.check_action("export_report", ()) is True
        shown = {b.binding.action for b in bulk.active_bindings.values() if b.enabled}
        assert "resume" not in shown
        app.resume_run(bulk.run_list[0])
        await pilot.pause(0.5)
        assert not app.runs.live and runs()[0].state is RunState.INTERRUPTED
        assert "delete" not in sim_ops(app).get(key, {})


async def test_quit_with_a_run_going_asks_once_then_stops_it_resumable(make_app) -> None:
    app = make_app(devices=80)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot, app)
        await mark(pilot, 60)  # 6 seconds at the demo profile's 10 requests a second
        await downlink_plan(pilot, app)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: bool(app.runs.live))
        await pilot.press("q")
        await pilot.pause()
        assert app.is_running
        assert any("q again stops it" in n for n in notifications(app))
        await pilot.press("q")
    [run] = runs()
    assert run.state is RunState.INTERRUPTED
    assert (run.message or "").startswith("stopped: fleet quit")
    # Nothing left in flight: each target sent once (done) or not at all (pending).
    assert run.count(TargetState.SENDING) == 0 and run.count(TargetState.UNCERTAIN) == 0
    assert run.count(TargetState.DONE) + run.count(TargetState.PENDING) == 60
    assert run.count(TargetState.PENDING) > 0


# --------------------------------------------------------------------------- cells


def test_progress_bar_shows_each_state_and_never_hides_a_failure() -> None:
    run = RunInfo(
        id=1,
        created=0,
        profile="p",
        platform="thingpark",
        action_id="delete",
        params={},
        title="Delete devices",
        state=RunState.RUNNING,
        total=1_000_000,
        counts={TargetState.DONE: 500_000, TargetState.FAILED: 1, TargetState.PENDING: 499_999},
    )
    bar = progress_bar(run, 10)
    assert bar.plain == "█████" + "█" + "░░░░" + "  50%"
    styles = {str(span.style) for span in bar.spans}
    assert {"green", "red", "dim"} <= styles


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(None, "·"), (0.2, "0s"), (59.4, "59s"), (61, "1m01s"), (3600 * 2 + 600, "2h10m")],
)
def test_duration(seconds: float | None, shown: str) -> None:
    assert duration(seconds) == shown


# --------------------------------------------------------------------------- snapshots


async def _runs_for_snapshot(pilot: Any, app: Any, tmp_path: Path) -> None:
    """Three runs: one done with failures, one done, and one a hung platform keeps running."""
    await wait_for(pilot, lambda: app.platform is not None)
    keys = [f"0004A30B0000{i:04X}" for i in range(30)]
    downlink = {"payload_hex": "01A0", "fport": 2}
    await left_by_a_dead_process(
        app,
        "command:downlink",
        downlink,
        [Target(k, k) for k in keys[:10]],
        [TargetState.DONE] * 10,
    )
    failed = (TargetState.FAILED, "40001", "Unknown appServer NOPE")
    await left_by_a_dead_process(
        app,
        "edit:connections",
        {},
        [Target(k, f"sensor-{i}", {"connection_keys": ["NOPE"]}) for i, k in enumerate(keys[:4])],
        [TargetState.DONE, failed, failed, TargetState.DONE],
    )
    journal = Journal()
    platform = app.platform
    ok = make_action(platform, "command:downlink", downlink)
    third = journal.create_run(
        app.profile_name, platform.name, ok, [Target(k, k) for k in keys[10:30]]
    )
    run = await asyncio.to_thread(journal.run, third)
    app.launch_run(journal, run, ok, platform, app.profile)
    await wait_for(pilot, lambda: journal.counts(third).get(TargetState.SENDING, 0) == 8)
    freeze_times(tmp_path / "journal.db")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_bulk_view(snap_compare, make_app, size, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr("tui.app.RUNS_STOP_SECONDS", 0.2)
    app = make_app(view="bulk", devices=20, latency_ms=60_000)

    async def run_before(pilot: Any) -> None:
        await _runs_for_snapshot(pilot, app, tmp_path)
        bulk = app.screen
        await wait_for(
            pilot,
            lambda: len(bulk.run_list) == 3 and bulk.run_list[0].count(TargetState.SENDING) == 8,
        )
        await pilot.pause(1.2)  # one more read of the frozen times
        app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_run_report(snap_compare, make_app, size, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr("tui.app.RUNS_STOP_SECONDS", 0.2)
    app = make_app(view="bulk", devices=20, latency_ms=60_000)

    async def run_before(pilot: Any) -> None:
        await _runs_for_snapshot(pilot, app, tmp_path)
        bulk = app.screen
        await wait_for(pilot, lambda: len(bulk.run_list) == 3)
        await pilot.press("down")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RunScreen))
        await wait_for(pilot, lambda: len(app.screen.rows) == 2)
        app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshot_no_runs_yet(snap_compare, make_app, size) -> None:
    app = make_app(view="bulk", devices=20)

    async def run_before(pilot: Any) -> None:
        await wait_for(pilot, lambda: app.screen.query_one("#bulk-state").state == "empty")
        app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


async def test_a_report_shows_vendor_and_user_text_as_data(make_app) -> None:
    """Markup and escape sequences in a target's name and in a vendor message stay text."""
    app = make_app(view="bulk", devices=10)
    hostile = "[bold red]x[/] \x1b[31mred\x1b[0m [/]"
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.platform is not None)
        await left_by_a_dead_process(
            app, "delete", {}, [Target("k1", hostile)], [(TargetState.FAILED, "[/]", hostile)]
        )
        await wait_for(pilot, lambda: bool(app.screen.run_list))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RunScreen) and app.screen.rows)
        report = app.screen
        shown = report.query_one(DataTable).get_row_at(0)
        assert str(shown[2]) == "[bold red]x[/] ␛[31mred␛[0m [/]"
        assert str(shown[6]) == "[/]"
        detail = str(report.query_one("#run-target").render())
        assert "␛[31mred" in detail and "\x1b" not in detail
