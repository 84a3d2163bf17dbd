"""`GET /_sim/enos`: the registered devices per product and each gateway's sub-devices, for tests
(no auth, no faults, never a deviceSecret)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from tui.sim.enos.registry import Registry
from tui.sim.ops import PREFIX


def enos_routes(registry: Registry) -> list[BaseRoute]:
    async def read(request: Request) -> JSONResponse:
        return JSONResponse(registry.snapshot())

    return [Route(PREFIX + "enos", read, methods=["GET"])]
