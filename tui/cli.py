"""Entry points: `fleet` (the console), `fleet sim` (the simulator in the foreground), and the
non-interactive `fleet bulk list|show|run|resume|cancel`, `fleet audit`, `fleet sim-gateway`
(a simulated Telit gateway's connection) and the scripting commands of `tui.scripting`
(`fleet devices list`, …)."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui.api.bulk import Runner
    from tui.api.journal import Journal, RunInfo, TargetRow
    from tui.app import FleetApp
    from tui.config import FleetConfig, ProfileBase


def _sim_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "sim",
        help="run the simulator of the five platforms in the foreground",
        description="Serve the embedded simulator on loopback until Ctrl-C.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8480, help="port (default 8480; 0 picks a free one)")
    p.add_argument(
        "--mqtt-port",
        type=int,
        default=1884,
        help="port of the EnOS MQTT broker (default 1884; 0 picks a free one)",
    )
    p.add_argument("--seed", type=int, default=1, help="seed of the generated fleet (default 1)")
    p.add_argument(
        "--devices",
        type=int,
        default=None,
        help="devices of every platform (default: each platform's demo fleet, "
        "ThingPark 62804, IoTDA 20000, MyThings 5000)",
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
    p.add_argument(
        "--telit-session-ttl",
        type=int,
        default=3600,
        help="lifetime of Telit TR50 sessions, in seconds",
    )


def _sim_gateway_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "sim-gateway",
        help="connect a simulated Telit gateway to a running `fleet sim` (auto-registration)",
        description="Log in to a TR50 endpoint as a gateway does (api.authenticate with appId, "
        "appToken and thingKey): a new key is auto-registered as a thing of the application's "
        "thing definition. Defaults: the simulator's demo gateway application.",
    )
    p.add_argument("thing_key", metavar="THING_KEY", help="the gateway's thing key")
    p.add_argument(
        "--url", default="http://127.0.0.1:8480", help="base URL (default http://127.0.0.1:8480)"
    )
    p.add_argument("--app-id", default=None, help="application id (default: the demo gateway's)")
    p.add_argument(
        "--app-token-env",
        default=None,
        metavar="VAR",
        help="environment variable holding the application token (default: the demo's token)",
    )


class _VersionAction(argparse.Action):
    """`--version`: the installed version, looked up only when asked (importlib.metadata is slow)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        kwargs.setdefault("help", "show fleet's version and exit")
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_: Any, **__: Any) -> None:
        import tui

        print(f"fleet {tui.__version__}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fleet",
        description="A keyboard-driven console for IoT device fleets. "
        "With no profile, it starts the embedded simulator and connects to it.",
    )
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument("--profile", "-p", help="profile to open (default: the configured one)")
    parser.add_argument(
        "--readonly", action="store_true", help="hide every action that changes a platform"
    )
    sub = parser.add_subparsers(dest="command")
    _sim_parser(sub)
    _sim_gateway_parser(sub)
    _bulk_parser(sub)
    _audit_parser(sub)
    _serve_parser(sub)
    from tui import scripting

    scripting.add_parsers(sub)
    from tui import profile_cli

    profile_cli.add_parser(sub)
    return parser


def _bulk_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    bulk = sub.add_parser(
        "bulk",
        help="list, show, run, resume or cancel bulk runs",
        description="Bulk runs, whichever process runs them: the journal is their shared state.",
    )
    commands = bulk.add_subparsers(dest="bulk_command", required=True, metavar="COMMAND")
    listing = commands.add_parser("list", help="every run, newest first")
    # Its own dest: the top-level --profile must not be reset by the sub-command's default.
    listing.add_argument("--profile", dest="only_profile", help="only this profile's runs")
    show = commands.add_parser("show", help="a run: counts, rate, ETA, its failures")
    show.add_argument("run_id", type=int, metavar="N")
    show.add_argument("--all", action="store_true", help="every failure, not the first 20")
    for name, text in (
        ("run", "run a planned or interrupted run in the foreground (Ctrl-C stops it cleanly)"),
        ("resume", "resume an interrupted or cancelled run"),
    ):
        command = commands.add_parser(
            name,
            help=text,
            description=f"{text[0].upper()}{text[1:]}. Exit status: 0 when every target is "
            "done, 1 when the run is done with failed or uncertain targets, 3 when it stopped "
            "with work left (resumable), 2 when it cannot run.",
        )
        command.add_argument("run_id", type=int, metavar="N")
        command.add_argument(
            "--detach",
            action="store_true",
            help="run it in a background process that outlives the terminal; prints its pid",
        )
        command.add_argument(
            "--concurrency", type=int, default=8, help="calls in flight at once (default 8)"
        )
    cancel = commands.add_parser(
        "cancel", help="stop a run: the calls in flight finish, the rest stays resumable"
    )
    cancel.add_argument("run_id", type=int, metavar="N")


def _audit_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    audit = sub.add_parser(
        "audit",
        help="every call fleet made that changed a platform",
        description="The audit log: every mutating call fleet made, bulk or not, oldest first.",
    )
    audit.add_argument("-o", "--output", choices=("table", "jsonl"), default="table")
    audit.add_argument("--profile", dest="only_profile", help="only this profile's calls")
    audit.add_argument("--run", type=int, dest="run_id", metavar="N", help="only this run's calls")
    audit.add_argument("--limit", type=int, help="only the latest N calls")


def _serve_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "serve",
        help="the console in a browser (textual-serve), on loopback",
        description="Serve the console to a web browser until Ctrl-C. Every browser tab runs\n"
        "its own console (`fleet` with the same --profile and --readonly, in the environment\n"
        "of this command), so a tab shows what the terminal would: the overview, or the\n"
        "profile's devices with --profile.\n\n"
        "The console holds the profiles' credentials and the page has no log-in: whoever\n"
        "reaches the port acts as you. So it listens on loopback only; another --host is\n"
        "refused unless --allow-remote is given too (prefer an SSH tunnel).",
        epilog="examples:\n"
        "  fleet serve --profile demo-thingpark --readonly   # then open http://127.0.0.1:8000\n"
        "  ssh -L 8000:127.0.0.1:8000 jumphost fleet serve    # from a laptop, over SSH\n\n"
        "exit status: 0 stopped (Ctrl-C), 1 cannot listen (port in use), 2 usage",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    # SUPPRESS: `fleet -p NAME serve` works too (the sub-command must not reset them).
    p.add_argument(
        "--profile",
        "-p",
        default=argparse.SUPPRESS,
        help="profile every tab opens on its device list (default: the overview)",
    )
    p.add_argument(
        "--readonly",
        action="store_true",
        default=argparse.SUPPRESS,
        help="every tab hides the actions that change a platform",
    )
    p.add_argument(
        "--public-url",
        metavar="URL",
        help="the URL the browser reaches the server by, behind a proxy (default: "
        "http://HOST:PORT)",
    )
    p.add_argument(
        "--allow-remote",
        action="store_true",
        help="listen on a non-loopback --host: anyone who reaches it gets your console and its "
        "credentials, with no log-in",
    )


def run_serve(args: argparse.Namespace) -> int:
    from tui.config import ConfigError, load_config
    from tui.serve import ServeError, is_loopback, serve

    if not is_loopback(args.host) and not args.allow_remote:
        return _fail(
            f"--host {args.host} is not loopback: textual-serve has no log-in and the console "
            "holds your credentials; add --allow-remote if you really mean it"
        )
    if not 0 <= args.port <= 65535:
        return _fail("--port: 0 to 65535")
    if not is_loopback(args.host):
        print(
            f"fleet serve: warning: listening on {_shown(args.host)} with no log-in: whoever "
            "reaches it uses your console and its credentials",
            file=sys.stderr,
        )
    # Checked here, once, so that a wrong profile is an error now rather than in every tab.
    try:
        config = load_config()
    except ConfigError as exc:
        return _fail(str(exc))
    if args.profile is not None and args.profile not in config.profiles:
        known = ", ".join(sorted(config.profiles))
        return _fail(f"no profile named {args.profile!r} (known: {known})")
    try:
        return serve(
            args.host,
            args.port,
            args.profile,
            readonly=args.readonly,
            public_url=args.public_url.rstrip("/") if args.public_url else None,
        )
    except ServeError as exc:
        return _fail(str(exc), 1)


def run_sim(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from tui.sim import SimConfig, SimServer
    from tui.sim.credentials import banner

    try:
        config = SimConfig(
            host=args.host,
            port=args.port,
            mqtt_port=args.mqtt_port,
            seed=args.seed,
            devices=args.devices,
            alarms=args.alarms,
            latency_ms=args.latency_ms,
            fail_rate=args.fail_rate,
            rate_limit=args.rate_limit,
            token_ttl=args.token_ttl,
            telit_session_ttl=args.telit_session_ttl,
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
            f"fleet sim: cannot listen on {args.host}:{args.port} (HTTP) and "
            f"{args.mqtt_port} (MQTT): {exc.strerror or exc}",
            file=sys.stderr,
        )
        return 1
    print(banner(server.base_url, server.mqtt_address), flush=True)
    print("Press Ctrl-C to stop.", flush=True)
    server.run()
    print("fleet sim: stopped.", flush=True)
    return 0


def run_sim_gateway(args: argparse.Namespace) -> int:
    import httpx

    from tui.sim.credentials import TELIT_APP_ID, TELIT_APP_TOKEN
    from tui.sim.telit.gateway import GatewayError, connect

    token = TELIT_APP_TOKEN
    if args.app_token_env is not None:
        token = os.environ.get(args.app_token_env, "")
        if not token:
            print(f"fleet sim-gateway: ${args.app_token_env} is not set", file=sys.stderr)
            return 2
    try:
        connected = connect(args.url, args.thing_key, args.app_id or TELIT_APP_ID, token)
    except GatewayError as exc:
        print(f"fleet sim-gateway: refused: {exc} (codes {exc.codes})", file=sys.stderr)
        return 1
    except httpx.HTTPError as exc:
        print(f"fleet sim-gateway: cannot reach {args.url}: {exc}", file=sys.stderr)
        return 1
    thing = connected.thing
    print(
        f"gateway {thing['key']} connected: thing {thing['id']} of {thing['defKey']} "
        f"in {thing['orgKey']}, created {thing['createdOn']}, tags {', '.join(thing['tags'])}",
        flush=True,
    )
    return 0


def run_console(args: argparse.Namespace) -> int:
    import gc

    gc.disable()  # from the first import on (see tui.session.begin_startup, which undoes it)
    from tui.config import ConfigError, load_config

    try:
        config = load_config()
    except ConfigError as exc:
        print(f"fleet: {exc}", file=sys.stderr)
        gc.enable()
        return 2
    # `--profile ''` is a mistake (an unset shell variable), not a request for the default.
    if args.profile is not None and args.profile not in config.profiles:
        known = ", ".join(sorted(config.profiles))
        print(f"fleet: no profile named {args.profile!r} (known: {known})", file=sys.stderr)
        gc.enable()
        return 2
    # Without --profile: the overview of every profile (the home view); with it, its devices.
    view = "devices" if args.profile else "overview"
    app = console_app(config, args.profile, readonly=args.readonly, initial_view=view)
    app.run()
    return app.return_code or 0


def console_app(
    config: FleetConfig,
    profile: str | None,
    *,
    readonly: bool = False,
    initial_view: str = "devices",
) -> FleetApp:
    """The console as `fleet` runs it (bench/console.py runs this one too): the profile opens
    (secret, adapter, client, a demo's simulator) in a thread while Textual is imported and
    starts, and the app adopts the opening."""
    from tui.session import ProfileOpening, begin_startup

    begin_startup()
    opening = ProfileOpening(config.profiles[profile or config.default_profile]).start()
    from tui.app import FleetApp

    return FleetApp(
        config,
        profile_name=profile,
        readonly=readonly,
        handle_signals=True,
        opening=opening,
        initial_view=initial_view,
    )


def pycache_prefix(
    package_dir: Path,
    cache_dir: Path,
    *,
    current: str | None,
    environ: Mapping[str, str],
    dont_write: bool = False,
    writable: Callable[[Path], bool] = lambda path: os.access(path, os.W_OK),
) -> Path | None:
    """Where byte-compiled modules should go when the installed package's own `__pycache__`
    cannot be written (a read-only install with no .pyc shipped): `cache_dir`, so that only the
    first start pays for compiling. None leaves Python's choice alone: the folder is writable,
    compiled modules were shipped, or the user chose (PYTHONPYCACHEPREFIX, -X pycache_prefix,
    PYTHONDONTWRITEBYTECODE)."""
    if current is not None or environ.get("PYTHONPYCACHEPREFIX") or dont_write:
        return None
    pycache = package_dir / "__pycache__"
    if writable(pycache if pycache.is_dir() else package_dir):
        return None
    from importlib.util import cache_from_source

    shipped = Path(cache_from_source(str(package_dir / "app.py")))
    if shipped.parent == pycache and shipped.is_file():
        return None
    return cache_dir


def _keep_bytecode() -> None:
    """Point `sys.pycache_prefix` at the user cache when the install forbids writing .pyc files
    (see `pycache_prefix`); a folder that cannot be made leaves things as they are."""
    import platformdirs

    package_dir = Path(__file__).resolve().parent
    prefix = pycache_prefix(
        package_dir,
        Path(platformdirs.user_cache_dir("fleet")) / "pycache",
        current=sys.pycache_prefix,
        environ=os.environ,
        dont_write=sys.dont_write_bytecode,
    )
    if prefix is None:
        return
    try:
        prefix.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return
    sys.pycache_prefix = str(prefix)


def main(argv: Sequence[str] | None = None) -> int:
    _keep_bytecode()  # first, before the heavy imports
    args = build_parser().parse_args(argv)
    if args.command == "sim":
        return run_sim(args)
    if args.command == "sim-gateway":
        return run_sim_gateway(args)
    if args.command == "bulk":
        return run_bulk(args)
    if args.command == "audit":
        return run_audit(args)
    if args.command == "serve":
        return run_serve(args)
    if args.command == "profile":
        from tui import profile_cli

        return profile_cli.run(args)
    from tui import scripting

    if args.command in scripting.COMMANDS:
        return scripting.run(args)
    return run_console(args)


# ---------------------------------------------------------------------------------------------
# fleet bulk, fleet audit
# ---------------------------------------------------------------------------------------------

# Vendor text (names, messages) reaches the terminal as data: every control character, C1
# control and bidirectional override is written as an escape, never interpreted.
_ESCAPES = {
    code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    for code in (
        *range(0x20),
        *range(0x7F, 0xA0),
        0x061C,
        0x200E,
        0x200F,
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
        0x2028,
        0x2029,
    )
}


def _shown(text: object) -> str:
    """Outside text as data for the terminal: control characters escaped."""
    return "" if text is None else str(text).translate(_ESCAPES)


def _fail(message: str, code: int = 2) -> int:
    print(f"fleet: {_shown(message)}", file=sys.stderr)
    return code


def _profile_of(args: argparse.Namespace) -> str | None:
    return getattr(args, "only_profile", None) or args.profile


def _when(stamp: float | None) -> str:
    return "—" if stamp is None else time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stamp))


def _seconds(value: float | None) -> str:
    if value is None:
        return "—"
    value = round(value)
    if value < 120:
        return f"{value} s"
    if value < 7200:
        return f"{value // 60} min {value % 60:02d} s"
    return f"{value // 3600} h {value % 3600 // 60:02d} min"


def _counts(run: RunInfo) -> str:
    from tui.api.bulk import TargetState

    parts = [
        f"{run.count(state)} {state.value}"
        for state in TargetState
        if run.count(state) or state in (TargetState.DONE, TargetState.FAILED)
    ]
    return ", ".join(parts)


def _open_journal() -> Journal:
    from tui.api.journal import Journal

    return Journal()


def run_bulk(args: argparse.Namespace) -> int:
    from tui.api.journal import JournalError

    try:
        journal = _open_journal()
    except JournalError as exc:
        return _fail(str(exc))
    try:
        command = args.bulk_command
        if command == "list":
            return _bulk_list(journal, _profile_of(args))
        if command == "show":
            return _bulk_show(journal, args.run_id, args.all)
        if command == "cancel":
            return _bulk_cancel(journal, args.run_id)
        return _bulk_run(journal, args)
    except JournalError as exc:
        return _fail(str(exc))
    finally:
        journal.close()


def _bulk_list(journal: Journal, profile: str | None) -> int:
    runs = journal.runs(profile)
    if not runs:
        print("no bulk runs" + (f" of profile {profile}" if profile else ""))
        return 0
    print(f"{'run':>5}  {'state':<11}  {'profile':<16}  {'targets':>7}  progress")
    for run in runs:
        progress = _counts(run)
        if run.rate:
            progress += f"; {run.rate:.1f}/s, ETA {_seconds(run.eta)}"
        print(
            f"{run.id:>5}  {run.state.value:<11}  {_shown(run.profile):<16}  {run.total:>7}  "
            f"{_shown(run.title)}: {progress}"
        )
    return 0


def _failure_line(row: TargetRow) -> str:
    said = " ".join(
        part
        for part in (
            str(row.status) if row.status is not None else "",
            f"[{row.code}]" if row.code else "",
            row.message or "",
        )
        if part
    )
    who = row.key or row.label
    label = f" ({row.label})" if row.label and row.label != who else ""
    return f"  #{row.index:<5} {_shown(who)}{_shown(label)}  {_shown(said) or '—'}"


def _bulk_show(journal: Journal, run_id: int, everything: bool) -> int:
    from tui.api.bulk import RunState, TargetState

    run = journal.run(run_id)
    print(f"run {run.id}: {_shown(run.title)} — {run.state.value}")
    if run.message:
        print(f"  {_shown(run.message)}")
    print(f"  profile {_shown(run.profile)} ({run.platform}), action {run.action_id}")
    if run.params:
        import json

        print(f"  params {_shown(json.dumps(run.params, ensure_ascii=False))}")
    if run.parent is not None:
        print(f"  the failed targets of run {run.parent}")
    print(
        f"  planned {_when(run.created)}, started {_when(run.started)}, "
        f"finished {_when(run.finished)}"
    )
    print(f"  targets {run.total}: {_counts(run)}")
    if run.state is RunState.RUNNING:
        pid = f"process {run.owner_pid}" if run.owner_pid else _shown(run.owner)
        limit = f" (limit {run.rate_limit:g}/s)" if run.rate_limit else ""
        print(f"  running in {pid}: {run.rate:.1f} targets/s{limit}, ETA {_seconds(run.eta)}")
    for state, title in ((TargetState.FAILED, "failed"), (TargetState.UNCERTAIN, "uncertain")):
        count = run.count(state)
        if not count:
            continue
        rows = journal.targets(run_id, [state], limit=None if everything else 20)
        print(f"{title} ({count}):")
        for row in rows:
            print(_failure_line(row))
        if len(rows) < count:
            print(f"  … and {count - len(rows)} more (fleet bulk show {run_id} --all)")
    if run.state in (RunState.INTERRUPTED, RunState.CANCELLED) and run.remaining:
        print(f"resume it with: fleet bulk resume {run_id}")
    return 0


def _bulk_cancel(journal: Journal, run_id: int) -> int:
    from tui.api.bulk import RunState

    state = journal.request_cancel(run_id)
    run = journal.run(run_id)
    if state is RunState.RUNNING:
        who = f"process {run.owner_pid}" if run.owner_pid else "its process"
        print(
            f"bulk run {run_id}: asked {who} to stop; the calls in flight finish, the rest "
            f"stays resumable (fleet bulk resume {run_id})"
        )
    elif state is RunState.DONE:
        print(f"bulk run {run_id} is done already: {_counts(run)}")
    else:
        print(f"bulk run {run_id} cancelled: {run.remaining} targets left, resumable")
    return 0


def _bulk_run(journal: Journal, args: argparse.Namespace) -> int:
    from tui.api.bulk import RunState
    from tui.config import ConfigError, load_config

    run_id = args.run_id
    run = journal.run(run_id)
    verb = args.bulk_command
    if args.readonly:
        return _fail(f"--readonly: fleet bulk {verb} would change the platform; not run")
    if run.state is RunState.DONE and not run.remaining:
        return _fail(f"bulk run {run_id} is done ({_counts(run)}): nothing to {verb}", 0)
    if run.state is RunState.RUNNING:
        who = f"process {run.owner_pid}" if run.owner_pid else _shown(run.owner)
        return _fail(f"bulk run {run_id} is being run by {who}: it cannot run twice")
    if args.concurrency < 1:
        return _fail("--concurrency: at least 1")
    try:
        profile = load_config().get_profile(run.profile)
    except ConfigError as exc:
        return _fail(f"bulk run {run_id} is of profile {run.profile!r}: {exc}")
    if profile.readonly:
        return _fail(
            f"profile {profile.name} is read-only (readonly = true): fleet bulk {verb} would "
            "change the platform; not run"
        )
    if args.detach:
        return _detach(journal, run, profile, args)
    return _foreground(journal, run, profile, args.concurrency)


def _detach(journal: Journal, run: RunInfo, profile: ProfileBase, args: argparse.Namespace) -> int:
    if profile.simulator:
        return _fail(
            f"bulk run {run.id} is on the demo profile {profile.name}, whose simulator lives in "
            "the process that uses it: a detached run would act on a simulator of its own. Run "
            f"it in the foreground (fleet bulk {args.bulk_command} {run.id}), or start "
            "`fleet sim` and plan the run on a profile whose base_url points at it"
        )
    log = journal.path.parent / f"bulk-{run.id}.log"
    command = [sys.executable, "-m", "tui", "bulk", "run", str(run.id)]
    command += ["--concurrency", str(args.concurrency)]
    import subprocess

    with open(log, "ab") as output:
        os.chmod(log, 0o600)
        child = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own session: a closed terminal's SIGHUP never reaches it
            close_fds=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    print(child.pid)
    print(
        f"bulk run {run.id}: running in the background as process {child.pid}; its output goes "
        f"to {log}. `fleet bulk show {run.id}` follows it, `fleet bulk cancel {run.id}` stops it.",
        file=sys.stderr,
    )
    return 0


def _foreground(journal: Journal, run: RunInfo, profile: ProfileBase, concurrency: int) -> int:
    import asyncio

    from tui.api.actions import make_action
    from tui.api.bulk import RunClaimed, Runner, RunState, TargetState
    from tui.api.errors import ApiError
    from tui.log import open_log, register_scrubber
    from tui.secrets import SecretError, SecretResolver
    from tui.session import EmbeddedSimulator, UnsupportedPlatform, open_platform

    open_log()
    simulator = EmbeddedSimulator()
    try:
        try:
            profile, platform = open_platform(profile, SecretResolver(), simulator)
        except (SecretError, UnsupportedPlatform, ValueError, ApiError) as exc:
            return _fail(f"cannot open profile {profile.name}: {exc}")
        register_scrubber(platform.scrub)
        if profile.simulator:
            print(
                f"(demo profile {profile.name}: a simulator of its own, in this process)",
                file=sys.stderr,
            )
        try:
            action = make_action(platform, run.action_id, journal.params(run.id))
        except ValueError as exc:
            return _fail(f"bulk run {run.id}: {exc}")
        platform.set_recorder(journal.recorder(profile.name))
        rate = min(run.rate_limit or profile.effective_rate_limit, profile.effective_rate_limit)
        runner = Runner(journal, platform, action, run.id, rate_limit=rate, concurrency=concurrency)
        try:
            ended = asyncio.run(_drive(runner, platform))
        except RunClaimed as exc:
            return _fail(str(exc))
    finally:
        simulator.stop()
    print(f"bulk run {ended.id}: {ended.state.value}, {_counts(ended)}", file=sys.stderr)
    if ended.message:
        print(f"  {_shown(ended.message)}", file=sys.stderr)
    if ended.state is not RunState.DONE:
        print(f"  resume it with: fleet bulk resume {ended.id}", file=sys.stderr)
        return 3
    unsettled = ended.count(TargetState.FAILED) + ended.count(TargetState.UNCERTAIN)
    return 1 if unsettled else 0


async def _drive(runner: Runner, platform: Any) -> RunInfo:
    """Run in the foreground: SIGTERM and SIGHUP stop it cleanly (the calls in flight finish,
    the run is interrupted, resumable), and so does a first Ctrl-C; a second one stops at once
    (the targets in flight stay `sending`: a resume settles them)."""
    import asyncio
    import signal

    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None
    pressed = 0

    def stop(name: str) -> None:
        nonlocal pressed
        pressed += 1
        if pressed > 1 and name == "SIGINT":
            task.cancel()
            return
        print(f"\nfleet: {name}: stopping once the calls in flight finish", file=sys.stderr)
        runner.interrupt(f"stopped by {name}")

    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        loop.add_signal_handler(sig, stop, sig.name)
    progress = asyncio.create_task(_progress(runner))
    try:
        return await runner.run()
    finally:
        progress.cancel()
        await platform.aclose()


async def _progress(runner: Runner) -> None:
    """A progress line: in place every second on a terminal, else a line every 10 seconds."""
    import asyncio

    tty = sys.stderr.isatty()
    while True:
        await asyncio.sleep(1 if tty else 10)
        run = await asyncio.to_thread(runner.journal.run, runner.run_id)
        line = (
            f"bulk run {run.id}: {run.settled}/{run.total} settled ({_counts(run)}), "
            f"{run.rate:.1f}/s, ETA {_seconds(run.eta)}"
        )
        if tty:
            print(f"\r\x1b[K{line}", end="", file=sys.stderr, flush=True)
        else:
            print(f"{time.strftime('%H:%M:%S')} {line}", file=sys.stderr, flush=True)


def run_audit(args: argparse.Namespace) -> int:
    from tui.api.journal import JournalError

    try:
        journal = _open_journal()
        rows = journal.audit(_profile_of(args), run_id=args.run_id, limit=args.limit)
    except JournalError as exc:
        return _fail(str(exc))
    journal.close()
    if args.output == "jsonl":
        import json

        from tui.scripting import safe_json

        for row in rows:
            # Still JSON: what a terminal would act on is a \u escape, not a \x one.
            line = json.dumps(row.as_json(), ensure_ascii=False).encode()
            sys.stdout.write(safe_json(line).decode() + "\n")
        return 0
    if not rows:
        print("no calls recorded")
        return 0
    for row in rows:
        said = " ".join(p for p in (f"[{row.code}]" if row.code else "", row.message or "") if p)
        print(
            f"{_when(row.at)}  {_shown(row.profile)}  "
            f"{'#' + str(row.run_id) if row.run_id is not None else '-'}  "
            f"{row.result:<6} {row.status if row.status is not None else '-'}  "
            f"{row.method} {_shown(row.path)}  {_shown(said)}".rstrip()
        )
    return 0
