"""A process in a pseudo-terminal of its own, its output drained and stripped of escape sequences.

The benchmark runs the console the way a user's terminal does: the pty is the child's stdin,
stdout, stderr and controlling terminal, with the window size set, and a reader thread drains
the master side continuously (a full pty buffer would block the console's writes and be counted
as its own slowness). The text, escape sequences removed, is searched for a needle (a DevEUI):
the moment it appears is the moment it is on screen.
"""

from __future__ import annotations

import codecs
import contextlib
import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Mapping, Sequence

#: CSI sequences, OSC strings (ended by BEL or ST), then any other two-byte escape.
ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b.", re.S)
#: The stripped text kept for the search and for an error message.
KEEP_CHARS = 1 << 20


def _incomplete(text: str, start: int) -> bool:
    """Whether the escape sequence at `start` is cut short by the end of `text` (a lone ESC,
    or a CSI or OSC whose final byte has not come yet: `\x1b.` alone would match those)."""
    found = ESCAPES.match(text, start)
    if found is None:
        return True
    return found.end() - start == 2 and text[start + 1] in "[]"


def strip_escapes(text: str) -> str:
    return ESCAPES.sub("", text)


def parse_size(size: str) -> tuple[int, int]:
    """`120x40` → (columns, lines)."""
    columns, lines = (int(n) for n in size.lower().split("x"))
    return columns, lines


def _controlling_terminal() -> None:
    """In the child: a session of its own whose controlling terminal is the pty (its stdin)."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class PtyProcess:
    """`argv` started with a new pty as its terminal; `wait_for(needle)` times its appearance."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        size: str = "120x40",
        cwd: str | os.PathLike[str] | None = None,
        needle: str | None = None,
    ) -> None:
        columns, lines = parse_size(size)
        self.needle = needle
        #: perf_counter() when the needle was first seen in the stripped output
        self.found_at: float | None = None
        self._found = threading.Event()
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self._text = ""
        self._searched = 0
        self._carry = ""
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        self.master = master
        env = {k: v for k, v in env.items() if k not in ("COLUMNS", "LINES")}
        env["TERM"] = "xterm-256color"
        #: perf_counter() just before Popen: the launch
        self.started_at = time.perf_counter()
        try:
            self.process = subprocess.Popen(
                list(argv),
                stdin=slave,
                stdout=slave,
                stderr=slave,
                cwd=cwd,
                env=env,
                close_fds=True,
                preexec_fn=_controlling_terminal,  # setsid + TIOCSCTTY
            )
        finally:
            os.close(slave)
        self._reader = threading.Thread(target=self._drain, name="pty-reader", daemon=True)
        self._reader.start()

    # ------------------------------------------------------------------ reading

    def _drain(self) -> None:
        try:
            while True:
                ready, _, _ = select.select([self.master], [], [], 0.1)
                if not ready:
                    if self._closed.is_set():
                        return
                    continue
                try:
                    data = os.read(self.master, 65536)
                except OSError:  # EIO: every holder of the slave side has closed it
                    return
                if not data:
                    return
                self._feed(data, time.perf_counter())
        finally:
            self._closed.set()

    def _feed(self, data: bytes, now: float) -> None:
        text = self._carry + self._decoder.decode(data)
        self._carry = ""
        last = text.rfind("\x1b")
        if last >= 0 and _incomplete(text, last):
            # An escape sequence cut by the read: strip it once the rest has come.
            text, self._carry = text[:last], text[last:]
        stripped = strip_escapes(text)
        with self._lock:
            self._text += stripped
            if len(self._text) > KEEP_CHARS:
                cut = len(self._text) - KEEP_CHARS // 2
                self._text = self._text[cut:]
                self._searched = max(0, self._searched - cut)
            if self.needle and self.found_at is None:
                start = max(0, self._searched - len(self.needle))
                if self.needle in self._text[start:]:
                    self.found_at = now
                    self._found.set()
                self._searched = len(self._text)

    def screen_tail(self, chars: int = 2000) -> str:
        """The last `chars` characters of the stripped output (what the terminal last showed)."""
        with self._lock:
            return self._text[-chars:]

    # ------------------------------------------------------------------ waiting

    def wait_for_needle(self, timeout: float) -> float | None:
        """Seconds from launch to the needle on screen; None if it did not come in `timeout`
        seconds or the process ended first."""
        deadline = self.started_at + timeout
        while not self._found.is_set():
            left = deadline - time.perf_counter()
            if left <= 0:
                return None
            if self._found.wait(min(0.05, left)):
                break
            if self.process.poll() is not None and self._closed.is_set():
                break
        if self.found_at is None:
            return None
        return self.found_at - self.started_at

    def wait(self, timeout: float) -> int | None:
        """The exit status, or None if the process still runs after `timeout` seconds."""
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    # ------------------------------------------------------------------ ending

    def close(self, grace: float = 5.0) -> None:
        """SIGTERM to the process group, SIGKILL after `grace` seconds; then the fds."""
        pid = self.process.pid
        if self.process.poll() is None:
            _signal_group(pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                _signal_group(pid, signal.SIGKILL)
                self.process.wait()
        # Whatever else the session started goes with it.
        _signal_group(pid, signal.SIGKILL)
        self._closed.set()
        self._reader.join(timeout=2)
        with contextlib.suppress(OSError):
            os.close(self.master)

    def __enter__(self) -> PtyProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)
