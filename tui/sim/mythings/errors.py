"""MyThings' two error bodies: the API gateway's `{"fault": …}` and the platform's `{code, message, errors}`.

api.enco.io is a WSO2 API Manager in front of the MyThings back end (its `/token` and `/revoke`
endpoints, `scope=openid` and one active token per application are WSO2's), so two layers answer
errors, and the simulator keeps them apart as the vendor does:
- the gateway answers authentication (401), throttling (429) and unknown resources (404/405) with
  WSO2's fault body `{"fault": {"code", "message", "description"}}` and WSO2's codes (900902
  missing credentials, 900901 invalid/expired/revoked token, 900800 throttled, 900906 no matching
  resource);
- the back end answers everything else. The vendor page documents no error body; the simulator
  uses its own `DownlinkResponse` model (`code`, `message`, `errors[{field, message}]`, the page's
  `Error` model), `code` being the HTTP status as a string, as the page types `code` a string.
  Validation failures are 400 with one `errors` item per broken rule (field = the JSON path) and
  `message` = the messages as Java prints a list of them, `[A, B]`, which is how the vendor page
  writes them (`[ApplicationKey may not be null, ApplicationKey must be 32 characters]`).
"""

from __future__ import annotations

from starlette.responses import JSONResponse

#: WSO2 API Manager's fault codes.
MISSING_CREDENTIALS = 900902
INVALID_CREDENTIALS = 900901
THROTTLED = 900800
NO_MATCHING_RESOURCE = 900906


def fault(
    status: int, code: int, message: str, description: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """The API gateway's (WSO2's) error answer."""
    body = {"fault": {"code": code, "message": message, "description": description}}
    return JSONResponse(body, status_code=status, headers=headers)


def error_response(
    status: int,
    message: str,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """The back end's error answer: `{"code": "<status>", "message", "errors"}`."""
    body = {"code": str(status), "message": message, "errors": errors or []}
    return JSONResponse(body, status_code=status, headers=headers)


class MyThingsError(Exception):
    """Raised inside a route; the route wrapper turns it into the back end's error body."""

    def __init__(
        self,
        status: int,
        message: str,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors
        self.headers = headers

    def response(self) -> JSONResponse:
        """The answer this error becomes."""
        return error_response(self.status, self.message, self.errors, self.headers)


class GatewayFault(Exception):
    """Raised by the bearer check: the gateway answers before the back end sees the request."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        description: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.description = description
        self.headers = headers

    def response(self) -> JSONResponse:
        """The answer this fault becomes."""
        return fault(self.status, self.code, self.message, self.description, self.headers)


def invalid(violations: list[tuple[str, str]]) -> MyThingsError:
    """A 400 for bean-validation failures: (field, vendor message) pairs, in the page's order."""
    messages = [message for _, message in violations]
    return MyThingsError(
        400,
        "[" + ", ".join(messages) + "]",
        [{"field": field, "message": message} for field, message in violations],
    )


def bad_request(message: str, field: str | None = None) -> MyThingsError:
    """A 400 with one reason."""
    errors = [{"field": field, "message": message}] if field else None
    return MyThingsError(400, message, errors)


def not_found(message: str) -> MyThingsError:
    return MyThingsError(404, message)


def forbidden(message: str) -> MyThingsError:
    return MyThingsError(403, message)
