"""Start-up: the profile opened ahead of the app and adopted by it, what is imported only when
asked, the TLS context of http:// clients, and where byte-compiled modules go."""

from __future__ import annotations

import asyncio
import gc
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tui import cli
from tui.api.http import make_client
from tui.api.platform import Platform
from tui.config import FleetConfig, ProfileBase, load_config
from tui.secrets import SecretError, SecretResolver
from tui.session import (
    ADAPTERS,
    EmbeddedSimulator,
    ProfileOpening,
    begin_startup,
    end_startup,
)


class Opened(Platform):
    """A platform that opened (no network: the app is shown the profiles view)."""

    name = "thingpark"
    title = "Opened"

    def __init__(self) -> None:
        self.closed = False

    async def aclose(self) -> None:
        self.closed = True


class NoSimulator(EmbeddedSimulator):
    """A demo profile's simulator that is never started: the adapter here is a fake."""

    def ensure(self) -> str:
        return "http://127.0.0.1:9"


@pytest.fixture
def config(tmp_path: Path) -> FleetConfig:
    return load_config(tmp_path / "absent.toml")  # the demo profiles, demo-thingpark first


class Openings:
    """ThingPark profiles open to an `Opened` platform once `release` is set; `threads` names
    the thread of each opening."""

    def __init__(self) -> None:
        self.threads: list[str] = []
        self.release = threading.Event()

    def __call__(self, profile: ProfileBase, resolver: SecretResolver) -> Platform:
        self.threads.append(threading.current_thread().name)
        self.release.wait(10)
        return Opened()


@pytest.fixture
def opens(monkeypatch: pytest.MonkeyPatch) -> Iterator[Openings]:
    openings = Openings()
    monkeypatch.setitem(ADAPTERS, "thingpark", openings)
    yield openings
    openings.release.set()


def test_an_opening_runs_in_its_own_thread_and_hands_its_result_over(
    config: FleetConfig, opens: Openings
) -> None:
    profile = config.profiles["demo-thingpark"]
    opening = ProfileOpening(profile, simulator=NoSimulator()).start()
    with pytest.raises(TimeoutError):
        opening.result(timeout=0.05)
    assert not opening.done
    opens.release.set()
    resolved, platform = opening.result(timeout=5)
    assert isinstance(platform, Opened) and opening.done
    assert resolved.base_url == "http://127.0.0.1:9"  # the (fake) simulator's, filled in
    assert opens.threads == ["fleet-open-demo-thingpark"]


def test_an_opening_that_fails_raises_to_whoever_waits(
    config: FleetConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(profile: ProfileBase, resolver: SecretResolver) -> Platform:
        raise SecretError("no client_secret")

    monkeypatch.setitem(ADAPTERS, "thingpark", refuse)
    opening = ProfileOpening(config.profiles["demo-thingpark"], simulator=NoSimulator()).start()
    with pytest.raises(SecretError, match="no client_secret"):
        opening.result(timeout=5)


async def test_an_opening_is_awaited_on_the_loop_before_and_after_it_is_done(
    config: FleetConfig, opens: Openings
) -> None:
    profile = config.profiles["demo-thingpark"]
    opening = ProfileOpening(profile, simulator=NoSimulator()).start()
    waiter = asyncio.ensure_future(opening.opened())
    await asyncio.sleep(0.05)
    assert not waiter.done()  # the loop goes on while the opening's thread waits
    opens.release.set()
    _, platform = await asyncio.wait_for(waiter, 5)
    assert isinstance(platform, Opened)
    assert (await opening.opened())[1] is platform  # once done, at once


async def test_an_opening_fails_to_whoever_awaits_it(
    config: FleetConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(profile: ProfileBase, resolver: SecretResolver) -> Platform:
        raise SecretError("no client_secret")

    monkeypatch.setitem(ADAPTERS, "thingpark", refuse)
    opening = ProfileOpening(config.profiles["demo-thingpark"], simulator=NoSimulator()).start()
    with pytest.raises(SecretError, match="no client_secret"):
        await asyncio.wait_for(opening.opened(), 5)


async def test_an_opening_whose_waiter_went_away_closes_its_platform(
    config: FleetConfig, opens: Openings
) -> None:
    opening = ProfileOpening(config.profiles["demo-thingpark"], simulator=NoSimulator()).start()
    waiter = asyncio.ensure_future(opening.opened())
    await asyncio.sleep(0.05)
    waiter.cancel()
    opens.release.set()
    _, platform = await asyncio.to_thread(opening.result, 5)
    for _ in range(100):  # the closing is a task of the loop's, after the thread's hand-over
        if platform.closed:  # type: ignore[attr-defined]
            break
        await asyncio.sleep(0.01)
    assert platform.closed  # type: ignore[attr-defined]


async def test_the_app_adopts_the_opening_instead_of_opening_again(
    config: FleetConfig, opens: Openings
) -> None:
    from tui.app import FleetApp

    resolver, simulator = SecretResolver(), NoSimulator()
    opening = ProfileOpening(config.profiles["demo-thingpark"], resolver, simulator).start()
    app = FleetApp(config, initial_view="profiles", cursor_blink=False, opening=opening)
    assert app.resolver is resolver and app.simulator is simulator
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.busy_count == 1 and app.platform is None  # still opening
        opens.release.set()
        for _ in range(200):
            if app.platform is not None:
                break
            await asyncio.sleep(0.02)
        assert isinstance(app.platform, Opened)
        assert app.profile_name == "demo-thingpark" and app.busy_count == 0
        assert app.session == 1
        assert len(opens.threads) == 1  # opened once, ahead of the app
        # A later switch opens afresh, as ever.
        app.switch_profile("demo-thingpark")
        for _ in range(200):
            if len(opens.threads) == 2 and app.busy_count == 0:
                break
            await asyncio.sleep(0.02)
        assert len(opens.threads) == 2
    assert not app.internal_errors


async def test_an_opening_of_another_profile_is_not_adopted(
    config: FleetConfig, opens: Openings
) -> None:
    from tui.app import FleetApp

    opens.release.set()
    opening = ProfileOpening(config.profiles["demo-thingpark"], simulator=NoSimulator()).start()
    opening.result(timeout=5)
    app = FleetApp(
        config,
        profile_name="demo-iotda",
        initial_view="profiles",
        cursor_blink=False,
        opening=opening,
        simulator=NoSimulator(),
    )
    assert app._pending_opening is opening
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app._pending_opening is None
        assert (
            len(opens.threads) == 1
        )  # demo-iotda goes its own way (IoTDA's adapter, not this one)
        unused = opening.result(timeout=5)[1]
        assert isinstance(unused, Opened)
        for _ in range(200):  # the platform opened ahead for nothing is closed
            if unused.closed:
                break
            await asyncio.sleep(0.02)
        assert unused.closed


def test_startup_mode_is_undone_when_the_first_profile_is_done() -> None:
    interval = sys.getswitchinterval()
    begin_startup()
    try:
        assert not gc.isenabled() and sys.getswitchinterval() < interval
    finally:
        end_startup()
    assert gc.isenabled() and sys.getswitchinterval() == interval


# ------------------------------------------------------------------------- lazy imports


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(out.split())


def test_the_entry_point_imports_little_before_it_starts_the_opening() -> None:
    # (importlib.metadata comes with pydantic's plugin loader, which the config needs anyway)
    loaded = _modules_after("import tui.cli, tui.session")
    for heavy in ("keyring", "httpx", "textual", "asyncio", "ssl", "tui.api.bulk"):
        assert heavy not in loaded, heavy


def test_the_version_is_looked_up_when_asked() -> None:
    assert "importlib.metadata" not in _modules_after("import tui")
    import tui

    assert isinstance(tui.__version__, str) and tui.__version__
    with pytest.raises(AttributeError):
        tui.no_such_thing  # noqa: B018


# ------------------------------------------------------------------------- TLS


def _inner_context(client: Any) -> ssl.SSLContext:
    transport = client.http._transport  # SameOrigin → Retry → httpx transport
    while hasattr(transport, "_inner"):
        transport = transport._inner
    return transport._pool._ssl_context


@pytest.mark.parametrize("verify", [True, False])
def test_an_http_origin_gets_a_tls_context_that_trusts_nothing(verify: bool) -> None:
    client = make_client("thingpark", "http://127.0.0.1:8480", verify=verify)
    context = _inner_context(client)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.cert_store_stats()["x509_ca"] == 0  # no CA loaded: a handshake fails


def test_an_https_origin_checks_against_the_system_cas() -> None:
    client = make_client("thingpark", "https://example.invalid", verify=True)
    context = _inner_context(client)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.cert_store_stats()["x509_ca"]
    insecure = _inner_context(make_client("thingpark", "https://example.invalid", verify=False))
    assert insecure.verify_mode == ssl.CERT_NONE  # an insecure https profile, as before


# ------------------------------------------------------------------------- byte-compiled modules


def _package(tmp_path: Path) -> Path:
    package = tmp_path / "tui"
    (package / "__pycache__").mkdir(parents=True)
    (package / "app.py").write_text("")
    return package


def test_a_writable_install_keeps_pythons_pycache(tmp_path: Path) -> None:
    package = _package(tmp_path)
    assert cli.pycache_prefix(package, tmp_path / "cache", current=None, environ={}) is None


def test_a_read_only_install_compiles_into_the_user_cache(tmp_path: Path) -> None:
    package = _package(tmp_path)
    cache = tmp_path / "cache"
    prefix = cli.pycache_prefix(
        package, cache, current=None, environ={}, writable=lambda path: False
    )
    assert prefix == cache


def test_a_read_only_install_that_ships_its_pyc_files_keeps_them(tmp_path: Path) -> None:
    from importlib.util import cache_from_source

    package = _package(tmp_path)
    if sys.pycache_prefix is not None:
        pytest.skip("a pycache prefix is set for the test run")
    Path(cache_from_source(str(package / "app.py"))).write_bytes(b"")
    prefix = cli.pycache_prefix(
        package, tmp_path / "cache", current=None, environ={}, writable=lambda path: False
    )
    assert prefix is None


@pytest.mark.parametrize(
    ("current", "environ", "dont_write"),
    [
        ("/somewhere", {}, False),  # -X pycache_prefix or PYTHONPYCACHEPREFIX, as Python read it
        (None, {"PYTHONPYCACHEPREFIX": "/somewhere"}, False),
        (None, {}, True),  # PYTHONDONTWRITEBYTECODE
    ],
)
def test_the_users_own_choice_is_left_alone(
    tmp_path: Path, current: str | None, environ: dict[str, str], dont_write: bool
) -> None:
    package = _package(tmp_path)
    prefix = cli.pycache_prefix(
        package,
        tmp_path / "cache",
        current=current,
        environ=environ,
        dont_write=dont_write,
        writable=lambda path: False,
    )
    assert prefix is None


def test_a_read_only_folder_is_seen_as_such(tmp_path: Path) -> None:
    import os

    if os.geteuid() == 0:
        pytest.skip("root writes anywhere")
    package = _package(tmp_path)
    (package / "__pycache__").chmod(0o555)
    try:
        assert cli.pycache_prefix(package, tmp_path / "c", current=None, environ={}) == (
            tmp_path / "c"
        )
    finally:
        (package / "__pycache__").chmod(0o755)


def test_fleet_sets_the_prefix_for_a_read_only_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "pycache_prefix", None)
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    monkeypatch.delenv("PYTHONPYCACHEPREFIX", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(cli, "pycache_prefix", lambda *a, **k: tmp_path / "xdg" / "fleet" / "p")
    cli._keep_bytecode()
    assert sys.pycache_prefix == str(tmp_path / "xdg" / "fleet" / "p")
    assert (tmp_path / "xdg" / "fleet" / "p").is_dir()


# ------------------------------------------------------------------------- keyring discovery


def test_a_look_up_waits_for_the_discovery_started_ahead(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import keyring

    from tui import secrets

    found = threading.Event()
    order: list[str] = []

    def discovering() -> None:
        found.wait(5)
        order.append("discovered")

    def get_password(service: str, username: str) -> str:
        order.append("looked up")
        return "s3cret"

    monkeypatch.setattr(keyring, "get_password", get_password)
    monkeypatch.setattr(keyring, "get_keyring", discovering)
    monkeypatch.setattr(secrets, "_discovery", None)
    secrets.discover_keyring()
    secrets.discover_keyring()  # once only
    profile = load_config(tmp_path / "absent.toml").profiles["demo-thingpark"]
    profile = profile.model_copy(update={"simulator": False})
    threading.Timer(0.1, found.set).start()
    assert SecretResolver().get_secret(profile) == "s3cret"
    assert order == ["discovered", "looked up"]


def test_only_a_real_profiles_opening_starts_the_keyrings_discovery(
    config: FleetConfig, opens: Openings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tui.session

    started: list[bool] = []
    monkeypatch.setattr(tui.session, "discover_keyring", lambda: started.append(True))
    opens.release.set()
    demo = config.profiles["demo-thingpark"]
    ProfileOpening(demo, simulator=NoSimulator()).start().result(timeout=5)
    assert not started  # a demo profile's secrets are public
    real = demo.model_copy(update={"simulator": False, "base_url": "http://127.0.0.1:9"})
    ProfileOpening(real).start().result(timeout=5)
    assert started == [True]


def test_fleet_opens_the_profile_ahead_and_hands_the_opening_to_the_app(
    opens: Openings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tui.app import FleetApp

    made: list[FleetApp] = []
    monkeypatch.setenv("FLEET_CONFIG", str(tmp_path / "absent.toml"))
    monkeypatch.setattr(EmbeddedSimulator, "ensure", NoSimulator.ensure)
    monkeypatch.setattr(FleetApp, "run", lambda self: made.append(self))
    try:
        assert cli.main([]) == 0
        assert not gc.isenabled()  # until the first profile is done
    finally:
        end_startup()
    (app,) = made
    opening = app._pending_opening
    assert opening is not None and opening.profile is app.config.profiles["demo-thingpark"]
    assert app.resolver is opening.resolver and app.simulator is opening.simulator
    opens.release.set()
    assert isinstance(opening.result(timeout=5)[1], Opened)


def test_a_hand_over_after_the_app_has_gone_is_dropped(config: FleetConfig) -> None:
    """An opening's thread that ends as the app exits: the loop refuses the hand-over (closed)
    or cancels it (closing); neither may escape the thread."""
    import concurrent.futures

    from tui.app import FleetApp

    app = FleetApp(config, simulator=NoSimulator())
    called: list[str] = []
    app._from_thread(lambda: called.append("ran"))  # never ran: nothing to hand to
    loop = asyncio.new_event_loop()
    try:
        app._loop = loop  # running, as far as the hand-over can tell

        def cancelled(*_: Any) -> None:
            raise concurrent.futures.CancelledError

        app.call_from_thread = cancelled  # type: ignore[method-assign]
        app._from_thread(lambda: called.append("ran"))
    finally:
        loop.close()
    app._from_thread(lambda: called.append("ran"))  # a closed loop is not asked
    assert called == []
