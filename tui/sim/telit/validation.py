"""The identifier rules of a thing (Telit's "thing identifier") and the parameter checks of commands.

ICCID: 19 or 20 digits whose last digit is the Luhn check digit of the others; IMEI: 15 digits
with a Luhn check digit; IMSI: 14 or 15 digits; MEID: 14 hexadecimal digits; ESN: 8 hexadecimal
digits. The messages say which rule is broken, in the portal's words ("ICCID must be 19 or 20
digits"). Keys (thing, thing definition) are 1 to 128 characters, letters, digits and
`_ - . : @` (the portal's key rule; a space or a slash is refused).
"""

from __future__ import annotations

import re
from typing import Any

from tui.sim.telit.errors import PARAM_MISSING, Tr50Error, invalid, missing

_DIGITS = re.compile(r"[0-9]+")
_HEX = re.compile(r"[0-9A-Fa-f]+")
_KEY = re.compile(r"[A-Za-z0-9_\-.:@]{1,128}")

#: The identifier parameters of a thing, in the order the portal's form shows them.
IDENTIFIERS = ("iccid", "esn", "imei", "meid", "imsi")


def luhn_ok(digits: str) -> bool:
    """Whether a string of digits ends with a valid Luhn check digit."""
    total = 0
    for n, c in enumerate(reversed(digits)):
        d = int(c)
        if n % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def luhn_digit(body: str) -> str:
    """The Luhn check digit that completes `body`."""
    for d in "0123456789":
        if luhn_ok(body + d):
            return d
    raise AssertionError("unreachable")


def identifier_error(kind: str, value: str) -> str | None:
    """Why `value` is not a valid identifier of this kind, or None when it is."""
    if kind == "iccid":
        if not (_DIGITS.fullmatch(value) and len(value) in (19, 20)):
            return "ICCID must be 19 or 20 digits"
        return None if luhn_ok(value) else "ICCID check digit is not valid"
    if kind == "imei":
        if not (_DIGITS.fullmatch(value) and len(value) == 15):
            return "IMEI must be 15 digits"
        return None if luhn_ok(value) else "IMEI check digit is not valid"
    if kind == "imsi":
        ok = _DIGITS.fullmatch(value) and len(value) in (14, 15)
        return None if ok else "IMSI must be 14 or 15 digits"
    if kind == "meid":
        ok = _HEX.fullmatch(value) and len(value) == 14
        return None if ok else "MEID must be 14 hexadecimal digits"
    if kind == "esn":
        ok = _HEX.fullmatch(value) and len(value) == 8
        return None if ok else "ESN must be 8 hexadecimal digits"
    raise ValueError(kind)


def identifiers(params: dict[str, Any]) -> dict[str, str]:
    """The identifiers a command carries, each checked (an empty string clears one)."""
    found: dict[str, str] = {}
    for kind in IDENTIFIERS:
        if kind not in params or params[kind] is None:
            continue
        value = params[kind]
        if not isinstance(value, str):
            raise invalid(kind, "it must be a string")
        if value == "":
            found[kind] = ""
            continue
        why = identifier_error(kind, value)
        if why is not None:
            raise invalid(kind, why)
        found[kind] = value.upper() if kind in ("meid", "esn") else value
    return found


def string(params: dict[str, Any], name: str, required: bool = False) -> str | None:
    """A string parameter (None when absent and not required)."""
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise missing(name)
        return None
    if not isinstance(value, str):
        raise invalid(name, "it must be a string")
    return value


def key(params: dict[str, Any], name: str = "key", required: bool = False) -> str | None:
    """A key parameter, checked against the key rule."""
    value = string(params, name, required)
    if value is not None and not _KEY.fullmatch(value):
        raise invalid(name, "a key is 1 to 128 letters, digits, '_', '-', '.', ':' or '@'")
    return value


def integer(params: dict[str, Any], name: str, default: int, lo: int, hi: int) -> int:
    """An integer parameter within [lo, hi]."""
    value = params.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid(name, "it must be an integer")
    if not lo <= value <= hi:
        raise invalid(name, f"it must be from {lo} to {hi}")
    return value


def boolean(params: dict[str, Any], name: str, default: bool = False) -> bool:
    value = params.get(name, default)
    if not isinstance(value, bool):
        raise invalid(name, "it must be true or false")
    return value


def string_list(params: dict[str, Any], name: str) -> list[str] | None:
    """A list of strings (None when absent)."""
    value = params.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise invalid(name, "it must be a list of non-empty strings")
    return list(value)


def mapping(params: dict[str, Any], name: str) -> dict[str, Any] | None:
    """An object parameter (None when absent)."""
    value = params.get(name)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise invalid(name, "it must be an object")
    return value


def definitions(params: dict[str, Any], name: str) -> dict[str, dict[str, Any]] | None:
    """A thing definition's attributes, properties, alarms or methods: an object of key ->
    object (each with at least a `name`; the key defaults it)."""
    value = mapping(params, name)
    if value is None:
        return None
    out: dict[str, dict[str, Any]] = {}
    for k, item in value.items():
        if not isinstance(item, dict):
            raise invalid(name, f"'{k}' must be an object")
        if not _KEY.fullmatch(k):
            raise invalid(name, f"'{k}' is not a valid key")
        out[k] = {"name": k, **item}
    return out


def one_of(params: dict[str, Any], names: tuple[str, str]) -> tuple[str, str]:
    """Which of two selecting parameters is given (e.g. `key` or `id`), and its value."""
    for name in names:
        value = params.get(name)
        if isinstance(value, str) and value:
            return name, value
        if value is not None and value != "":
            raise invalid(name, "it must be a string")
    raise Tr50Error(PARAM_MISSING, f"The parameter '{names[0]}' or '{names[1]}' is required.")
