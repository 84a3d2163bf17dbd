"""The simulator's knobs: impossible values are refused up front, with the knob named, exit code 2."""

from __future__ import annotations

import pytest

from tui.cli import main
from tui.sim import SimConfig


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
