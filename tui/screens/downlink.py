"""The downlink form: a hex payload and an FPort, checked by the `Downlink` model before sending."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel

from tui.api.errors import ApiError
from tui.api.models import Downlink
from tui.api.platform import Downlinks
from tui.widgets.form import FieldSpec, FormScreen


class DownlinkForm(FormScreen[Downlink]):
    """Queues one downlink to a device; dismisses with the `Downlink` sent, or None if cancelled."""

    TITLE: ClassVar[str] = "Send downlink"
    MODEL: ClassVar[type[BaseModel]] = Downlink
    SUBMIT_LABEL: ClassVar[str] = "Send"

    def __init__(self, key: str, name: str | None = None) -> None:
        super().__init__()
        self.key = key
        # The title names the device, so the operator sees where the frame goes before sending.
        self.TITLE = f"Send downlink to {name} ({key})" if name else f"Send downlink to {key}"

    def fields(self) -> list[FieldSpec]:
        return [
            FieldSpec(
                "payload_hex",
                "Payload (hex)",
                placeholder="e.g. 01A0FF",
                help="even number of hex digits, at most 242 bytes",
            ),
            FieldSpec("fport", "FPort", kind="int", placeholder="1-223"),
            FieldSpec("confirmed", "Confirmed", kind="bool"),
            FieldSpec("flush_queue", "Flush queue first", kind="bool"),
        ]

    async def submit(self, model: Any) -> Downlink:
        platform = getattr(self.app, "platform", None)
        if not isinstance(platform, Downlinks):
            raise ApiError("fleet", "this platform does not send downlinks")
        await platform.send_downlink(self.key, model)
        return model
