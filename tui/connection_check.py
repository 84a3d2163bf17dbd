""" "Test connection" for a profile: open it, ask for the first page of devices, time the answer,
ask who the platform says we are (`Identity.whoami`), and look at the TLS handshake. Shared by
the profiles view and `fleet profile test` (no Textual)."""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from tui.api.errors import ApiError
from tui.api.platform import DeviceDirectory, Identity, Platform
from tui.config import EnosProfile, ProfileBase
from tui.secrets import SecretError, SecretResolver
from tui.session import EmbeddedSimulator, UnsupportedPlatform, open_platform, tls_verification

__all__ = ["ConnectionReport", "TlsInfo", "check_connection", "probe_tls"]

#: how long the TLS probe waits for the handshake
TLS_TIMEOUT = 10.0
#: the stopwatch (tests stop it, so that a snapshot's time is the same every run)
_clock = time.perf_counter


@dataclass(frozen=True)
class TlsInfo:
    """What the TLS handshake with the profile's host settled on; `note` when there was none."""

    protocol: str = ""
    cipher: str = ""
    verified: bool = False
    note: str = ""

    def describe(self) -> str:
        if self.note:
            return self.note
        checked = "certificate verified" if self.verified else "certificate NOT verified"
        return f"{self.protocol}, {self.cipher}, {checked}"


@dataclass(frozen=True)
class ConnectionReport:
    """The outcome of one test: `error` is None when the platform answered."""

    profile: str
    seconds: float
    answer: str = ""
    #: who the platform says we are; "" where it cannot tell
    who: str = ""
    tls: TlsInfo | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def lines(self) -> list[str]:
        """The report as lines for a terminal or a screen (outside text still to be made safe)."""
        head = "ok" if self.ok else "FAILED"
        out = [f"{self.profile}: {head} in {self.seconds * 1000:.0f} ms"]
        if self.who:
            out.append(f"who: {self.who}")
        if self.answer:
            out.append(f"answer: {self.answer}")
        if self.tls is not None:
            out.append(f"TLS: {self.tls.describe()}")
        if self.error:
            out.append(f"error: {self.error}")
        return out


def _endpoint(profile: ProfileBase) -> tuple[str, int, bool] | None:
    """(host, port, tls) of the profile's server, None when its address is unknown."""
    if isinstance(profile, EnosProfile):
        try:
            return profile.broker
        except ValueError:
            return None
    url = urlsplit(profile.base_url)
    if not url.hostname:
        return None
    tls = url.scheme.lower() == "https"
    return url.hostname, url.port or (443 if tls else 80), tls


def probe_tls(profile: ProfileBase, timeout: float = TLS_TIMEOUT) -> TlsInfo:
    """A TLS handshake with the profile's host as its client would make it (same verification)."""
    endpoint = _endpoint(profile)
    if endpoint is None:
        return TlsInfo(note="no address to check")
    host, port, tls = endpoint
    if profile.simulator:  # (its port changes with every start)
        return TlsInfo(note="none: the embedded simulator, on loopback")
    if not tls:
        return TlsInfo(note=f"none: plain connection to {host}:{port}")
    verify = tls_verification(profile)
    if isinstance(verify, ssl.SSLContext):
        context = verify
    elif verify:
        context = ssl.create_default_context()
    else:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    try:
        with (
            socket.create_connection((host, port), timeout=timeout) as raw,
            context.wrap_socket(raw, server_hostname=host) as wrapped,
        ):
            cipher = wrapped.cipher()
            return TlsInfo(
                protocol=wrapped.version() or "",
                cipher=cipher[0] if cipher else "",
                verified=context.verify_mode == ssl.CERT_REQUIRED,
            )
    except ssl.SSLCertVerificationError as exc:
        return TlsInfo(note=f"certificate refused: {exc.verify_message or exc}")
    except (OSError, ssl.SSLError) as exc:
        return TlsInfo(note=f"handshake failed: {exc}")


def _said(exc: BaseException) -> str:
    if isinstance(exc, ApiError):
        return exc.summary  # the vendor's status, [code] and message
    return str(exc) or type(exc).__name__


async def check_connection(
    profile: ProfileBase, resolver: SecretResolver, simulator: EmbeddedSimulator
) -> ConnectionReport:
    """Open the profile and ask for the first page of devices; the time covers the log-in (when
    the platform logs in on the first call) and the answer."""
    started = _clock()
    try:
        resolved, platform = await asyncio.to_thread(open_platform, profile, resolver, simulator)
    except (UnsupportedPlatform, SecretError, ValueError) as exc:
        return ConnectionReport(profile.name, _clock() - started, error=_said(exc))
    try:
        if isinstance(platform, DeviceDirectory):
            page = await platform.list_devices()
            answer = (
                f"{page.total} devices"
                if page.total is not None
                else f"{len(page.items)} "
                f"devices on the first page{' (more follow)' if page.has_more else ''}"
            )
        else:
            answer = "connected"
        seconds = _clock() - started
        who = await _whoami(platform)
    except Exception as exc:  # the vendor's refusal, or no answer at all
        return ConnectionReport(
            profile.name,
            _clock() - started,
            tls=await asyncio.to_thread(probe_tls, resolved),
            error=_said(exc),
        )
    finally:
        await platform.aclose()
    tls = await asyncio.to_thread(probe_tls, resolved)
    return ConnectionReport(profile.name, seconds, answer=answer, who=who, tls=tls)


async def _whoami(platform: Platform) -> str:
    """Who the platform says we are; its refusal is told, not fatal (the device list answered)."""
    if not isinstance(platform, Identity):
        return ""
    try:
        return platform.scrub(await platform.whoami())
    except ApiError as exc:
        return f"not told ({exc.summary})"
