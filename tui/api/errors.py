"""The one error type every adapter raises: which platform, HTTP status, vendor code and message."""

from __future__ import annotations


class ApiError(Exception):
    """A failed call to a platform, carrying what the vendor said about it.

    `status` is None when no HTTP answer came back at all (connection refused, timeout).
    The message never contains a credential: adapters build it from the vendor's error body only.
    """

    def __init__(
        self,
        platform: str,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
    ) -> None:
        self.platform = platform
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        super().__init__(self.summary)

    @property
    def summary(self) -> str:
        """One line for a notification: `thingpark 404 [40401] Device not found (request abc)`."""
        parts = [self.platform]
        if self.status is not None:
            parts.append(str(self.status))
        if self.code:
            parts.append(f"[{self.code}]")
        parts.append(self.message)
        text = " ".join(parts)
        if self.request_id:
            text += f" (request {self.request_id})"
        return text

    @property
    def is_network(self) -> bool:
        """True when the platform never answered (refused, reset, timed out)."""
        return self.status is None

    def __repr__(self) -> str:
        return (
            f"ApiError(platform={self.platform!r}, status={self.status!r}, "
            f"code={self.code!r}, message={self.message!r}, request_id={self.request_id!r})"
        )


def require_key(platform: str, key: str | None, what: str) -> str:
    """`key` without surrounding blanks; an ApiError, before anything is sent, when it is blank.

    A list may show a row whose id the vendor left blank; a call addressed to it must not turn
    into a request for the collection (`…/devices/e`) or for somebody else's resource.
    """
    key = (key or "").strip()
    if not key:
        raise ApiError(platform, f"{what} has a blank key: nothing was sent")
    return key
