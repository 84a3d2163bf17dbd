"""The simulator's knobs: impossible values are refused up front (exit code 2), and --devices sizes every platform."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.sim.test_iotda_sim import call
from tests.sim.test_thingpark_sim import OSS, authed
from tui.cli import build_parser, main
from tui.sim import SimConfig, SimServer


@pytest.mark.parametrize(
    ("argv", "knob"),
    [
        (["--latency-ms", "inf"], "--latency-ms"),
        (["--latency-ms", "nan"], "--latency-ms"),
        (["--latency-ms", "60001"], "--latency-ms"),
        (["--latency-ms", "-1"], "--latency-ms"),
        (["--fail-rate", "nan"], "--fail-rate"),
        (["--fail-rate", "inf"], "--fail-rate"),
        (["--fail-rate", "1.5"], "--fail-rate"),
        (["--rate-limit", "inf"], "--rate-limit"),
        (["--rate-limit", "nan"], "--rate-limit"),
        (["--rate-limit", "0"], "--rate-limit"),
        (["--rate-limit", "0.001"], "--rate-limit"),
        (["--rate-limit", "1e9"], "--rate-limit"),
    ],
)
def test_fleet_sim_refuses_impossible_knobs(
    argv: list[str], knob: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sim", "--port", "0", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # nothing was served: no banner
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"fleet sim: {knob}: must be ")


def test_the_limits_themselves_are_accepted() -> None:
    config = SimConfig(latency_ms=60_000, fail_rate=1, rate_limit=1 / 60)
    assert config.latency_ms == 60_000 and config.rate_limit == pytest.approx(1 / 60)
    assert SimConfig(rate_limit=1_000_000, fail_rate=0, latency_ms=0).rate_limit == 1_000_000


def test_devices_defaults_to_each_platforms_demo_fleet() -> None:
    args = build_parser().parse_args(["sim"])
    assert args.devices is None and SimConfig().devices is None
    help_text = build_parser()._subparsers._group_actions[0].choices["sim"].format_help()  # type: ignore[union-attr]
    assert "62804" in " ".join(help_text.split()) and "20000" in help_text


def _counts(server: SimServer) -> tuple[int, int]:
    """(ThingPark's device count, IoTDA's page.count) of a running simulator."""
    with authed(server) as client:
        thingpark = client.get(f"{OSS}/devices").json()["count"]
    return thingpark, call(server, "GET", "/devices", {"limit": 1}).json()["page"]["count"]


def test_devices_sets_every_platforms_fleet(make_sim: Callable[..., SimServer]) -> None:
    assert _counts(make_sim(alarms=0)) == (62_804, 20_000)
    assert _counts(make_sim(devices=1234, alarms=0)) == (1234, 1234)
    assert _counts(make_sim(devices=0, alarms=0)) == (0, 0)


def test_a_ten_million_device_iotda_pages_and_finds_its_devices(
    make_sim: Callable[..., SimServer],
) -> None:
    server = make_sim(devices=10_000_000, alarms=0)
    first = call(server, "GET", "/devices", {"limit": 50}).json()
    assert first["page"]["count"] == 10_000_000 and len(first["devices"]) == 50
    newest = first["devices"][0]
    assert newest["description"].endswith("#9999999")
    shown = call(server, "GET", f"/devices/{newest['device_id']}").json()
    assert shown["device_id"] == newest["device_id"] and shown["create_time"] < "2025"
    oldest = call(server, "GET", "/devices", {"marker": "65935201" + "0" * 16}).json()
    assert [d["description"].rsplit("#")[-1] for d in oldest["devices"]] == ["0"]
    for key in ("node_id", "device_name"):
        got = call(server, "GET", "/devices", {key: newest[key]}).json()
        assert [d["device_id"] for d in got["devices"]] == [newest["device_id"]]
        assert got["page"]["count"] == 1
