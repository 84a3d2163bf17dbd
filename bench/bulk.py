"""Benchmark of the bulk engine: throughput under a rate limit and faults, and runs killed with
`kill -9` and resumed, with what was lost or duplicated counted on the simulator's side.

    python bench/bulk.py [--ops 10000] [--rate 200] [--jobs 5] [--seed 1]

It starts `fleet sim --fail-rate 0.02 --rate-limit 200` in a process of its own, and a ThingPark
profile on it whose `rate_limit` is 200. Then:

1. one job of `--ops` operations, half `create:lorawan` (new devices from rows) and half
   `edit:name` (a new name for existing devices): two runs, run at once in a child process
   (one profile, so one rate limiter for both), timed from the first call to the last;
2. `--jobs` jobs of the same kind (a tenth of the size each), each killed with `kill -9` at a
   random point of its child process (seeded), then resumed in a new child until done.

After each, the simulator is asked what it holds: a target whose change is not there is lost;
a change the simulator counted twice for one target (`GET /_sim/ops`: a create made twice, a
rename applied twice), or a device listed twice, is duplicated. The last line printed is:
    bulk: ops=N throughput_ratio=… lost=… duplicated=… resumed_runs=J resumed_lost=… resumed_duplicated=…
where throughput_ratio is the operations done per second over the rate limit. Goals: at least
0.9, and nothing lost or duplicated.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from console import REPO, simulator

from tui.sim.credentials import THINGPARK_CLIENT_ID, THINGPARK_CLIENT_SECRET

PROFILE = "bench"
SORT = "EUI,asc"
DEVICES = "/thingpark/wireless/rest/subscriptions/mine/devices"


# ---------------------------------------------------------------------------- the child


async def child(run_ids: list[int]) -> int:
    """Run the runs at once in this process, as the console would: one platform, one limiter.
    Prints the seconds from the first call to the end."""
    from tui.api.actions import make_action
    from tui.api.bulk import Runner
    from tui.api.journal import Journal
    from tui.config import load_config
    from tui.secrets import SecretResolver
    from tui.session import EmbeddedSimulator, open_platform

    journal = Journal()
    profile = load_config().get_profile(PROFILE)
    profile, platform = open_platform(profile, SecretResolver(), EmbeddedSimulator())
    platform.set_recorder(journal.recorder(profile.name))
    runners = [
        Runner(
            journal,
            platform,
            make_action(platform, journal.run(run_id).action_id, journal.params(run_id)),
            run_id,
            rate_limit=profile.effective_rate_limit,
        )
        for run_id in run_ids
    ]
    started = time.perf_counter()
    infos = await asyncio.gather(*(runner.run() for runner in runners))
    elapsed = time.perf_counter() - started
    await platform.aclose()
    journal.close()
    print(json.dumps({"elapsed": elapsed, "states": [i.state.value for i in infos]}), flush=True)
    return 0


# ---------------------------------------------------------------------------- the simulator's side


class Simulator:
    """What the simulator holds, read through the vendor API (a page of 1000 devices at a time,
    again when the injected faults answer)."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=30)
        token = self._call(
            "POST",
            "/users-auth/protocol/openid-connect/token",
            data={
                "grant_type": "client_credentials",
                "client_id": THINGPARK_CLIENT_ID,
                "client_secret": THINGPARK_CLIENT_SECRET,
            },
        )["access_token"]
        self.http.headers["Authorization"] = f"Bearer {token}"

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        for _ in range(100):
            answer = self.http.request(method, path, **kwargs)
            if answer.status_code in (429, 500, 502, 503):
                time.sleep(float(answer.headers.get("retry-after", "0.1")))
                continue
            answer.raise_for_status()
            return answer.json()
        raise SystemExit(f"the simulator keeps refusing {method} {path}")

    def devices(self) -> tuple[dict[str, str], int]:
        """Every device's name by EUI, and how many EUIs the list shows more than once."""
        names: dict[str, str] = {}
        seen: Counter[str] = Counter()
        params = {"sort": SORT, "pageSize": "1000"}
        while True:
            page = self._call("GET", DEVICES, params=params)
            for brief in page["briefs"]:
                seen[brief["EUI"]] += 1
                names[brief["EUI"]] = brief.get("name") or ""
            if not page.get("more"):
                return names, sum(n - 1 for n in seen.values() if n > 1)
            params = {**params, "pageAfter": page["cursors"]["last"]}

    def ops(self) -> dict[str, dict[str, int]]:
        """The simulator's own count of effective changes per EUI (`GET /_sim/ops`)."""
        return self._call("GET", "/_sim/ops")["thingpark"]

    def reset_ops(self) -> None:
        """Zero the simulator's counters (`POST /_sim/ops/reset`)."""
        self.http.post("/_sim/ops/reset").raise_for_status()

    def lorawan_keys(self, n: int) -> list[str]:
        keys: list[str] = []
        params = {"sort": SORT, "pageSize": "1000", "connectivity": "LORAWAN"}
        while len(keys) < n:
            page = self._call("GET", DEVICES, params=params)
            keys += [brief["EUI"] for brief in page["briefs"]]
            params = {**params, "pageAfter": page["cursors"]["last"]}
        return keys[:n]

    def choices(self) -> tuple[str, str]:
        """A LoRaWAN device model and an application server, for the rows."""
        base = "/thingpark/wireless/rest/subscriptions/mine"
        models = self._call(
            "GET", f"{base}/deviceProfiles", params={"sort": "ID,asc", "connectivity": "LORAWAN"}
        )
        servers = self._call("GET", f"{base}/appServers", params={"sort": "ID,asc"})
        return models["briefs"][0]["ID"], servers["briefs"][0]["ID"]


# ---------------------------------------------------------------------------- a job


class Bench:
    def __init__(self, tmp: Path, url: str, rate: float) -> None:
        from tui.api.journal import Journal

        self.url = url
        config = tmp / "config.toml"
        config.write_text(
            f'demo_profiles = false\n\n[profiles.{PROFILE}]\nplatform = "thingpark"\n'
            f'base_url = "{url}"\nclient_id = "{THINGPARK_CLIENT_ID}"\nrate_limit = {rate}\n'
        )
        self.env = {
            **os.environ,
            "FLEET_CONFIG": str(config),
            "FLEET_JOURNAL": str(tmp / "journal.db"),
            "FLEET_LOG_FILE": str(tmp / "fleet.log"),
            "FLEET_BENCH_CLIENT_SECRET": THINGPARK_CLIENT_SECRET,
        }
        os.environ.update(self.env)  # this process plans in the same journal
        self.journal = Journal()
        self.sim = Simulator(url)
        self.model, self.server = self.sim.choices()
        self.keys: list[str] = []
        self.jobs = 0

    def plan(self, ops: int) -> tuple[list[int], dict[str, str]]:
        """A job: ops/2 new devices and ops/2 renames; its runs and the names expected."""
        from tui.api.actions import make_action
        from tui.api.bulk import Target
        from tui.api.platforms.thingpark import ThingPark

        self.jobs += 1
        self.sim.reset_ops()  # each job counts its own changes (the renames reuse the EUIs)
        half = ops // 2
        if len(self.keys) < half:
            self.keys = self.sim.lorawan_keys(half)
        rows = [
            Target(
                "",
                f"line {i + 2}",
                {
                    "name": f"bench-{self.jobs}-{i}",
                    "eui": f"BE{self.jobs:04X}{i:010X}",
                    "app_key": os.urandom(16).hex().upper(),
                    "model_key": self.model,
                    "connection_keys": [self.server],
                },
            )
            for i in range(half)
        ]
        renames = [Target(k, k, {"name": f"renamed-{self.jobs}-{k}"}) for k in self.keys[:half]]
        # The actions only name themselves here (their id, params and secret fields): no call.
        tp = ThingPark(self.url, THINGPARK_CLIENT_ID, THINGPARK_CLIENT_SECRET)
        runs = [
            self.journal.create_run(PROFILE, tp.name, make_action(tp, action_id, {}), targets)
            for action_id, targets in (("create:lorawan", rows), ("edit:name", renames))
        ]
        asyncio.run(tp.aclose())
        expected = {row.values["eui"]: row.values["name"] for row in rows}
        expected |= {t.key: t.values["name"] for t in renames}
        return runs, expected

    def start(self, runs: list[int]) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, __file__, "--child", *map(str, runs)],
            cwd=REPO,
            env=self.env,
            stdout=subprocess.PIPE,
            text=True,
        )

    def settled(self, runs: list[int]) -> int:
        return sum(self.journal.run(run_id).settled for run_id in runs)

    def count(self, expected: dict[str, str]) -> tuple[int, int]:
        """(lost, duplicated) on the simulator's side: a target whose name is not the one planned
        is lost; a device listed twice, or a change the simulator counted more than once for the
        same target (`GET /_sim/ops`: a create made twice, a rename applied twice), is duplicated."""
        names, listed_twice = self.sim.devices()
        lost = sum(1 for key, name in expected.items() if names.get(key) != name)
        ops = self.sim.ops()
        twice = sum(
            max(0, n - 1)
            for key in expected
            for op, n in ops.get(key, {}).items()
            if op in ("create", "update")
        )
        return lost, listed_twice + twice


def finish(bench: Bench, runs: list[int]) -> float:
    """Run the job's runs in a child process until they are done; the last child's seconds."""
    from tui.api.bulk import RunState

    for _ in range(5):
        child = bench.start(runs)
        out, _ = child.communicate()
        if child.returncode != 0:
            raise SystemExit(f"the child failed ({child.returncode}):\n{out}")
        figures = json.loads(out.strip().splitlines()[-1])
        if all(bench.journal.run(r).state is RunState.DONE for r in runs):
            return float(figures["elapsed"])
    raise SystemExit(f"runs {runs} never finished")


def killed_and_resumed(bench: Bench, ops: int, rng: random.Random) -> tuple[int, int]:
    runs, expected = bench.plan(ops)
    at = rng.uniform(0.1, 0.9) * ops
    child = bench.start(runs)
    while bench.settled(runs) < at and child.poll() is None:
        time.sleep(0.01)
    time.sleep(rng.uniform(0, 0.2))
    child.send_signal(signal.SIGKILL)
    child.communicate()
    before = bench.settled(runs)
    finish(bench, runs)
    lost, duplicated = bench.count(expected)
    print(
        f"job {bench.jobs}: killed at {before}/{ops} settled, resumed: "
        f"lost={lost} duplicated={duplicated}",
        flush=True,
    )
    return lost, duplicated


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=10_000, help="operations of the timed job")
    parser.add_argument("--rate", type=float, default=200.0, help="the rate limit (200/s)")
    parser.add_argument("--jobs", type=int, default=5, help="jobs killed and resumed (5)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the kill points (1)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("runs", nargs="*", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return asyncio.run(child(args.runs))

    knobs = ("--fail-rate", "0.02", "--rate-limit", f"{args.rate:g}", "--seed", str(args.seed))
    with simulator(None, knobs=knobs) as url, tempfile.TemporaryDirectory() as tmp:
        bench = Bench(Path(tmp), url, args.rate)
        runs, expected = bench.plan(args.ops)
        elapsed = finish(bench, runs)
        lost, duplicated = bench.count(expected)
        ratio = args.ops / elapsed / args.rate
        print(
            f"{args.ops} operations in {elapsed:.1f} s: {args.ops / elapsed:.1f}/s "
            f"at a limit of {args.rate:g}/s, 2% of the answers 5xx",
            flush=True,
        )
        rng = random.Random(args.seed)
        resumed = [killed_and_resumed(bench, args.ops // 10, rng) for _ in range(args.jobs)]
        bench.journal.close()
    print(
        f"bulk: ops={args.ops} throughput_ratio={ratio:.2f} lost={lost} duplicated={duplicated} "
        f"resumed_runs={args.jobs} resumed_lost={sum(r[0] for r in resumed)} "
        f"resumed_duplicated={sum(r[1] for r in resumed)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
