"""The command line: version, argument checks, and `fleet sim` in a real subprocess."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tui import __version__
from tui.cli import main


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"fleet {__version__}"


def test_sim_rejects_a_bad_knob(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sim", "--fail-rate", "2"]) == 2
    assert "--fail-rate" in capsys.readouterr().err


def test_unknown_profile_is_named(
    capsys: pytest.CaptureFixture[str], tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLEET_CONFIG", str(tmp_path / "none.toml"))
    assert main(["--profile", "nope"]) == 2
    err = capsys.readouterr().err
    assert "no profile named 'nope'" in err and "demo-thingpark" in err


def test_an_empty_profile_name_is_refused_not_taken_for_the_default(
    capsys: pytest.CaptureFixture[str], tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLEET_CONFIG", str(tmp_path / "none.toml"))
    assert main(["--profile", ""]) == 2
    assert "no profile named ''" in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_fleet_sim_serves_prints_credentials_and_stops_on_ctrl_c() -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "sim", "--port", str(port), "--devices", "500"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            line = proc.stdout.readline()  # type: ignore[union-attr]
            lines.append(line)
            if "Ctrl-C" in line:
                break
        banner = "".join(lines)
        assert f"http://127.0.0.1:{port}" in banner
        assert "sub-199983788/fleet-demo" in banner and "thingpark-demo-secret" in banner
        token = httpx.post(
            f"http://127.0.0.1:{port}/users-auth/protocol/openid-connect/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "sub-199983788/fleet-demo",
                "client_secret": "thingpark-demo-secret",
            },
        ).json()["access_token"]
        page = httpx.get(
            f"http://127.0.0.1:{port}/thingpark/wireless/rest/subscriptions/mine/devices",
            params={"sort": "EUI,asc"},
            headers={"Authorization": f"Bearer {token}"},
        ).json()
        assert page["count"] == 500
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=15)
    assert proc.returncode == 0
    assert "Traceback" not in out


# ---------------------------------------------------------------- fleet bulk, fleet audit
# (imports here, not at the top: this part was appended, the rest of the file is not ours)

import asyncio  # noqa: E402
import contextlib  # noqa: E402
import json  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from types import SimpleNamespace  # noqa: E402
from typing import Any  # noqa: E402

from tui.api.bulk import Action, ActionKind, RunState, Target, TargetState  # noqa: E402
from tui.api.journal import Journal  # noqa: E402
from tui.api.platforms.thingpark import ThingPark  # noqa: E402
from tui.cli import build_parser  # noqa: E402
from tui.sim.credentials import THINGPARK_CLIENT_ID, THINGPARK_CLIENT_SECRET  # noqa: E402


class _Rename(Action):
    """The journal keeps an action's id and params: this stands for `edit:name` when planning."""

    id = "edit:name"
    title = "Set the name"
    kind = ActionKind.IDEMPOTENT

    async def apply(self, target: Target) -> str:
        raise AssertionError("planned only")


@pytest.fixture
def bulk_env(tmp_path, monkeypatch: pytest.MonkeyPatch, make_sim) -> SimpleNamespace:
    """A real ThingPark profile `lab` on a simulator, its secret in the environment, and a
    journal of this test's own."""
    server = make_sim(devices=120)
    config = tmp_path / "config.toml"
    config.write_text(
        "\n".join(
            f'[profiles.{name}]\nplatform = "thingpark"\nbase_url = "{server.base_url}"\n'
            f'client_id = "{THINGPARK_CLIENT_ID}"\nrate_limit = {rate}\nreadonly = {readonly}\n'
            for name, rate, readonly in (("lab", 500, "false"), ("ro", 500, "true"))
        )
    )
    env = {
        "FLEET_CONFIG": str(config),
        "FLEET_JOURNAL": str(tmp_path / "journal.db"),
        "FLEET_LAB_CLIENT_SECRET": THINGPARK_CLIENT_SECRET,
        "FLEET_RO_CLIENT_SECRET": THINGPARK_CLIENT_SECRET,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return SimpleNamespace(server=server, journal=Journal(env["FLEET_JOURNAL"]), env=env)


def _lorawan_keys(base_url: str, n: int) -> list[str]:
    async def keys() -> list[str]:
        async with ThingPark(base_url, THINGPARK_CLIENT_ID, THINGPARK_CLIENT_SECRET) as tp:
            page = await tp.list_devices()
            return [d.key for d in page.items if d.connectivity == "LORAWAN"][:n]

    return asyncio.run(keys())


def _plan(env: SimpleNamespace, n: int, profile: str = "lab", tag: str = "cli") -> int:
    keys = _lorawan_keys(env.server.base_url, n)
    targets = [Target(key, key, {"name": f"{tag}-{key}"}) for key in keys]
    return env.journal.create_run(profile, "thingpark", _Rename(), targets, rate_limit=500)


def test_bulk_run_in_the_foreground_then_list_show_and_audit(
    bulk_env: SimpleNamespace, capsys: pytest.CaptureFixture[str]
) -> None:
    run_id = _plan(bulk_env, 20)
    assert main(["bulk", "run", str(run_id)]) == 0
    assert f"bulk run {run_id}: done, 20 done, 0 failed" in capsys.readouterr().err
    assert main(["bulk", "list"]) == 0
    listed = capsys.readouterr().out
    assert f"{run_id:>5}  done" in listed and "Set the name: 20 done, 0 failed" in listed
    assert main(["bulk", "show", str(run_id)]) == 0
    assert "targets 20: 20 done, 0 failed" in capsys.readouterr().out
    assert main(["audit"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert len(table) == 20 and all(f"lab  #{run_id}  ok     200  PUT /" in line for line in table)
    assert main(["audit", "-o", "jsonl", "--profile", "lab", "--limit", "5"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 5 and {line["run"] for line in lines} == {run_id}
    assert lines[0]["action"].startswith(
        "PUT /thingpark/wireless/rest/subscriptions/mine/devices/e"
    )
    assert main(["audit", "--profile", "elsewhere"]) == 0
    assert capsys.readouterr().out == "no calls recorded\n"


def test_bulk_show_names_each_failure_with_the_vendors_code_as_plain_text(
    bulk_env: SimpleNamespace, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = _lorawan_keys(bulk_env.server.base_url, 2)
    targets = [
        Target(keys[0], keys[0], {"name": "fine"}),
        Target("FFFFFFFFFFFF0000", "Meter \x1b[31mred\x1b[0m", {"name": "gone"}),  # no such device
    ]
    run_id = bulk_env.journal.create_run("lab", "thingpark", _Rename(), targets)
    assert main(["bulk", "run", str(run_id)]) == 1  # done, with a failure
    capsys.readouterr()
    assert main(["bulk", "show", str(run_id)]) == 0
    shown = capsys.readouterr().out
    assert "failed (1):" in shown and "FFFFFFFFFFFF0000" in shown and "404 [" in shown
    assert "\x1b" not in shown and "Meter \\x1b[31mred\\x1b[0m" in shown


def test_readonly_refuses_every_bulk_command_that_changes_a_platform(
    bulk_env: SimpleNamespace, capsys: pytest.CaptureFixture[str]
) -> None:
    run_id = _plan(bulk_env, 3)
    for verb in ("run", "resume"):
        assert main(["--readonly", "bulk", verb, str(run_id)]) == 2
        assert f"--readonly: fleet bulk {verb} would change the platform" in capsys.readouterr().err
    readonly_run = _plan(bulk_env, 3, profile="ro")
    assert main(["bulk", "run", str(readonly_run)]) == 2
    assert "profile ro is read-only" in capsys.readouterr().err
    assert main(["bulk", "run", str(readonly_run), "--detach"]) == 2
    assert bulk_env.journal.run(run_id).state is RunState.PLANNED  # nothing was sent
    assert bulk_env.journal.run(readonly_run).state is RunState.PLANNED


def test_a_demo_run_is_not_detached(
    bulk_env: SimpleNamespace, capsys: pytest.CaptureFixture[str]
) -> None:
    run_id = bulk_env.journal.create_run("demo-thingpark", "thingpark", _Rename(), [Target("k")])
    assert main(["bulk", "run", str(run_id), "--detach"]) == 2
    said = capsys.readouterr().err
    assert "demo profile demo-thingpark" in said and "fleet sim" in said


def test_cancel_a_run_nobody_runs_then_resume_it(
    bulk_env: SimpleNamespace, capsys: pytest.CaptureFixture[str]
) -> None:
    run_id = _plan(bulk_env, 4)
    assert main(["bulk", "cancel", str(run_id)]) == 0
    assert f"bulk run {run_id} cancelled: 4 targets left, resumable" in capsys.readouterr().out
    assert main(["bulk", "show", str(run_id)]) == 0
    assert f"resume it with: fleet bulk resume {run_id}" in capsys.readouterr().out
    assert main(["bulk", "resume", str(run_id)]) == 0
    assert main(["bulk", "resume", str(run_id)]) == 0  # done: nothing to resume
    assert "nothing to resume" in capsys.readouterr().err


def test_an_unknown_run_is_named(bulk_env: SimpleNamespace, capsys) -> None:
    for argv in (["bulk", "show", "99"], ["bulk", "run", "99"], ["bulk", "cancel", "99"]):
        assert main(argv) == 2
        assert "no bulk run 99" in capsys.readouterr().err


def test_the_bulk_profile_option_leaves_the_global_one_alone() -> None:
    args = build_parser().parse_args(["--profile", "lab", "bulk", "list"])
    assert args.profile == "lab" and args.only_profile is None
    args = build_parser().parse_args(["bulk", "list", "--profile", "ro"])
    assert args.only_profile == "ro"
    args = build_parser().parse_args(["audit", "-o", "jsonl", "--run", "3"])
    assert (args.output, args.run_id) == ("jsonl", 3)
    with pytest.raises(SystemExit):
        build_parser().parse_args(["audit", "-o", "xml"])
    with pytest.raises(SystemExit):
        build_parser().parse_args(["bulk", "run"])


def _wait_for(journal: Journal, run_id: int, done: Callable[[Any], bool], proc=None) -> Any:
    """Poll the journal until `done(run)`: a wait for an event, not a timing check."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        run = journal.run(run_id)
        if done(run):
            return run
        if proc is not None and proc.poll() is not None and not done(journal.run(run_id)):
            raise AssertionError(f"the run's process exited with {proc.returncode}")
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} never got there: {journal.run(run_id)}")


def test_a_detached_run_outlives_its_terminal(bulk_env: SimpleNamespace) -> None:
    run_id = _plan(bulk_env, 30, tag="detached")
    out = subprocess.run(
        [sys.executable, "-m", "tui", "bulk", "run", str(run_id), "--detach"],
        capture_output=True,
        text=True,
        env={**os.environ, **bulk_env.env},
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    pid = int(out.stdout.split()[0])
    with contextlib.suppress(ProcessLookupError):  # it was quick: done already
        assert os.getsid(pid) == pid  # a session of its own: the terminal's SIGHUP misses it
    run = _wait_for(bulk_env.journal, run_id, lambda r: r.state is RunState.DONE)
    assert run.count(TargetState.DONE) == 30
    log = Path(bulk_env.env["FLEET_JOURNAL"]).parent / f"bulk-{run_id}.log"
    assert f"bulk run {run_id}" in out.stderr and str(log) in out.stderr
    _wait_for(bulk_env.journal, run_id, lambda r: f"bulk run {run_id}: done" in log.read_text())


@pytest.mark.parametrize(
    "stop", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=lambda s: s.name
)
def test_a_signal_stops_a_foreground_run_cleanly_and_it_resumes(
    bulk_env: SimpleNamespace, stop: signal.Signals
) -> None:
    run_id = _plan(bulk_env, 60, tag=stop.name)
    bulk_env.journal._conn.execute("UPDATE runs SET rate_limit = 15 WHERE id = ?", (run_id,))
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "bulk", "run", str(run_id)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **bulk_env.env},
    )
    try:
        _wait_for(bulk_env.journal, run_id, lambda r: r.settled >= 5, proc)
        proc.send_signal(stop)
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 3, out
    assert "Traceback" not in out and f"stopped by {stop.name}" in out
    run = bulk_env.journal.run(run_id)
    assert run.state is RunState.INTERRUPTED and run.count(TargetState.SENDING) == 0
    assert 5 <= run.count(TargetState.DONE) < 60
    assert main(["bulk", "resume", str(run_id)]) == 0
    assert bulk_env.journal.run(run_id).count(TargetState.DONE) == 60


def test_audit_jsonl_stays_json_whatever_the_vendor_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tui.api.http import CallRecord

    monkeypatch.setenv("FLEET_JOURNAL", str(tmp_path / "journal.db"))
    journal = Journal()
    said = "bad\x7fname \x1b[31mred\x1b[0m \u202eevil \x9b"
    journal.recorder("lab")(
        CallRecord(1.0, "thingpark", "PUT", "/devices/e1", "e1", False, 400, "40001", said)
    )
    journal.flush()
    journal.close()
    assert main(["audit", "-o", "jsonl"]) == 0
    out = capsys.readouterr().out
    (line,) = out.splitlines()
    assert json.loads(line)["message"] == said  # still JSON, and still what the vendor said
    assert not any(c in line for c in "\x7f\x1b\u202e\x9b")  # and nothing a terminal acts on
