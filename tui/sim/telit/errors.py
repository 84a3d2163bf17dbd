"""TR50's error answer and the error codes the simulator gives.

A command that fails answers `{"success": false, "errorCodes": [int], "errorMessages": [str]}`
under its correlation key; the other commands of the request are answered as usual.

Telit's public pages do not list the codes, so these are the simulator's choices, in TR50's
negative -90000s range (PLATFORMS.md's `-22` is an example, not a code of the API):

- -90001 unknown command; -90002 authentication failed (user, password, application id, token
  or thing key); -90003 a required parameter is missing; -90004 a parameter is not valid (the
  identifier rules among them); -90005 not found; -90006 already exists; -90007 in use (a thing
  definition that things use); -90008 the session is unknown or has expired (also: no session
  at all), the code on which a client logs in once again and retries once; -90010 the session
  may not run that command (an application/thing session asking for an administrator's
  command); -90000 a request that is not a JSON object of commands.
"""

from __future__ import annotations

from typing import Any

GENERAL = -90000
UNKNOWN_COMMAND = -90001
AUTH_FAILED = -90002
PARAM_MISSING = -90003
PARAM_INVALID = -90004
NOT_FOUND = -90005
DUPLICATE = -90006
IN_USE = -90007
SESSION_INVALID = -90008
NOT_AUTHORIZED = -90010


class Tr50Error(Exception):
    """Raised by a command handler; answered as that command's failure."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def answer(self) -> dict[str, Any]:
        """The command's answer: TR50's failure object."""
        return failure(self.code, self.message)


def failure(code: int, message: str) -> dict[str, Any]:
    """A failed command's answer."""
    return {"success": False, "errorCodes": [code], "errorMessages": [message]}


def missing(name: str) -> Tr50Error:
    return Tr50Error(PARAM_MISSING, f"The parameter '{name}' is required.")


def invalid(name: str, why: str) -> Tr50Error:
    return Tr50Error(PARAM_INVALID, f"The parameter '{name}' is not valid: {why}.")


def not_found(what: str) -> Tr50Error:
    return Tr50Error(NOT_FOUND, f"{what} not found.")


def duplicate(what: str) -> Tr50Error:
    return Tr50Error(DUPLICATE, f"{what} already exists.")


SESSION_MESSAGE = "The session is invalid or has expired."
AUTH_MESSAGE = "Authentication failed."
