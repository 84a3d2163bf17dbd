"""Profile secrets from the OS keyring, the environment or a command, never hanging and never echoed."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # (the config's pydantic models are not needed to start the keyring's discovery)
    from tui.config import ProfileBase

__all__ = [
    "KEYRING_SERVICE",
    "SecretError",
    "SecretNotFound",
    "SecretResolver",
    "env_var_name",
    "get_secret",
    "keyring_username",
    "mask",
    "store_secret",
]

KEYRING_SERVICE = "fleet"
DEFAULT_KEYRING_TIMEOUT = 3.0
DEFAULT_COMMAND_TIMEOUT = 10.0

T = TypeVar("T")


class SecretError(Exception):
    """Any failure to obtain a profile's secret; messages never contain a secret value."""


class SecretNotFound(SecretError):
    """No source yielded the secret; `attempts` says what each source answered."""

    def __init__(self, profile: str, field: str, attempts: list[tuple[str, str]]) -> None:
        self.profile = profile
        self.field = field
        self.attempts = tuple(attempts)
        tried = "\n".join(f"  {source}: {outcome}" for source, outcome in attempts)
        super().__init__(
            f"no {field} for profile {profile!r}; tried:\n{tried}\n"
            f"Provide it with `keyring set {KEYRING_SERVICE} {keyring_username(profile, field)}`, "
            f"or export {env_var_name(profile, field)}, or set secret_command in the profile."
        )


def keyring_username(profile_name: str, field: str) -> str:
    """The keyring username under service "fleet": `<profile>:<field>`."""
    return f"{profile_name}:{field}"


def env_var_name(profile_name: str, field: str) -> str:
    """FLEET_<PROFILE>_<FIELD>, upper-cased, with every non-alphanumeric turned into `_`."""
    return re.sub(r"[^A-Z0-9]", "_", f"FLEET_{profile_name}_{field}".upper())


def mask(value: str) -> str:
    """Eight bullets, plus the last 2 characters of values of 16 or more.

    The bullet count is fixed so that the length does not leak; short secrets show nothing of
    themselves, long ones (API keys, tokens) show just enough to tell two of them apart.
    """
    if not value:
        return ""
    return "•" * 8 + (value[-2:] if len(value) >= 16 else "")


def _keyring() -> ModuleType | None:
    """The keyring package, imported on first use: it costs 20-50 ms, paid in the thread that
    opens the profile rather than before the console can start. None when it is not installed
    (a dependency, but a stripped-down install must still fall back to env and command)."""
    try:
        import keyring
        import keyring.errors
    except ImportError:  # pragma: no cover - exercised only without the package
        return None
    return keyring


#: the keyring backend's discovery started ahead (`discover_keyring`), None until then
_discovery: threading.Thread | None = None
_discovery_lock = threading.Lock()


def discover_keyring() -> None:
    """Find the keyring backend in a daemon thread, now: keyring loads every backend's plugin
    and asks each how it fits, which takes 0.1-0.3 s (macOS's probes libraries through
    subprocesses even on Linux) and needs no profile. The opening that `fleet` starts ahead
    (tui.session.ProfileOpening) starts it alongside, so that it overlaps the adapter's import;
    a look-up waits for it (within its time-box) rather than discovering again."""
    global _discovery
    with _discovery_lock:
        if _discovery is None:
            _discovery = threading.Thread(
                target=_discover, name="fleet-keyring-discovery", daemon=True
            )
            _discovery.start()


def _discover() -> None:
    keyring = _keyring()
    if keyring is not None:
        with contextlib.suppress(Exception):  # the look-up finds and reports it again
            keyring.get_keyring()


def _after_discovery() -> None:
    discovery = _discovery
    if discovery is not None:
        discovery.join()


class _TimedOut(Exception):
    pass


class _Cancelled(Exception):
    pass


def _timeboxed(
    call: Callable[[], T], timeout: float, cancelled: threading.Event | None = None
) -> T:
    """Run `call` in a daemon thread and give up after `timeout` seconds (or once `cancelled`).

    Keyring backends on SSH hosts can block forever waiting for a desktop unlock prompt. A
    daemon thread (not a ThreadPoolExecutor, whose workers are joined at interpreter exit) lets
    the console carry on and still quit while the stuck call never returns.
    """
    outcome: dict[str, object] = {}
    done = threading.Event()

    def run() -> None:
        try:
            outcome["value"] = call()
        except BaseException as exc:
            outcome["error"] = exc
        finally:
            done.set()

    threading.Thread(target=run, name="fleet-keyring", daemon=True).start()
    deadline = time.monotonic() + timeout
    while not done.wait(min(0.05, max(0.0, deadline - time.monotonic()))):
        if cancelled is not None and cancelled.is_set():
            raise _Cancelled
        if time.monotonic() >= deadline:
            raise _TimedOut
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


class SecretResolver:
    """Finds a profile's secret: keyring, then FLEET_<PROFILE>_<FIELD>, then secret_command.

    Simulator profiles get the public demo secrets without asking any source. Once the keyring
    has timed out or turned out to have no backend it is skipped for the resolver's lifetime,
    so a jump host pays the timeout once, not once per secret.
    """

    def __init__(
        self,
        *,
        keyring_timeout: float = DEFAULT_KEYRING_TIMEOUT,
        command_timeout: float = DEFAULT_COMMAND_TIMEOUT,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.keyring_timeout = keyring_timeout
        self.command_timeout = command_timeout
        self._environ = environ
        self._keyring_unusable: str | None = None
        #: set by `cancel()`: every wait gives up at once
        self._cancelled = threading.Event()
        self._processes: set[subprocess.Popen[str]] = set()
        self._lock = threading.Lock()

    def cancel(self) -> None:
        """Give up every look-up in progress (the app is quitting): a hung keyring is left
        behind, a running secret_command is killed with its whole process group."""
        self._cancelled.set()
        with self._lock:
            processes = list(self._processes)
        for process in processes:
            _kill_group(process)

    def __repr__(self) -> str:
        return (
            f"SecretResolver(keyring_timeout={self.keyring_timeout!r}, "
            f"command_timeout={self.command_timeout!r}, keyring_unusable={self._keyring_unusable!r})"
        )

    def get_secret(self, profile: ProfileBase, field: str | None = None) -> str:
        """The secret `field` (default: the profile's main secret) or SecretNotFound."""
        field = _check_field(profile, field)
        if self._cancelled.is_set():
            raise SecretError("cancelled: fleet is quitting")
        attempts: list[tuple[str, str]] = []
        if profile.simulator:
            from tui.config import demo_secrets

            value = demo_secrets(profile).get(field)
            if value:
                return value
            attempts.append(("simulator demo secrets", "none for this field"))

        value, outcome = self._from_keyring(profile.name, field)
        if value:
            return value
        attempts.append(("keyring", outcome))

        var = env_var_name(profile.name, field)
        value = self._env().get(var)
        if value:
            return value
        attempts.append((f"env {var}", "empty" if value == "" else "not set"))

        value, outcome = self._from_command(profile, field)
        if value:
            return value
        attempts.append(("secret_command", outcome))
        raise SecretNotFound(profile.name, field, attempts)

    def store_secret(self, profile: ProfileBase, field: str, value: str) -> bool:
        """Save the secret in the keyring (time-boxed); False when the keyring could not take it."""
        field = _check_field(profile, field)
        keyring = _keyring()
        if keyring is None or self._keyring_unusable:
            return False
        username = keyring_username(profile.name, field)

        def store() -> None:
            _after_discovery()
            keyring.set_password(KEYRING_SERVICE, username, value)

        try:
            _timeboxed(store, self.keyring_timeout)
        except _TimedOut:
            self._keyring_unusable = f"timed out after {self.keyring_timeout:g} s"
            return False
        except keyring.errors.NoKeyringError:
            self._keyring_unusable = "no backend"
            return False
        except Exception:
            return False
        return True

    def _env(self) -> Mapping[str, str]:
        return os.environ if self._environ is None else self._environ

    def _from_keyring(self, profile_name: str, field: str) -> tuple[str | None, str]:
        keyring = _keyring()
        if keyring is None:
            return None, "not installed"
        if self._keyring_unusable:
            return None, f"skipped ({self._keyring_unusable} earlier)"
        username = keyring_username(profile_name, field)

        def look_up() -> str | None:
            _after_discovery()  # within the time-box: a discovery that hangs is a look-up that does
            # Looked up at call time so that tests (and callers) can swap the keyring function.
            return keyring.get_password(KEYRING_SERVICE, username)

        try:
            value = _timeboxed(look_up, self.keyring_timeout, self._cancelled)
        except _Cancelled:
            return None, "cancelled"
        except _TimedOut:
            self._keyring_unusable = f"timed out after {self.keyring_timeout:g} s"
            return None, self._keyring_unusable
        except keyring.errors.NoKeyringError:
            self._keyring_unusable = "no backend"
            return None, "no backend"
        except Exception as exc:
            # Only the type: backend messages are not ours to vouch for.
            return None, f"error ({type(exc).__name__})"
        if not value:
            return None, "not set"
        return value, "found"

    def _from_command(self, profile: ProfileBase, field: str) -> tuple[str | None, str]:
        command = profile.secret_command
        if not command:
            return None, "not configured"
        env = {**os.environ, "FLEET_PROFILE": profile.name, "FLEET_SECRET_FIELD": field}
        try:
            # A session of its own so that a timeout kills the whole pipeline, not just the
            # shell: an orphaned grandchild would keep stdout open and block communicate().
            process = subprocess.Popen(
                command,
                shell=True,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,  # may echo the secret or a password prompt
                env=env,
                text=True,
                start_new_session=True,
            )
        except OSError as exc:
            return None, f"could not start ({type(exc).__name__})"
        with self._lock:
            self._processes.add(process)
        if self._cancelled.is_set():
            _kill_group(process)
        try:
            stdout, _ = process.communicate(timeout=self.command_timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            process.communicate()
            return None, f"timed out after {self.command_timeout:g} s"
        finally:
            with self._lock:
                self._processes.discard(process)
        if self._cancelled.is_set():
            return None, "cancelled"
        if process.returncode != 0:
            return None, f"exit {process.returncode}"
        value = stdout.strip()
        if not value:
            return None, "empty output"
        return value, "found"


def _kill_group(process: subprocess.Popen[str]) -> None:
    killpg = getattr(os, "killpg", None)  # POSIX only; elsewhere the shell alone is killed
    try:
        if killpg is None:
            process.kill()
        else:
            killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()


def _check_field(profile: ProfileBase, field: str | None) -> str:
    if field is None:
        return profile.secret_field
    if field not in profile.SECRET_FIELDS:
        raise ValueError(
            f"{field!r} is not a secret of {profile.platform} profiles "
            f"(secrets: {', '.join(profile.SECRET_FIELDS)})"
        )
    return field


_default_resolver = SecretResolver()


def get_secret(profile: ProfileBase, field: str | None = None) -> str:
    """The secret from the shared resolver (see SecretResolver.get_secret)."""
    return _default_resolver.get_secret(profile, field)


def store_secret(profile: ProfileBase, field: str, value: str) -> bool:
    """Save a secret in the keyring through the shared resolver; False when that failed."""
    return _default_resolver.store_secret(profile, field, value)
