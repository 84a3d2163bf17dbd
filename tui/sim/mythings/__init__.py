"""The simulated Proximus MyThings (EnCo API Solutions): the API under /mythings/1.1.0 and its
OAuth2 `/token` and `/revoke` endpoints."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import BaseRoute

from tui.sim.config import SimConfig
from tui.sim.mythings.auth import REVOKE_PATH, TOKEN_PATH
from tui.sim.mythings.errors import NO_MATCHING_RESOURCE, THROTTLED, error_response, fault
from tui.sim.mythings.routes import BASE, MyThingsApi
from tui.sim.ops import OpCounter

#: Paths of the platform's API (faults apply); the token endpoints are the gateway's key manager.
API_PREFIXES = (BASE + "/",)
AUTH_PATHS = (TOKEN_PATH, REVOKE_PATH)


def error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """An error answer for a status the platform code did not produce: the gateway's fault for
    throttling and unknown resources (WSO2 API Manager answers those before the back end), the
    back end's body for the rest (500, 503)."""
    if status == 429:
        return fault(429, THROTTLED, "Message throttled out", "You have exceeded your quota", headers)  # fmt: skip
    if status in (404, 405):
        return fault(
            status,
            NO_MATCHING_RESOURCE,
            "No matching resource found for given API Request",
            f"Access failure for API: {BASE}, version: 1.1.0. Check the API documentation and "
            "add a proper REST resource path to the invocation URL",
            headers,
        )
    return error_response(status, message, None, headers)


def routes(config: SimConfig, ops: OpCounter) -> list[BaseRoute]:
    """MyThings' routes for the demo company."""
    return MyThingsApi(config, ops).routes()


__all__ = ["API_PREFIXES", "AUTH_PATHS", "BASE", "error", "routes"]
