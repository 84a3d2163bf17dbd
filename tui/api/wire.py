"""Pydantic models of the vendors' wire JSON: the shared base, field types, and short reasons.

Adapters validate every answer at the boundary with models built on `WireModel`: lenient where
the vendors are (unknown fields kept, documented optional fields optional) and strict about the
types of the fields they read, so that an answer they cannot read becomes an ApiError with a
short reason (`ApiClient`'s `Answer.read`), never an empty list or another exception.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

__all__ = ["Count", "Key", "WireModel", "object_body", "optional_object_body", "reason"]


class WireModel(BaseModel):
    """A vendor's JSON object: extra fields allowed, read fields strictly typed, no NaN/inf."""

    model_config = ConfigDict(extra="allow", strict=True, allow_inf_nan=False, frozen=True)


def _count(value: Any) -> int | None:
    # A total the server gets wrong is unknown, not a reason to refuse the page it came with.
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None


def _key(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


#: A count or total: a non-negative integer, else unknown (None).
Count = Annotated[int | None, BeforeValidator(_count)]
#: An identifier: vendors send strings, and numbers for some (ThingPark's alarm `ID`); read as text.
Key = Annotated[str, BeforeValidator(_key)]


def object_body(body: Any) -> dict[str, Any]:
    """An answer that must be a JSON object (a resource); ValueError for anything else."""
    if not isinstance(body, dict):
        raise ValueError("the body: expected an object")
    return body


def optional_object_body(body: Any) -> dict[str, Any] | None:
    """An answer that may say nothing (no body) or else is a JSON object."""
    return None if body is None else object_body(body)


_PLAIN = {
    "missing": "missing",
    "model_type": "expected an object",
    "dict_type": "expected an object",
    "list_type": "expected a list",
    "string_type": "expected a string",
    "int_type": "expected an integer",
    "float_type": "expected a number",
    "finite_number": "expected a finite number",
    "bool_type": "expected true or false",
}


def _where(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "the body"


def reason(exc: BaseException, limit: int = 160) -> str:
    """One short line on what was wrong with an answer: never the body, never a value."""
    if isinstance(exc, ValidationError):
        errors = exc.errors(include_input=False, include_url=False, include_context=False)
        first = errors[0]
        text = f"{_where(first['loc'])}: {_PLAIN.get(first['type'], first['msg'])}"
        if len(errors) > 1:
            text += f" (and {len(errors) - 1} more)"
    elif isinstance(exc, KeyError):
        text = f"missing {exc.args[0]!r}" if exc.args else "a field is missing"
    elif isinstance(exc, RecursionError):
        text = "nested too deep"
    else:
        text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"
