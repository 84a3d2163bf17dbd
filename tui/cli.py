"""Entry points: `fleet` (the console), `fleet sim` (the simulator in the foreground)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tui import __version__


def _sim_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "sim",
        help="run the simulator of the five platforms in the foreground",
        description="Serve the embedded simulator on loopback until Ctrl-C.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8480, help="port (default 8480; 0 picks a free one)")
    p.add_argument("--seed", type=int, default=1, help="seed of the generated fleet (default 1)")
    p.add_argument(
        "--devices",
        type=int,
        default=None,
        help="devices of every platform (default: each platform's demo fleet, "
        "ThingPark 62804 and IoTDA 20000)",
    )
    p.add_argument("--alarms", type=int, default=2390, help="ThingPark alarms (default 2390)")
    p.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        help="added latency per request, in ms (0 to 60000)",
    )
    p.add_argument(
        "--fail-rate",
        type=float,
        default=0.0,
        help="fraction (0-1) of API requests answered 500/503",
    )
    p.add_argument(
        "--rate-limit",
        type=float,
        default=None,
        help="requests per second (1/60 to 1000000) before answering 429 with Retry-After",
    )
    p.add_argument(
        "--token-ttl", type=int, default=3600, help="lifetime of issued tokens, in seconds"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fleet",
        description="A keyboard-driven console for IoT device fleets. "
        "With no profile, it starts the embedded simulator and connects to it.",
    )
    parser.add_argument("--version", action="version", version=f"fleet {__version__}")
    parser.add_argument("--profile", "-p", help="profile to open (default: the configured one)")
    parser.add_argument(
        "--readonly", action="store_true", help="hide every action that changes a platform"
    )
    sub = parser.add_subparsers(dest="command")
    _sim_parser(sub)
    return parser


def run_sim(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from tui.sim import SimConfig, SimServer
    from tui.sim.credentials import banner

    try:
        config = SimConfig(
            host=args.host,
            port=args.port,
            seed=args.seed,
            devices=args.devices,
            alarms=args.alarms,
            latency_ms=args.latency_ms,
            fail_rate=args.fail_rate,
            rate_limit=args.rate_limit,
            token_ttl=args.token_ttl,
        )
    except ValidationError as exc:
        for error in exc.errors():
            field = ".".join(str(p) for p in error["loc"])
            print(f"fleet sim: --{field.replace('_', '-')}: {error['msg']}", file=sys.stderr)
        return 2
    server = SimServer(config)
    try:
        server.bind()
    except OSError as exc:
        print(
            f"fleet sim: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr
        )
        return 1
    print(banner(server.base_url), flush=True)
    print("Press Ctrl-C to stop.", flush=True)
    server.run()
    print("fleet sim: stopped.", flush=True)
    return 0


def run_console(args: argparse.Namespace) -> int:
    from tui.app import FleetApp
    from tui.config import ConfigError, load_config

    try:
        config = load_config()
    except ConfigError as exc:
        print(f"fleet: {exc}", file=sys.stderr)
        return 2
    # `--profile ''` is a mistake (an unset shell variable), not a request for the default.
    if args.profile is not None and args.profile not in config.profiles:
        known = ", ".join(sorted(config.profiles))
        print(f"fleet: no profile named {args.profile!r} (known: {known})", file=sys.stderr)
        return 2
    app = FleetApp(config, profile_name=args.profile, readonly=args.readonly)
    app.run()
    return app.return_code or 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "sim":
        return run_sim(args)
    return run_console(args)
