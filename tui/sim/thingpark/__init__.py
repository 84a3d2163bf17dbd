"""The simulated Actility ThingPark: OSS wireless REST API, DX Core API and its Keycloak token endpoint."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import BaseRoute

from tui.sim.config import SimConfig
from tui.sim.ops import OpCounter
from tui.sim.thingpark.auth import TOKEN_PATH
from tui.sim.thingpark.errors import error_response
from tui.sim.thingpark.routes import DX_BASE, ThingParkApi

#: Paths of the platform's API (faults apply); the token endpoint is Keycloak, a separate service.
API_PREFIXES = ("/thingpark/",)
AUTH_PATHS = (TOKEN_PATH,)

# Vendor codes the fault layer and the framework's own errors use, by HTTP status.
_CODES = {404: 40401, 405: 40501, 429: 42901, 500: 50001, 503: 50301}


def error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """An error answer in ThingPark's body format for a status the platform code did not produce."""
    return error_response(status, _CODES.get(status, status * 100 + 1), message, headers)


def routes(config: SimConfig, ops: OpCounter) -> list[BaseRoute]:
    """ThingPark's routes for one simulated subscriber."""
    return ThingParkApi(config, ops).routes()


__all__ = ["API_PREFIXES", "AUTH_PATHS", "DX_BASE", "error", "routes"]
