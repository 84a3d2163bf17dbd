"""The bulk journal: runs and targets, claims and leases across processes, the runner's
transitions (group-committed), the user's decisions, sealed secrets and the audit log."""

from __future__ import annotations

import asyncio
import base64
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, Field

from tui.api.bulk import Action, ActionKind, RunState, Target, TargetState, current_run
from tui.api.forms import FormSpec, ui
from tui.api.http import CallRecord
from tui.api.journal import (
    LEASE_SECONDS,
    Journal,
    JournalError,
    journal_path,
    new_owner,
    owner_alive,
)

APP_KEY = "C0FFEE00C0FFEE00C0FFEE00C0FFEE00"
PARAM_SECRET = "param-secret-4242"


class Row(BaseModel):
    name: str
    app_key: str = Field(json_schema_extra=ui(secret=True))


class CreateThings(Action):
    id = "create:thing"
    title = "Create things"
    kind = ActionKind.CREATE
    spec = FormSpec("thing", "thing", Row)

    @property
    def params(self) -> dict[str, Any]:
        return {"colour": "red", "app_key": PARAM_SECRET}

    async def apply(self, target: Target) -> str:
        return target.key


class Delete(Action):
    id = "delete"
    title = "Delete devices"
    kind = ActionKind.IDEMPOTENT

    async def apply(self, target: Target) -> str:
        return target.key


def rows(n: int) -> list[Target]:
    return [
        Target("", f"row {i}", {"name": f"thing-{i}", "app_key": APP_KEY}, {"line": str(i + 2)})
        for i in range(n)
    ]


def devices(n: int) -> list[Target]:
    return [Target(f"70B3D5E75E{i:06X}", f"device {i}") for i in range(n)]


@pytest.fixture
def journal(tmp_path: Path) -> Journal:
    with Journal(tmp_path / "journal.db") as opened:
        yield opened


def test_the_journal_lives_where_fleet_journal_says(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FLEET_JOURNAL", str(tmp_path / "elsewhere.db"))
    assert journal_path() == tmp_path / "elsewhere.db"
    monkeypatch.delenv("FLEET_JOURNAL")
    assert journal_path().name == "journal.db" and "fleet" in str(journal_path())


def test_the_suite_never_writes_the_users_journal() -> None:
    assert "pytest" in os.environ["FLEET_JOURNAL"] or "tmp" in os.environ["FLEET_JOURNAL"]


def test_a_database_in_wal_mode_with_full_sync_readable_by_its_owner_only(
    journal: Journal,
) -> None:
    conn = sqlite3.connect(journal.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert journal._conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert journal._conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 1000
    assert journal.path.stat().st_mode & 0o777 == 0o600


def test_a_journal_of_a_newer_fleet_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    Journal(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(JournalError, match="newer fleet"):
        Journal(path)


# ------------------------------------------------------------------------------ runs and targets


def test_a_planned_run_and_its_targets(journal: Journal) -> None:
    run_id = journal.create_run("prod", "thingpark", Delete(), devices(5), rate_limit=20)
    run = journal.run(run_id)
    assert (run.state, run.total, run.title, run.action_id) == (
        RunState.PLANNED,
        5,
        "Delete devices",
        "delete",
    )
    assert run.counts == {TargetState.PENDING: 5} and run.remaining == 5
    assert run.rate == 0 and run.eta is None and run.rate_limit == 20
    assert [t.index for t in journal.targets(run_id)] == [0, 1, 2, 3, 4]
    assert [t.index for t in journal.targets(run_id, offset=1, limit=2)] == [1, 2]
    assert journal.targets(run_id)[3].target == devices(5)[3]
    assert journal.targets(run_id, [TargetState.DONE]) == []
    assert [r.id for r in journal.runs("prod")] == [run_id]
    assert journal.runs("other") == []
    with pytest.raises(JournalError, match="no bulk run 99"):
        journal.run(99)


def test_runs_are_listed_newest_first(journal: Journal) -> None:
    first = journal.create_run("a", "thingpark", Delete(), devices(1))
    second = journal.create_run("b", "thingpark", Delete(), devices(1), title="Tidy up")
    assert [r.id for r in journal.runs()] == [second, first]
    assert journal.run(second).title == "Tidy up"


# ------------------------------------------------------------------------------ secrets


def _on_disk(journal: Journal) -> bytes:
    journal.flush()
    found = b""
    for suffix in ("", "-wal"):
        path = Path(str(journal.path) + suffix)
        if path.exists():
            found += path.read_bytes()
    return found


def _spellings(secret: str) -> list[bytes]:
    raw = secret.encode()
    return [
        raw,
        raw.lower(),
        base64.b64encode(raw),
        base64.urlsafe_b64encode(raw),
        raw.hex().encode(),
        raw.hex().upper().encode(),
    ]


async def test_secret_fields_are_sealed_on_disk_and_opened_for_the_runner(
    journal: Journal,
) -> None:
    run_id = journal.create_run("prod", "thingpark", CreateThings(), rows(3))
    disk = _on_disk(journal)
    for secret in (APP_KEY, PARAM_SECRET):
        for spelled in _spellings(secret):
            assert spelled not in disk, spelled
    assert journal.run(run_id).params == {"colour": "red"}
    assert journal.targets(run_id)[0].values == {"name": "thing-0"}
    # what the runner and make_action get back
    assert journal.params(run_id) == {"colour": "red", "app_key": PARAM_SECRET}
    (index, target), *_ = journal.work(run_id, TargetState.PENDING)
    assert index == 0 and target.values == {"name": "thing-0", "app_key": APP_KEY}
    key_file = Path(str(journal.path) + ".key")
    assert key_file.stat().st_mode & 0o777 == 0o600


async def test_a_done_target_keeps_no_sealed_secret(journal: Journal) -> None:
    run_id = journal.create_run("prod", "thingpark", CreateThings(), rows(2))
    owner = new_owner()
    assert journal.claim(run_id, owner)
    assert await journal.begin(run_id, 0, owner)
    assert await journal.settle(run_id, 0, owner, TargetState.DONE, key="NEWKEY")
    sealed = journal._conn.execute(
        "SELECT idx, sealed FROM targets WHERE run_id = ? ORDER BY idx", (run_id,)
    ).fetchall()
    assert sealed[0] == (0, None) and sealed[1][1]
    assert journal.targets(run_id)[0].key == "NEWKEY"  # the created device's key


def test_without_its_key_file_a_journal_does_not_guess_secrets(journal: Journal) -> None:
    run_id = journal.create_run("prod", "thingpark", CreateThings(), rows(1))
    Path(str(journal.path) + ".key").unlink()
    reopened = Journal(journal.path)
    with pytest.raises(JournalError, match="key file"):
        reopened.params(run_id)
    (_, target), *_ = reopened.work(run_id, TargetState.PENDING)
    assert "app_key" not in target.values
    reopened.close()


# ------------------------------------------------------------------------------ claims and leases


def test_two_owners_never_hold_one_run(journal: Journal) -> None:
    run_id = journal.create_run("prod", "thingpark", Delete(), devices(2))
    first, second = new_owner(), new_owner()
    assert journal.claim(run_id, first)
    assert not journal.claim(run_id, second)
    run = journal.run(run_id)
    assert run.state is RunState.RUNNING and run.owner == first and run.owner_pid == os.getpid()
    assert journal.claim(run_id, first)  # its own claim, again


def test_a_lapsed_lease_frees_the_run(journal: Journal) -> None:
    run_id = journal.create_run("prod", "thingpark", Delete(), devices(2))
    far = "jump-host-elsewhere/4242/abcd"  # another host: only its lease speaks for it
    assert journal.claim(run_id, far)
    assert not journal.claim(run_id, new_owner())
    journal._conn.execute("UPDATE runs SET lease = ? WHERE id = ?", (time.time() - 1, run_id))
    assert journal.run(run_id).state is RunState.INTERRUPTED
    assert [r.id for r in journal.interrupted()] == [run_id]
    assert journal.claim(run_id, new_owner())


def _dead_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    return int(done.stdout)


def test_a_dead_owner_on_this_host_frees_the_run_at_once(journal: Journal) -> None:
    import socket

    run_id = journal.create_run("prod", "thingpark", Delete(), devices(2))
    gone = f"{socket.gethostname()}/{_dead_pid()}/dead"
    assert journal.claim(run_id, gone)  # its lease is fresh for LEASE_SECONDS …
    assert not owner_alive(gone, time.time() + LEASE_SECONDS)  # … but the process is gone
    assert journal.run(run_id).state is RunState.INTERRUPTED
    assert [r.id for r in journal.interrupted("prod")] == [run_id]
    assert journal.claim(run_id, new_owner())
    assert journal.interrupted() == []


def test_a_claim_held_by_a_live_process_is_refused_until_it_is_killed(journal: Journal) -> None:
    run_id = journal.create_run("prod", "thingpark", Delete(), devices(2))
    code = (
        "import sys\n"
        "from tui.api.journal import Journal, new_owner\n"
        f"print(Journal({str(journal.path)!r}).claim({run_id}, new_owner()), flush=True)\n"
        "sys.stdin.read()\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "True"  # type: ignore[union-attr]
        assert not journal.claim(run_id, new_owner())
        assert journal.run(run_id).owner_pid == holder.pid
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert journal.claim(run_id, new_owner())


async def test_the_heartbeat_renews_the_lease_and_brings_a_cancel(journal: Journal) -> None:
    run_id = journal.create_run("prod", "thingpark", Delete(), devices(2))
    owner = new_owner()
    journal.claim(run_id, owner)
    journal._conn.execute("UPDATE runs SET lease = ? WHERE id = ?", (time.time() + 1, run_id))
    lease = await journal.heartbeat(run_id, owner)
    assert lease.owned and not lease.cancel_requested
    assert journal._conn.execute("SELECT lease FROM runs").fetchone()[0] > time.time() + 5
    assert journal.request_cancel(run_id) is RunState.RUNNING  # asked, not done
    assert journal.run(run_id).cancel_requested
    assert (await journal.heartbeat(run_id, owner)).cancel_requested
    assert not (await journal.heartbeat(run_id, new_owner())).owned


def test_cancelling_a_run_nobody_runs_cancels_it_at_once(journal: Journal) -> None:
    run_id = journal.create_run("prod", "thingpark", Delete(), devices(2))
    assert journal.request_cancel(run_id) is RunState.CANCELLED
    assert journal.run(run_id).state is RunState.CANCELLED
    owner = new_owner()
    assert journal.claim(run_id, owner)  # a cancelled run resumes
    assert not journal.run(run_id).cancel_requested


def test_release_says_how_the_run_ended_only_for_its_owner(journal: Journal) -> None:
    run_id = journal.create_run("prod", "thingpark", Delete(), devices(2))
    owner = new_owner()
    journal.claim(run_id, owner)
    assert not journal.release(run_id, new_owner(), RunState.DONE)
    assert journal.release(run_id, owner, RunState.INTERRUPTED, "stopped by SIGTERM")
    run = journal.run(run_id)
    assert (run.state, run.message, run.owner) == (RunState.INTERRUPTED, "stopped by SIGTERM", None)
    assert run.finished is not None


# ------------------------------------------------------------------------------ transitions


async def test_sending_is_committed_before_the_call_and_settled_after(journal: Journal) -> None:
    run_id = journal.create_run("prod", "thingpark", Delete(), devices(3))
    owner = new_owner()
    journal.claim(run_id, owner)
    assert await journal.begin(run_id, 0, owner)
    other = sqlite3.connect(journal.path)  # another process sees it at once
    assert other.execute("SELECT state FROM targets WHERE idx = 0").fetchone() == ("sending",)
    assert not await journal.begin(run_id, 0, owner)  # it is not pending any more
    assert await journal.settle(
        run_id, 0, owner, TargetState.FAILED, status=404, code="40401", message="gone", sends=2
    )
    row = journal.targets(run_id)[0]
    assert (row.state, row.status, row.code, row.message, row.attempts) == (
        TargetState.FAILED,
        404,
        "40401",
        "gone",
        3,
    )
    assert not await journal.settle(run_id, 0, owner, TargetState.DONE)  # not sending


async def test_a_process_that_lost_the_run_can_neither_begin_nor_settle(journal: Journal) -> None:
    run_id = journal.create_run("prod", "thingpark", Delete(), devices(2))
    old, new = new_owner(), new_owner()
    journal.claim(run_id, old)
    assert await journal.begin(run_id, 0, old)
    journal._conn.execute("UPDATE runs SET lease = 0 WHERE id = ?", (run_id,))
    assert journal.claim(run_id, new)
    assert not await journal.begin(run_id, 1, old)
    assert not await journal.settle(run_id, 0, old, TargetState.DONE)
    assert journal.counts(run_id) == {TargetState.SENDING: 1, TargetState.PENDING: 1}


async def test_many_transitions_at_once_are_committed_together(journal: Journal) -> None:
    run_id = journal.create_run("prod", "thingpark", Delete(), devices(300))
    owner = new_owner()
    journal.claim(run_id, owner)
    assert all(await asyncio.gather(*(journal.begin(run_id, i, owner) for i in range(300))))
    assert all(
        await asyncio.gather(
            *(journal.settle(run_id, i, owner, TargetState.DONE) for i in range(300))
        )
    )
    assert journal.counts(run_id) == {TargetState.DONE: 300}


async def test_one_failing_job_fails_alone(journal: Journal) -> None:
    run_id = journal.create_run("prod", "thingpark", Delete(), devices(2))
    owner = new_owner()
    journal.claim(run_id, owner)

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO nowhere VALUES (1)")

    bad = asyncio.wrap_future(journal._get_writer().submit(broken))
    good = journal.begin(run_id, 0, owner)
    results = await asyncio.gather(bad, good, return_exceptions=True)
    assert isinstance(results[0], sqlite3.Error) and results[1] is True


async def test_a_full_disk_is_an_error_not_a_lost_transition(tmp_path: Path, monkeypatch) -> None:
    journal = Journal(tmp_path / "journal.db")
    run_id = journal.create_run("prod", "thingpark", Delete(), devices(2000))
    owner = new_owner()
    journal.claim(run_id, owner)
    pages = journal._conn.execute("PRAGMA page_count").fetchone()[0]
    connect = journal._connect

    def tiny_disk() -> sqlite3.Connection:
        conn = connect()
        conn.execute(f"PRAGMA max_page_count = {pages}")
        return conn

    monkeypatch.setattr(journal, "_connect", tiny_disk)
    with pytest.raises(JournalError, match="full"):
        for index in range(2000):
            assert await journal.begin(run_id, index, owner)
            await journal.settle(run_id, index, owner, TargetState.FAILED, message="x" * 500)
    counts = journal.counts(run_id)
    assert counts[TargetState.PENDING] + counts.get(TargetState.SENDING, 0) >= 1
    journal.close()


# ------------------------------------------------------------------------------ decisions


async def _settle_all(journal: Journal, run_id: int, states: list[TargetState]) -> str:
    owner = new_owner()
    journal.claim(run_id, owner)
    for index, state in enumerate(states):
        assert await journal.begin(run_id, index, owner)
        await journal.settle(
            run_id, index, owner, state, status=500 if state is TargetState.FAILED else None
        )
    journal.release(run_id, owner, RunState.DONE)
    return owner


async def test_rerun_failed_is_a_new_run_of_just_the_failed_targets(journal: Journal) -> None:
    run_id = journal.create_run("prod", "thingpark", CreateThings(), rows(4))
    done, failed = TargetState.DONE, TargetState.FAILED
    await _settle_all(journal, run_id, [done, failed, done, failed])
    again = journal.rerun_failed(run_id)
    run = journal.run(again)
    assert (run.state, run.total, run.parent, run.action_id) == (
        RunState.PLANNED,
        2,
        run_id,
        "create:thing",
    )
    assert [t.label for t in journal.targets(again)] == ["row 1", "row 3"]
    assert [t.values["app_key"] for _, t in journal.work(again, TargetState.PENDING)] == [
        APP_KEY
    ] * 2
    assert journal.params(again) == journal.params(run_id)
    with pytest.raises(JournalError, match="no failed target"):
        journal.rerun_failed(again)


async def test_uncertain_targets_are_sent_again_or_skipped_as_the_user_decides(
    journal: Journal,
) -> None:
    run_id = journal.create_run("prod", "thingpark", Delete(), devices(4))
    u, d = TargetState.UNCERTAIN, TargetState.DONE
    await _settle_all(journal, run_id, [u, u, d, u])
    assert journal.decide(run_id, [0, 2], resend=True) == 1  # 2 is done: untouched
    assert journal.decide(run_id, [3], resend=False) == 1
    assert [t.state for t in journal.targets(run_id)] == [
        TargetState.PENDING,
        TargetState.UNCERTAIN,
        TargetState.DONE,
        TargetState.SKIPPED,
    ]
    run = journal.run(run_id)
    assert run.state is RunState.INTERRUPTED and run.remaining == 1  # resumable


# ------------------------------------------------------------------------------ rate and ETA


class FakeTime:
    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


async def test_the_rate_counts_targets_settled_over_the_last_seconds(
    journal: Journal, monkeypatch
) -> None:
    clock = FakeTime(1_000_000.0)
    monkeypatch.setattr("tui.api.journal.time", clock)
    monkeypatch.setattr("tui.api.journal.owner_alive", lambda owner, lease, now=None: True)
    run_id = journal.create_run("prod", "thingpark", Delete(), devices(100))
    owner = new_owner()
    journal.claim(run_id, owner)
    for index in range(40):  # 40 targets over 8 seconds: 5 a second
        clock.now += 0.2
        await journal.begin(run_id, index, owner)
        await journal.settle(run_id, index, owner, TargetState.DONE)
    run = journal.run(run_id)
    assert run.rate == pytest.approx(5.0, rel=0.1)
    assert run.eta == pytest.approx(60 / run.rate)
    assert run.settled == 40 and run.remaining == 60


# ------------------------------------------------------------------------------ the audit log


def _record(path: str = "/devices/e70B3D5E75E000001", ok: bool = True) -> CallRecord:
    return CallRecord(
        at=time.time(),
        platform="thingpark",
        method="DELETE",
        path=path,
        target="e70B3D5E75E000001",
        ok=ok,
        status=204 if ok else 500,
        message=None if ok else "Internal server error",
    )


async def test_the_recorder_queues_each_call_with_the_run_it_was_made_for(
    journal: Journal,
) -> None:
    record = journal.recorder("prod")
    record(_record())
    token = current_run.set(7)
    try:
        record(_record(ok=False))
    finally:
        current_run.reset(token)
    journal.recorder("lab")(_record())
    journal.flush()
    rows = journal.audit("prod")
    assert [(r.result, r.run_id, r.status) for r in rows] == [("ok", None, 204), ("failed", 7, 500)]
    assert rows[1].as_json()["action"] == "DELETE /devices/e70B3D5E75E000001"
    assert rows[1].as_json()["at"].endswith("Z")
    assert len(journal.audit()) == 3 and len(journal.audit(limit=1)) == 1
    assert [r.run_id for r in journal.audit(run_id=7)] == [7]


def test_the_recorder_does_not_wait_for_the_disk(journal: Journal) -> None:
    import threading

    gate = threading.Event()
    journal._get_writer().post(lambda conn: gate.wait(30))  # the writer thread is held up
    for _ in range(100):
        journal.recorder("prod")(_record())
    assert journal.audit() == []  # all 100 calls went on while nothing could be written
    gate.set()
    journal.flush()
    assert len(journal.audit()) == 100
