"""Aggregated traffic history (`frames/aggregated`): ISO-8601 durations, tz-aligned buckets, seeded counters.

Choices where the vendor page is silent:
- `duration` and `step` default to P7D and P1D, `timezone` to UTC; durations are `PnW`, `PnD` and
  `PTnHnMnS` combinations (no years or months, whose length varies), at most P90D;
- a step must divide a day (PT15M, PT1H, PT6H, …) or be P1D, must not exceed the duration, and a
  request may ask for at most 5000 buckets; anything else is a 400;
- the answer has ceil(duration / step) buckets, oldest first, the last one being the bucket that
  contains `now` (its counters cover only the part already elapsed); sub-day buckets start on
  multiples of the step in local wall-clock time, daily buckets at local midnight;
- a bucket without uplinks has `null` radio means (`rssiMean`, `snrMean`, `espMean`, PER means);
  cellular devices have no LoRa radio metrics (always `null`) and report microflows in `mf`;
- buckets before the device's creation or after it went silent are empty.
"""

from __future__ import annotations

import math
import random
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tui.sim.thingpark.data import last_uplink_ms, mix
from tui.sim.thingpark.errors import bad_request

MAX_DURATION = timedelta(days=90)
MAX_BUCKETS = 5000
_ISO = re.compile(
    r"^P(?!$)(?:(?P<w>\d+)W)?(?:(?P<d>\d+)D)?(?:T(?=\d)(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?$"
)


def parse_duration(text: str, what: str) -> timedelta:
    """An ISO-8601 duration (weeks, days, hours, minutes, seconds) as a timedelta; 400 otherwise."""
    match = _ISO.match(text or "")
    if not match:
        raise bad_request(f"Invalid {what}: '{text}' is not a supported ISO-8601 duration")
    parts = {k: int(v) for k, v in match.groupdict().items() if v}
    value = timedelta(
        weeks=parts.get("w", 0),
        days=parts.get("d", 0),
        hours=parts.get("h", 0),
        minutes=parts.get("m", 0),
        seconds=parts.get("s", 0),
    )
    if value <= timedelta(0):
        raise bad_request(f"Invalid {what}: '{text}' must be positive")
    return value


def parse_timezone(name: str) -> ZoneInfo:
    """An IANA time zone; 400 if unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise bad_request(f"Invalid timezone: '{name}'") from None


def bucket_starts(now: datetime, duration: timedelta, step: timedelta, tz: ZoneInfo) -> list[int]:
    """Bucket start instants (ms), oldest first, the last containing `now`."""
    if duration > MAX_DURATION:
        raise bad_request("Invalid duration: at most P90D of traffic history is kept")
    day = timedelta(days=1)
    step_s = int(step.total_seconds())
    if step != day and (step > day or 86400 % step_s or step_s < 60):
        raise bad_request("Invalid step: it must divide a day (e.g. PT15M, PT1H, PT6H) or be P1D")
    if step > duration:
        raise bad_request("Invalid step: it must not exceed the duration")
    n = math.ceil(duration / step)
    if n > MAX_BUCKETS:
        raise bad_request(f"Too many buckets: {n} (at most {MAX_BUCKETS})")
    local = now.astimezone(tz)
    if step == day:
        today = local.date()
        days = [today - timedelta(days=k) for k in range(n - 1, -1, -1)]
        return [int(datetime(d.year, d.month, d.day, tzinfo=tz).timestamp() * 1000) for d in days]
    since_midnight = local.hour * 3600 + local.minute * 60 + local.second
    floor_local = local.replace(microsecond=0) - timedelta(seconds=since_midnight % step_s)
    last = int(floor_local.timestamp()) * 1000
    return [last - k * step_s * 1000 for k in range(n - 1, -1, -1)]


def aggregated(rec: dict[str, Any], starts: list[int], step: timedelta, now_ms: int) -> list[dict]:
    """The buckets of `frames/aggregated` for one device, deterministic per device and bucket."""
    eui = int(rec["EUI"], 16)
    step_ms = int(step.total_seconds() * 1000)
    period_ms = rec.get("_period", 0) * 1000
    created = rec.get("creationDate", 0)
    last_ms = last_uplink_ms(rec, now_ms)
    cellular = rec["connectivity"] == "CELLULAR"
    out = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else min(start + step_ms, now_ms)
        lo = max(start, created)
        hi = min(end, now_ms, (last_ms + 1) if last_ms is not None else lo)
        active_ms = max(0, hi - lo)
        r = random.Random(mix(eui ^ (start * 31 + step_ms)))
        expected = active_ms / period_ms if period_ms else 0.0
        count = max(0, round(expected * r.uniform(0.9, 1.02))) if expected else 0
        size = count * rec.get("_size", 0)
        late = sum(1 for _ in range(min(count, 50)) if r.random() < 0.01)
        lost = round(count * r.uniform(0, 0.12)) if count else 0
        dw_count = round(count * r.uniform(0.02, 0.1)) if count else 0
        dw_failed = sum(1 for _ in range(dw_count) if r.random() < 0.05)
        bucket: dict[str, Any] = {"timestamp": start}
        if count and not cellular:
            rssi = rec["_rssi"] + r.uniform(-2.5, 2.5)
            snr = rec["_snr"] + r.uniform(-1.0, 1.0)
            esp = rssi + snr - 10 * math.log10(1 + 10 ** (snr / 10))
            per = lost / (count + lost)
            bucket |= {
                "instantPerMean": round(per * r.uniform(0.3, 1.0), 9),
                "meanPerMean": round(per, 9),
                "rssiMean": round(rssi, 6),
                "snrMean": round(snr, 7),
                "espMean": round(esp, 6),
            }
        else:
            bucket |= {
                "instantPerMean": None,
                "meanPerMean": None,
                "rssiMean": None,
                "snrMean": None,
                "espMean": None,
            }
        mf_count = count if cellular else 0
        bucket["mf"] = {
            "count": mf_count,
            "size": size * 3 if cellular else 0,
            "sizeUp": size * 2 if cellular else 0,
            "sizeDown": size if cellular else 0,
            "duration": mf_count * 2 if cellular else 0,
        }
        bucket["up"] = {
            "count": count,
            "size": size,
            "countOnTime": count - late,
            "sizeOnTime": (count - late) * rec.get("_size", 0),
            "countLate": late,
            "sizeLate": late * rec.get("_size", 0),
            "countLost": lost,
            "subTypes": [],
        }
        bucket["dw"] = {
            "count": dw_count,
            "size": dw_count * 4,
            "countSent": dw_count - dw_failed,
            "sizeSent": (dw_count - dw_failed) * 4,
            "countFailed": dw_failed,
            "sizeFailed": dw_failed * 4,
            "subTypes": [],
        }
        out.append(bucket)
    return out


def now_dt(now_ms: int) -> datetime:
    """A UTC datetime from epoch milliseconds."""
    return datetime.fromtimestamp(now_ms / 1000, tz=UTC)
