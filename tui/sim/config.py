"""The simulator's knobs: where it listens, how big the fleet is, and which faults it injects."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class SimConfig(BaseModel):
    """Everything `fleet sim` and the test fixtures can turn; the defaults are the demo fleet."""

    model_config = ConfigDict(extra="forbid")

    host: str = "127.0.0.1"
    #: 0 picks a free port when the server starts.
    port: int = Field(default=0, ge=0, le=65535)
    #: Everything generated (EUIs, names, traffic, alarms) is a function of the seed.
    seed: int = 1
    devices: int = Field(default=62804, ge=0, le=10_000_000)
    alarms: int = Field(default=2390, ge=0, le=1_000_000)
    #: Added to every HTTP request, token endpoint included.
    latency_ms: float = Field(default=0, ge=0)
    #: Fraction of API requests answered 500 or 503 with the vendor's error body.
    fail_rate: float = Field(default=0, ge=0, le=1)
    #: Requests per second across the API (a token bucket); excess requests get 429 + Retry-After.
    rate_limit: float | None = Field(default=None, gt=0)
    #: Lifetime of issued access tokens, in seconds.
    token_ttl: int = Field(default=3600, ge=1)
    #: Freeze the data clock at this epoch-millisecond instant (the platform's `now`, last uplinks,
    #: traffic buckets, alarm times), so that snapshots and screenshots do not drift from day to
    #: day. Token expiry keeps real time. None: the data clock is the wall clock.
    frozen_at_ms: int | None = Field(default=None, ge=0)
    #: Default page size of cursor-paged lists.
    page_size: int = Field(default=100, ge=1, le=1000)
