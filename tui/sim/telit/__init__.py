"""The simulated Telit IoT Portal (deviceWISE TR50): one `POST /api` endpoint of JSON commands.

Modules: `auth` (sessions), `data` (the demo organisation, generated from the seed), `validation`
(identifier and parameter rules), `commands` (a handler per TR50 command), `routes` (the
endpoint: several commands per request, each answered under its key), `errors` (TR50's failure
answer and the codes chosen), `gateway` (a simulated gateway's application login, which
`fleet sim-gateway` runs). Each module's docstring says what it chose where Telit's pages are
silent. The five ways a thing is created are all real: an application login with an
auto-registration definition (`gateway.connect`), `thing.create` (the New thing form and CSV),
`cdp.connection.sync` with the CDP's `autoCreateThings` on, and `thing.create` with a
connection's ICCID (which makes the connection the thing's).
"""

from __future__ import annotations

from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from tui.sim.config import SimConfig
from tui.sim.ops import OpCounter
from tui.sim.telit.commands import Portal
from tui.sim.telit.errors import GENERAL, failure
from tui.sim.telit.routes import PATH, TelitApi

#: The platform's API path (faults apply to it: logins share the endpoint, so none is exempt).
API_PREFIXES = (PATH,)
AUTH_PATHS: tuple[str, ...] = ()


def error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """An answer for a status the platform code did not produce (a fault, 404, 405): TR50's
    failure body with that HTTP status."""
    return JSONResponse(failure(GENERAL, message), status_code=status, headers=headers)


def routes(config: SimConfig, ops: OpCounter) -> list[BaseRoute]:
    """Telit's routes for the demo organisation."""
    return TelitApi(Portal(config, ops)).routes()


__all__ = ["API_PREFIXES", "AUTH_PATHS", "error", "routes"]
