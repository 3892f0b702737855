"""scripts/interop --clients: a small MCP client app on the Python `mcp` SDK's
`mcp.client.auth.OAuthClientProvider`, launched by `mcp-authspec client` the way the
official conformance suite launches clients (server URL last; a pre-registered client
in MCP_CONFORMANCE_CONTEXT).

The SDK does the OAuth (discovery, registration, PKCE, `resource`, state and `iss`
checks, refresh, step-up); this file only supplies what the SDK leaves to the
application: token storage, the user's browser (`redirect_handler`) and the callback
(`callback_handler`). It lists the tools and calls each one.

Pre-registration (MCP 2025-11-25 "Client Registration Approaches": pre-registered
credentials come first) the way the SDK documents it: `TokenStorage.get_client_info()`
returns the client. The SDK sends the method the client record names and never looks at
the metadata, and the official context names no method, so this app does what its
operator would: it reads the metadata of the context's `issuer` (RFC 8414) and picks
client_secret_basic if that is advertised, else client_secret_post (the TS SDK's rule);
`none` without a secret.

The browser is headless: it follows the authorization server's redirects (cookies
kept) until one points at REDIRECT_URI and hands that URL's code, state and `iss` (RFC
9207) to the SDK. Nobody listens on REDIRECT_URI; the suite's pre-registered client
accepts any port of http://127.0.0.1/callback (RFC 8252 §7.3).

The OAuth client credentials extension (SEP-1046, io.modelcontextprotocol/
oauth-client-credentials): when MCP_CONFORMANCE_SCENARIO is `auth/client-credentials-jwt`
the app uses the SDK's `PrivateKeyJWTOAuthProvider`, its assertions signed by
`SignedJWTParameters(...).create_assertion_provider()` with the context's client_id (as
iss and sub), private_key_pem and signing_algorithm; for `auth/client-credentials-basic`
its `ClientCredentialsOAuthProvider` with the context's client_id and client_secret and
client_secret_basic. The SDK does the discovery and the client credentials grant; no
user, no browser. The context names no issuer, so the providers get none (the SDK warns
that this is deprecated and takes the authorization server discovery yields).

Enterprise-managed authorization (ext-auth draft, SEP-990), MCP_CONFORMANCE_SCENARIO
`auth/enterprise-managed-authorization`: the SDK's `IdentityAssertionOAuthProvider`
redeems the ID-JAG at the MCP authorization server (RFC 7523 jwt-bearer grant, the
context's client_id and client_secret in client_secret_basic). The SDK leaves the two
things before it to the application: the authorization server's issuer (configuration
in its trust model; the context names none, so the app reads it, as the SDK's own
conformance client does, from the server's RFC 9728 metadata) and the ID-JAG, which the
app's `assertion_provider` fetches with an RFC 8693 token exchange at the context's
idp_token_endpoint (the ID token as subject_token, the audience and resource the SDK
hands it, the public idp_client_id). The secret's method is the app's rule above
(`secret_method`: client_secret_basic when the issuer's metadata advertises it).

Workload identity federation (`auth/wif-jwt-bearer`) is not handled: the SDK has no
provider for a public client's JWT bearer grant (`IdentityAssertionOAuthProvider`
requires a client secret; `PrivateKeyJWTOAuthProvider` with `static_assertion_provider`
sends the JWT as a client assertion of the client_credentials grant, RFC 7523 §2.2, not
as the grant of §2.1). The SDK's conformance baseline lists auth/wif-jwt-bearer as an
expected failure.
"""

from __future__ import annotations

import json
import os
import sys
from urllib.parse import parse_qs, urljoin, urlparse

import anyio
import httpx2
from mcp import Client
from mcp.client.auth import OAuthClientProvider
from mcp.client.auth.extensions.client_credentials import (
    ClientCredentialsOAuthProvider,
    PrivateKeyJWTOAuthProvider,
    SignedJWTParameters,
)
from mcp.client.auth.extensions.identity_assertion import IdentityAssertionOAuthProvider
from mcp.client.auth.utils import build_protected_resource_metadata_discovery_urls
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientInformationFull, OAuthClientMetadata, OAuthToken

REDIRECT_URI = "http://127.0.0.1:18999/callback"
MAX_HOPS = 10
TIMEOUT = 10.0


class MemStorage:
    """In-memory TokenStorage, seeded with the pre-registered client if there is one."""

    def __init__(self, client: OAuthClientInformationFull | None):
        self.client, self.tokens = client, None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client = client_info


def context() -> dict:
    return json.loads(os.environ.get("MCP_CONFORMANCE_CONTEXT") or "{}")


def preregistered() -> OAuthClientInformationFull | None:
    ctx = context()
    if not ctx.get("client_id"):
        return None
    secret = ctx.get("client_secret")
    method = secret_method(ctx.get("issuer")) if secret else "none"

    return OAuthClientInformationFull(
        client_id=ctx["client_id"], client_secret=secret, token_endpoint_auth_method=method,
        redirect_uris=[REDIRECT_URI], grant_types=["authorization_code", "refresh_token"], response_types=["code"],
    )


def secret_method(issuer: str | None) -> str:
    """client_secret_basic when the issuer's metadata advertises it (or cannot be read:
    RFC 8414 §2's default), else client_secret_post."""
    advertised = None
    if issuer:
        well_known = issuer.rstrip("/") + "/.well-known/oauth-authorization-server"
        parsed = urlparse(issuer)
        if parsed.path not in ("", "/"):  # RFC 8414 §3.1: inserted before the path
            well_known = f"{parsed.scheme}://{parsed.netloc}/.well-known/oauth-authorization-server{parsed.path}"
        try:
            advertised = httpx2.get(well_known, timeout=TIMEOUT).json().get("token_endpoint_auth_methods_supported")
        except (httpx2.HTTPError, ValueError, AttributeError):
            advertised = None
    if isinstance(advertised, list) and "client_secret_basic" not in advertised and "client_secret_post" in advertised:
        return "client_secret_post"
    return "client_secret_basic"


class Browser:
    """The user's hands: open the authorization URL, return what reached REDIRECT_URI."""

    def __init__(self):
        self.landed: str | None = None

    async def open(self, url: str) -> None:
        async with httpx2.AsyncClient(follow_redirects=False, timeout=TIMEOUT) as http:  # keeps cookies
            for _ in range(MAX_HOPS):
                resp = await http.get(url)
                location = resp.headers.get("location")
                if not location:
                    raise RuntimeError(f"consent: {url} answered {resp.status_code} without a redirect: {resp.text[:300]}")
                url = urljoin(url, location)
                if url.startswith(REDIRECT_URI):
                    self.landed = url
                    return
        raise RuntimeError(f"consent: more than {MAX_HOPS} redirects")

    async def callback(self) -> AuthorizationCodeResult:
        if self.landed is None:
            raise RuntimeError("no redirect reached the callback")
        query = {k: v[0] for k, v in parse_qs(urlparse(self.landed).query).items()}
        self.landed = None
        if "code" not in query:
            raise RuntimeError(f"authorization error: {query}")
        return AuthorizationCodeResult(code=query["code"], state=query.get("state"), iss=query.get("iss"))


TOKEN_EXCHANGE_GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_JAG_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id-jag"
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"


async def authorization_server_of(url: str) -> str:
    """The first authorization server the MCP server's RFC 9728 metadata names (path
    well-known first, then the root one: the SDK's own discovery order)."""
    async with httpx2.AsyncClient(timeout=TIMEOUT) as http:
        for prm_url in build_protected_resource_metadata_discovery_urls(None, url):
            resp = await http.get(prm_url)
            if resp.status_code == 200:
                return resp.json()["authorization_servers"][0]
    raise RuntimeError(f"no protected resource metadata for {url}")


def id_jag_fetcher(ctx: dict):
    """The SDK's assertion_provider: an RFC 8693 token exchange at the enterprise IdP."""

    async def fetch(audience: str, resource: str) -> str:
        async with httpx2.AsyncClient(timeout=TIMEOUT) as http:
            resp = await http.post(ctx["idp_token_endpoint"], data={
                "grant_type": TOKEN_EXCHANGE_GRANT, "requested_token_type": ID_JAG_TOKEN_TYPE,
                "audience": audience, "resource": resource,
                "subject_token": ctx["idp_id_token"], "subject_token_type": ID_TOKEN_TYPE,
                "client_id": ctx["idp_client_id"],
            })
        if resp.status_code != 200:
            raise RuntimeError(f"token exchange at the IdP: {resp.status_code} {resp.text[:300]}")
        body = resp.json()
        if body.get("issued_token_type") != ID_JAG_TOKEN_TYPE:
            raise RuntimeError(f"token exchange at the IdP issued {body.get('issued_token_type')!r}, not an ID-JAG")
        return body["access_token"]

    return fetch


async def machine_provider(url: str):
    """The SDK's provider for the client credentials and enterprise-managed scenarios,
    None for the others."""
    scenario, ctx = os.environ.get("MCP_CONFORMANCE_SCENARIO", ""), context()
    if scenario == "auth/client-credentials-jwt":
        signer = SignedJWTParameters(issuer=ctx["client_id"], subject=ctx["client_id"],
                                     signing_algorithm=ctx["signing_algorithm"], signing_key=ctx["private_key_pem"])
        return PrivateKeyJWTOAuthProvider(server_url=url, storage=MemStorage(None), client_id=ctx["client_id"],
                                          assertion_provider=signer.create_assertion_provider())
    if scenario == "auth/client-credentials-basic":
        return ClientCredentialsOAuthProvider(server_url=url, storage=MemStorage(None), client_id=ctx["client_id"],
                                              client_secret=ctx["client_secret"],
                                              token_endpoint_auth_method="client_secret_basic")
    if scenario == "auth/enterprise-managed-authorization":
        issuer = await authorization_server_of(url)
        return IdentityAssertionOAuthProvider(server_url=url, storage=MemStorage(None), client_id=ctx["client_id"],
                                              client_secret=ctx["client_secret"], issuer=issuer,
                                              assertion_provider=id_jag_fetcher(ctx),
                                              token_endpoint_auth_method=secret_method(issuer))
    return None


async def main(url: str) -> None:
    browser = Browser()
    provider = await machine_provider(url) or OAuthClientProvider(
        server_url=url,
        client_metadata=OAuthClientMetadata(
            client_name="mcp-authspec-interop-python", redirect_uris=[REDIRECT_URI],
            grant_types=["authorization_code", "refresh_token"], response_types=["code"],
            token_endpoint_auth_method="none",
        ),
        storage=MemStorage(preregistered()),
        redirect_handler=browser.open,
        callback_handler=browser.callback,
    )
    async with create_mcp_http_client(auth=provider) as http:
        async with Client(streamable_http_client(url, http_client=http)) as client:
            for tool in (await client.list_tools()).tools:
                props = (tool.input_schema or {}).get("properties", {})
                args = {k: "hello" for k, v in props.items() if isinstance(v, dict) and v.get("type") == "string"}
                await client.call_tool(tool.name, args)


if __name__ == "__main__":
    if len(sys.argv) < 2 or not sys.argv[-1].startswith("http"):
        sys.exit("usage: py_client.py <server-url>")
    anyio.run(main, sys.argv[-1])
