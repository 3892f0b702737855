//! The run of the reference client: the MCP session, and the authorization it performs
//! when the server asks for it (MCP "Authorization Flow Steps"): discovery on the first
//! 401, refresh or re-authorization when a token is refused (RFC 6750 §3.1
//! `invalid_token`), step-up on `insufficient_scope` (MCP "Step-Up Authorization
//! Flow"). Every loop is bounded by a count, every request by the transport's timeout.

use super::as_metadata::{discover_as_metadata, legacy_as_metadata, AsMetadata};
use super::assertion_grants::{enterprise_grant, workload_grant};
use super::authorization::authorize;
use super::callback::Redirect;
use super::challenge::{read_challenge, ChallengeInfo};
use super::client_credentials::{client_credentials_grant, guessed_metadata, register_anyway};
use super::dpop_requests::{prove_mcp_request, takes_rs_nonce};
use super::grant::{grant_of, Grant};
use super::identity::{client_identity, ClientIdentity};
use super::launch::ClientLaunch;
use super::resource_metadata::{discover_resource_metadata, Discovered, ResourceMetadata};
use super::session::{self, assigned_session, check_answer, steps, Step};
use super::token::{redeem, refresh, Tokens};
use super::wire::{describe, header, Ctx};
use crate::logic::well_known::origin_of;
use crate::transport::{HttpRequest, HttpResponse};
use crate::vocab::{ClientDefect as D, HeaderPair};

/// Step-ups per request: one more than the single step-up a server that works needs,
/// so a server that asks for ever more scopes cannot keep the client looping.
const STEP_UPS: usize = 2;
/// The step-ups of the `UnboundedStepUp` defect: beyond any sensible limit.
const UNBOUNDED_STEP_UPS: usize = 6;
/// How often the `RetriesRefusedToken` defect resends a refused token: more than the 3
/// resends the case allows.
const RESENDS: usize = 5;
/// How long the optional GET stream is waited for before the session goes on.
const STREAM_WAIT: std::time::Duration = std::time::Duration::from_secs(2);
/// The scope the `InventsScope` defect asks for.
const INVENTED_SCOPE: &str = "openid";

/// Runs the client: Ok when `tools/call` succeeded; Err says why it gave up.
pub async fn run_reference_client(launch: ClientLaunch) -> Result<(), String> {
    let redirect = Redirect::new(&launch).await?;
    let mut flow = Flow {
        ctx: Ctx::new(launch)?,
        redirect,
        auth: None,
        session_id: None,
        authorized_requests: 0,
    };
    for step in steps(flow.ctx.revision()) {
        flow.perform(step).await?;
    }
    Ok(())
}

/// What one authorization established.
struct Authorization {
    metadata: AsMetadata,
    client: ClientIdentity,
    /// The scope of the latest authorization request; `None`: no scope parameter.
    scope: Option<String>,
    tokens: Tokens,
}

struct Flow {
    ctx: Ctx,
    redirect: Redirect,
    auth: Option<Authorization>,
    /// `Mcp-Session-Id` assigned by `initialize`.
    session_id: Option<String>,
    /// Requests sent with a token so far (`TokenOnlyOnce` reads it).
    authorized_requests: usize,
}

impl Flow {
    /// Sends one message until it succeeds or the client gives up.
    async fn perform(&mut self, step: Step) -> Result<(), String> {
        if step == Step::OpenStream {
            return self.open_stream().await;
        }
        let mut step_ups = 0;
        let mut renewed = false;
        let mut resends = 0;
        let mut nonce_retries = 0;
        loop {
            let token = self.token_for_request();
            let mut request = session::request(
                &self.ctx,
                step,
                token.as_deref(),
                self.session_id.as_deref(),
            );
            if let Some(refresh) = self.leaked_refresh_token() {
                request
                    .headers
                    .push(HeaderPair::new("X-Refresh-Token", refresh));
            }
            prove_mcp_request(&self.ctx, &mut request, token.as_deref())?;
            let response = self.ctx.send(request.clone()).await?;
            if (300..400).contains(&response.status) {
                return follow_redirect(&self.ctx, step, request, &response).await;
            }
            if let Some(id) = assigned_session(step, self.ctx.revision(), &response) {
                self.session_id = Some(id);
            }
            let challenge = read_challenge(&response, |d| self.ctx.has(d));
            match response.status {
                // RFC 9449 §9: the MCP server wants its nonce in the proof; once.
                401 if nonce_retries == 0 && takes_rs_nonce(&self.ctx, &response) => {
                    nonce_retries += 1;
                }
                // MCP "Authorization Flow Steps": the first 401 starts authorization.
                401 if self.auth.is_none() => self.authorize_first(&challenge).await?,
                401 if self.ctx.has(D::RetriesRefusedToken) => {
                    if resends == RESENDS {
                        return Err(format!(
                            "the token is still refused: {}",
                            describe(&response)
                        ));
                    }
                    resends += 1;
                }
                // RFC 6750 §3.1 invalid_token (expired, revoked, …): a new token, once.
                401 => {
                    if renewed {
                        return Err(format!(
                            "the server refused the renewed token too: {}",
                            describe(&response)
                        ));
                    }
                    renewed = true;
                    match self.moved_authorization_server(&challenge).await {
                        Some(new_metadata) => self.move_to(new_metadata, &challenge).await?,
                        None => self.renew().await?,
                    }
                }
                403 if self.auth.is_some()
                    && challenge.error.as_deref() == Some("insufficient_scope") =>
                {
                    let limit = if self.ctx.has(D::NoStepUp) {
                        0
                    } else if self.ctx.has(D::UnboundedStepUp) {
                        UNBOUNDED_STEP_UPS
                    } else {
                        STEP_UPS
                    };
                    if step_ups >= limit {
                        return Err(format!(
                            "insufficient_scope after {step_ups} step-up(s): {}",
                            describe(&response)
                        ));
                    }
                    step_ups += 1;
                    self.step_up(challenge.scope).await?;
                }
                _ => return check_answer(&self.ctx, step, &response),
            }
        }
    }

    /// The optional GET stream (transports "Listening for Messages from the Server"),
    /// with the token like every request. A server that opens a stream keeps it open,
    /// so only its first moments are waited for; whatever the answer (a stream, 405, a
    /// refusal), the session goes on over POST.
    async fn open_stream(&mut self) -> Result<(), String> {
        let token = if self.ctx.has(D::GetStreamWithoutToken) {
            None
        } else {
            self.token_for_request()
        };
        let mut request = session::request(
            &self.ctx,
            Step::OpenStream,
            token.as_deref(),
            self.session_id.as_deref(),
        );
        prove_mcp_request(&self.ctx, &mut request, token.as_deref())?;
        let _ = tokio::time::timeout(STREAM_WAIT, self.ctx.send(request)).await;
        Ok(())
    }

    /// The refresh token the `RefreshTokenToMcp` defect shows the MCP server.
    fn leaked_refresh_token(&self) -> Option<String> {
        if !self.ctx.has(D::RefreshTokenToMcp) {
            return None;
        }
        self.auth.as_ref()?.tokens.refresh.clone()
    }

    /// The token for the next request (MCP "Token Requirements": on every request).
    fn token_for_request(&mut self) -> Option<String> {
        let token = self.auth.as_ref()?.tokens.access.clone();
        self.authorized_requests += 1;
        if self.ctx.has(D::TokenOnlyOnce) && self.authorized_requests > 1 {
            return None;
        }
        Some(token)
    }

    /// Discovery, client identity, and the first authorization code grant.
    async fn authorize_first(&mut self, challenge: &ChallengeInfo) -> Result<(), String> {
        if grant_of(&self.ctx) == Grant::ClientCredentials && self.ctx.has(D::CcSkipsDiscovery) {
            let metadata = guessed_metadata(&self.ctx)?;
            return self.authorize_machine(metadata, challenge, None).await;
        }
        let ctx = &self.ctx;
        // Like a real multi-revision client, which cannot know the server's revision
        // before it authorizes: the protected resource metadata when the challenge or a
        // well-known URI offers it (MCP 2025-06-18+ "Authorization Server Discovery"),
        // else the server is one of 2025-03-26, whose authorization server is at its
        // origin ("Server Metadata Discovery", then the default endpoints).
        let (metadata, resource_metadata) = match discover_resource_metadata(ctx, challenge).await?
        {
            Discovered::Metadata(prm) => (discover_as_metadata(ctx, &prm.issuer).await?, Some(prm)),
            Discovered::Nothing(why) => match preconfigured_issuer(ctx) {
                Some(issuer) => {
                    let metadata = discover_as_metadata(ctx, issuer).await.map_err(|e| {
                        format!("{why}; at the pre-configured authorization server: {e}")
                    })?;
                    (metadata, None)
                }
                None => {
                    let legacy = legacy_as_metadata(ctx)
                        .await
                        .map_err(|e| format!("{why}; as a 2025-03-26 server: {e}"))?;
                    (legacy, None)
                }
            },
        };
        if grant_of(ctx) != Grant::AuthorizationCode {
            return self
                .authorize_machine(metadata, challenge, resource_metadata.as_ref())
                .await;
        }
        // MCP 2025-11-25 "Authorization Code Protection": without
        // code_challenge_methods_supported the client cannot know PKCE is supported and
        // must refuse to proceed (a 2025-03-26 server's metadata is not judged by it).
        if ctx.revision().features().pkce_methods_required
            && resource_metadata.is_some()
            && metadata.code_challenge_methods.is_none()
            && !ctx.has(D::IgnoresMissingPkceMethods)
            && !(ctx.has(D::IgnoresMissingPkceMethodsInOidc)
                && metadata.url.contains("openid-configuration"))
        {
            return Err(format!(
                "the authorization server metadata at {} lists no \
                 code_challenge_methods_supported, so PKCE support is unknown",
                metadata.url
            ));
        }
        self.authorize_at(metadata, challenge, resource_metadata.as_ref())
            .await
    }

    /// The client's identity, the scope (MCP "Scope Selection Strategy") and the first
    /// tokens, with the grant of the run (`grant.rs`).
    async fn authorize_at(
        &mut self,
        metadata: AsMetadata,
        challenge: &ChallengeInfo,
        resource_metadata: Option<&ResourceMetadata>,
    ) -> Result<(), String> {
        let client = client_identity(&self.ctx, &metadata, &self.redirect.uri).await?;
        let scope = initial_scope(&self.ctx, challenge, resource_metadata);
        let tokens = obtain_tokens(
            &mut self.ctx,
            &mut self.redirect,
            &metadata,
            &client,
            scope.as_deref(),
        )
        .await?;
        if self.ctx.has(D::BearerToAs) {
            // The defect shows the authorization server the MCP token, re-reading
            // its metadata (the response does not matter).
            let _ = self.ctx.get(&metadata.url, self.ctx.as_headers()).await;
        }
        self.auth = Some(Authorization {
            metadata,
            client,
            scope,
            tokens,
        });
        Ok(())
    }

    /// The extensions' authorization without a user at the MCP authorization server: the
    /// client of the launch context and the client credentials or JWT bearer grant, no
    /// authorization code flow (and so no PKCE, which protects the authorization code).
    async fn authorize_machine(
        &mut self,
        metadata: AsMetadata,
        challenge: &ChallengeInfo,
        resource_metadata: Option<&ResourceMetadata>,
    ) -> Result<(), String> {
        if self.ctx.has(D::CcRegisters) {
            register_anyway(&self.ctx, &metadata).await;
        }
        self.authorize_at(metadata, challenge, resource_metadata)
            .await
    }

    /// The new authorization server's metadata when the protected resource metadata, read
    /// again on a refused token, names another issuer than the one authorized with (MCP
    /// 2026-07-28 client-registration "Authorization Server Binding": the change is
    /// "detected via updated protected resource metadata"). `None`: no change, or no
    /// metadata to tell.
    async fn moved_authorization_server(&self, challenge: &ChallengeInfo) -> Option<AsMetadata> {
        let auth = self.auth.as_ref()?;
        let Ok(Discovered::Metadata(prm)) = discover_resource_metadata(&self.ctx, challenge).await
        else {
            return None;
        };
        if prm.issuer == auth.metadata.issuer {
            return None;
        }
        discover_as_metadata(&self.ctx, &prm.issuer).await.ok()
    }

    /// Authorizes at the new authorization server from scratch: credentials are keyed
    /// by issuer and never presented to another server ("Authorization Server Binding":
    /// re-register, do not reuse), unless a defect does so.
    async fn move_to(
        &mut self,
        new_metadata: AsMetadata,
        challenge: &ChallengeInfo,
    ) -> Result<(), String> {
        let old = self.auth.take().ok_or("no authorization to move")?;
        if self.ctx.has(D::RefreshesAtNewServer) {
            if let Some(refresh_token) = &old.tokens.refresh {
                let _ = refresh(&self.ctx, &new_metadata, &old.client, refresh_token).await;
            }
        }
        if self.ctx.has(D::ReusesClientAtNewServer) {
            let tokens = obtain_tokens(
                &mut self.ctx,
                &mut self.redirect,
                &new_metadata,
                &old.client,
                old.scope.as_deref(),
            )
            .await?;
            self.auth = Some(Authorization {
                metadata: new_metadata,
                client: old.client,
                scope: old.scope,
                tokens,
            });
            return Ok(());
        }
        self.authorize_first(challenge).await
    }

    /// A new access token: refreshed (RFC 6749 §6) with the newest refresh token, or
    /// by authorizing again when there is none or refreshing fails.
    async fn renew(&mut self) -> Result<(), String> {
        let Flow {
            ctx,
            redirect,
            auth,
            ..
        } = self;
        let auth = auth.as_mut().ok_or("no authorization to renew")?;
        let mut refresh_error = None;
        // MCP 2026-07-28 "Refresh Tokens": no refresh token may have been issued; then
        // only a new authorization helps (the defect asks for a refresh all the same).
        if auth.tokens.refresh.is_none() && ctx.has(D::RefreshesWithoutRefreshToken) {
            let _ = refresh(ctx, &auth.metadata, &auth.client, "").await;
        }
        if let Some(refresh_token) = auth.tokens.refresh.clone() {
            match refresh(ctx, &auth.metadata, &auth.client, &refresh_token).await {
                Ok(tokens) => {
                    // RFC 6749 §6: a new refresh token replaces the old one; a server
                    // that does not rotate keeps the old one valid. The defect keeps
                    // the first one whatever the server issued.
                    let keep_old = ctx.has(D::ReusesFirstRefreshToken);
                    auth.tokens = Tokens {
                        access: tokens.access,
                        refresh: tokens.refresh.filter(|_| !keep_old).or(Some(refresh_token)),
                    };
                    return Ok(());
                }
                Err(e) => refresh_error = Some(e),
            }
        }
        let scope = auth.scope.clone();
        match obtain_tokens(
            ctx,
            redirect,
            &auth.metadata,
            &auth.client,
            scope.as_deref(),
        )
        .await
        {
            Ok(tokens) => {
                auth.tokens = tokens;
                Ok(())
            }
            Err(e) => Err(match refresh_error {
                Some(r) => format!("refreshing failed ({r}), and authorizing again failed: {e}"),
                None => e,
            }),
        }
    }

    /// MCP "Step-Up Authorization Flow": authorize again (fresh PKCE and state) for the
    /// scopes already requested plus the challenged ones.
    async fn step_up(&mut self, challenged: Option<String>) -> Result<(), String> {
        let Flow {
            ctx,
            redirect,
            auth,
            ..
        } = self;
        let auth = auth.as_mut().ok_or("no authorization to step up")?;
        let scope = if ctx.has(D::StepUpReplacesScope) {
            challenged
        } else {
            union(auth.scope.as_deref(), challenged.as_deref())
        };
        auth.tokens = obtain_tokens(
            ctx,
            redirect,
            &auth.metadata,
            &auth.client,
            scope.as_deref(),
        )
        .await
        .map_err(|e| format!("step-up authorization failed: {e}"))?;
        auth.scope = scope;
        Ok(())
    }
}

/// A redirected MCP request (RFC 9110 §15.4), followed once. A token is for the server
/// it was issued for (MCP "Token Handling": a client sends a server only tokens of that
/// server's authorization server), so across origins the request goes without its
/// `Authorization`, as fetch, httpx and reqwest drop it; the `FollowsRedirectWithToken`
/// defect keeps it. Whatever the target then asks (its own authorization, say), the
/// reference client ends there: the answer must be a success by itself.
async fn follow_redirect(
    ctx: &Ctx,
    step: Step,
    mut request: HttpRequest,
    response: &HttpResponse,
) -> Result<(), String> {
    let location = header(response, "Location")
        .and_then(|l| url::Url::parse(&request.url).ok()?.join(l).ok())
        .ok_or_else(|| {
            format!(
                "a redirect without a usable Location: {}",
                describe(response)
            )
        })?;
    let same_origin =
        url::Url::parse(&request.url).is_ok_and(|from| origin_of(&from) == origin_of(&location));
    if !same_origin && !ctx.has(D::FollowsRedirectWithToken) {
        request
            .headers
            .retain(|h| !h.name.eq_ignore_ascii_case("Authorization"));
    }
    request.url = location.to_string();
    let answer = ctx.send(request).await?;
    if (300..400).contains(&answer.status) {
        return Err(format!("redirected again: {}", describe(&answer)));
    }
    check_answer(ctx, step, &answer).map_err(|e| format!("redirected to {location}: {e}"))
}

/// MCP 2025-11-25 "Authorization Server Discovery" (sequence diagram): without protected
/// resource metadata the client may "Abort or use pre-configured values". The launch
/// context's `issuer` (the server of a pre-registered client) is such a value, in a
/// revision where the MCP server is not its own authorization server; otherwise, or with
/// the `NoPreconfiguredFallback` defect, the client looks at the origin as a 2025-03-26
/// client does, and gives up when nothing is there.
fn preconfigured_issuer(ctx: &Ctx) -> Option<&str> {
    let features = ctx.revision().features();
    let allowed = features.protected_resource_metadata && !features.authorization_server_at_origin;
    ctx.launch
        .context_str("issuer")
        .filter(|_| allowed && !ctx.has(D::NoPreconfiguredFallback))
}

/// New tokens: in an extension's scenario its grant (again, for a renewal or a step-up:
/// the client's credentials or assertion are all it needs, and EXT-CC-05 lets it step
/// up or abort); otherwise one authorization code grant, the authorization request then
/// the code exchange.
async fn obtain_tokens(
    ctx: &mut Ctx,
    redirect: &mut Redirect,
    metadata: &AsMetadata,
    client: &ClientIdentity,
    scope: Option<&str>,
) -> Result<Tokens, String> {
    let without_user = match grant_of(ctx) {
        Grant::AuthorizationCode => None,
        Grant::ClientCredentials => {
            Some(client_credentials_grant(ctx, metadata, client, scope).await?)
        }
        Grant::EnterpriseManaged => Some(enterprise_grant(ctx, metadata, client, scope).await?),
        Grant::Workload => Some(workload_grant(ctx, metadata, client, scope).await?),
    };
    if let Some(tokens) = without_user {
        ctx.note_access_token(&tokens.access);
        return Ok(tokens);
    }
    let grant = authorize(ctx, redirect, metadata, client, scope).await?;
    let tokens = redeem(ctx, metadata, client, &grant, &redirect.uri).await?;
    ctx.note_access_token(&tokens.access);
    Ok(tokens)
}

/// MCP "Scope Selection Strategy": the challenge's scope; else every scope of the
/// protected resource metadata; else no scope parameter.
fn initial_scope(
    ctx: &Ctx,
    challenge: &ChallengeInfo,
    resource_metadata: Option<&ResourceMetadata>,
) -> Option<String> {
    let challenged = challenge.scope.clone().filter(|s| !s.trim().is_empty());
    let mut listed = resource_metadata.and_then(ResourceMetadata::scopes_supported);
    if ctx.has(D::FirstScopeOnly) {
        listed = listed.and_then(|l| l.split_whitespace().next().map(str::to_string));
    }
    if ctx.has(D::ScopeFromPrmAlways) && listed.is_some() {
        return listed;
    }
    if let (true, Some(scope), Some(list)) = (
        ctx.has(D::DropsUnlistedChallengeScopes),
        &challenged,
        &listed,
    ) {
        let kept: Vec<&str> = scope
            .split_whitespace()
            .filter(|t| list.split_whitespace().any(|l| l == *t))
            .collect();
        return Some(if kept.is_empty() {
            list.clone()
        } else {
            kept.join(" ")
        });
    }
    match challenged {
        Some(scope) => Some(scope),
        None if ctx.has(D::NoScopeFallback) => None,
        None => listed.or_else(|| ctx.has(D::InventsScope).then(|| INVENTED_SCOPE.into())),
    }
}

/// The scope tokens of `a` then those of `b` not already there (RFC 6749 §3.3: a
/// space-separated set).
fn union(a: Option<&str>, b: Option<&str>) -> Option<String> {
    let mut tokens: Vec<&str> = Vec::new();
    for t in [a, b].into_iter().flatten().flat_map(str::split_whitespace) {
        if !tokens.contains(&t) {
            tokens.push(t);
        }
    }
    (!tokens.is_empty()).then(|| tokens.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_up_scope_is_the_union() {
        assert_eq!(union(Some("a b"), Some("b c")).as_deref(), Some("a b c"));
        assert_eq!(union(None, Some("c")).as_deref(), Some("c"));
        assert_eq!(union(None, None), None);
    }
}
