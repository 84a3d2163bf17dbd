"""Unit tests of the IoTDA adapter's reading of the vendor's JSON."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tui.api.platforms.iotda import device_detail_from_body, device_summary_from_brief

BRIEF = {"device_id": "d1", "device_name": "meter 1", "node_id": "n1", "status": "ONLINE"}


@pytest.mark.parametrize(
    ("said", "when"),
    [
        ("2024-01-03T01:02:03.456Z", datetime(2024, 1, 3, 1, 2, 3, 456000, tzinfo=UTC)),
        ("2024-01-03T01:02:03Z", datetime(2024, 1, 3, 1, 2, 3, tzinfo=UTC)),
        ("20240103T010203Z", datetime(2024, 1, 3, 1, 2, 3, tzinfo=UTC)),
        ("yesterday", None),
        ("", None),
    ],
)
def test_status_since_reads_both_of_the_vendors_time_formats(
    said: str, when: datetime | None
) -> None:
    row = device_summary_from_brief({**BRIEF, "connection_status_update_time": said})
    assert row.last_activity == when


def test_the_detail_reads_the_status_time_of_the_query_device_answer() -> None:
    detail = device_detail_from_body(
        {
            **BRIEF,
            "create_time": "20190303T081011Z",
            "active_time": "2019-03-03T08:20:11.000Z",
            "connection_status_update_time": "2019-03-04T09:00:00.000Z",
        }
    )
    assert detail.summary.last_activity == datetime(2019, 3, 4, 9, 0, tzinfo=UTC)
    shown = {f.label: f.value for s in detail.sections for f in s.fields}
    # Both formats shown alike, as UTC, for the screen to put in the profile's time zone.
    assert shown["Create time"] == "2019-03-03 08:10:11 UTC"
    assert shown["Active time"] == "2019-03-03 08:20:11 UTC"
    assert shown["Connection status update time"] == "2019-03-04 09:00:00 UTC"
