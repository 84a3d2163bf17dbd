"""fleet: one keyboard-driven terminal console for IoT device fleets on five vendor platforms."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("fleet-console")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
