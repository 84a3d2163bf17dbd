""" "Test connection" over real HTTPS on loopback: the TLS protocol, cipher and verification
as the profile's client would make them, and a certificate that is not trusted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hostile import HostileServer, self_signed_certificate, tls_server_context
from tests.integration.test_tls import answer
from tui.config import ThingParkProfile
from tui.connection_check import check_connection
from tui.secrets import SecretResolver
from tui.session import EmbeddedSimulator

pytest.importorskip("cryptography", reason="the self-signed certificate is made with cryptography")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def server(certificate: tuple[Path, Path]) -> Iterator[HostileServer]:
    with HostileServer(answer, tls=tls_server_context(*certificate)) as running:
        yield running


def corp(server: HostileServer, **fields: object) -> ThingParkProfile:
    return ThingParkProfile(
        name="corp", platform="thingpark", base_url=server.base_url, client_id="sub-1/c", **fields
    )


RESOLVER = SecretResolver(keyring_timeout=0.5, environ={"FLEET_CORP_CLIENT_SECRET": "s3cret"})


async def test_a_trusted_certificate_is_reported_verified(
    server: HostileServer, certificate: tuple[Path, Path]
) -> None:
    report = await check_connection(
        corp(server, ca_bundle=str(certificate[0])), RESOLVER, EmbeddedSimulator()
    )
    assert report.ok, report.error
    assert report.answer == "1 devices on the first page"
    assert report.tls is not None and report.tls.verified
    assert report.tls.protocol.startswith("TLSv1.")
    assert report.tls.cipher


async def test_insecure_is_reported_not_verified(server: HostileServer) -> None:
    report = await check_connection(corp(server, insecure=True), RESOLVER, EmbeddedSimulator())
    assert report.ok, report.error
    assert report.tls is not None and not report.tls.verified
    assert "NOT verified" in report.tls.describe()


async def test_an_untrusted_certificate_fails_and_says_why(server: HostileServer) -> None:
    report = await check_connection(corp(server), RESOLVER, EmbeddedSimulator())
    assert not report.ok
    assert report.tls is not None and "certificate refused" in report.tls.describe()
