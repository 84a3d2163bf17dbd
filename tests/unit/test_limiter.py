"""The bulk runs' rate limiter: its token bucket, CUBIC back-off and recovery (AWS's adaptive
retry mode), the Retry-After it honours, where it learns of 429s (the HTTP layer), and the
rate a profile starts it at."""

from __future__ import annotations

import itertools
import math

import httpx
import pytest

from tui.api.bulk import AdaptiveLimiter
from tui.api.http import make_client
from tui.api.platforms.thingpark import ThingPark
from tui.config import IotdaProfile, TelitProfile, ThingParkProfile


class Clock:
    """A clock that moves only when told; `sleep` moves it."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def limiter(rate: float, clock: Clock) -> AdaptiveLimiter:
    return AdaptiveLimiter(rate, clock=clock, sleep=clock.sleep)


def send_for(lim: AdaptiveLimiter, clock: Clock, seconds: float, step: float = 0.001) -> int:
    """Take every token the limiter gives over `seconds`, looking every `step`."""
    sent = 0
    end = clock.now + seconds
    while clock.now < end:
        while lim.delay() == 0:
            sent += 1
        clock.now += step
    return sent


# ------------------------------------------------------------------------------- the bucket


def test_it_starts_at_the_rate_without_a_burst() -> None:
    clock = Clock()
    lim = limiter(100, clock)
    assert lim.rate == 100
    assert lim.delay() == pytest.approx(0.01)  # empty at first: one token in 1/100 s
    sent = send_for(lim, clock, 10)
    assert 995 <= sent <= 1001


def test_an_idle_bucket_holds_one_second_of_requests_at_most() -> None:
    clock = Clock()
    lim = limiter(50, clock)
    clock.now += 60
    burst = 0
    while lim.delay() == 0:
        burst += 1
    assert burst == 50


def test_a_slow_rate_still_lets_one_request_through() -> None:
    clock = Clock()
    lim = limiter(0.2, clock)
    assert lim.delay() == pytest.approx(5.0)
    clock.now += 5
    assert lim.delay() == 0


async def test_acquire_waits_for_the_next_token() -> None:
    clock = Clock()
    lim = limiter(4, clock)
    for _ in range(3):
        await lim.acquire()
    assert sum(clock.slept) == pytest.approx(0.75)


@pytest.mark.parametrize("rate", [0, -1, math.inf, math.nan])
def test_an_impossible_rate_is_refused(rate: float) -> None:
    with pytest.raises(ValueError, match="requests per second"):
        AdaptiveLimiter(rate)


# ------------------------------------------------------------------------------- 429s


def test_a_429_cuts_the_rate_to_beta_of_what_was_measured() -> None:
    clock = Clock()
    lim = limiter(100, clock)
    send_for(lim, clock, 5)
    assert lim.measured_rate == pytest.approx(100, rel=0.05)
    lim.on_throttle(None)
    assert lim.rate == pytest.approx(0.7 * lim.measured_rate)


def test_nothing_is_sent_before_retry_after() -> None:
    clock = Clock()
    lim = limiter(100, clock)
    send_for(lim, clock, 2)
    lim.on_throttle(3.0)
    assert lim.delay() == pytest.approx(3.0)
    assert lim.blocked_for == pytest.approx(3.0)
    clock.now += 2.999
    assert lim.delay() > 0
    clock.now += 0.002
    assert send_for(lim, clock, 0.1) > 0


async def test_acquire_sleeps_through_the_retry_after() -> None:
    clock = Clock()
    lim = limiter(10, clock)
    lim.on_throttle(2.5)
    start = clock.now
    await lim.acquire()
    assert clock.now - start >= 2.5


def test_the_429s_of_one_burst_are_one_event() -> None:
    clock = Clock()
    lim = limiter(100, clock)
    send_for(lim, clock, 5)
    lim.on_throttle(1.0)
    cut = lim.rate
    for _ in range(7):  # the other calls in flight come back 429 too
        lim.on_throttle(1.0)
    assert lim.rate == cut
    clock.now += 1.5
    lim.on_throttle(None)  # later: a new event
    assert lim.rate < cut


def test_it_recovers_along_the_cubic_curve_to_the_last_maximum() -> None:
    clock = Clock()
    lim = limiter(100, clock)
    send_for(lim, clock, 5)
    w_max = min(lim.measured_rate, lim.rate)
    lim.on_throttle(None)
    event = clock.now
    k = (w_max * (1 - 0.7) / 0.4) ** (1 / 3)
    assert lim.cubic(event) == pytest.approx(0.7 * w_max)  # the curve starts at the cut
    assert lim.cubic(event + k) == pytest.approx(w_max)  # back to W_max after K seconds
    assert lim.cubic(event + k / 2) > 0.7 * w_max + (w_max - 0.7 * w_max) / 2  # concave: fast first

    rates = []
    for _ in range(int(k * 10) + 1):
        send_for(lim, clock, 0.1)
        lim.on_success()
        rates.append(lim.rate)
    assert all(b >= a - 1e-9 for a, b in itertools.pairwise(rates))  # it only climbs
    assert rates[0] < w_max
    assert rates[-1] == pytest.approx(w_max, rel=0.05)


def test_recovery_never_goes_above_the_profile_rate() -> None:
    clock = Clock()
    lim = limiter(100, clock)
    send_for(lim, clock, 5)
    lim.on_throttle(None)
    for _ in range(300):  # 30 s: far along the curve, which keeps climbing past W_max
        send_for(lim, clock, 0.1)
        lim.on_success()
    assert lim.rate == 100


def test_recovery_stays_within_twice_the_measured_rate() -> None:
    clock = Clock()
    lim = limiter(100, clock)
    send_for(lim, clock, 5)
    lim.on_throttle(None)
    for _ in range(100):  # the run sends 10 a second only (its concurrency holds it back)
        assert lim.delay() == 0
        clock.now += 0.1
        lim.on_success()
    assert lim.measured_rate == pytest.approx(10, rel=0.1)
    assert lim.rate <= 2 * lim.measured_rate + 1e-9


def test_successes_before_any_429_leave_the_rate_alone() -> None:
    clock = Clock()
    lim = limiter(100, clock)
    send_for(lim, clock, 1)
    for _ in range(10):
        lim.on_success()
    assert lim.rate == 100


def test_repeated_429s_never_stop_it() -> None:
    clock = Clock()
    lim = limiter(100, clock)
    for _ in range(50):
        send_for(lim, clock, 1.1)
        lim.on_throttle(None)
    assert lim.rate >= 0.5
    assert lim.delay() <= 2.0


# ------------------------------------------------------------------------------- the HTTP layer


def _throttling(retry_after: str | None, times: int):
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] <= times:
            headers = {"Retry-After": retry_after} if retry_after is not None else {}
            return httpx.Response(429, json={"code": 429, "message": "slow down"}, headers=headers)
        return httpx.Response(200, json={})

    return handler


async def _no_sleep(_: float) -> None:
    return None


async def test_the_http_layer_reports_every_429_with_its_retry_after() -> None:
    heard: list[float | None] = []
    api = make_client(
        "testvendor",
        "http://vendor.test",
        transport=httpx.MockTransport(_throttling("2", 2)),
        sleep=_no_sleep,
    )
    api.on_throttle(heard.append)
    await api.request("PUT", "/things/1", json={})
    assert heard == [2.0, 2.0]


async def test_a_429_without_retry_after_is_reported_too_even_the_last_one() -> None:
    heard: list[float | None] = []
    api = make_client(
        "testvendor",
        "http://vendor.test",
        transport=httpx.MockTransport(_throttling(None, 99)),
        sleep=_no_sleep,
    )
    api.on_throttle(heard.append)
    with pytest.raises(Exception, match="slow down"):
        await api.request("PUT", "/things/1", json={})
    assert heard == [None] * 4  # every attempt, the last one (returned to the caller) too


async def test_a_failing_listener_does_not_fail_the_call() -> None:
    def broken(_: float | None) -> None:
        raise RuntimeError("listener bug")

    api = make_client(
        "testvendor",
        "http://vendor.test",
        transport=httpx.MockTransport(_throttling("1", 1)),
        sleep=_no_sleep,
    )
    api.on_throttle(broken)
    await api.request("PUT", "/things/1", json={})


async def test_thingpark_forwards_its_429s_to_the_limiter() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/token"):
            return httpx.Response(
                200, json={"access_token": "token-0123456789", "expires_in": 3600}
            )
        return httpx.Response(
            429, json={"code": 429, "message": "busy"}, headers={"Retry-After": "45"}
        )

    tp = ThingPark(
        "http://tp.test", "sub-1/x", "secret-0123456789", transport=httpx.MockTransport(handler)
    )
    clock = Clock()
    lim = limiter(10, clock)
    tp.on_throttle(lim.on_throttle)
    with pytest.raises(Exception, match="busy"):  # 45 s is beyond what the transport waits
        await tp.delete_device("70B3D5E75E000001")
    assert lim.blocked_for == pytest.approx(45.0)
    await tp.aclose()


# ------------------------------------------------------------------------------- the profile


def test_a_profile_without_a_rate_limit_starts_at_its_platform_default() -> None:
    tp = ThingParkProfile(name="tp", base_url="https://tp.example", client_id="sub-1/console")
    iotda = IotdaProfile(name="hw", project_id="p1", region="cn-north-4", access_key="AK")
    telit = TelitProfile(name="t", base_url="https://t.example", username="u")
    assert tp.rate_limit is None and tp.effective_rate_limit == ThingParkProfile.DEFAULT_RATE_LIMIT
    assert iotda.effective_rate_limit == IotdaProfile.DEFAULT_RATE_LIMIT
    assert telit.effective_rate_limit == TelitProfile.DEFAULT_RATE_LIMIT > 0


def test_a_profile_rate_limit_is_used_as_given() -> None:
    tp = ThingParkProfile(
        name="tp", base_url="https://tp.example", client_id="sub-1/console", rate_limit=200
    )
    assert tp.effective_rate_limit == 200.0


@pytest.mark.parametrize("bad", [0, -5, math.inf, math.nan, True])
def test_an_impossible_profile_rate_limit_is_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="rate_limit"):
        ThingParkProfile(
            name="tp", base_url="https://tp.example", client_id="sub-1/console", rate_limit=bad
        )
