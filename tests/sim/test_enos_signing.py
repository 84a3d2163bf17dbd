"""EnOS's login signature and its check, computed here independently with hashlib."""

from __future__ import annotations

import hashlib

from tui.sim.enos.signing import MAX_CLOCK_SKEW_MS, check_login, parse_login, sign, verify

SECRET = "enos-demo-gateway-secret"
NOW_MS = 1_795_314_426_051.0


def _password(pk: str, dk: str, ts: str, secret: str = SECRET) -> str:
    content = f"clientId{dk}deviceKey{dk}productKey{pk}timestamp{ts}{secret}"
    return hashlib.sha256(content.encode()).hexdigest()


def test_sign_sorts_the_params_appends_the_secret_and_hashes() -> None:
    params = {"timestamp": "1", "productKey": "pk", "deviceKey": "dk", "clientId": "dk"}
    expected = hashlib.sha256(b"clientIddkdeviceKeydkproductKeypktimestamp1s3").hexdigest()
    assert sign(params, "s3", "sha256") == expected
    assert sign(params, "s3", "hmacsha256") == expected  # the SDK's name for the same hash
    sha1 = hashlib.sha1(b"clientIddkdeviceKeydkproductKeypktimestamp1s3").hexdigest()
    assert verify(params, "s3", "hmacSha1", sha1.upper())
    assert not verify(params, "s3", "sha256", sha1)
    assert not verify(params, "s3", "rot13", expected)


def test_parse_login_reads_the_client_id_and_username() -> None:
    login = parse_login("gw|securemode=2,signmethod=sha256,timestamp=123|", "gw&pk")
    assert login is not None
    assert (login.product_key, login.device_key, login.method, login.timestamp) == (
        "pk",
        "gw",
        "sha256",
        "123",
    )


def test_parse_login_refuses_what_is_not_enos_shape() -> None:
    good = "gw|securemode=2,signmethod=sha256,timestamp=123|"
    assert parse_login(good, "gw&pk") is not None
    assert parse_login("gw", "gw&pk") is None
    assert parse_login(good, "gw") is None
    assert parse_login(good, "other&pk") is None  # username and client id disagree
    assert parse_login(good.replace("securemode=2", "securemode=3"), "gw&pk") is None
    assert parse_login(good.replace("sha256", "crc32"), "gw&pk") is None
    assert parse_login(good.replace("123", "yesterday"), "gw&pk") is None


def test_check_login_accepts_the_right_signature_only() -> None:
    ts = str(int(NOW_MS))
    login = parse_login(f"gw|securemode=2,signmethod=sha256,timestamp={ts}|", "gw&pk")
    assert login is not None
    assert check_login(login, _password("pk", "gw", ts), SECRET, NOW_MS)
    assert not check_login(login, _password("pk", "gw", ts, "wrong"), SECRET, NOW_MS)
    assert not check_login(login, "", SECRET, NOW_MS)


def test_the_sdks_hmacsha256_and_fractional_millisecond_timestamp_are_accepted() -> None:
    ts = "1795314426051.4285"
    login = parse_login(f"gw|securemode=2,signmethod=hmacsha256,timestamp={ts}|", "gw&pk")
    assert login is not None
    assert check_login(login, _password("pk", "gw", ts), SECRET, NOW_MS)


def test_a_stale_timestamp_is_refused() -> None:
    ts = str(int(NOW_MS - MAX_CLOCK_SKEW_MS - 1))
    login = parse_login(f"gw|securemode=2,signmethod=sha256,timestamp={ts}|", "gw&pk")
    assert login is not None
    assert not check_login(login, _password("pk", "gw", ts), SECRET, NOW_MS)
