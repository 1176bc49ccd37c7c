"""The HTTP route that turns a login into an HttpOnly cookie (served by ``server.py``).

Streamlit talks to the browser over a websocket, which cannot set a cookie, and st.login
is for outside identity providers (OIDC) only. ``st.App`` (Streamlit's ASGI entry point)
takes extra Starlette routes, so this one answers a plain HTTP POST with ``Set-Cookie``:
HttpOnly (page script never reads the token), SameSite=Strict, Path=/, and no expiry, so it
ends with the browser; the store's idle timeout is the real limit.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core.auth import sessions
from core.store import default_db_path, open_store

PATH = "/jifen-auth/session"  # ui.session.COOKIE_ROUTE posts here


def _cookie(response: Response, request: Request, token: str | None) -> None:
    if token is None:
        response.delete_cookie(sessions.COOKIE_NAME, path="/", httponly=True, samesite="strict")
    else:
        response.set_cookie(sessions.COOKIE_NAME, token, path="/", httponly=True, samesite="strict",
                            secure=request.url.scheme == "https")


async def session_cookie(request: Request) -> Response:
    """``{"code": …}`` spends a login's hand-off code and sets the cookie; ``{"clear": true}``
    (after a logout, whose session row is already revoked) deletes it."""
    try:
        body = await request.json()
    except ValueError:
        return Response(status_code=400)
    if not isinstance(body, dict):
        return Response(status_code=400)
    if body.get("clear"):
        response = Response(status_code=204)
        _cookie(response, request, None)
        return response
    code = body.get("code")
    if not isinstance(code, str):
        return Response(status_code=400)
    token = await run_in_threadpool(sessions.claim_handoff, open_store(default_db_path()), code)
    if token is None:
        return Response(status_code=403)
    response = Response(status_code=204)
    _cookie(response, request, token)
    return response


ROUTES = [Route(PATH, session_cookie, methods=["POST"])]
