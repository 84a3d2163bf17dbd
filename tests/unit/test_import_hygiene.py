"""The service layer and the simulator never import Textual (Harlequin tests the same)."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "modules",
    [
        [
            "tui.api",
            "tui.api.http",
            "tui.api.models",
            "tui.api.platform",
            "tui.api.platforms.thingpark",
        ],
        ["tui.sim", "tui.sim.app", "tui.sim.server"],
        ["tui.config", "tui.secrets"],
    ],
)
def test_module_does_not_import_textual(modules: list[str]) -> None:
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"{modules} imported {out.stdout.strip()}"
