"""TR50's one endpoint, `POST /api`: a JSON object of correlation keys -> commands, answered as an
object with the same keys, in the request's order, each the command's own success or failure.

The session: an `auth` key holding `{"command": "api.authenticate", "params": ...}` logs in and
its session runs the request's other commands (TR50 lets a client log in and work in one
request); `{"auth": {"sessionId": "..."}}` or the HTTP header `sessionId` names an existing one.
Without a live session every other command answers -90008 (errors.py), also when the login in
the same request failed. `api.authenticate` under another key logs in too (its answer carries
the new `sessionId`) but does not change the session of the request's other commands.

Choices where Telit's pages are silent: the answer is HTTP 200 whatever the commands answer; a
body that is not a JSON object, or a key whose value is not `{"command": str, "params"?:
object}`, answers -90000 (the whole body, or that key); a command's handler failing with an
unexpected error answers -90000 under its key. `GET /_sim/telit` (the simulator's own surface,
no auth) answers counts and the CDP's settings, never a password, token or session id.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from tui.sim.ops import PREFIX
from tui.sim.telit.auth import Session
from tui.sim.telit.commands import Portal
from tui.sim.telit.errors import (
    GENERAL,
    SESSION_INVALID,
    SESSION_MESSAGE,
    Tr50Error,
    failure,
)

PATH = "/api"
AUTH_KEY = "auth"
AUTHENTICATE = "api.authenticate"


def _command(value: Any) -> tuple[str, dict[str, Any]] | None:
    """A key's command and params, or None when it is not a command object."""
    if not isinstance(value, dict) or not isinstance(value.get("command"), str):
        return None
    params = value.get("params", {})
    if params is None:
        params = {}
    if not isinstance(params, dict):
        return None
    return value["command"], params


class TelitApi:
    """The `/api` endpoint over one `Portal`."""

    def __init__(self, portal: Portal) -> None:
        self.portal = portal

    def _login(self, params: dict[str, Any]) -> tuple[dict[str, Any], Session | None]:
        """Run `api.authenticate`: its answer, and the session it opened."""
        try:
            answer = self.portal.authenticate(params)
        except Tr50Error as exc:
            return exc.answer(), None
        return {"success": True, "params": answer}, self.portal.sessions.get(answer["sessionId"])

    def _run(self, command: str, params: dict[str, Any], session: Session | None) -> dict[str, Any]:
        if session is None:
            return failure(SESSION_INVALID, SESSION_MESSAGE)
        try:
            answer = self.portal.run(command, params, session)
        except Tr50Error as exc:
            return exc.answer()
        except Exception:  # a handler's bug must not take the other commands' answers with it
            return failure(GENERAL, "An internal error occurred.")
        reply: dict[str, Any] = {"success": True}
        if answer is not None:
            reply["params"] = answer
        return reply

    async def endpoint(self, request: Request) -> Response:
        """POST /api."""
        try:
            body = json.loads(await request.body())
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict):
            return JSONResponse(failure(GENERAL, "The request must be a JSON object of commands."))
        answers: dict[str, Any] = {}
        session: Session | None = None
        sid = request.headers.get("sessionId")
        auth = body.get(AUTH_KEY)
        if isinstance(auth, dict) and isinstance(auth.get("sessionId"), str):
            sid = auth["sessionId"]
        elif (found := _command(auth)) is not None and found[0] == AUTHENTICATE:
            answers[AUTH_KEY], session = self._login(found[1])
        if session is None and sid:
            session = self.portal.sessions.get(sid)
        for key, value in body.items():
            if key in answers or (key == AUTH_KEY and isinstance(value, dict) and "sessionId" in value):  # fmt: skip
                continue
            cmd = _command(value)
            if cmd is None:
                answers[key] = failure(GENERAL, "Each key must hold {command, params}.")
            elif cmd[0] == AUTHENTICATE:
                answers[key] = self._login(cmd[1])[0]
            else:
                answers[key] = self._run(cmd[0], cmd[1], session)
        ordered = {k: answers[k] for k in body if k in answers}
        return JSONResponse(ordered)

    async def snapshot(self, request: Request) -> Response:
        """GET /_sim/telit."""
        return JSONResponse(self.portal.snapshot())

    def routes(self) -> list[BaseRoute]:
        return [
            Route(PATH, self.endpoint, methods=["POST"]),
            Route(PREFIX + "telit", self.snapshot, methods=["GET"]),
        ]
