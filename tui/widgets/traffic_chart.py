"""A plotext chart of a device's traffic history: frame counts per bucket, or radio quality means."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rich.console import RenderableType
from rich.text import Text
from textual.reactive import reactive
from textual_plotext import PlotextPlot

from tui.api.models import TrafficBucket, TrafficRange

__all__ = [
    "ChartMode",
    "TrafficChart",
    "bucket_label",
    "zone",
]

ChartMode = Literal["frames", "radio"]


# Colours by meaning, the same in every theme: green flows, red losses.
UP_COLOR = (80, 200, 120)
DOWN_COLOR = (90, 160, 240)
LOST_COLOR = (230, 80, 80)
RSSI_COLOR = (240, 170, 60)
SNR_COLOR = (170, 120, 240)


def zone(name: str | None) -> ZoneInfo:
    """The profile's time zone; UTC when it has none or names one this machine does not know."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


#: how a bucket's start reads, by its unit: (on an axis, in a table)
_LABELS = {
    "hour": ("%H:%M", "%Y-%m-%d %H:%M"),
    "day": ("%m-%d", "%a %Y-%m-%d"),
    "week": ("%m-%d", "week of %Y-%m-%d"),
    "month": ("%Y-%m", "%B %Y"),
}


def bucket_label(start: datetime, tz: ZoneInfo, unit: str, *, long: bool = False) -> str:
    """A bucket's start in the profile's zone: `21:00` / `11-18` / `2026-11` for axes, fuller
    for tables; `unit` is a `TrafficRange.unit`."""
    short, full = _LABELS.get(unit, _LABELS["day"])
    return start.astimezone(tz).strftime(full if long else short)


class TrafficChart(PlotextPlot):
    """Uplinks, downlinks and lost uplinks per bucket ("frames"), or RSSI and SNR means ("radio").

    The chart is drawn at render time, so its axis ticks always suit its current width.
    """

    DEFAULT_CSS = """
    TrafficChart { height: 1fr; min-height: 8; }
    """

    mode: reactive[ChartMode] = reactive("frames")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._buckets: list[TrafficBucket] = []
        self._tz = ZoneInfo("UTC")
        self._unit = "day"

    @property
    def buckets(self) -> list[TrafficBucket]:
        return self._buckets

    def show(self, buckets: Sequence[TrafficBucket], tz: ZoneInfo, chosen: TrafficRange) -> None:
        """Plot these buckets of the `chosen` range (oldest first), labelled in `tz`."""
        self._buckets = list(buckets)
        self._tz = tz
        self._unit = chosen.unit
        self.refresh()

    def legend(self) -> Text:
        """What each colour means, with the period's totals: shown beside the chart."""
        text = Text(no_wrap=True, overflow="ellipsis")
        buckets = self._buckets
        if self.mode == "frames":
            up = sum(b.up for b in buckets)
            lost = sum(b.up_lost for b in buckets)
            down = sum(b.down for b in buckets)
            failed = sum(b.down_failed for b in buckets)
            text.append("━ ", style=_rgb(UP_COLOR))
            text.append(f"uplinks {up}  ")
            text.append("━ ", style=_rgb(LOST_COLOR))
            text.append(f"lost {lost}")
            if up + lost:
                text.append(f" ({100 * lost / (up + lost):.1f}%)")
            text.append("  ━ ", style=_rgb(DOWN_COLOR))
            text.append(f"downlinks {down} ({failed} failed)")
        else:
            text.append("━ ", style=_rgb(RSSI_COLOR))
            text.append("RSSI mean dBm (left axis)  ")
            text.append("━ ", style=_rgb(SNR_COLOR))
            text.append("SNR mean dB (right axis)")
        return text

    def render(self) -> RenderableType:
        self._draw()
        return super().render()

    # ------------------------------------------------------------------ drawing

    def _ticks(self) -> tuple[list[int], list[str]]:
        """About one label per 12 columns, always including the newest bucket."""
        n = len(self._buckets)
        if not n:
            return [], []
        room = max(2, (self.size.width - 10) // 12)
        every = max(1, -(-n // room))
        positions = list(range(n - 1, -1, -every))[::-1]
        labels = [bucket_label(self._buckets[i].start, self._tz, self._unit) for i in positions]
        return positions, labels

    def _draw(self) -> None:
        plt = self.plt
        plt.clear_figure()
        plt.clear_data()
        n = len(self._buckets)
        positions, labels = self._ticks()
        xs = list(range(n))
        if self.mode == "frames":
            up = [b.up for b in self._buckets]
            down = [b.down for b in self._buckets]
            lost = [b.up_lost for b in self._buckets]
            # Thin lines, not bars: bars a few columns wide quantize into blocks that mislead.
            marker = "braille"
            # No plotext legend: it covers the oldest buckets; `legend()` is shown above instead.
            plt.plot(xs, up, color=UP_COLOR, marker=marker)
            plt.plot(xs, down, color=DOWN_COLOR, marker=marker)
            plt.plot(xs, lost, color=LOST_COLOR, marker=marker)
            top = max([1, *up, *down, *lost]) * 1.05
            ticks = _nice_ticks(top)
            plt.ylim(0, ticks[-1])
            plt.yticks(ticks, [str(t) for t in ticks])
        else:
            points = [(i, b) for i, b in enumerate(self._buckets)]
            rssi = [(i, b.rssi_mean) for i, b in points if b.rssi_mean is not None]
            snr = [(i, b.snr_mean) for i, b in points if b.snr_mean is not None]
            if not rssi and not snr:
                plt.title("No radio measurements in this period")
            if rssi:
                plt.plot(
                    [i for i, _ in rssi],
                    [v for _, v in rssi],
                    color=RSSI_COLOR,
                    marker="braille",
                    yside="left",
                )
            if snr:
                plt.plot(
                    [i for i, _ in snr],
                    [v for _, v in snr],
                    color=SNR_COLOR,
                    marker="braille",
                    yside="right",
                )
        if n:
            plt.xlim(-0.5, n - 0.5)
            plt.xticks(positions, labels)


def _nice_ticks(top: float) -> list[int]:
    """Whole-number ticks from 0 past `top` in steps of 1, 2 or 5 times a power of ten."""
    raw = max(1.0, top / 4)
    power = 10 ** (len(str(int(raw))) - 1)
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    count = -(-int(top) // step)
    return [k * step for k in range(count + 1 if count * step >= top else count + 2)]


def _rgb(color: tuple[int, int, int]) -> str:
    return "rgb({},{},{})".format(*color)
