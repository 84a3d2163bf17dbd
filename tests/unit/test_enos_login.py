"""EnOS's login signing: vectors written out by hand, both signmethods, and properties."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from tui.api.enos_login import SIGN_METHODS, gateway_login, sign, sub_device_sign


def test_the_demo_gateway_login_by_hand() -> None:
    login = gateway_login(
        "fleetGwPK", "fleet-gw-01", "enos-demo-gateway-secret", timestamp="1795314426051"
    )
    # params sorted by name, each name then value, then the secret: a plain SHA-256
    text = (
        "clientIdfleet-gw-01deviceKeyfleet-gw-01productKeyfleetGwPKtimestamp1795314426051"
        "enos-demo-gateway-secret"
    )
    assert login.password == hashlib.sha256(text.encode()).hexdigest()
    assert login.client_id == "fleet-gw-01|securemode=2,signmethod=sha256,timestamp=1795314426051|"
    assert login.username == "fleet-gw-01&fleetGwPK"


def test_hmacsha256_names_the_same_hash() -> None:
    plain = gateway_login("pk", "dk", "s3cret", timestamp="1524448722000.5")
    sdk = gateway_login("pk", "dk", "s3cret", timestamp="1524448722000.5", signmethod="hmacsha256")
    assert sdk.client_id == "dk|securemode=2,signmethod=hmacsha256,timestamp=1524448722000.5|"
    assert sdk.password == plain.password
    expected = hashlib.sha256(
        b"clientIddkdeviceKeydkproductKeypktimestamp1524448722000.5s3cret"
    ).hexdigest()
    assert plain.password == expected
    assert SIGN_METHODS == ("sha256", "hmacsha256")


def test_sign_sorts_by_name_not_by_insertion() -> None:
    assert sign({"b": "2", "a": "1"}, "x") == hashlib.sha256(b"a1b2x").hexdigest()


def test_the_password_stays_out_of_repr() -> None:
    login = gateway_login("pk", "dk", "s3cret", timestamp="1")
    assert login.password not in repr(login)


def test_a_sub_device_is_signed_with_its_own_secret() -> None:
    entry = sub_device_sign("subPK", "sub-01", "sub-secret", timestamp="1000")
    text = b"clientIdsub-01deviceKeysub-01productKeysubPKtimestamp1000sub-secret"
    assert entry == {
        "clientId": "sub-01",
        "deviceKey": "sub-01",
        "productKey": "subPK",
        "timestamp": "1000",
        "signMethod": "sha256",
        "sign": hashlib.sha256(text).hexdigest(),
    }


_keys = st.text(st.characters(min_codepoint=33, max_codepoint=0x2FF), min_size=1, max_size=20)
_secrets = st.text(min_size=8, max_size=40)
_stamps = st.integers(min_value=0, max_value=10**13).map(str)


@given(_keys, _keys, _secrets, _stamps, st.sampled_from(SIGN_METHODS))
def test_the_secret_never_travels_in_clear(
    pk: str, dk: str, secret: str, ts: str, method: str
) -> None:
    login = gateway_login(pk, dk, secret, timestamp=ts, signmethod=method)  # type: ignore[arg-type]
    if secret not in f"{pk}{dk}{ts}{method}":
        assert secret not in login.client_id
        assert secret not in login.username
        assert secret not in login.password


@given(_keys, _keys, _secrets, _stamps, st.data())
def test_the_password_changes_with_each_input(
    pk: str, dk: str, secret: str, ts: str, data: st.DataObject
) -> None:
    base = gateway_login(pk, dk, secret, timestamp=ts).password
    other = data.draw(_keys)
    if other != pk:
        assert gateway_login(other, dk, secret, timestamp=ts).password != base
    if other != dk:
        assert gateway_login(pk, other, secret, timestamp=ts).password != base
    new_secret = data.draw(_secrets)
    if new_secret != secret:
        assert gateway_login(pk, dk, new_secret, timestamp=ts).password != base
    new_ts = data.draw(_stamps)
    if new_ts != ts:
        assert gateway_login(pk, dk, secret, timestamp=new_ts).password != base
