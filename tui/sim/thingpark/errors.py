"""ThingPark's error body `{"code", "message", "errorId"}` and the exception routes raise to produce it.

The vendor documents the body shape but not its codes; the simulator uses integer codes made of the
HTTP status and a two-digit reason (40001 invalid parameter, 40401 not found, ...), which keeps
`code` an int as the platform's own examples show and lets clients tell reasons apart.
"""

from __future__ import annotations

from starlette.responses import JSONResponse

from tui.sim.request_ids import new_request_id

INVALID_PARAMETER = 40001
MALFORMED_BODY = 40002
INVALID_CURSOR = 40003
UNSUPPORTED = 40004
UNAUTHORIZED = 40101
NOT_FOUND = 40401
CONFLICT = 40901
STALE_VERSION = 40902
RATE_LIMITED = 42901
INTERNAL = 50001
UNAVAILABLE = 50301


def error_body(code: int | str, message: str) -> dict[str, object]:
    """The vendor's error body, with a fresh errorId as the platform puts in each answer."""
    return {"code": code, "message": message, "errorId": new_request_id()}


def error_response(
    status: int, code: int | str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """A JSON error answer in ThingPark's format."""
    return JSONResponse(error_body(code, message), status_code=status, headers=headers)


class ThingParkError(Exception):
    """Raised inside a route; the route wrapper turns it into the vendor error body."""

    def __init__(
        self, status: int, code: int, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers

    def response(self) -> JSONResponse:
        """The answer this error becomes."""
        return error_response(self.status, self.code, self.message, self.headers)


def bad_request(message: str, code: int = INVALID_PARAMETER) -> ThingParkError:
    """A 400 with the given reason."""
    return ThingParkError(400, code, message)


def not_found(message: str) -> ThingParkError:
    """A 404."""
    return ThingParkError(404, NOT_FOUND, message)
