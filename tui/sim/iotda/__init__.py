"""The simulated Huawei IoTDA v5: products and devices under /v5/iot/{project_id}, AK/SK or IAM-token auth."""

from __future__ import annotations

from starlette.responses import Response
from starlette.routing import BaseRoute

from tui.sim.config import SimConfig
from tui.sim.iotda.errors import INTERNAL, NO_SUCH_API, RATE_LIMITED, UNAVAILABLE, error_response
from tui.sim.iotda.routes import IotdaApi
from tui.sim.ops import OpCounter

#: Paths of the platform's API (faults apply); IoTDA has no separate token endpoint here (IAM is
#: another service), so nothing is exempt.
API_PREFIXES = ("/v5/iot/",)
AUTH_PATHS: tuple[str, ...] = ()

# What the fault layer and the framework's own errors answer, by HTTP status.
_CODES = {
    404: (NO_SUCH_API, "The API does not exist or has not been published in the environment."),
    405: (NO_SUCH_API, "The API does not exist or has not been published in the environment."),
    429: (RATE_LIMITED, "Request reached the maximum rate limit."),
    500: (INTERNAL, "Internal server error."),
    503: (UNAVAILABLE, "Service unavailable. Try again later."),
}


def error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """An error answer in IoTDA's body format for a status the platform code did not produce."""
    code, text = _CODES.get(status, (f"IOTDA.{status:06d}", message))
    return error_response(status, code, text, headers)


def routes(config: SimConfig, ops: OpCounter) -> list[BaseRoute]:
    """IoTDA's routes for the demo project."""
    return IotdaApi(config, ops).routes()


__all__ = ["API_PREFIXES", "AUTH_PATHS", "error", "routes"]
