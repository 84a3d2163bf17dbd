"""Verification of Huawei's SDK-HMAC-SHA256 request signature (AK/SK) and of the IAM token alternative.

The canonical request is rebuilt from what arrived, exactly as huaweicloudsdkcore's Signer builds it
before sending: METHOD, the URI (the raw path percent-decoded, each segment re-encoded with only `~`
safe, a `/` appended when missing), the query (decoded pairs sorted by key then value, re-encoded the
same way, joined by `&`), `name:value` lines for the headers named in SignedHeaders (values stripped,
bytes read as UTF-8), the SignedHeaders list, and the hex SHA-256 of the body (of the empty string
when there is none, or the value of a signed `X-Sdk-Content-Sha256` header, which the SDK sends as
UNSIGNED-PAYLOAD for non-JSON bodies). The string to sign is `SDK-HMAC-SHA256\\n{X-Sdk-Date}\\n
{hex(sha256(canonical))}` and the signature its hex HMAC-SHA256 under the SK.

Choices where the vendor is silent: SignedHeaders must include `host` and `x-sdk-date` (so neither
can be altered in flight) and every header it names must have arrived; X-Sdk-Date more than 15
minutes from the server's clock is refused (Huawei's gateway window); all failures are 401 APIGW.0301
with a message saying what failed. `X-Auth-Token` with the demo IAM token is accepted instead (an
unknown token is 401 APIGW.0307); when both are sent the token wins, as IAM token auth is checked
first by the gateway.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote, unquote

from starlette.requests import Request

from tui.sim.credentials import IOTDA_ACCESS_KEY, IOTDA_IAM_TOKEN, IOTDA_SECRET_KEY
from tui.sim.iotda.errors import AKSK_FAILED, TOKEN_FAILED, IotdaError

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
EMPTY_HASH = hashlib.sha256(b"").hexdigest()
#: Huawei's gateway accepts requests signed within 15 minutes of its clock.
MAX_SKEW_SECONDS = 15 * 60
#: The demo account's keys; a real account can have several AKs.
KEYS = {IOTDA_ACCESS_KEY: IOTDA_SECRET_KEY}

_AUTH_RE = re.compile(
    r"^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]+)\s*$"
)


def _fail(reason: str) -> IotdaError:
    return IotdaError(401, AKSK_FAILED, f"Incorrect IAM authentication information: {reason}")


def _encode(text: str) -> str:
    return quote(text, safe="~")


def canonical_uri(raw_path: str) -> str:
    """The path as the signer encodes it: decoded, each segment re-encoded, with a trailing `/`."""
    path = "/".join(_encode(part) for part in unquote(raw_path).split("/"))
    return path if path.endswith("/") else path + "/"


def canonical_query(query_string: str) -> str:
    """The query as the signer encodes it: decoded pairs sorted, re-encoded, joined by `&`."""
    pairs = sorted(parse_qsl(query_string, keep_blank_values=True))
    return "&".join(f"{_encode(k)}={_encode(v)}" for k, v in pairs)


def _header_value(request: Request, name: str) -> str | None:
    raw = [v for k, v in request.headers.raw if k.decode("latin-1").lower() == name]
    if not raw:
        return None
    # The SDK sends UTF-8 bytes (it re-decodes the value as ISO-8859-1 for the wire) and signs the text.
    return raw[0].decode("utf-8", errors="replace").strip()


def string_to_sign(request: Request, signed: list[str], body: bytes, date: str) -> tuple[str, str]:
    """(canonical request, string to sign) for what arrived."""
    headers = []
    for name in signed:
        value = _header_value(request, name)
        if value is None:
            raise _fail(f"signed header {name} is missing")
        headers.append(f"{name}:{value}\n")
    if not body:
        payload_hash = EMPTY_HASH
    else:
        declared = (
            _header_value(request, "x-sdk-content-sha256")
            if ("x-sdk-content-sha256" in signed)
            else None
        )
        payload_hash = declared or hashlib.sha256(body).hexdigest()
    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    canonical = "\n".join(
        [
            request.method.upper(),
            canonical_uri(raw_path.decode("latin-1")),
            canonical_query(request.scope.get("query_string", b"").decode("latin-1")),
            "".join(headers),  # each line ends in \n, then the join adds one more
            ";".join(signed),
            payload_hash,
        ]
    )
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return canonical, f"{ALGORITHM}\n{date}\n{digest}"


def verify(request: Request, body: bytes, now: float) -> None:
    """Raise the gateway's 401 unless the request carries a valid token or AK/SK signature."""
    token = request.headers.get("x-auth-token")
    if token is not None:
        if not hmac.compare_digest(token.strip().encode(), IOTDA_IAM_TOKEN.encode()):
            raise IotdaError(401, TOKEN_FAILED, "The token must be updated.")
        return
    header = request.headers.get("authorization")
    if header is None:
        raise _fail("Authorization header or X-Auth-Token not found")
    match = _AUTH_RE.match(header.strip())
    if match is None:
        raise _fail("the Authorization header is malformed")
    access, signed_text, signature = match.groups()
    secret = KEYS.get(access)
    if secret is None:
        raise _fail("the access key does not exist")
    signed = signed_text.split(";")
    if any(n != n.lower() or not n for n in signed):
        raise _fail("SignedHeaders must be lower-case header names")
    if "host" not in signed or "x-sdk-date" not in signed:
        raise _fail("SignedHeaders must include host and x-sdk-date")
    date = request.headers.get("x-sdk-date", "").strip()
    try:
        stamp = datetime.strptime(date, DATE_FORMAT).replace(tzinfo=UTC).timestamp()
    except ValueError:
        raise _fail("X-Sdk-Date is missing or not in the yyyyMMddTHHmmssZ format") from None
    if abs(now - stamp) > MAX_SKEW_SECONDS:
        raise _fail("the request time is more than 15 minutes from the server time")
    _, to_sign = string_to_sign(request, signed, body, date)
    expected = hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature.lower()):
        raise _fail("verify aksk signature fail")
