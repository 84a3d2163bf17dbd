"""A profile's TLS settings over real HTTPS on loopback: its own CA bundle, insecure, and bad bundles."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.hostile import (
    HostileServer,
    Received,
    Reply,
    self_signed_certificate,
    tls_server_context,
)
from tui.api.errors import ApiError
from tui.api.platforms.thingpark import TOKEN_PATH
from tui.config import ThingParkProfile
from tui.secrets import SecretResolver
from tui.session import EmbeddedSimulator, open_platform

pytest.importorskip(
    "cryptography", reason="the self-signed certificate of these tests is made with cryptography"
)

PAGE = {"briefs": [{"EUI": "70B3D5E756000999", "name": "behind the proxy"}], "more": False}


def answer(request: Received) -> Reply:
    if request.path == TOKEN_PATH:
        return Reply.json({"access_token": "tok", "expires_in": 3600})
    return Reply.json(PAGE)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def proxy(certificate: tuple[Path, Path]) -> Iterator[HostileServer]:
    """An HTTPS server with a certificate no system trusts, like a corporate TLS proxy's."""
    with HostileServer(answer, tls=tls_server_context(*certificate)) as server:
        yield server


def profile(server: HostileServer, **fields: object) -> ThingParkProfile:
    return ThingParkProfile(
        name="corp", platform="thingpark", base_url=server.base_url, client_id="sub-1/c", **fields
    )


def open_(profile: ThingParkProfile) -> Any:
    resolver = SecretResolver(keyring_timeout=0.5, environ={"FLEET_CORP_CLIENT_SECRET": "s3cret"})
    _, platform = open_platform(profile, resolver, EmbeddedSimulator())
    return platform


async def test_a_profile_with_the_proxy_ca_bundle_lists_devices(
    proxy: HostileServer, certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(certificate[0].parent))
    async with open_(profile(proxy, ca_bundle="~/proxy-ca.pem")) as platform:
        page = await platform.list_devices()
    assert [d.name for d in page.items] == ["behind the proxy"]


async def test_without_the_ca_bundle_the_proxy_is_not_trusted(proxy: HostileServer) -> None:
    async with open_(profile(proxy)) as platform:
        with pytest.raises(ApiError) as err:
            await platform.list_devices()
    assert "CERTIFICATE_VERIFY_FAILED" in err.value.message


async def test_insecure_turns_verification_off_whatever_the_bundle(
    proxy: HostileServer, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere.pem"
    async with open_(profile(proxy, insecure=True, ca_bundle=str(missing))) as platform:
        assert (await platform.list_devices()).items


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (None, "no such file"),
        (b"", "not a PEM file"),
        (b"just some text\n", "not a PEM file"),
        (
            b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n",
            "do not load",
        ),
    ],
    ids=["missing", "empty", "text", "broken-pem"],
)
def test_a_ca_bundle_that_cannot_be_used_is_named_when_the_profile_opens(
    proxy: HostileServer, tmp_path: Path, content: bytes | None, says: str
) -> None:
    bundle = tmp_path / "bundle.pem"
    if content is not None:
        bundle.write_bytes(content)
    with pytest.raises(ValueError) as err:
        open_(profile(proxy, ca_bundle=str(bundle)))
    assert str(bundle) in str(err.value) and says in str(err.value)


def test_a_directory_is_no_ca_bundle(proxy: HostileServer, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot read it"):
        open_(profile(proxy, ca_bundle=str(tmp_path)))
