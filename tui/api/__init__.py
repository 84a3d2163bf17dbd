"""The thin shared service layer between the screens and the vendor platforms.

Nothing below this package imports Textual: screens depend on it, never the other way round.
"""

from tui.api.errors import ApiError
from tui.api.paging import Page

__all__ = ["ApiError", "Page"]
