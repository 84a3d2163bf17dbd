"""The simulator's ASGI app: every platform mounted on one Starlette app, behind the fault layer,
beside the simulator's own test surface under /_sim/ (`tui/sim/ops.py`), which no fault reaches."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tui.sim import iotda, mythings, telit, thingpark
from tui.sim.config import SimConfig
from tui.sim.enos.data import demo_registry
from tui.sim.enos.ops import enos_routes
from tui.sim.enos.registry import Registry
from tui.sim.faults import FaultMiddleware, FaultTarget
from tui.sim.ops import PREFIX, SimOps
from tui.sim.request_ids import RequestIdMiddleware

#: One entry per platform: its API prefixes, fault-exempt paths and error body format.
TARGETS = [
    FaultTarget(thingpark.API_PREFIXES, thingpark.AUTH_PATHS, thingpark.error),
    FaultTarget(iotda.API_PREFIXES, iotda.AUTH_PATHS, iotda.error),
    FaultTarget(mythings.API_PREFIXES, mythings.AUTH_PATHS, mythings.error),
    FaultTarget(telit.API_PREFIXES, telit.AUTH_PATHS, telit.error),
]


async def _http_error(request: Request, exc: Exception) -> Response:
    """Framework errors (404, 405) in the body format of the platform the path belongs to."""
    assert isinstance(exc, HTTPException)
    message = exc.detail or "Error"
    for target in TARGETS:
        if request.url.path.startswith(target.prefixes):
            return target.error(exc.status_code, message, exc.headers)
    return JSONResponse({"error": message}, status_code=exc.status_code, headers=exc.headers)


def create_app(config: SimConfig, enos: Registry | None = None) -> Starlette:
    """A fresh simulator (its own fleet, tokens and operation counters) for the given knobs.

    `enos` is the EnOS registry the MQTT broker serves, shown at `/_sim/enos` (a fresh demo one
    when not given)."""
    ops = SimOps(("thingpark", "iotda", "mythings", "telit"))
    if enos is None:
        enos = demo_registry(config.seed, config.enos_max_devices)
    return Starlette(
        routes=[
            *thingpark.routes(config, ops.counter("thingpark")),
            *iotda.routes(config, ops.counter("iotda")),
            *mythings.routes(config, ops.counter("mythings")),
            *telit.routes(config, ops.counter("telit")),
            *ops.routes(),
            *enos_routes(enos),
        ],
        middleware=[
            Middleware(RequestIdMiddleware, seed=config.seed),
            Middleware(FaultMiddleware, config=config, targets=TARGETS, own=(PREFIX,)),
        ],
        exception_handlers={HTTPException: _http_error},
    )
