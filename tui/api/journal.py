"""The bulk runs' journal and the audit log: one SQLite database that every fleet process shares.

It lives at `$FLEET_JOURNAL`, else `journal.db` in the user state directory (readable by its
owner only). WAL mode lets the console read while a detached run writes; `synchronous=FULL`
makes every commit durable before it returns, so that "sending, committed" really is on disk
before the call goes out; a busy timeout lets two processes take turns at writing.

- `runs`: one row per run (its profile, platform, action id and params, state, owner and lease);
- `targets`: one row per target (its key, label, values, facts, state, attempts, and the
  platform's status, vendor code and message of its last call);
- `audit`: one row per mutating call fleet made, bulk or not (see `Journal.recorder`).

Threads. Every method is thread-safe. The calls the console and the CLI make (`runs`, `run`,
`targets`, `claim`, `request_cancel`, …) are one short transaction each on a connection
guarded by a lock: the console makes them from a thread worker (`asyncio.to_thread`), never on
the event loop, since another process may hold the write lock for a moment. The runner's
per-target transitions (`begin`, `settle`, `heartbeat`) and the audit records go to one
writer thread with its own connection, which commits everything queued in one transaction
(group commit): a run at 200 targets a second makes a few commits a second, not 400 fsyncs,
and the event loop only awaits a future (`begin`/`settle`) or puts on a queue (the audit).

Secrets. The journal holds what a run needs to resume in any process, but no secret in clear:
the fields an action's form marks secret (a LoRaWAN AppKey, an IoTDA device secret) are
sealed with a key kept beside the database (`journal.db.key`, owner-only), and dropped once
their target is done; messages come from `ApiError`s, already scrubbed of the profile's
secrets, its tokens and the keys the request carried.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import contextlib
import hashlib
import hmac
import json
import logging
import os
import queue
import secrets
import socket
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import platformdirs

from tui.api.bulk import (
    SETTLED,
    Action,
    RunState,
    Target,
    TargetState,
    current_run,
    current_target,
    secret_fields,
)

if TYPE_CHECKING:
    from tui.api.http import CallRecord

__all__ = [
    "AuditRow",
    "Journal",
    "JournalError",
    "Lease",
    "RunInfo",
    "TargetRow",
    "journal_path",
    "new_owner",
    "owner_alive",
]

SCHEMA_VERSION = 1
#: How long a claim holds without a heartbeat; the runner renews it every second.
LEASE_SECONDS = 10.0
#: The window of the rate a run is going at.
RATE_WINDOW = 5.0
#: How long a call waits for another process's write to end.
BUSY_TIMEOUT = 10.0

T = TypeVar("T")
_LOG = logging.getLogger("fleet")


class JournalError(Exception):
    """The journal cannot do what was asked: no such run, a database it cannot read or write
    (a full disk), sealed values it cannot open."""


def journal_path() -> Path:
    """Where the journal is: $FLEET_JOURNAL, else journal.db in the user state directory."""
    override = os.environ.get("FLEET_JOURNAL")
    if override:
        return Path(override).expanduser()
    return platformdirs.user_state_path("fleet") / "journal.db"


# ---------------------------------------------------------------------------------------------
# Owners: which process runs a run
# ---------------------------------------------------------------------------------------------


def new_owner() -> str:
    """An owner id for this process: `host/pid/nonce` (the nonce tells two runners of one
    process apart, and a reused pid from the process that had it)."""
    return f"{socket.gethostname()}/{os.getpid()}/{secrets.token_hex(4)}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # somebody else's process: alive
        return True
    except OSError:
        return True
    return True


def owner_alive(owner: str | None, lease: float | None, now: float | None = None) -> bool:
    """Whether the owner of a run still runs it: its lease is fresh and, on this host, its
    process exists (a `kill -9` frees a run at once, not after the lease)."""
    if not owner or lease is None:
        return False
    if lease < (time.time() if now is None else now):
        return False
    host, _, rest = owner.partition("/")
    pid_text = rest.partition("/")[0]
    if host == socket.gethostname() and pid_text.isdigit():
        return _pid_alive(int(pid_text))
    return True


def owner_pid(owner: str | None) -> int | None:
    """The pid in an owner id, when it is this host's."""
    if not owner:
        return None
    host, _, rest = owner.partition("/")
    pid_text = rest.partition("/")[0]
    return int(pid_text) if host == socket.gethostname() and pid_text.isdigit() else None


# ---------------------------------------------------------------------------------------------
# What the journal answers
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunInfo:
    """One run as the journal knows it. `state` is what it is now: a run left `running` by an
    owner that is gone reads `interrupted`. `rate` is targets settled per second over the last
    few seconds (0 when it does not run), `eta` the seconds left at that rate (None when it
    cannot be told). `params` leave out the action's secret fields."""

    id: int
    created: float
    profile: str
    platform: str
    action_id: str
    params: dict[str, Any]
    title: str
    state: RunState
    total: int
    counts: Mapping[TargetState, int]
    rate: float = 0.0
    eta: float | None = None
    owner: str | None = None
    started: float | None = None
    finished: float | None = None
    rate_limit: float | None = None
    cancel_requested: bool = False
    message: str | None = None
    parent: int | None = None

    def count(self, state: TargetState) -> int:
        return self.counts.get(state, 0)

    @property
    def remaining(self) -> int:
        """Targets still to send (pending) or whose call is not settled (sending)."""
        return self.count(TargetState.PENDING) + self.count(TargetState.SENDING)

    @property
    def settled(self) -> int:
        return sum(self.count(state) for state in SETTLED)

    @property
    def owner_pid(self) -> int | None:
        """The pid of the process running it, when that is on this host."""
        return owner_pid(self.owner) if self.state is RunState.RUNNING else None


@dataclass(frozen=True)
class TargetRow:
    """One target of a run: what it is, where it is, and what the platform said of its last
    call. `values` leave out the action's secret fields."""

    run_id: int
    index: int
    key: str
    label: str
    values: dict[str, Any]
    facts: dict[str, str]
    state: TargetState
    attempts: int
    status: int | None
    code: str | None
    message: str | None
    updated: float

    @property
    def target(self) -> Target:
        return Target(self.key, self.label, dict(self.values), dict(self.facts))


@dataclass(frozen=True)
class AuditRow:
    """One mutating call fleet made: `result` is "ok" or "failed"."""

    id: int
    at: float
    profile: str
    platform: str
    run_id: int | None
    method: str
    path: str
    target: str | None
    result: str
    status: int | None
    code: str | None
    message: str | None
    request_id: str | None

    def as_json(self) -> dict[str, Any]:
        return {
            "at": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(self.at))
            + f".{int(self.at % 1 * 1000):03d}Z",
            "profile": self.profile,
            "platform": self.platform,
            "run": self.run_id,
            "action": f"{self.method} {self.path}",
            "target": self.target,
            "result": self.result,
            "status": self.status,
            "code": self.code,
            "message": self.message,
            "request_id": self.request_id,
        }


class Lease(NamedTuple):
    """What a heartbeat learns: whether the run is still ours, and whether a cancel was asked."""

    owned: bool
    cancel_requested: bool


# ---------------------------------------------------------------------------------------------
# Sealing the secret fields of a run's input
# ---------------------------------------------------------------------------------------------


class _Sealer:
    """Encrypt-then-MAC with HMAC-SHA256 as the PRF (a counter-mode keystream, then a tag over
    nonce and ciphertext), keyed from 32 random bytes in a file beside the journal.

    The standard library has no cipher; this construction needs none. The key file is made
    once, atomically (written aside, then linked into place), readable by its owner only, so
    the database can be copied into a bug report without a device's key in it."""

    VERSION = b"\x01"

    def __init__(self, key_path: Path) -> None:
        self.key_path = key_path
        self._keys: tuple[bytes, bytes] | None = None
        self._lock = threading.Lock()

    def _load(self, create: bool) -> tuple[bytes, bytes]:
        with self._lock:
            if self._keys is None:
                key = self._read_key(create)
                self._keys = (
                    hmac.new(key, b"fleet journal: encryption", hashlib.sha256).digest(),
                    hmac.new(key, b"fleet journal: authentication", hashlib.sha256).digest(),
                )
            return self._keys

    def _read_key(self, create: bool) -> bytes:
        try:
            key = self.key_path.read_bytes()
        except FileNotFoundError:
            if not create:
                raise JournalError(
                    f"the journal's key file {self.key_path} is missing: the secret fields of "
                    "this run cannot be read back (import its rows again)"
                ) from None
            key = self._create_key()
        if len(key) != 32:
            raise JournalError(f"the journal's key file {self.key_path} is not a key")
        return key

    def _create_key(self) -> bytes:
        self.key_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        aside = self.key_path.with_name(
            f".{self.key_path.name}.{os.getpid()}.{secrets.token_hex(4)}"
        )
        fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(secrets.token_bytes(32))
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(FileExistsError):  # another process made it first
                os.link(aside, self.key_path)
        finally:
            aside.unlink(missing_ok=True)
        return self.key_path.read_bytes()

    @staticmethod
    def _stream(key: bytes, nonce: bytes, length: int) -> bytes:
        blocks = (length + 31) // 32
        return b"".join(
            hmac.new(key, nonce + counter.to_bytes(4, "big"), hashlib.sha256).digest()
            for counter in range(blocks)
        )[:length]

    def seal(self, values: Mapping[str, Any]) -> str:
        encrypt, authenticate = self._load(create=True)
        plain = json.dumps(dict(values), separators=(",", ":")).encode()
        nonce = secrets.token_bytes(16)
        cipher = bytes(
            a ^ b for a, b in zip(plain, self._stream(encrypt, nonce, len(plain)), strict=True)
        )
        tag = hmac.new(authenticate, self.VERSION + nonce + cipher, hashlib.sha256).digest()[:16]
        return base64.urlsafe_b64encode(self.VERSION + nonce + cipher + tag).decode()

    def open(self, sealed: str) -> dict[str, Any]:
        encrypt, authenticate = self._load(create=False)
        try:
            raw = base64.urlsafe_b64decode(sealed.encode())
        except ValueError:
            raise JournalError("sealed values that are not base64") from None
        version, nonce, cipher, tag = raw[:1], raw[1:17], raw[17:-16], raw[-16:]
        expected = hmac.new(authenticate, version + nonce + cipher, hashlib.sha256).digest()[:16]
        if version != self.VERSION or not hmac.compare_digest(tag, expected):
            raise JournalError(
                f"sealed values that the journal's key ({self.key_path}) does not open: the key "
                "file was replaced (import the run's rows again)"
            )
        plain = bytes(
            a ^ b for a, b in zip(cipher, self._stream(encrypt, nonce, len(cipher)), strict=True)
        )
        return dict(json.loads(plain))


def _split(
    values: Mapping[str, Any], hidden: frozenset[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    shown = {k: v for k, v in values.items() if k not in hidden}
    secret = {k: v for k, v in values.items() if k in hidden}
    return shown, secret


# ---------------------------------------------------------------------------------------------
# The writer thread: group commit
# ---------------------------------------------------------------------------------------------


@dataclass
class _Job:
    work: Callable[[sqlite3.Connection], Any]
    future: concurrent.futures.Future[Any] | None = None


@dataclass
class _Outcome:
    job: _Job
    result: Any = None
    error: BaseException | None = None


class _Writer:
    """One thread, one connection: commits every job queued since its last commit in one
    transaction (each in a savepoint, so that one job's error is its own), then answers each
    job's future. A job's result is known only once it is on disk."""

    MAX_BATCH = 1000

    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(
            target=self._run, args=(connect,), name="fleet-journal", daemon=True
        )
        self._thread.start()

    def submit(self, work: Callable[[sqlite3.Connection], T]) -> concurrent.futures.Future[T]:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        self._queue.put(_Job(work, future))
        return future

    def post(self, work: Callable[[sqlite3.Connection], Any]) -> None:
        """Queue `work` with nobody waiting for it (an audit record)."""
        self._queue.put(_Job(work))

    def close(self, timeout: float = 10.0) -> None:
        """Commit what is queued, then stop."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout)

    def _run(self, connect: Callable[[], sqlite3.Connection]) -> None:
        try:
            conn = connect()
        except BaseException as exc:  # answer every job with the reason, for ever
            while (job := self._queue.get()) is not None:
                if job.future is not None and job.future.set_running_or_notify_cancel():
                    job.future.set_exception(exc)
            return
        try:
            stop = False
            while not stop:
                first = self._queue.get()
                if first is None:
                    break
                batch = [first]
                while len(batch) < self.MAX_BATCH:
                    try:
                        job = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if job is None:
                        stop = True
                        break
                    batch.append(job)
                self._commit(conn, batch)
        finally:
            conn.close()

    @staticmethod
    def _commit(conn: sqlite3.Connection, batch: list[_Job]) -> None:
        # A job whose caller gave up before it ran never happens.
        live = [j for j in batch if j.future is None or j.future.set_running_or_notify_cancel()]
        outcomes: list[_Outcome] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for job in live:
                conn.execute("SAVEPOINT job")
                try:
                    outcomes.append(_Outcome(job, job.work(conn)))
                except Exception as exc:
                    # SQLite may give the whole transaction up (a full disk): all fail.
                    if not conn.in_transaction:
                        raise
                    conn.execute("ROLLBACK TO job")
                    outcomes.append(_Outcome(job, error=exc))
                conn.execute("RELEASE job")
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            failure = JournalError(f"the journal cannot be written: {exc}")
            outcomes = [_Outcome(job, error=failure) for job in live]
        for outcome in outcomes:
            future = outcome.job.future
            if future is None:
                if outcome.error is not None:
                    _LOG.warning("an audit record was lost: %s", outcome.error)
                continue
            if outcome.error is not None:
                future.set_exception(outcome.error)
            else:
                future.set_result(outcome.result)


# ---------------------------------------------------------------------------------------------
# The journal
# ---------------------------------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created REAL NOT NULL,
    profile TEXT NOT NULL,
    platform TEXT NOT NULL,
    action TEXT NOT NULL,
    params_json TEXT NOT NULL,
    params_sealed TEXT,
    title TEXT NOT NULL,
    state TEXT NOT NULL,
    total INTEGER NOT NULL,
    owner TEXT,
    lease REAL,
    claimed REAL,
    started REAL,
    finished REAL,
    rate_limit REAL,
    cancel INTEGER NOT NULL DEFAULT 0,
    message TEXT,
    parent INTEGER REFERENCES runs(id)
);
CREATE INDEX runs_profile ON runs(profile, id);
CREATE TABLE targets (
    run_id INTEGER NOT NULL REFERENCES runs(id),
    idx INTEGER NOT NULL,
    key TEXT NOT NULL,
    label TEXT NOT NULL,
    values_json TEXT NOT NULL,
    sealed TEXT,
    facts_json TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    status INTEGER,
    code TEXT,
    message TEXT,
    updated REAL NOT NULL,
    PRIMARY KEY (run_id, idx)
) WITHOUT ROWID;
CREATE INDEX targets_state ON targets(run_id, state, idx);
CREATE INDEX targets_updated ON targets(run_id, updated);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    profile TEXT NOT NULL,
    platform TEXT NOT NULL,
    run_id INTEGER,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    target TEXT,
    result TEXT NOT NULL,
    status INTEGER,
    code TEXT,
    message TEXT,
    request_id TEXT
);
CREATE INDEX audit_profile ON audit(profile, id);
CREATE INDEX audit_run ON audit(run_id, id);
"""

_RUN_COLUMNS = (
    "id, created, profile, platform, action, params_json, title, state, total, owner, lease, "
    "claimed, started, finished, rate_limit, cancel, message, parent"
)
_TARGET_COLUMNS = (
    "run_id, idx, key, label, values_json, facts_json, state, attempts, status, code, message, "
    "updated"
)


class Journal:
    """The journal of bulk runs and the audit log (see the module docstring).

    `Journal()` opens the one at `journal_path()`; `close()` commits what the writer thread
    still holds (a Journal left open is closed when it is collected, or at exit).
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else journal_path()
        self._sealer = _Sealer(self.path.with_name(self.path.name + ".key"))
        self._lock = threading.Lock()
        self._writer_lock = threading.Lock()
        self._writer: _Writer | None = None
        self._finalizer: weakref.finalize | None = None
        self._conn = self._connect()
        self._migrate()

    # ---------------------------------------------------------------- connections

    def _connect(self) -> sqlite3.Connection:
        new = not self.path.exists()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            conn = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
            )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT * 1000)}")
            conn.execute("PRAGMA foreign_keys=ON")
        except (OSError, sqlite3.Error) as exc:
            raise JournalError(f"cannot open the journal {self.path}: {exc}") from None
        if new:
            with contextlib.suppress(OSError):
                os.chmod(self.path, 0o600)
        return conn

    def _migrate(self) -> None:
        with self._transaction() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise JournalError(
                    f"the journal {self.path} was made by a newer fleet (schema {version})"
                )
            if version == 0:
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    @contextlib.contextmanager
    def _transaction(self, write: bool = True) -> Any:
        """The locked connection, in a transaction (BEGIN IMMEDIATE for a write)."""
        with self._lock:
            conn = self._conn
            try:
                conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                yield conn
                conn.execute("COMMIT")
            except BaseException as exc:
                if conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise JournalError(f"the journal {self.path}: {exc}") from None
                raise

    def _get_writer(self) -> _Writer:
        with self._writer_lock:
            if self._writer is None:
                self._writer = _Writer(self._connect)
                self._finalizer = weakref.finalize(self, self._writer.close)
            return self._writer

    def close(self) -> None:
        """Commit what the writer holds, and close."""
        with self._writer_lock:
            if self._finalizer is not None:
                self._finalizer()
            self._writer = None
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- reading

    def _run_info(
        self, conn: sqlite3.Connection, row: sqlite3.Row | tuple[Any, ...], now: float
    ) -> RunInfo:
        (
            run_id, created, profile, platform, action, params_json, title, state, total,
            owner, lease, claimed, started, finished, rate_limit, cancel, message, parent,
        ) = row  # fmt: skip
        counts = {
            TargetState(s): n
            for s, n in conn.execute(
                "SELECT state, COUNT(*) FROM targets WHERE run_id = ? GROUP BY state", (run_id,)
            )
        }
        run_state = RunState(state)
        if run_state is RunState.RUNNING and not owner_alive(owner, lease, now):
            run_state = RunState.INTERRUPTED
            message = message or "the process that ran it is gone"
        rate, eta = 0.0, None
        if run_state is RunState.RUNNING and claimed is not None:
            window = max(0.5, min(RATE_WINDOW, now - claimed))
            (recent,) = conn.execute(
                "SELECT COUNT(*) FROM targets WHERE run_id = ? AND updated >= ? AND state IN "
                "('done', 'failed', 'uncertain', 'skipped')",
                (run_id, now - window),
            ).fetchone()
            rate = recent / window
            left = counts.get(TargetState.PENDING, 0) + counts.get(TargetState.SENDING, 0)
            eta = left / rate if rate > 0 else None
        return RunInfo(
            id=run_id,
            created=created,
            profile=profile,
            platform=platform,
            action_id=action,
            params=json.loads(params_json),
            title=title,
            state=run_state,
            total=total,
            counts=counts,
            rate=rate,
            eta=eta,
            owner=owner,
            started=started,
            finished=finished,
            rate_limit=rate_limit,
            cancel_requested=bool(cancel),
            message=message,
            parent=parent,
        )

    def runs(self, profile: str | None = None) -> list[RunInfo]:
        """Every run (of one profile), newest first."""
        now = time.time()
        with self._transaction(write=False) as conn:
            if profile is None:
                rows = conn.execute(f"SELECT {_RUN_COLUMNS} FROM runs ORDER BY id DESC").fetchall()
            else:
                rows = conn.execute(
                    f"SELECT {_RUN_COLUMNS} FROM runs WHERE profile = ? ORDER BY id DESC",
                    (profile,),
                ).fetchall()
            return [self._run_info(conn, row, now) for row in rows]

    def run(self, run_id: int) -> RunInfo:
        """One run; JournalError when there is none of that number."""
        with self._transaction(write=False) as conn:
            return self._run_info(conn, self._run_row(conn, run_id), time.time())

    @staticmethod
    def _run_row(conn: sqlite3.Connection, run_id: int) -> tuple[Any, ...]:
        row = conn.execute(f"SELECT {_RUN_COLUMNS} FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise JournalError(f"no bulk run {run_id}")
        return tuple(row)

    def interrupted(self, profile: str | None = None) -> list[RunInfo]:
        """Runs stopped with work left, or left `running` by an owner that is gone: the
        console offers to resume them."""
        return [run for run in self.runs(profile) if run.state is RunState.INTERRUPTED]

    def counts(self, run_id: int) -> dict[TargetState, int]:
        with self._transaction(write=False) as conn:
            return {
                TargetState(s): n
                for s, n in conn.execute(
                    "SELECT state, COUNT(*) FROM targets WHERE run_id = ? GROUP BY state",
                    (run_id,),
                )
            }

    def targets(
        self,
        run_id: int,
        states: Iterable[TargetState] | None = None,
        offset: int = 0,
        limit: int | None = None,
    ) -> list[TargetRow]:
        """A run's targets in order (those in `states`), `limit` of them from `offset`."""
        sql = f"SELECT {_TARGET_COLUMNS} FROM targets WHERE run_id = ?"
        args: list[Any] = [run_id]
        if states is not None:
            wanted = [TargetState(s).value for s in states]
            sql += f" AND state IN ({', '.join('?' * len(wanted))})"
            args += wanted
        sql += " ORDER BY idx LIMIT ? OFFSET ?"
        args += [-1 if limit is None else limit, offset]
        with self._transaction(write=False) as conn:
            return [
                TargetRow(
                    run_id=row[0],
                    index=row[1],
                    key=row[2],
                    label=row[3],
                    values=json.loads(row[4]),
                    facts=json.loads(row[5]),
                    state=TargetState(row[6]),
                    attempts=row[7],
                    status=row[8],
                    code=row[9],
                    message=row[10],
                    updated=row[11],
                )
                for row in conn.execute(sql, args)
            ]

    def params(self, run_id: int) -> dict[str, Any]:
        """The run's action params, secret fields included: what `make_action` takes."""
        with self._transaction(write=False) as conn:
            row = conn.execute(
                "SELECT params_json, params_sealed FROM runs WHERE id = ?", (run_id,)
            ).fetchone()
        if row is None:
            raise JournalError(f"no bulk run {run_id}")
        params = json.loads(row[0])
        if row[1]:
            params.update(self._sealer.open(row[1]))
        return params

    def work(
        self, run_id: int, state: TargetState, *, after: int = -1, limit: int = 256
    ) -> list[tuple[int, Target]]:
        """The runner's view: (index, target) of the targets in `state` after index `after`,
        in order, with their secret fields (a target whose sealed fields cannot be opened
        comes with them missing: its call fails on them, nothing is guessed)."""
        with self._transaction(write=False) as conn:
            rows = conn.execute(
                "SELECT idx, key, label, values_json, sealed, facts_json FROM targets "
                "WHERE run_id = ? AND state = ? AND idx > ? ORDER BY idx LIMIT ?",
                (run_id, TargetState(state).value, after, limit),
            ).fetchall()
        found = []
        for index, key, label, values_json, sealed, facts_json in rows:
            values = json.loads(values_json)
            if sealed:
                with contextlib.suppress(JournalError):
                    values.update(self._sealer.open(sealed))
            found.append((index, Target(key, label, values, json.loads(facts_json))))
        return found

    # ---------------------------------------------------------------- runs

    def create_run(
        self,
        profile: str,
        platform: str,
        action: Action,
        targets: Sequence[Target],
        title: str | None = None,
        rate_limit: float | None = None,
    ) -> int:
        """Journal a planned run of `action` over `targets`; answers its number."""
        hidden = secret_fields(action)
        params, secret_params = _split(action.params, hidden)
        now = time.time()
        rows = []
        for index, target in enumerate(targets):
            values, secret_values = _split(target.values, hidden)
            rows.append(
                (
                    index,
                    target.key,
                    target.label,
                    json.dumps(values),
                    self._sealer.seal(secret_values) if secret_values else None,
                    json.dumps(dict(target.facts)),
                    TargetState.PENDING.value,
                    now,
                )
            )
        with self._transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO runs (created, profile, platform, action, params_json, "
                "params_sealed, title, state, total, rate_limit) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    now,
                    profile,
                    platform,
                    action.id,
                    json.dumps(params),
                    self._sealer.seal(secret_params) if secret_params else None,
                    title or action.title,
                    RunState.PLANNED.value,
                    len(rows),
                    rate_limit,
                ),
            )
            run_id = int(cursor.lastrowid or 0)
            conn.executemany(
                "INSERT INTO targets (run_id, idx, key, label, values_json, sealed, facts_json, "
                "state, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(run_id, *row) for row in rows],
            )
        return run_id

    def claim(self, run_id: int, owner: str) -> bool:
        """Make `owner` the one process that runs the run: False when a live process owns it
        (see `owner_alive`). The run is then `running`, its lease fresh, any cancel forgotten."""
        now = time.time()
        with self._transaction() as conn:
            row = conn.execute(
                "SELECT state, owner, lease FROM runs WHERE id = ?", (run_id,)
            ).fetchone()
            if row is None:
                raise JournalError(f"no bulk run {run_id}")
            state, current, lease = row
            if state == RunState.RUNNING and current != owner and owner_alive(current, lease, now):
                return False
            conn.execute(
                "UPDATE runs SET state = ?, owner = ?, lease = ?, claimed = ?, "
                "started = COALESCE(started, ?), finished = NULL, cancel = 0, message = NULL "
                "WHERE id = ?",
                (RunState.RUNNING.value, owner, now + LEASE_SECONDS, now, now, run_id),
            )
        return True

    def release(self, run_id: int, owner: str, state: RunState, message: str | None = None) -> bool:
        """The owner's last word on a run: its state and why; False when it was no longer
        the owner (another process claimed the run: that one says what it is)."""
        with self._transaction() as conn:
            cursor = conn.execute(
                "UPDATE runs SET state = ?, owner = NULL, lease = NULL, finished = ?, message = ? "
                "WHERE id = ? AND owner = ?",
                (state.value, time.time(), message, run_id, owner),
            )
            return cursor.rowcount == 1

    def request_cancel(self, run_id: int) -> RunState:
        """Stop a run, from any process: a running one is asked (its owner sees it within a
        second or two, lets the calls in flight finish and stops); one that does not run is
        cancelled at once. Answers the run's state afterwards (`running`: asked)."""
        now = time.time()
        with self._transaction() as conn:
            state, owner, lease = conn.execute(
                "SELECT state, owner, lease FROM runs WHERE id = ?", (run_id,)
            ).fetchone() or (None, None, None)
            if state is None:
                raise JournalError(f"no bulk run {run_id}")
            if state == RunState.RUNNING and owner_alive(owner, lease, now):
                conn.execute("UPDATE runs SET cancel = 1 WHERE id = ?", (run_id,))
                return RunState.RUNNING
            if state == RunState.DONE:
                return RunState.DONE
            conn.execute(
                "UPDATE runs SET state = ?, owner = NULL, lease = NULL, finished = ?, "
                "message = 'cancelled before it ran on' WHERE id = ?",
                (RunState.CANCELLED.value, now, run_id),
            )
            return RunState.CANCELLED

    def rerun_failed(self, run_id: int) -> int:
        """A new planned run of the same action over the run's failed targets; its number."""
        now = time.time()
        with self._transaction() as conn:
            run = conn.execute(
                "SELECT profile, platform, action, params_json, params_sealed, title, rate_limit "
                "FROM runs WHERE id = ?",
                (run_id,),
            ).fetchone()
            if run is None:
                raise JournalError(f"no bulk run {run_id}")
            failed = conn.execute(
                "SELECT key, label, values_json, sealed, facts_json FROM targets "
                "WHERE run_id = ? AND state = ? ORDER BY idx",
                (run_id, TargetState.FAILED.value),
            ).fetchall()
            if not failed:
                raise JournalError(f"bulk run {run_id} has no failed target")
            profile, platform, action, params_json, params_sealed, title, rate_limit = run
            cursor = conn.execute(
                "INSERT INTO runs (created, profile, platform, action, params_json, "
                "params_sealed, title, state, total, rate_limit, parent) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    now,
                    profile,
                    platform,
                    action,
                    params_json,
                    params_sealed,
                    f"{title} (failed of #{run_id})",
                    RunState.PLANNED.value,
                    len(failed),
                    rate_limit,
                    run_id,
                ),
            )
            new_id = int(cursor.lastrowid or 0)
            conn.executemany(
                "INSERT INTO targets (run_id, idx, key, label, values_json, sealed, facts_json, "
                "state, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        new_id,
                        index,
                        key,
                        label,
                        values,
                        sealed,
                        facts,
                        TargetState.PENDING.value,
                        now,
                    )
                    for index, (key, label, values, sealed, facts) in enumerate(failed)
                ],
            )
        return new_id

    def decide(self, run_id: int, indexes: Iterable[int], resend: bool) -> int:
        """The user's decision on `uncertain` targets: send them again (back to pending: the
        run is then resumable) or leave them (skipped). Answers how many it changed."""
        wanted = sorted(set(indexes))
        state = TargetState.PENDING if resend else TargetState.SKIPPED
        message = "to send again, as decided" if resend else "skipped, as decided"
        now = time.time()
        with self._transaction() as conn:
            changed = 0
            for index in wanted:
                changed += conn.execute(
                    "UPDATE targets SET state = ?, message = ?, updated = ? "
                    "WHERE run_id = ? AND idx = ? AND state = ?",
                    (state.value, message, now, run_id, index, TargetState.UNCERTAIN.value),
                ).rowcount
            if resend and changed:
                conn.execute(
                    "UPDATE runs SET state = ?, message = ? WHERE id = ? AND state = ?",
                    (
                        RunState.INTERRUPTED.value,
                        f"{changed} uncertain target{'s' if changed != 1 else ''} to send again",
                        run_id,
                        RunState.DONE.value,
                    ),
                )
        return changed

    # ---------------------------------------------------------------- the runner's transitions

    async def _write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        return await asyncio.wrap_future(self._get_writer().submit(work))

    async def begin(self, run_id: int, index: int, owner: str) -> bool:
        """pending → sending, committed: answers once it is on disk. False when the target
        is not pending, or the run is no longer `owner`'s (then nothing may be sent)."""

        def work(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                "UPDATE targets SET state = 'sending', attempts = attempts + 1, updated = ? "
                "WHERE run_id = ? AND idx = ? AND state = 'pending' "
                "AND EXISTS (SELECT 1 FROM runs WHERE id = ? AND owner = ?)",
                (time.time(), run_id, index, run_id, owner),
            )
            return cursor.rowcount == 1

        return await self._write(work)

    async def settle(
        self,
        run_id: int,
        index: int,
        owner: str,
        state: TargetState,
        *,
        key: str | None = None,
        status: int | None = None,
        code: str | None = None,
        message: str | None = None,
        sends: int = 0,
    ) -> bool:
        """sending → `state` (done, failed, uncertain, or back to pending), committed, with what
        the platform said; `key` is the key acted upon (a created device's), `sends` the calls
        made beyond the first. A done target's sealed fields are dropped. False when the
        target was not `sending` under `owner`."""

        def work(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                "UPDATE targets SET state = ?, status = ?, code = ?, message = ?, "
                "key = CASE WHEN ? IS NOT NULL AND key = '' THEN ? ELSE key END, "
                "attempts = attempts + ?, "
                "sealed = CASE WHEN ? THEN NULL ELSE sealed END, updated = ? "
                "WHERE run_id = ? AND idx = ? AND state = 'sending' "
                "AND EXISTS (SELECT 1 FROM runs WHERE id = ? AND owner = ?)",
                (
                    TargetState(state).value,
                    status,
                    code,
                    message,
                    key,
                    key,
                    sends,
                    state is TargetState.DONE,
                    time.time(),
                    run_id,
                    index,
                    run_id,
                    owner,
                ),
            )
            return cursor.rowcount == 1

        return await self._write(work)

    async def heartbeat(self, run_id: int, owner: str) -> Lease:
        """Renew the owner's lease; whether the run is still its own, and whether anybody
        asked it to stop."""

        def work(conn: sqlite3.Connection) -> Lease:
            renewed = conn.execute(
                "UPDATE runs SET lease = ? WHERE id = ? AND owner = ? AND state = 'running'",
                (time.time() + LEASE_SECONDS, run_id, owner),
            ).rowcount
            row = conn.execute("SELECT cancel FROM runs WHERE id = ?", (run_id,)).fetchone()
            return Lease(renewed == 1, bool(row and row[0]))

        return await self._write(work)

    # ---------------------------------------------------------------- the audit log

    def recorder(self, profile: str) -> Callable[[CallRecord], None]:
        """What `Platform.set_recorder` takes for this profile: each call becomes an audit row
        (with the run it was made for, if any), queued for the writer thread, so that the
        call never waits for the disk."""

        def record(call: CallRecord) -> None:
            row = (
                call.at,
                profile,
                call.platform,
                current_run.get(),
                call.method,
                call.path,
                current_target.get() or call.target,
                "ok" if call.ok else "failed",
                call.status,
                call.code,
                call.message,
                call.request_id,
            )
            self._get_writer().post(
                lambda conn: conn.execute(
                    "INSERT INTO audit (at, profile, platform, run_id, method, path, target, "
                    "result, status, code, message, request_id) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    row,
                )
            )

        return record

    def flush(self) -> None:
        """Wait until what was queued for the writer thread is committed."""
        if self._writer is not None:
            self._get_writer().submit(lambda conn: None).result()

    def audit(
        self, profile: str | None = None, *, run_id: int | None = None, limit: int | None = None
    ) -> list[AuditRow]:
        """Audit rows, oldest first (the latest `limit` of them)."""
        where, args = [], []
        if profile is not None:
            where.append("profile = ?")
            args.append(profile)
        if run_id is not None:
            where.append("run_id = ?")
            args.append(run_id)
        sql = (
            "SELECT id, at, profile, platform, run_id, method, path, target, result, status, "
            "code, message, request_id FROM audit"
        )
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC LIMIT ?"
        args.append(-1 if limit is None else limit)
        with self._transaction(write=False) as conn:
            rows = conn.execute(sql, args).fetchall()
        return [AuditRow(*row) for row in reversed(rows)]
