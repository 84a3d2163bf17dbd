"""Request ids for error bodies: random-looking UUIDs drawn from a per-simulator seeded generator.

Vendors put a random UUID in each error body. A seeded generator gives ids of the same shape
while keeping one simulator's answers reproducible (snapshot tests show them in notifications).
"""

from __future__ import annotations

import random
import uuid
from contextvars import ContextVar

from starlette.types import ASGIApp, Receive, Scope, Send

_generator: ContextVar[random.Random | None] = ContextVar("sim_request_ids", default=None)


def new_request_id() -> str:
    """A version-4 UUID from the current simulator's generator (or the OS's outside one)."""
    rng = _generator.get()
    if rng is None:
        return str(uuid.uuid4())
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


class RequestIdMiddleware:
    """Outermost middleware: makes this simulator's generator current for each request."""

    def __init__(self, app: ASGIApp, seed: int) -> None:
        self.app = app
        self.rng = random.Random(f"request-ids:{seed}")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = _generator.set(self.rng)
        try:
            await self.app(scope, receive, send)
        finally:
            _generator.reset(token)
