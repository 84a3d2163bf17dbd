"""Benchmark of the device list at fleet scale: start-up, memory and event-loop stalls.

    python bench/console.py [--devices 1000000]

The simulator runs in a separate process (`python -m tui sim`), so the console's memory is
measured alone; the console runs headless in a child process of its own, so that its start-up
time counts the interpreter and every import. The child opens a ThingPark profile on the
simulator, waits for the first rows to be painted, then scrolls from the first device to the
last the way a user holding `end` does (each press puts the cursor on the last loaded row and
the table prefetches the next page). A ticker task records how late the event loop runs it.

The last line printed is:
    console: devices=N first_rows_s=… rss_mb_after_100k=… rss_mb_after_scroll_to_end=… max_stall_ms=…
Goals at a million devices: first rows ≤ 1.5 s, ≤ 250 MB, no stall over 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TICK_S = 0.005


def rss_mb() -> float:
    """Resident memory of this process, from /proc (Linux), else the peak from getrusage."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_serving(url: str, sim: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sim.poll() is not None:
            raise SystemExit(f"the simulator exited with {sim.returncode}")
        try:
            urllib.request.urlopen(url + "/", timeout=1).close()
            return
        except urllib.error.HTTPError:
            return  # it answers (404 at /): it is up
        except OSError:
            time.sleep(0.05)
    raise SystemExit("the simulator did not start in time")


# ---------------------------------------------------------------------------- the parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=1_000_000, help="fleet size (1000000)")
    parser.add_argument("--port", type=int, default=0, help="simulator port (0: a free one)")
    parser.add_argument("--size", default="120x40", help="terminal size (120x40)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        import asyncio

        return asyncio.run(child(args))

    from tui.sim.credentials import THINGPARK_CLIENT_ID, THINGPARK_CLIENT_SECRET

    port = args.port or free_port()
    url = f"http://127.0.0.1:{port}"
    sim = subprocess.Popen(
        [sys.executable, "-m", "tui", "sim", "--port", str(port), "--devices", str(args.devices)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_serving(url, sim)
        with tempfile.TemporaryDirectory() as tmp:
            config = Path(tmp) / "config.toml"
            config.write_text(
                'default_profile = "bench"\ndemo_profiles = false\n\n'
                "[profiles.bench]\n"
                'platform = "thingpark"\n'
                f'base_url = "{url}"\n'
                f'client_id = "{THINGPARK_CLIENT_ID}"\n'
            )
            env = {
                **os.environ,
                "FLEET_CONFIG": str(config),
                "FLEET_BENCH_SECRET": THINGPARK_CLIENT_SECRET,
            }
            started = time.time()
            result = subprocess.run(
                [sys.executable, __file__, "--child", "--size", args.size, "--url", url],
                cwd=REPO,
                env=env,
                stdout=subprocess.PIPE,
                text=True,
                check=False,
            )
        if result.returncode != 0:
            print(result.stdout)
            raise SystemExit(f"the console run failed ({result.returncode})")
        lines = result.stdout.strip().splitlines()
        for line in lines[:-1]:
            print(line)
        figures = json.loads(lines[-1])
    finally:
        sim.terminate()
        sim.wait(timeout=10)
    first_rows_s = figures["first_rows_at"] - started
    print(
        f"scrolled {figures['rows']:,} rows in {figures['scroll_s']:.1f} s "
        f"({figures['pages']:,} pages; the first 100,000 rows key by key in "
        f"{figures['step_s']:.1f} s, then G); last row {figures['last_key']}"
    )
    print(
        f"console: devices={args.devices} first_rows_s={first_rows_s:.2f} "
        f"rss_mb_after_100k={figures['rss_after_100k']:.0f} "
        f"rss_mb_after_scroll_to_end={figures['rss_after_end']:.0f} "
        f"max_stall_ms={figures['max_stall_ms']:.0f}"
    )
    return 0


# ---------------------------------------------------------------------------- the console


async def child(args: argparse.Namespace) -> int:
    import asyncio

    from tui.app import FleetApp
    from tui.config import load_config
    from tui.secrets import SecretResolver

    class BenchSecrets(SecretResolver):
        """The simulator's secret from the parent: a keyring would only add its own time."""

        def get_secret(self, profile: object, field: str | None = None) -> str:
            return os.environ["FLEET_BENCH_SECRET"]

    width, height = (int(n) for n in args.size.split("x"))
    app = FleetApp(
        load_config(), resolver=BenchSecrets(), initial_view="devices", cursor_blink=False
    )
    figures: dict[str, float | int | str] = {}
    max_stall = 0.0
    ticking = False

    if os.environ.get("BENCH_DEBUG") == "2":
        import logging

        logging.basicConfig(level=logging.WARNING)
        asyncio.get_running_loop().set_debug(True)
        asyncio.get_running_loop().slow_callback_duration = 0.03

    async def ticker() -> None:
        nonlocal max_stall
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(TICK_S)
            if ticking:
                late = loop.time() - before - TICK_S
                max_stall = max(max_stall, late)
                if late > 0.03 and os.environ.get("BENCH_DEBUG"):
                    print(f"stall {late * 1000:.0f} ms at {rows.known:,} rows", file=sys.stderr)

    async with app.run_test(size=(width, height)) as pilot:
        from tui.screens.devices import DevicesScreen

        painted = asyncio.Event()
        while True:
            screen = app.screen
            if isinstance(screen, DevicesScreen) and screen.state.state == "ready":
                break
            if isinstance(screen, DevicesScreen) and screen.state.state == "error":
                print("error:", app.open_error or [n.message for n in app._notifications])
                return 1
            await asyncio.sleep(0.002)
        app.call_after_refresh(painted.set)
        await painted.wait()
        figures["first_rows_at"] = time.time()
        table = screen.table
        rows = table.rows
        tick = asyncio.create_task(ticker())
        ticking = True
        scroll_started = time.perf_counter()
        # The first 100,000 rows as a user holding `end` reads them: each press puts the cursor
        # on the last loaded row, and the table prefetches the next page.
        while not rows.complete and rows.known < 100_000:
            known = rows.known
            # The key goes through the app's bindings as a typed one does (pilot.press would
            # also wait for the process to go idle, which the ticker never lets it do).
            app.simulate_key("end")
            while rows.known == known and not rows.complete:
                if rows.tail_failed:
                    app.simulate_key("down")  # a failed page: ask again, as a user would
                await asyncio.sleep(0.001)
        figures["rss_after_100k"] = rss_mb()
        figures["step_s"] = time.perf_counter() - scroll_started
        # Then the rest with `G`, which walks every page to the end with the cursor on the
        # last row (the far pages are dropped on the way).
        app.simulate_key("G")
        while not rows.complete or table.fetching_to_end:
            await asyncio.sleep(0.05)
        await pilot.press("end")
        await pilot.pause()
        ticking = False
        tick.cancel()
        figures["scroll_s"] = time.perf_counter() - scroll_started
        figures["rss_after_end"] = rss_mb()
        figures["max_stall_ms"] = max_stall * 1000
        figures["rows"] = rows.known
        figures["pages"] = rows.page_count
        last = table.cursor_row
        figures["last_key"] = last[0] if last else "?"
        print(
            f"in memory at the end: {rows.loaded_rows:,} rows of {rows.known:,}; "
            f"status: {screen.query_one('#list-status').render()}"
        )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    raise SystemExit(main())
