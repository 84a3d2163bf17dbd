"""The simulator's knobs: where it listens, how big the fleets are, and which faults it injects.

Impossible knobs are refused when the config is built, never discovered by a hanging request:
floats must be finite, the added latency is at most a minute, the rate limit lets at least one
request through a minute (a slower bucket would answer `Retry-After` of more than a minute) and
at most a million a second.
"""

from __future__ import annotations

import math
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

#: The longest added latency: a request that waits longer looks dead to every client.
MAX_LATENCY_MS = 60_000
#: The slowest rate limit, one request a minute; the fastest, a million a second.
MIN_RATE_LIMIT = 1 / 60
MAX_RATE_LIMIT = 1_000_000


def _finite(lo: float, hi: float, what: str) -> AfterValidator:
    """A check that a float is finite and within [lo, hi], whose message says what the knob takes."""

    def check(value: float) -> float:
        if not (math.isfinite(value) and lo <= value <= hi):
            raise PydanticCustomError("sim_knob", f"must be {what}, not {value!r}")
        return value

    return AfterValidator(check)


Latency = Annotated[float, _finite(0, MAX_LATENCY_MS, "milliseconds from 0 to 60000 (a minute)")]
FailRate = Annotated[float, _finite(0, 1, "a fraction from 0 to 1")]
RateLimit = Annotated[
    float,
    _finite(
        MIN_RATE_LIMIT,
        MAX_RATE_LIMIT,
        "requests per second from 0.0167 (one a minute) to 1000000",
    ),
]


class SimConfig(BaseModel):
    """Everything `fleet sim` and the test fixtures can turn; the defaults are the demo fleet."""

    model_config = ConfigDict(extra="forbid")

    host: str = "127.0.0.1"
    #: 0 picks a free port when the server starts.
    port: int = Field(default=0, ge=0, le=65535)
    #: Everything generated (EUIs, names, traffic, alarms) is a function of the seed.
    seed: int = 1
    #: Devices of every platform; None gives each platform its own demo size (ThingPark 62,804,
    #: IoTDA 20,000).
    devices: int | None = Field(default=None, ge=0, le=10_000_000)
    alarms: int = Field(default=2390, ge=0, le=1_000_000)
    #: Added to every HTTP request, token endpoint included.
    latency_ms: Latency = 0
    #: Fraction of API requests answered 500 or 503 with the vendor's error body.
    fail_rate: FailRate = 0
    #: Requests per second across the API (a token bucket); excess requests get 429 + Retry-After.
    rate_limit: RateLimit | None = None
    #: Lifetime of issued access tokens, in seconds.
    token_ttl: int = Field(default=3600, ge=1)
    #: Lifetime of Telit TR50 sessions (`api.authenticate`), in seconds.
    telit_session_ttl: int = Field(default=3600, ge=1)
    #: Freeze the data clock at this epoch-millisecond instant (the platform's `now`, last uplinks,
    #: traffic buckets, alarm times), so that snapshots and screenshots do not drift from day to
    #: day. Token expiry keeps real time. None: the data clock is the wall clock.
    frozen_at_ms: int | None = Field(default=None, ge=0)
    #: Default page size of cursor-paged lists.
    page_size: int = Field(default=100, ge=1, le=1000)
    #: The EnOS MQTT broker's port; 0 picks a free port when the simulator starts.
    mqtt_port: int = Field(default=0, ge=0, le=65535)
    #: Each EnOS product's maximum device count (register answers 739 past it).
    enos_max_devices: int = Field(default=1000, ge=1, le=10_000_000)
    #: The EnOS responder acts on requests but never replies: for tests of a reply that never comes.
    enos_silent: bool = False

    def fleet_size(self, platform_default: int) -> int:
        """How many devices a platform whose own demo size is `platform_default` generates."""
        return platform_default if self.devices is None else self.devices
