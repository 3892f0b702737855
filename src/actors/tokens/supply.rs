//! Where the tokens of token cases come from: the suite's IdP when the target trusts it
//! (`server --command`, the demo), or one real token the user gives (`server --url
//! --token`), from which only the valid path and damaged copies can be derived.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::actors::tokens::{Grant, Minter};
use crate::logic::template::{render_json, TemplateError, Vars};
use crate::logic::token_recipe::{alter_signature, Mint, Tamper, TokenSend};

#[derive(Clone, Default)]
pub struct TokenSupply {
    /// Mints tokens the target trusts.
    pub minter: Option<Minter>,
    /// A valid token for the target, given by the user.
    pub given: Option<String>,
    /// The scope a valid minted token grants.
    pub scope: String,
    /// Minted tokens by recipe: an RSA signature costs milliseconds, and the same recipe
    /// recurs for every revision. Entries are reused only while fresh, so that a token
    /// never nears its own expiry (`DEFAULT_LIFETIME`) during a long run.
    cache: Arc<Mutex<HashMap<String, (Instant, String)>>>,
}

/// How long a minted token is reused.
const CACHE_FRESHNESS: Duration = Duration::from_secs(60);

/// Why no token could be made.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("{0}")]
    Template(#[from] TemplateError),
    #[error("{0}")]
    Mint(String),
}

impl TokenSupply {
    /// Tokens minted by the suite's IdP, which the target trusts.
    pub fn minted(minter: Minter, scope: impl Into<String>) -> Self {
        TokenSupply {
            minter: Some(minter),
            scope: scope.into(),
            ..TokenSupply::default()
        }
    }

    /// One real token given by the user (`--token`), or none.
    pub fn given(token: Option<String>) -> Self {
        TokenSupply {
            given: token,
            ..TokenSupply::default()
        }
    }

    /// `Some(reason)` when this run cannot provide the token: the case does not apply.
    pub fn missing(&self, send: &TokenSend) -> Option<String> {
        if self.minter.is_some() {
            return None;
        }
        if send.needs_minting() {
            return Some(
                "needs tokens minted by the suite's IdP, which the target does not trust \
                 (run it with `server --command` so that it does)"
                    .into(),
            );
        }
        if self.given.is_none() {
            return Some(
                "needs a valid access token: pass `--token`, or run the target with \
                 `server --command`"
                    .into(),
            );
        }
        None
    }

    /// The token to send, for the target `resource`.
    pub fn token(
        &self,
        send: &TokenSend,
        resource: &str,
        vars: &Vars,
    ) -> Result<String, TokenError> {
        let token = match (&self.minter, &send.mint) {
            (Some(minter), recipe) => {
                let mut rendered = recipe.clone().unwrap_or_default();
                rendered.claims = render_claims(&rendered, vars)?;
                let grant = Grant {
                    resource: resource.to_string(),
                    scope: self.scope.clone(),
                };
                // One token per revision: the runs of a case for several revisions go on
                // at once, and must not see each other's use of a token.
                let revision = vars.get("revision").map(String::as_str).unwrap_or_default();
                self.cached(format!("{rendered:?}|{grant:?}|{revision}"), || {
                    minter.mint(&rendered, &grant).map_err(TokenError::Mint)
                })?
            }
            (None, None) => self
                .given
                .clone()
                .ok_or_else(|| TokenError::Mint("no token was given".into()))?,
            (None, Some(_)) => {
                return Err(TokenError::Mint("no IdP to mint the token with".into()))
            }
        };
        Ok(match send.tamper {
            Some(Tamper::Signature) => alter_signature(&token),
            None => token,
        })
    }
}

impl TokenSupply {
    /// A valid token for `resource` that no case sends: minted afresh when the run
    /// mints (so that what the harness asks on its own leaves the cases' tokens unused),
    /// else the given one.
    pub fn fresh_valid(&self, resource: &str) -> Result<String, TokenError> {
        match &self.minter {
            Some(minter) => {
                let grant = Grant {
                    resource: resource.to_string(),
                    scope: self.scope.clone(),
                };
                minter
                    .mint(&Mint::default(), &grant)
                    .map_err(TokenError::Mint)
            }
            None => self
                .given
                .clone()
                .ok_or_else(|| TokenError::Mint("no token was given".into())),
        }
    }

    fn cached(
        &self,
        key: String,
        mint: impl FnOnce() -> Result<String, TokenError>,
    ) -> Result<String, TokenError> {
        let fresh = |(at, token): &(Instant, String)| {
            (at.elapsed() < CACHE_FRESHNESS).then(|| token.clone())
        };
        // A poisoned cache only loses reuse, never a token.
        let lock = || self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(token) = lock().get(&key).and_then(fresh) {
            return Ok(token);
        }
        let token = mint()?;
        lock().insert(key, (Instant::now(), token.clone()));
        Ok(token)
    }
}

fn render_claims(
    recipe: &Mint,
    vars: &Vars,
) -> Result<std::collections::BTreeMap<String, serde_json::Value>, TemplateError> {
    recipe
        .claims
        .iter()
        .map(|(k, v)| Ok((k.clone(), render_json(v, vars)?)))
        .collect()
}
