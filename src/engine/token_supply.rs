//! Where the tokens of token cases come from: the suite's IdP when the target trusts it
//! (`server --command`, the demo), or one real token the user gives (`server --url
//! --token`), from which only the valid path and damaged copies can be derived.

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
}

/// Why no token could be made.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("{0}")]
    Template(#[from] TemplateError),
    #[error("{0}")]
    Mint(String),
}

impl TokenSupply {
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
                minter.mint(&rendered, &grant).map_err(TokenError::Mint)?
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
