"""fleet's log file: a small rotating file under the user state directory, never on the screen.

The console logs what a user may need after the fact: internal errors with their traceback,
and the whole text of every error it notified (a notification shows one shortened line).
`FLEET_LOG_FILE` overrides the place (tests point it at a temporary directory). Nothing
secret is written: vendor messages are scrubbed by the service layer before they get here,
and `scrub_secrets` masks every value registered with `register_secret` on its way out.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path

import platformdirs

__all__ = ["LOGGER", "log_path", "open_log", "register_scrubber"]

LOGGER = logging.getLogger("fleet")
_MAX_BYTES = 1_000_000
_BACKUPS = 2

#: the scrubbers of the accounts opened lately (a session opens few; the bound keeps a test run
#: that opens hundreds from slowing every record down)
_scrubbers: deque[Callable[[str], str]] = deque(maxlen=16)


def register_scrubber(scrub: Callable[[str], str]) -> None:
    """Mask secrets in every record written to the file (the app registers each account's)."""
    _scrubbers.append(scrub)


class _ScrubFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if _scrubbers:
            text = record.getMessage()
            for scrub in _scrubbers:
                text = scrub(text)
            record.msg, record.args = text, None
        return True


class _ScrubbingFormatter(logging.Formatter):
    def formatException(self, ei: object) -> str:
        text = super().formatException(ei)  # type: ignore[arg-type]
        for scrub in _scrubbers:
            text = scrub(text)
        return text


def log_path() -> Path:
    """Where the log goes: $FLEET_LOG_FILE, else fleet.log in the user state directory."""
    override = os.environ.get("FLEET_LOG_FILE")
    if override:
        return Path(override).expanduser()
    return platformdirs.user_state_path("fleet") / "fleet.log"


def open_log(path: Path | None = None) -> Path | None:
    """Attach the rotating file to the `fleet` logger (once); None when it cannot be written."""
    path = path or log_path()
    for handler in LOGGER.handlers:
        if isinstance(handler, RotatingFileHandler) and Path(handler.baseFilename) == path:
            return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handler = RotatingFileHandler(
            path, maxBytes=_MAX_BYTES, backupCount=_BACKUPS, encoding="utf-8", delay=True
        )
        # delay=True opens on first write; open it now so that an unwritable place shows here.
        handler.stream = handler._open()
        os.chmod(path, 0o600)
    except OSError:
        return None
    handler.setFormatter(_ScrubbingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_ScrubFilter())
    LOGGER.addHandler(handler)
    LOGGER.setLevel(logging.INFO)
    LOGGER.propagate = False
    return path
