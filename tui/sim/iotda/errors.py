"""IoTDA's error body `{"error_code", "error_msg"}`, the codes the simulator answers, and the exception routes raise.

Codes: IoTDA's documented ones where its error-code page names them (IOTDA.000006 invalid input,
IOTDA.000008 malformed request, IOTDA.000017/000018 limit/marker out of range, IOTDA.001000 unknown
resource space, IOTDA.014031 "Invalid input. The device already exists." with HTTP 400, which the
simulator also answers for a node_id already taken, IOTDA.021101 rate limit); Huawei's API gateway
(APIG) answers authentication failures before IoTDA sees the request, so those are APIG's codes
(APIGW.0301 for AK/SK, APIGW.0307 for a token, APIGW.0101 for an unknown API). Where neither is
public the simulator picks, and says so: IOTDA.000002 (403) for a project or instance that is not
the caller's, IOTDA.013000 (404) for an unknown product (also when a new device names one),
IOTDA.014000 (404) for an unknown device, IOTDA.014002 (409) for deleting a device that still has
sub-devices (the vendor's rule is "delete them first"; its code is not public), IOTDA.013001 (409)
for a duplicate product, IOTDA.013002 (409) for deleting a product that still has devices,
IOTDA.000001 (500) and IOTDA.000022 (503) for injected failures. Every answer also carries an
`X-Request-Id` header, as Huawei's gateway adds one.
"""

from __future__ import annotations

from starlette.responses import JSONResponse

from tui.sim.request_ids import new_request_id

INVALID_INPUT = "IOTDA.000006"
MALFORMED = "IOTDA.000008"
LIMIT_RANGE = "IOTDA.000017"
MARKER_RANGE = "IOTDA.000018"
FORBIDDEN = "IOTDA.000002"
APP_NOT_FOUND = "IOTDA.001000"
PRODUCT_NOT_FOUND = "IOTDA.013000"
PRODUCT_EXISTS = "IOTDA.013001"
PRODUCT_HAS_DEVICES = "IOTDA.013002"
DEVICE_NOT_FOUND = "IOTDA.014000"
DEVICE_HAS_SUB_DEVICES = "IOTDA.014002"
DEVICE_EXISTS = "IOTDA.014031"
RATE_LIMITED = "IOTDA.021101"
INTERNAL = "IOTDA.000001"
UNAVAILABLE = "IOTDA.000022"
AKSK_FAILED = "APIGW.0301"
TOKEN_FAILED = "APIGW.0307"
NO_SUCH_API = "APIGW.0101"

#: Messages begin with the documented English description of the code.
INVALID_INPUT_MSG = "Invalid input data."


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """A JSON error answer in IoTDA's format."""
    all_headers = {"X-Request-Id": new_request_id(), **(headers or {})}
    return JSONResponse(
        {"error_code": code, "error_msg": message}, status_code=status, headers=all_headers
    )


class IotdaError(Exception):
    """Raised inside a route; the route wrapper turns it into the vendor error body."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers

    def response(self) -> JSONResponse:
        """The answer this error becomes."""
        return error_response(self.status, self.code, self.message, self.headers)


def invalid(path: str, reason: str) -> IotdaError:
    """A 400 IOTDA.000006 naming the field: `Invalid input data. <path> <reason>.`"""
    return IotdaError(400, INVALID_INPUT, f"{INVALID_INPUT_MSG} {path} {reason}.")
