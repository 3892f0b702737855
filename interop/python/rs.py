"""An MCP resource server built from the Python `mcp` SDK's own parts, for the interop run.

What is the SDK's: `MCPServer`, its Streamable HTTP app, the bearer middleware
(`BearerAuthBackend` + `RequireAuthMiddleware`, with `validate_token_resource=True`, so
the SDK compares the token's resource with `resource_server_url`) and the RFC 9728
protected resource metadata route. What is ours: the `TokenVerifier`, the glue the SDK
leaves to every deployment, in one of two modes:

- `introspection`: RFC 7662 introspection at the authorization server (optionally with
  client credentials, RFC 7662 §2.1), for opaque tokens;
- `jwt`: RFC 9068 JWT access tokens checked with PyJWT against the issuer's JWKS
  (signature, `alg` RS256/ES256 only, `typ` `at+jwt`, `iss`, `exp`, `nbf`).

In both modes the token's audience is handed to the SDK as `AccessToken.resource` and the
SDK decides whether it is this server (our glue only picks, from an `aud` array, the entry
that names this server). Every option falls back to the `MCP_AUTHSPEC_*` variable that
`mcp-authspec server --command` exports, so the same file runs under the suite's IdP.
Listens on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import logging
import os
import urllib.parse
import urllib.request
from typing import Any

import jwt
import uvicorn
from mcp.server.auth.provider import AccessToken, TokenVerifier
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import MCPServer

HTTP_TIMEOUT = 5


def same_resource(a: str, b: str) -> bool:
    """URL comparison with scheme and host case-insensitive and a trailing slash aside
    (MCP 2025-11-25 Canonical Server URI: implementations SHOULD accept uppercase scheme
    and host components)."""
    pa, pb = urllib.parse.urlsplit(a), urllib.parse.urlsplit(b)
    return (pa.scheme.lower(), pa.netloc.lower(), pa.path.rstrip("/")) == (
        pb.scheme.lower(),
        pb.netloc.lower(),
        pb.path.rstrip("/"),
    )


def pick_audience(aud: Any, resource: str) -> str | None:
    """The `aud` entry naming this server, else the first one (which the SDK then
    refuses); `None` when there is no audience at all (RFC 9068 §2.2 requires one)."""
    values = [aud] if isinstance(aud, str) else list(aud or [])
    values = [v for v in values if isinstance(v, str)]
    for v in values:
        if same_resource(v, resource):
            return v
    return values[0] if values else None


def scopes_of(claims: dict[str, Any]) -> list[str]:
    scope = claims.get("scope")
    return scope.split() if isinstance(scope, str) else []


class IntrospectionVerifier(TokenVerifier):
    """RFC 7662: POST the token to the introspection endpoint; `active: false` or any
    error refuses it."""

    def __init__(self, endpoint: str, resource: str, client_id: str | None, client_secret: str | None):
        self.endpoint, self.resource = endpoint, resource
        self.auth = None
        if client_id:
            pair = f"{client_id}:{client_secret or ''}".encode()
            self.auth = "Basic " + base64.b64encode(pair).decode()

    def _introspect(self, token: str) -> dict[str, Any] | None:
        body = urllib.parse.urlencode({"token": token, "token_type_hint": "access_token"}).encode()
        request = urllib.request.Request(self.endpoint, data=body, method="POST")
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        request.add_header("Accept", "application/json")
        if self.auth:
            request.add_header("Authorization", self.auth)
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:
                return json.load(response)
        except Exception as exc:  # any failure to introspect refuses the token
            logging.warning("introspection failed: %s", exc)
            return None

    async def verify_token(self, token: str) -> AccessToken | None:
        claims = await asyncio.to_thread(self._introspect, token)
        if not claims or claims.get("active") is not True:
            return None
        return AccessToken(
            token=token,
            client_id=str(claims.get("client_id") or ""),
            scopes=scopes_of(claims),
            expires_at=claims.get("exp") if isinstance(claims.get("exp"), int) else None,
            resource=pick_audience(claims.get("aud"), self.resource),
            subject=claims.get("sub") if isinstance(claims.get("sub"), str) else None,
        )


class JwtVerifier(TokenVerifier):
    """RFC 9068 §4 validation with PyJWT; the audience is left to the SDK."""

    ALGORITHMS = ["RS256", "ES256"]

    def __init__(self, jwks_uri: str, issuer: str, resource: str):
        self.jwks = jwt.PyJWKClient(jwks_uri, cache_keys=True, timeout=HTTP_TIMEOUT)
        self.issuer, self.resource = issuer, resource

    def _decode(self, token: str) -> dict[str, Any] | None:
        try:
            header = jwt.get_unverified_header(token)
            # RFC 9068 §4: the resource server MUST verify that `typ` is `at+jwt`.
            if str(header.get("typ", "")).lower() not in ("at+jwt", "application/at+jwt"):
                return None
            key = self.jwks.get_signing_key_from_jwt(token)
            return jwt.decode(
                token,
                key.key,
                algorithms=self.ALGORITHMS,
                issuer=self.issuer,
                options={"verify_aud": False, "require": ["exp", "iss"]},
            )
        except Exception as exc:  # bad signature, unknown key, expired, wrong issuer, ...
            logging.info("token refused: %s", exc)
            return None

    async def verify_token(self, token: str) -> AccessToken | None:
        claims = await asyncio.to_thread(self._decode, token)
        if claims is None:
            return None
        return AccessToken(
            token=token,
            client_id=str(claims.get("client_id") or claims.get("azp") or ""),
            scopes=scopes_of(claims),
            expires_at=int(claims["exp"]),
            resource=pick_audience(claims.get("aud"), self.resource),
            subject=claims.get("sub") if isinstance(claims.get("sub"), str) else None,
            claims=claims,
        )


def env(name: str) -> str | None:
    return os.environ.get(name) or None


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--verify", choices=["introspection", "jwt"], default=env("INTEROP_RS_VERIFY"), required=not env("INTEROP_RS_VERIFY"))
    p.add_argument("--port", type=int, default=int(env("MCP_AUTHSPEC_PORT") or 0) or None, required=not env("MCP_AUTHSPEC_PORT"))
    p.add_argument("--resource", default=env("MCP_AUTHSPEC_RESOURCE"), help="resource_server_url (default: http://127.0.0.1:PORT/mcp)")
    p.add_argument("--issuer", default=env("MCP_AUTHSPEC_ISSUER"), required=not env("MCP_AUTHSPEC_ISSUER"))
    p.add_argument("--introspection-endpoint", default=env("MCP_AUTHSPEC_INTROSPECTION_ENDPOINT"))
    p.add_argument("--introspection-client-id", default=env("INTEROP_RS_CLIENT_ID"))
    p.add_argument("--introspection-client-secret", default=env("INTEROP_RS_CLIENT_SECRET"))
    p.add_argument("--jwks-uri", default=env("MCP_AUTHSPEC_JWKS_URI"))
    p.add_argument("--scope", default="mcp:tools", help="the scope every MCP request needs")
    args = p.parse_args()
    args.resource = args.resource or f"http://127.0.0.1:{args.port}/mcp"
    if args.verify == "introspection" and not args.introspection_endpoint:
        p.error("--verify introspection needs --introspection-endpoint")
    if args.verify == "jwt" and not args.jwks_uri:
        p.error("--verify jwt needs --jwks-uri")
    return args


def main() -> None:
    args = parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if args.verify == "introspection":
        verifier: TokenVerifier = IntrospectionVerifier(
            args.introspection_endpoint, args.resource, args.introspection_client_id, args.introspection_client_secret
        )
    else:
        verifier = JwtVerifier(args.jwks_uri, args.issuer, args.resource)
    server = MCPServer(
        "interop-python-rs",
        token_verifier=verifier,
        auth=AuthSettings(
            issuer_url=args.issuer,
            resource_server_url=args.resource,
            required_scopes=[args.scope],
            validate_token_resource=True,
        ),
    )

    @server.tool()
    def greet(name: str = "world") -> str:
        """Says hello."""
        return f"Hello, {name}!"

    app = server.streamable_http_app(host="127.0.0.1")
    logging.info("listening on 127.0.0.1:%d, resource %s, verify %s", args.port, args.resource, args.verify)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
