"""An MCP server that is also its own authorization server, from the Python `mcp` SDK.

The SDK does everything OAuth except storage: `create_auth_routes` (RFC 8414 metadata,
`/authorize`, `/token`, RFC 7591 `/register`, `/revoke`), the checks of the token
handler (client, redirect URI, PKCE S256, code expiry) and the bearer middleware of the
MCP endpoint. The `OAuthAuthorizationServerProvider` below is ours and the smallest one
the SDK allows: in memory, approving every authorization request at once (no login page,
so a test client can play the browser), opaque random tokens, refresh tokens rotated on
use. Codes are single use and live 5 minutes (RFC 6749 §4.1.2: "A maximum authorization
code lifetime of 10 minutes is RECOMMENDED"). Listens on 127.0.0.1 only; issuer and
resource default to http://127.0.0.1:PORT and http://127.0.0.1:PORT/mcp.
"""

from __future__ import annotations

import argparse
import logging
import secrets
import time

import uvicorn
from mcp.server.auth.provider import (
    AccessToken,
    AuthorizationCode,
    AuthorizationParams,
    RefreshToken,
    construct_redirect_uri,
)
from mcp.server.auth.settings import AuthSettings, ClientRegistrationOptions, RevocationOptions
from mcp.server.mcpserver import MCPServer
from mcp.shared.auth import OAuthClientInformationFull, OAuthToken

CODE_LIFETIME = 300
ACCESS_LIFETIME = 3600


class AutoApprovingProvider:
    """In-memory `OAuthAuthorizationServerProvider` that approves at once."""

    def __init__(self) -> None:
        self.clients: dict[str, OAuthClientInformationFull] = {}
        self.codes: dict[str, AuthorizationCode] = {}
        self.access: dict[str, AccessToken] = {}
        self.refresh: dict[str, RefreshToken] = {}

    async def get_client(self, client_id: str) -> OAuthClientInformationFull | None:
        return self.clients.get(client_id)

    async def register_client(self, client_info: OAuthClientInformationFull) -> None:
        self.clients[client_info.client_id] = client_info

    async def authorize(self, client: OAuthClientInformationFull, params: AuthorizationParams) -> str:
        code = secrets.token_urlsafe(32)  # 256 bits (RFC 6749 §10.10)
        self.codes[code] = AuthorizationCode(
            code=code,
            scopes=params.scopes or [],
            expires_at=time.time() + CODE_LIFETIME,
            client_id=client.client_id,
            code_challenge=params.code_challenge,
            redirect_uri=params.redirect_uri,
            redirect_uri_provided_explicitly=params.redirect_uri_provided_explicitly,
            resource=params.resource,
            subject="interop-user",
        )
        return construct_redirect_uri(str(params.redirect_uri), code=code, state=params.state)

    async def load_authorization_code(self, client: OAuthClientInformationFull, authorization_code: str) -> AuthorizationCode | None:
        return self.codes.get(authorization_code)

    def _issue(self, client_id: str, scopes: list[str], resource: str | None, subject: str | None) -> OAuthToken:
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expires_at = int(time.time()) + ACCESS_LIFETIME
        self.access[access] = AccessToken(
            token=access, client_id=client_id, scopes=scopes, expires_at=expires_at, resource=resource, subject=subject
        )
        self.refresh[refresh] = RefreshToken(
            token=refresh, client_id=client_id, scopes=scopes, resource=resource, subject=subject
        )
        return OAuthToken(
            access_token=access, expires_in=ACCESS_LIFETIME, scope=" ".join(scopes) or None, refresh_token=refresh
        )

    async def exchange_authorization_code(self, client: OAuthClientInformationFull, authorization_code: AuthorizationCode) -> OAuthToken:
        # Single use (RFC 6749 §4.1.2): the SDK loads the code, we forget it here.
        del self.codes[authorization_code.code]
        return self._issue(client.client_id, authorization_code.scopes, authorization_code.resource, authorization_code.subject)

    async def load_refresh_token(self, client: OAuthClientInformationFull, refresh_token: str) -> RefreshToken | None:
        token = self.refresh.get(refresh_token)
        return token if token and token.client_id == client.client_id else None

    async def exchange_refresh_token(self, client: OAuthClientInformationFull, refresh_token: RefreshToken, scopes: list[str]) -> OAuthToken:
        # Rotation for public clients (OAuth 2.1 §4.3.1 / RFC 9700 §4.14.2).
        del self.refresh[refresh_token.token]
        return self._issue(client.client_id, scopes, refresh_token.resource, refresh_token.subject)

    async def load_access_token(self, token: str) -> AccessToken | None:
        found = self.access.get(token)
        return found if found and (found.expires_at or 0) > time.time() else None

    async def revoke_token(self, token: AccessToken | RefreshToken) -> None:
        self.access.pop(token.token, None)
        self.refresh.pop(token.token, None)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--scope", default="mcp:tools")
    args = p.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    origin = f"http://127.0.0.1:{args.port}"
    server = MCPServer(
        "interop-python-as-rs",
        auth_server_provider=AutoApprovingProvider(),
        auth=AuthSettings(
            issuer_url=origin,
            resource_server_url=f"{origin}/mcp",
            required_scopes=[args.scope],
            validate_token_resource=True,
            client_registration_options=ClientRegistrationOptions(
                enabled=True, valid_scopes=[args.scope], default_scopes=[args.scope]
            ),
            revocation_options=RevocationOptions(enabled=True),
        ),
    )

    @server.tool()
    def greet(name: str = "world") -> str:
        """Says hello."""
        return f"Hello, {name}!"

    app = server.streamable_http_app(host="127.0.0.1")
    logging.info("listening on %s (issuer %s, resource %s/mcp)", origin, origin, origin)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
