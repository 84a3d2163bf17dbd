"""fleet: one keyboard-driven terminal console for IoT device fleets on five vendor platforms."""

from __future__ import annotations

__all__ = ["__version__"]


def __getattr__(name: str) -> str:
    # importlib.metadata costs 25-45 ms at every start; only `--version` and bug reports ask.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            value = version("fleet-console")
        except PackageNotFoundError:  # running from a source tree that was never installed
            value = "0.0.0+source"
        globals()["__version__"] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
