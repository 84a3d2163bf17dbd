"""Benchmark of the console at fleet scale: start-up, the walk, event-loop stalls and memory.

    python bench/console.py --devices 1000000

It measures what a user feels, on the real path (issue #12). The simulator runs in a separate
process (`python -m tui sim --devices N`), started and waited for before any clock starts; the
console runs in pseudo-terminals (the real Textual driver, real rendering costs), never headless.

The last line printed is:
    console: devices=N first_rows_s=… demo_first_rows_s=… rss_mb_after_100k=…
    rss_mb_after_scroll_to_end=… max_stall_ms=… p99_stall_ms=… walk_pages_per_s=…
    bare_pages_per_s=… walk_ratio=…
(on one line); the lines before it give each figure's runs and their min–max.

The figures:
- bare_pages_per_s: a synchronous `httpx.Client` loop gets a ThingPark token (client
  credentials) and walks `GET …/subscriptions/mine/devices?sort=EUI,asc[&pageAfter=…]` until
  `more` is false: the very pages the console's adapter asks for, at the server's default page
  size (the adapter sends no pageSize). Pages divided by seconds: what the wire allows. It
  runs first and again right after the console's walk (the server's pace drifts over minutes);
  the figure is the mean of the two. `--bare-pages K` caps it. Its first page's first EUI is
  the needle of first_rows_s.
- first_rows_s: `python -m tui --profile bench` in a pty (120x40 by default, TERM=xterm-256color),
  a ThingPark profile on the simulator whose secret comes only from FLEET_BENCH_CLIENT_SECRET,
  which the console reads after consulting the keyring (normal keyring discovery). The clock
  starts just before Popen; a reader thread drains the pty and strips escape sequences, and the
  first rows are on screen when the first EUI appears in that text. One warm-up launch (byte
  compilation, OS caches), then `--launches` counted ones (3): the median.
- demo_first_rows_s: the same for `python -m tui --profile demo-thingpark` (a config with only
  `default_profile`; demo profiles on: the embedded simulator starts inside the console; without
  `--profile`, fleet opens on the overview of every profile); the needle is the demo
  ThingPark fleet's first EUI, read from an EmbeddedSimulator started by this script.
- The walk: a child (`bench/console.py --child`) in a pty builds
  the console as `fleet` does (`tui.cli.console_app`: the profile opens in a thread while
  Textual is imported, the real SecretResolver) and runs `app.run_async()`. A ticker task (5 ms sleeps) records the lateness of
  every tick from launch to the end; a driver task waits for the device list, then
  (a) presses `end` until 100,000 rows are known, as a user holding it: rss_mb_after_100k;
  (b) presses `G` until every page is fetched: walk_pages_per_s = pages fetched during `G` /
      its seconds, and rss_mb_after_scroll_to_end (resident memory of the console's process);
  (c) presses `g` (top) and waits until the first row is in memory again (the far pages were
      evicted on the way, so the table fetches them again);
  max_stall_ms and p99_stall_ms: the largest and the 99th percentile tick lateness over all of it.
- walk_ratio = walk_pages_per_s / bare_pages_per_s.

Goals (issue #12), on the 2-core machine at a million devices, three runs out of three:
first rows ≤ 1.0 s with a real profile (keyring consulted) and ≤ 1.2 s with the demo profile;
walk_ratio ≥ 0.8; no stall over 50 ms and p99 < 16.7 ms (one frame at 60 Hz) from launch to the
end of the walk; ≤ 150 MB after walking 10,000,000 devices.

`--skip-startup` and `--skip-walk` leave a part out (its figures print as nan).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui.app import FleetApp

REPO = Path(__file__).resolve().parent.parent
TICK_S = 0.005
LAUNCH_TIMEOUT_S = 30.0
DEVICES_PATH = "/thingpark/wireless/rest/subscriptions/mine/devices"
TOKEN_PATH = "/users-auth/protocol/openid-connect/token"
NAN = float("nan")


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


@contextmanager
def simulator(devices: int | None, port: int = 0, knobs: Sequence[str] = ()) -> Iterator[str]:
    """`python -m tui sim [--devices N] [knobs…]` in a process of its own (its own core), waited
    for before any clock starts: its URL; stopped at the end."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    fleet = () if devices is None else ("--devices", str(devices))
    sim = subprocess.Popen(
        [
            *(sys.executable, "-m", "tui", "sim", "--port", str(port), "--mqtt-port", "0"),
            *fleet,
            *knobs,
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_serving(url, sim)
        yield url
    finally:
        sim.terminate()
        try:
            sim.wait(timeout=10)
        except subprocess.TimeoutExpired:
            sim.kill()
            sim.wait()


def bench_config(tmp: Path, url: str) -> Path:
    """A config file in `tmp` with one ThingPark profile, `bench` (the default), on the
    simulator at `url`; its secret is not in it (see `console_env`)."""
    from tui.sim.credentials import THINGPARK_CLIENT_ID

    config = tmp / "config.toml"
    config.write_text(
        'default_profile = "bench"\ndemo_profiles = false\n\n'
        "[profiles.bench]\n"
        'platform = "thingpark"\n'
        f'base_url = "{url}"\n'
        f'client_id = "{THINGPARK_CLIENT_ID}"\n'
    )
    return config


def spread(values: list[float], unit: str, digits: int = 2) -> str:
    """`1.23 s [1.10–1.40] (runs: …)` for a list of figures."""
    runs = ", ".join(f"{v:.{digits}f}" for v in values)
    return (
        f"{statistics.median(values):.{digits}f} {unit} "
        f"[{min(values):.{digits}f}–{max(values):.{digits}f}] (runs: {runs})"
    )


# ---------------------------------------------------------------------------- the bare walk


def bare_walk(url: str, max_pages: int | None = None) -> tuple[int, float, str]:
    """(pages, seconds, first EUI) of a synchronous httpx walk of the console's device pages."""
    import httpx

    from tui.sim.credentials import THINGPARK_CLIENT_ID, THINGPARK_CLIENT_SECRET

    with httpx.Client(base_url=url, timeout=30) as client:
        started = time.perf_counter()
        answer = client.post(
            TOKEN_PATH,
            data={
                "grant_type": "client_credentials",
                "client_id": THINGPARK_CLIENT_ID,
                "client_secret": THINGPARK_CLIENT_SECRET,
            },
        )
        answer.raise_for_status()
        headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        params = {"sort": "EUI,asc"}
        pages = 0
        first_eui = ""
        while True:
            answer = client.get(DEVICES_PATH, params=params, headers=headers)
            answer.raise_for_status()
            body = answer.json()
            pages += 1
            if not first_eui:
                briefs = body.get("briefs") or []
                if not briefs:
                    raise SystemExit("the simulator's fleet is empty: nothing to find on screen")
                first_eui = str(briefs[0]["EUI"])
            if not body.get("more") or (max_pages is not None and pages >= max_pages):
                break
            params = {"sort": "EUI,asc", "pageAfter": body["cursors"]["last"]}
        return pages, time.perf_counter() - started, first_eui


def demo_needle() -> str:
    """The demo ThingPark fleet's first EUI, from the simulator a demo session embeds."""
    from tui.session import EmbeddedSimulator

    simulator = EmbeddedSimulator()
    try:
        _, _, eui = bare_walk(simulator.ensure(), max_pages=1)
    finally:
        simulator.stop()
    return eui


# ---------------------------------------------------------------------------- start-up


def console_env(tmp: Path, config: Path, secret: str | None = None) -> dict[str, str]:
    """The console's environment: its config, the user's files out of the way, the keyring
    found as usual (no backend forced), and the secret only where the resolver looks last."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHON_KEYRING_BACKEND", "FLEET_BENCH_CLIENT_SECRET", "COLUMNS", "LINES")
    }
    env["FLEET_CONFIG"] = str(config)
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[name] = str(tmp)
    if secret is not None:
        from tui.secrets import env_var_name

        env[env_var_name("bench", "client_secret")] = secret
    return env


def time_launches(
    what: str, argv: list[str], env: dict[str, str], needle: str, size: str, launches: int
) -> list[float]:
    """Launch to `needle` on screen, once for warm-up then `launches` times (seconds)."""
    from pty_term import PtyProcess

    figures: list[float] = []
    for n in range(launches + 1):
        with PtyProcess(argv, env=env, size=size, cwd=REPO, needle=needle) as console:
            seconds = console.wait_for_needle(LAUNCH_TIMEOUT_S)
            if seconds is None:
                status = console.process.poll()
                why = (
                    f"it exited with {status}"
                    if status is not None
                    else f"not within {LAUNCH_TIMEOUT_S:.0f} s"
                )
                print(f"--- {what}: the last screen text ---\n{console.screen_tail(2000)}\n---")
                raise SystemExit(f"{what}: {needle} never appeared on screen ({why})")
        label = "warm-up" if n == 0 else f"launch {n}"
        print(f"{what}: {label}: {seconds:.2f} s", flush=True)
        if n:
            figures.append(seconds)
    return figures


# ---------------------------------------------------------------------------- the walk


def run_walk(env: dict[str, str], tmp: Path, size: str, devices: int) -> dict[str, Any]:
    """The walk in a child console in a pty; its figures."""
    from pty_term import PtyProcess

    figures_file = tmp / "walk.json"
    env = {**env, "BENCH_FIGURES": str(figures_file)}
    timeout = 60 + devices / 1000
    argv = [sys.executable, str(Path(__file__).resolve()), "--child"]
    with PtyProcess(argv, env=env, size=size, cwd=REPO) as console:
        status = console.wait(timeout)
        if status is None:
            print(f"--- the walk: the last screen text ---\n{console.screen_tail(2000)}\n---")
            raise SystemExit(f"the walk did not end within {timeout:.0f} s")
        tail = console.screen_tail(2000)
    figures: dict[str, Any] = {}
    if figures_file.exists():
        figures = json.loads(figures_file.read_text())
    if status != 0 or "error" in figures or "g_s" not in figures:
        print(f"--- the walk: the last screen text ---\n{tail}\n---")
        raise SystemExit(f"the walk failed (exit {status}): {figures.get('error', 'no figures')}")
    return figures


async def child(app: FleetApp) -> int:
    """The console with a ticker and a driver in its own loop (runs in the pty)."""
    import asyncio

    out = Path(os.environ["BENCH_FIGURES"])
    loop = asyncio.get_running_loop()
    lateness: list[float] = []
    #: the largest lateness in each phase: start-up, `end`, `G`, back to the top
    phase = "start-up"
    phase_max: dict[str, float] = {}
    figures: dict[str, Any] = {}
    ticking = True

    async def ticker() -> None:
        while ticking:
            before = loop.time()
            await asyncio.sleep(TICK_S)
            late = loop.time() - before - TICK_S
            lateness.append(late)
            if late > phase_max.get(phase, -1.0):
                phase_max[phase] = late

    def finish(error: str | None = None) -> None:
        nonlocal ticking
        ticking = False
        if error:
            figures["error"] = error
        if lateness:
            ordered = sorted(lateness)
            figures["max_stall_ms"] = ordered[-1] * 1000
            figures["p99_stall_ms"] = (
                ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000
            )
            figures["ticks"] = len(ordered)
            figures["phase_max_ms"] = {k: v * 1000 for k, v in phase_max.items()}
        out.write_text(json.dumps(figures))
        app.exit()

    async def until(condition: Any, timeout: float, what: str, poll: float = 0.002) -> None:
        deadline = loop.time() + timeout
        while not condition():
            if loop.time() > deadline:
                raise TimeoutError(what)
            await asyncio.sleep(poll)

    async def driver() -> None:
        nonlocal phase
        from tui.screens.devices import DevicesScreen

        started = time.perf_counter()
        try:
            while True:
                try:
                    screen = app.screen
                except Exception:  # no screen yet
                    screen = None
                if isinstance(screen, DevicesScreen):
                    try:
                        state = screen.state.state
                    except Exception:  # not mounted yet
                        state = None
                    if state == "ready":
                        break
                    if state == "error":
                        notes = [n.message for n in getattr(app, "_notifications", [])]
                        finish(f"the device list failed: {app.open_error or notes}")
                        return
                if time.perf_counter() - started > LAUNCH_TIMEOUT_S:
                    finish(f"no device list within {LAUNCH_TIMEOUT_S:.0f} s")
                    return
                await asyncio.sleep(0.002)
            figures["ready_s"] = time.perf_counter() - started
            table = screen.table
            rows = table.rows
            # (a) The first 100,000 rows as a user holding `end` reads them: each press puts
            # the cursor on the last loaded row, and the table prefetches the next page.
            phase = "end"
            step_started = time.perf_counter()
            while not rows.complete and rows.known < 100_000:
                known = rows.known
                app.simulate_key("end")
                while rows.known == known and not rows.complete:
                    if rows.tail_failed:
                        app.simulate_key("down")  # a failed page: ask again, as a user would
                    await asyncio.sleep(0.001)
            figures["step_s"] = time.perf_counter() - step_started
            figures["rows_after_step"] = rows.known
            figures["rss_after_100k"] = rss_mb()
            # (b) The rest with `G`, which walks every page to the end with the cursor on the
            # last row (the far pages are dropped on the way).
            phase = "G"
            pages_before = rows.page_count
            g_started = time.perf_counter()
            app.simulate_key("G")
            await until(lambda: table.fetching_to_end or rows.complete, 10, "G did not start")
            await until(
                lambda: rows.complete and not table.fetching_to_end,
                float(os.environ.get("BENCH_WALK_TIMEOUT", "3600")),
                "G did not reach the end",
                poll=0.01,
            )
            figures["g_s"] = time.perf_counter() - g_started
            figures["g_pages"] = rows.page_count - pages_before
            figures["pages"] = rows.page_count
            figures["rows"] = rows.known
            figures["rss_after_end"] = rss_mb()
            figures["loaded_rows_at_end"] = getattr(rows, "loaded_rows", -1)
            # (c) Back to the top: the first page was evicted on the way, so it comes again.
            row_at = getattr(rows, "row", None)
            figures["top_evicted"] = bool(row_at is not None and row_at(0) is None)
            phase = "back to the top"
            back_started = time.perf_counter()
            app.simulate_key("g")

            def at_top() -> bool:
                if getattr(table, "cursor", 0) != 0:
                    return False  # the key is still on its way
                if row_at is not None:
                    return row_at(0) is not None
                return getattr(table, "cursor_row", None) is not None

            await until(at_top, 60, "the first row did not come back")
            figures["back_s"] = time.perf_counter() - back_started
            cursor_row = getattr(table, "cursor_row", None)
            figures["top_key"] = str(cursor_row[0]) if cursor_row else "?"
            await asyncio.sleep(0.1)  # the frame that shows it
            finish()
        except Exception as exc:  # reported through the figures file
            finish(f"{type(exc).__name__}: {exc}")

    tasks = [asyncio.create_task(ticker()), asyncio.create_task(driver())]
    await app.run_async()
    for task in tasks:
        task.cancel()
    if not out.exists():
        out.write_text(json.dumps({"error": "the console exited before the walk ended"}))
    return 0


# ---------------------------------------------------------------------------- the parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=1_000_000, help="fleet size (1000000)")
    parser.add_argument("--port", type=int, default=0, help="simulator port (0: a free one)")
    parser.add_argument("--size", default="120x40", help="terminal size (120x40)")
    parser.add_argument("--launches", type=int, default=3, help="counted launches (3)")
    parser.add_argument("--bare-pages", type=int, default=None, help="cap the bare walk")
    parser.add_argument("--skip-startup", action="store_true", help="no start-up figures")
    parser.add_argument("--skip-walk", action="store_true", help="no walk figures")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        import asyncio

        # As `fleet` builds it: the profile starts opening in a thread before Textual is imported.
        from tui.cli import console_app
        from tui.config import load_config

        return asyncio.run(child(console_app(load_config(), None)))

    from tui.sim.credentials import THINGPARK_CLIENT_SECRET

    first_rows: list[float] = []
    demo_rows: list[float] = []
    walk: dict[str, Any] = {}
    with simulator(args.devices, args.port) as url:
        bare_pages, bare_s, needle = bare_walk(url, args.bare_pages)
        bare_rate = bare_pages / bare_s
        print(
            f"bare walk: {bare_pages:,} pages in {bare_s:.1f} s = {bare_rate:.0f} pages/s "
            f"(synchronous httpx, default page size{', capped' if args.bare_pages else ''}); "
            f"first EUI {needle}",
            flush=True,
        )
        with tempfile.TemporaryDirectory(prefix="fleet-bench-") as name:
            tmp = Path(name)
            config = bench_config(tmp, url)
            env = console_env(tmp, config, THINGPARK_CLIENT_SECRET)
            if not args.skip_startup:
                argv = [sys.executable, "-m", "tui", "--profile", "bench"]
                first_rows = time_launches(
                    "first rows (bench profile)", argv, env, needle, args.size, args.launches
                )
                demo_dir = tmp / "demo"
                demo_dir.mkdir()
                demo_config = demo_dir / "config.toml"
                demo_config.write_text('default_profile = "demo-thingpark"\n')
                demo_eui = demo_needle()
                demo_rows = time_launches(
                    f"first rows (demo profile, needle {demo_eui})",
                    [sys.executable, "-m", "tui", "--profile", "demo-thingpark"],
                    console_env(demo_dir, demo_config),
                    demo_eui,
                    args.size,
                    args.launches,
                )
            if not args.skip_walk:
                walk = run_walk(env, tmp, args.size, args.devices)
                # The server's pace drifts over a run of minutes: the bare walk once more, right
                # after the console's, and the two averaged.
                again_pages, again_s, _ = bare_walk(url, args.bare_pages)
                again_rate = again_pages / again_s
                print(
                    f"bare walk again: {again_pages:,} pages in {again_s:.1f} s = "
                    f"{again_rate:.0f} pages/s; the mean of both: "
                    f"{(bare_rate + again_rate) / 2:.0f} pages/s",
                    flush=True,
                )
                bare_rate = (bare_rate + again_rate) / 2

    first_rows_s = statistics.median(first_rows) if first_rows else NAN
    demo_first_rows_s = statistics.median(demo_rows) if demo_rows else NAN
    if first_rows:
        print(f"first rows, bench profile (keyring consulted): {spread(first_rows, 's')}")
    if demo_rows:
        print(f"first rows, demo profile (embedded simulator): {spread(demo_rows, 's')}")
    walk_rate = NAN
    if walk:
        walk_rate = walk["g_pages"] / walk["g_s"] if walk["g_s"] > 0 else NAN
        print(
            f"walk: device list ready {walk['ready_s']:.2f} s after the loop started; `end` to "
            f"{walk['rows_after_step']:,} rows in {walk['step_s']:.1f} s; `G` fetched "
            f"{walk['g_pages']:,} pages in {walk['g_s']:.1f} s = {walk_rate:.0f} pages/s "
            f"({walk['rows']:,} rows, {walk['pages']:,} pages in all; "
            f"{walk['loaded_rows_at_end']:,} rows in memory at the end)"
        )
        print(
            f"scroll back: `g` brought the first row back in {walk['back_s']:.2f} s "
            f"(it had {'been evicted' if walk['top_evicted'] else 'stayed in memory'}); "
            f"top row {walk['top_key']}"
        )
        print(
            f"stalls: {walk['ticks']:,} ticks of {TICK_S * 1000:.0f} ms from launch to the end "
            f"of the scroll back: max {walk['max_stall_ms']:.1f} ms, "
            f"p99 {walk['p99_stall_ms']:.1f} ms; the largest by phase: "
            + ", ".join(f"{k} {v:.1f} ms" for k, v in walk.get("phase_max_ms", {}).items())
        )
        print(
            f"memory: {walk['rss_after_100k']:.0f} MB after 100,000 rows, "
            f"{walk['rss_after_end']:.0f} MB after the end"
        )
    walk_ratio = walk_rate / bare_rate if walk else NAN
    print(
        f"console: devices={args.devices} first_rows_s={first_rows_s:.2f} "
        f"demo_first_rows_s={demo_first_rows_s:.2f} "
        f"rss_mb_after_100k={walk.get('rss_after_100k', NAN):.0f} "
        f"rss_mb_after_scroll_to_end={walk.get('rss_after_end', NAN):.0f} "
        f"max_stall_ms={walk.get('max_stall_ms', NAN):.1f} "
        f"p99_stall_ms={walk.get('p99_stall_ms', NAN):.1f} "
        f"walk_pages_per_s={walk_rate:.0f} bare_pages_per_s={bare_rate:.0f} "
        f"walk_ratio={walk_ratio:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    raise SystemExit(main())
