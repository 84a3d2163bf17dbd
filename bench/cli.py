"""Benchmark of the scripting CLI: `fleet devices list -o jsonl` against a bare httpx page walk.

    python bench/cli.py --devices 1000000

The simulator runs in a separate process (`python -m tui sim --devices N --port P --mqtt-port 0`),
started and waited for before any clock starts. Then, in the same run:

- bare_httpx_s: a synchronous `httpx.Client` loop gets a ThingPark token and walks
  `GET …/subscriptions/mine/devices?sort=EUI,asc[&pageAfter=…]` until `more` is false: the very
  pages the CLI's adapter asks for (bench/console.py's `bare_walk`). It runs before and again
  after the CLI (the server's pace drifts over minutes); the figure is the mean of the two.
- fleet_s: `python -m tui devices list -p bench -o jsonl > /dev/null` as a user runs it, from
  process start to exit, on a ThingPark profile of the simulator (config via FLEET_CONFIG, its
  secret only in FLEET_BENCH_CLIENT_SECRET, as bench/console.py gives it). Its output must be
  one line per device.
- rss_mb: the CLI process's peak resident memory (`os.wait4`'s ru_maxrss).
- ratio = fleet_s / bare_httpx_s.

The last line printed is:
    cli: devices=N fleet_s=… bare_httpx_s=… ratio=… rss_mb=…
Goals (issue #13): ratio ≤ 1.25 and rss_mb ≤ 100 at a million devices.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.console import bare_walk, bench_config, console_env, simulator  # noqa: E402


def count_lines(path: Path) -> int:
    with open(path, "rb") as output:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: output.read(1 << 20), b""))


def fleet_walk(env: dict[str, str], tmp: Path, devices: int) -> tuple[float, float, float]:
    """(seconds, CPU seconds, peak RSS in MB) of `fleet devices list -o jsonl` to a file (and its line count
    checked), then once more to /dev/null for the time."""
    argv = [sys.executable, "-m", "tui", "devices", "list", "-p", "bench", "-o", "jsonl"]
    output = tmp / "devices.jsonl"
    with open(output, "wb") as sink:
        check = subprocess.run(argv, env=env, cwd=REPO, stdout=sink, stderr=subprocess.PIPE)
    if check.returncode != 0:
        raise SystemExit(f"fleet devices list exited with {check.returncode}: {check.stderr!r}")
    lines = count_lines(output)
    output.unlink()
    if lines != devices:
        raise SystemExit(f"fleet devices list wrote {lines} lines for {devices} devices")
    print(f"fleet devices list: {lines:,} lines, one per device", flush=True)
    with open(os.devnull, "wb") as devnull:
        started = time.perf_counter()
        child = subprocess.Popen(argv, env=env, cwd=REPO, stdout=devnull)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"fleet devices list exited with {child.returncode}")
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=1_000_000)
    parser.add_argument("--port", type=int, default=0, help="the simulator's port (default: free)")
    args = parser.parse_args()

    from tui.sim.credentials import THINGPARK_CLIENT_SECRET

    with (
        simulator(args.devices, args.port) as url,
        tempfile.TemporaryDirectory(prefix="fleet-bench-cli-") as name,
    ):
        tmp = Path(name)
        env = console_env(tmp, bench_config(tmp, url), THINGPARK_CLIENT_SECRET)
        pages, before_s, _ = bare_walk(url)
        print(f"bare walk: {pages:,} pages in {before_s:.1f} s", flush=True)
        fleet_s, cpu_s, rss_mb = fleet_walk(env, tmp, args.devices)
        print(
            f"fleet devices list -o jsonl > /dev/null: {fleet_s:.1f} s ({cpu_s:.1f} s of CPU)",
            flush=True,
        )
        _, after_s, _ = bare_walk(url)
        print(f"bare walk again: {after_s:.1f} s", flush=True)
    bare_s = (before_s + after_s) / 2
    print(
        f"cli: devices={args.devices} fleet_s={fleet_s:.1f} bare_httpx_s={bare_s:.1f} "
        f"ratio={fleet_s / bare_s:.2f} rss_mb={rss_mb:.0f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
