"""The thing identifier rules (ICCID and IMEI with Luhn, IMSI, MEID, ESN), in the simulator's
validation and through `thing.create` / `thing.update` over TR50."""

from __future__ import annotations

import pytest

from tests.sim.conftest import Tr50
from tui.sim.telit.errors import PARAM_INVALID
from tui.sim.telit.validation import identifier_error, luhn_digit, luhn_ok

VALID = [
    ("iccid", "89014103211118510720"),  # 20 digits
    ("iccid", "8944500102198304826"),  # 19 digits
    ("imei", "490154203237518"),
    ("imei", "356938035643809"),
    ("imsi", "206012345678901"),  # 15 digits
    ("imsi", "20601234567890"),  # 14 digits
    ("meid", "A0000000002329"),
    ("meid", "a10000009296f2"),
    ("esn", "8016B128"),
    ("esn", "ffffffff"),
]
INVALID = [
    ("iccid", "89014103211118510721", "check digit"),
    ("iccid", "890141032111185107", "19 or 20 digits"),
    ("iccid", "890141032111185107201", "19 or 20 digits"),
    ("iccid", "8901410321111851072A", "19 or 20 digits"),
    ("imei", "490154203237517", "check digit"),
    ("imei", "49015420323751", "15 digits"),
    ("imei", "4901542032375180", "15 digits"),
    ("imsi", "2060123456789", "14 or 15 digits"),
    ("imsi", "2060123456789012", "14 or 15 digits"),
    ("imsi", "20601234567890X", "14 or 15 digits"),
    ("meid", "A000000000232", "14 hexadecimal"),
    ("meid", "G0000000002329", "14 hexadecimal"),
    ("esn", "8016B12", "8 hexadecimal"),
    ("esn", "8016B12Z", "8 hexadecimal"),
]


def test_luhn() -> None:
    assert luhn_ok("79927398713")
    assert not luhn_ok("79927398710")
    assert luhn_digit("7992739871") == "3"


@pytest.mark.parametrize(("kind", "value"), VALID)
def test_valid_identifiers_pass_the_rules(kind: str, value: str) -> None:
    assert identifier_error(kind, value) is None


@pytest.mark.parametrize(("kind", "value", "why"), INVALID)
def test_invalid_identifiers_say_which_rule(kind: str, value: str, why: str) -> None:
    error = identifier_error(kind, value)
    assert error is not None and why in error and kind.upper() in error


def test_thing_create_accepts_each_valid_identifier(tr50: Tr50) -> None:
    for n, (kind, value) in enumerate(VALID):
        key = f"ident-{n}"
        tr50.ok("thing.create", key=key, name=key, defKey="tracker", **{kind: value})
        stored = tr50.ok("thing.find", key=key)[kind]
        assert stored == (value.upper() if kind in ("meid", "esn") else value)


@pytest.mark.parametrize(("kind", "value", "why"), INVALID)
def test_thing_create_refuses_an_invalid_identifier(
    tr50: Tr50, kind: str, value: str, why: str
) -> None:
    reply = tr50.call("thing.create", key="bad-ident", name="x", defKey="tracker", **{kind: value})
    assert reply["success"] is False
    assert reply["errorCodes"] == [PARAM_INVALID]
    assert kind in reply["errorMessages"][0] and why in reply["errorMessages"][0]


def test_thing_update_checks_identifiers_too(tr50: Tr50) -> None:
    tr50.ok("thing.create", key="upd-ident", name="x", defKey="tracker")
    bad = tr50.call("thing.update", key="upd-ident", esn="XYZ")
    assert bad["errorCodes"] == [PARAM_INVALID]
    assert tr50.call("thing.update", key="upd-ident", esn="8016b128") == {"success": True}
    assert tr50.ok("thing.find", key="upd-ident")["esn"] == "8016B128"
    assert tr50.call("thing.update", key="upd-ident", esn="") == {"success": True}
    assert "esn" not in tr50.ok("thing.find", key="upd-ident")
