//! What the harness knows cannot run before any trial starts, and the one list of those
//! cases, with their reasons, printed to stderr: libtest-mimic cannot attach a reason to
//! an ignored trial. The reason is not put into the trial's kind either: libtest-mimic
//! pads every trial's line to the widest kind, which would shift all the lines that
//! matter, and the reasons are sentences; the names stay the case paths, so `--exact`
//! and CI histories do not depend on the target.

use std::collections::BTreeMap;

use crate::actors::drivers::{
    EXPOSURE_VARIABLE, NOT_A_PROXY, NOT_STARTED_HERE, UPSTREAM_AUTHORIZATION_ENDPOINT,
};
use crate::actors::tokens::TokenSupply;
use crate::logic::case::Case;

/// Why a case cannot run against this target, as the CLI gives it for the skip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct CannotRun {
    pub reason: String,
}

/// Why `tokens` cannot provide a token the case sends (see [`TokenSupply::missing`],
/// which the run itself consults). A token that must be minted comes first: a token given
/// by the vendor would not make such a case run, so "needs a token" would mislead.
pub(super) fn missing_token(tokens: &TokenSupply, case: &Case) -> Option<CannotRun> {
    let sends: Vec<_> = case.body.token_sends().collect();
    let minted_first = sends
        .iter()
        .filter(|send| send.needs_minting())
        .chain(sends.iter().filter(|send| !send.needs_minting()));
    minted_first
        .filter_map(|send| tokens.missing(send))
        .next()
        .map(|reason| CannotRun { reason })
}

/// A case that reads whether the server listens beyond loopback, which is tried only for
/// a server the harness started (`actors::drivers::exposure_probe`).
pub(super) fn needs_started_server(case: &Case) -> Option<CannotRun> {
    case.uses.contains(EXPOSURE_VARIABLE).then(|| CannotRun {
        reason: format!("needs `{{{EXPOSURE_VARIABLE}}}`, but {NOT_STARTED_HERE}"),
    })
}

/// A proxy case (it reads the third party's endpoint) on a target not declared an OAuth
/// proxy: the `cargo test` entries have no `--oauth-proxy`.
pub(super) fn not_a_proxy(case: &Case) -> Option<CannotRun> {
    case.uses
        .contains(UPSTREAM_AUTHORIZATION_ENDPOINT)
        .then(|| CannotRun {
            reason: format!("needs `{{{UPSTREAM_AUTHORIZATION_ENDPOINT}}}`, but {NOT_A_PROXY}"),
        })
}

/// The first built-in variable the case reads that the run could not set.
pub(super) fn missing_variable(
    unavailable: &BTreeMap<String, String>,
    case: &Case,
) -> Option<CannotRun> {
    case.uses.iter().find_map(|var| {
        unavailable.get(var).map(|why| CannotRun {
            reason: format!("needs `{{{var}}}`, but {why}"),
        })
    })
}

/// The list of ignored trials, grouped by reason; `None` when nothing is ignored.
/// `footer` says how the reasons' CLI words translate to the `cargo test` entry.
pub(super) fn ignored_list(
    what: &str,
    total: usize,
    ignored: &[(String, CannotRun)],
    footer: Option<&str>,
) -> Option<String> {
    if ignored.is_empty() {
        return None;
    }
    let mut by_reason: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (name, cannot) in ignored {
        by_reason.entry(&cannot.reason).or_default().push(name);
    }
    let mut out = format!(
        "mcp-authspec: {} of {total} {what} cannot run against this target, so their \
         trials are ignored (`-- --include-ignored` runs them anyway; they then fail):\n",
        ignored.len()
    );
    for (reason, names) in by_reason {
        out.push_str(&format!("  {reason}:\n"));
        for name in names {
            out.push_str(&format!("    {name}\n"));
        }
    }
    if let Some(footer) = footer {
        out.push_str(&format!("  ({footer})\n"));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cannot(reason: &str) -> CannotRun {
        CannotRun {
            reason: reason.into(),
        }
    }

    #[test]
    fn a_case_needing_a_minted_token_says_so_with_or_without_a_given_token() {
        let cases = crate::input::load_cases(&crate::input::CaseSource::Builtin).unwrap();
        let needs_minting = |c: &Case| c.body.token_sends().any(|t| t.needs_minting());
        let minting: Vec<_> = cases.iter().filter(|c| needs_minting(c)).collect();
        assert!(!minting.is_empty());
        for tokens in [
            TokenSupply::given(None),
            TokenSupply::given(Some("t".into())),
        ] {
            for case in &minting {
                let reason = missing_token(&tokens, case).expect("cannot run").reason;
                assert!(reason.contains("minted"), "{}: {reason}", case.id());
            }
        }
    }

    #[test]
    fn nothing_ignored_prints_nothing() {
        assert_eq!(ignored_list("server cases", 3, &[], None), None);
    }

    #[test]
    fn the_list_groups_names_under_their_reason() {
        let ignored = vec![
            ("a::one".to_string(), cannot("needs a token: why")),
            ("a::two".to_string(), cannot("needs minting")),
            ("a::three".to_string(), cannot("needs a token: why")),
        ];
        let list = ignored_list("server cases", 10, &ignored, Some("`--token` is …")).unwrap();
        assert_eq!(
            list,
            "mcp-authspec: 3 of 10 server cases cannot run against this target, so their \
             trials are ignored (`-- --include-ignored` runs them anyway; they then fail):\n\
             \x20 needs a token: why:\n    a::one\n    a::three\n\
             \x20 needs minting:\n    a::two\n\
             \x20 (`--token` is …)\n"
        );
    }
}
