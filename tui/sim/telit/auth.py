"""TR50 sessions: `api.authenticate` by a user (username, password) or by an application
(appId, appToken, thingKey), and the session ids later requests carry.

A session id is an opaque random string (32 hex digits) that lives `SimConfig.telit_session_ttl`
seconds from its login (the portal's default session is an hour). An unknown or expired id
answers -90008 (errors.py). A user session may run every command; an application session (a
gateway or thing that logged in with an application token) runs as its thing and may not run
the administrator's commands (`app.*`, `thing_def.create|update|delete`, `cdp.*`): -90010.
Secrets (password, token, session id) never appear in a repr or a message.
"""

from __future__ import annotations

import hmac
import secrets
import time
from dataclasses import dataclass, field

from tui.sim.credentials import TELIT_PASSWORD, TELIT_USERNAME


@dataclass
class Session:
    """Who a session id stands for: a user, or an application's thing."""

    expires: float
    username: str | None = None
    app_id: str | None = None
    thing_key: str | None = None
    org_key: str = field(default="")

    @property
    def is_user(self) -> bool:
        return self.username is not None


def password_ok(username: str, password: str) -> bool:
    """Whether a user login is the demo user's."""
    return hmac.compare_digest(username.lower().encode(), TELIT_USERNAME.encode()) and (
        hmac.compare_digest(password.encode(), TELIT_PASSWORD.encode())
    )


class Sessions:
    """Live sessions by id."""

    def __init__(self, ttl: int) -> None:
        self.ttl = ttl
        self._by_id: dict[str, Session] = {}

    def open(self, session: Session) -> str:
        """A new session id for `session` (whose expiry is set here)."""
        session.expires = time.time() + self.ttl
        sid = secrets.token_hex(16)
        self._by_id[sid] = session
        return sid

    def get(self, sid: str) -> Session | None:
        """The live session of an id; an expired one is forgotten."""
        session = self._by_id.get(sid)
        if session is not None and session.expires <= time.time():
            del self._by_id[sid]
            return None
        return session

    def __len__(self) -> int:
        now = time.time()
        return sum(1 for s in self._by_id.values() if s.expires > now)
