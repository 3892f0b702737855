"""A minimal OAuth client that gets one real access token from a real authorization server.

It is what an MCP client does (MCP 2025-11-25 basic/authorization, Authorization Flow
Steps), without a browser: RFC 8414 metadata, RFC 7591 registration of a public client
(`token_endpoint_auth_method: none`), an authorization request with PKCE S256 (RFC 7636)
and the RFC 8707 `resource`, then the code exchange with the same `resource`. The user
agent is played here: redirects on the authorization server's origin are followed with a
cookie jar until one points at our redirect URI, whose `code` is then taken without ever
connecting to it (nothing listens there). Every peer this is used with approves at once.
Standard library only.
"""

from __future__ import annotations

import base64
import hashlib
import http.cookiejar
import json
import secrets
import urllib.error
import urllib.parse
import urllib.request

REDIRECT_URI = "http://127.0.0.1:9/interop/callback"  # never connected to
MAX_HOPS = 10


class OAuthError(RuntimeError):
    """Getting a token failed; the message says at which step and what came back."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are answers to look at, not to follow blindly."""

    def redirect_request(self, *args, **kwargs):  # noqa: D401 - urllib hook
        return None


def _origin(url: str) -> str:
    p = urllib.parse.urlsplit(url)
    return f"{p.scheme}://{p.netloc}".lower()


class _Agent:
    def __init__(self, timeout: float):
        self.timeout = timeout
        self.opener = urllib.request.build_opener(
            _NoRedirect(), urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def send(self, url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None):
        """(status, headers, body) of one request; HTTP errors are answers too."""
        request = urllib.request.Request(url, data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=self.timeout) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()
        except (urllib.error.URLError, OSError) as e:
            raise OAuthError(f"{url}: {e}") from e

    def json(self, url: str, *, what: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> dict:
        status, _, body = self.send(url, data=data, headers=headers)
        if not 200 <= status < 300:
            raise OAuthError(f"{what}: {url} answered {status}: {body[:300]!r}")
        try:
            return json.loads(body)
        except ValueError as e:
            raise OAuthError(f"{what}: {url} did not answer JSON: {body[:300]!r}") from e


def discover(agent: _Agent, issuer: str) -> dict:
    """RFC 8414 §3.1 (well-known suffix inserted before the issuer's path), then OpenID
    Connect Discovery 1.0 §4 (appended)."""
    p = urllib.parse.urlsplit(issuer)
    candidates = [
        f"{p.scheme}://{p.netloc}/.well-known/oauth-authorization-server{p.path.rstrip('/')}",
        issuer.rstrip("/") + "/.well-known/openid-configuration",
    ]
    problems = []
    for url in candidates:
        try:
            return agent.json(url, what="metadata", headers={"Accept": "application/json"})
        except OAuthError as e:
            problems.append(str(e))
    raise OAuthError("no authorization server metadata: " + "; ".join(problems))


def metadata(issuer: str, timeout: float = 10.0) -> dict:
    """The authorization server's metadata document (RFC 8414, else OpenID Connect)."""
    return discover(_Agent(timeout), issuer)


def obtain_token(issuer: str, resource: str, scope: str, timeout: float = 10.0) -> str:
    """An access token for `resource` from the authorization server `issuer`."""
    agent = _Agent(timeout)
    meta = discover(agent, issuer)
    for key in ("authorization_endpoint", "token_endpoint", "registration_endpoint"):
        if not meta.get(key):
            raise OAuthError(f"metadata of {issuer} has no {key}")

    registration = agent.json(
        meta["registration_endpoint"],
        what="registration",
        data=json.dumps({
            "client_name": "mcp-authspec interop token client",
            "redirect_uris": [REDIRECT_URI],
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "none",
            "scope": scope,
        }).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    client_id = registration.get("client_id")
    if not client_id:
        raise OAuthError(f"registration answered without client_id: {registration}")

    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    state = secrets.token_urlsafe(16)
    query = urllib.parse.urlencode({
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": scope,
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "resource": resource,
    })
    url = meta["authorization_endpoint"] + ("&" if "?" in meta["authorization_endpoint"] else "?") + query
    as_origin = _origin(url)
    for _ in range(MAX_HOPS):
        status, headers, body = agent.send(url)
        location = headers.get("Location")
        if not 300 <= status < 400 or not location:
            raise OAuthError(f"authorization: {url} answered {status} without a redirect: {body[:300]!r}")
        location = urllib.parse.urljoin(url, location)
        if location.startswith(REDIRECT_URI):
            params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
            if "error" in params:
                raise OAuthError(f"authorization refused: {params}")
            if params.get("state") != state or not params.get("code"):
                raise OAuthError(f"authorization response without code or with another state: {location}")
            code = params["code"]
            break
        if _origin(location) != as_origin:
            raise OAuthError(f"authorization: redirect off the server's origin: {location}")
        url = location
    else:
        raise OAuthError(f"authorization: more than {MAX_HOPS} redirects")

    tokens = agent.json(
        meta["token_endpoint"],
        what="token",
        data=urllib.parse.urlencode({
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": client_id,
            "code_verifier": verifier,
            "resource": resource,
        }).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
    )
    if not tokens.get("access_token"):
        raise OAuthError(f"token response without access_token: {sorted(tokens)}")
    return tokens["access_token"]
