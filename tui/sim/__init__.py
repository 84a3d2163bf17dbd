"""The embedded simulator of the fleet's IoT platforms: one Starlette app, one port, a thread or the foreground."""

from tui.sim.config import SimConfig
from tui.sim.server import SimServer

__all__ = ["SimConfig", "SimServer"]
