"""Fault injection as ASGI middleware: latency, random 500/503 failures and a global rate limit.

Choices: latency applies to every HTTP request (token endpoint included), so a slow platform is slow
everywhere; failures and the rate limit apply only to platform API paths, not to token endpoints,
which are separate identity services (Keycloak for ThingPark) with their own limits; this keeps a
client's retry logic testable without first failing to log in. The rate limit is one token bucket
across the API (capacity = one second of requests, at least 1); a refused request gets 429, a
`Retry-After` in whole seconds (at least 1) and the platform's error body. Failures are 500 or 503
in equal parts, drawn from a Random seeded by the config's seed, so a run is reproducible; a 503
carries `Retry-After: 1`. The simulator's own surface (`/_sim/`, see `tui/sim/ops.py`) is no
platform: no fault of any kind, latency included, ever applies to it.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from tui.sim.config import SimConfig

ErrorFactory = Callable[[int, str, dict[str, str] | None], Response]


@dataclass(frozen=True)
class FaultTarget:
    """A platform's API paths, the paths exempt from faults, and how it writes its error bodies."""

    prefixes: tuple[str, ...]
    exempt: tuple[str, ...]
    error: ErrorFactory


class TokenBucket:
    """A token bucket refilled at `rate` per second, holding at most `capacity`."""

    def __init__(self, rate: float, capacity: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.stamp = time.monotonic()

    def take(self) -> float:
        """0 if a request may pass now, else the seconds until it could."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class FaultMiddleware:
    """Applies the config's latency, fail_rate and rate_limit in front of the platforms."""

    def __init__(
        self,
        app: ASGIApp,
        config: SimConfig,
        targets: Sequence[FaultTarget],
        own: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        #: Path prefixes of the simulator's own surface, which no fault touches.
        self.own = own
        self.latency = config.latency_ms / 1000
        self.fail_rate = config.fail_rate
        self.random = random.Random(config.seed)
        self.bucket = (
            TokenBucket(config.rate_limit, max(1.0, config.rate_limit))
            if config.rate_limit
            else None
        )
        self.targets = tuple(targets)

    def _target(self, path: str) -> FaultTarget | None:
        for target in self.targets:
            if path in target.exempt:
                return None
            if path.startswith(target.prefixes):
                return target
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.own):
            await self.app(scope, receive, send)
            return
        if self.latency:
            await asyncio.sleep(self.latency)
        target = self._target(scope["path"])
        if target is not None:
            if self.bucket is not None:
                wait = self.bucket.take()
                if wait:
                    response = target.error(
                        429,
                        "Too many requests: rate limit exceeded",
                        {"Retry-After": str(max(1, math.ceil(wait)))},
                    )
                    await response(scope, receive, send)
                    return
            if self.fail_rate and self.random.random() < self.fail_rate:
                if self.random.random() < 0.5:
                    response = target.error(500, "Internal server error", None)
                else:
                    response = target.error(
                        503, "Service temporarily unavailable", {"Retry-After": "1"}
                    )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
