//! Filling `{name}` placeholders into the command line, and the same values as environment
//! variables.
//!
//! Rendering is strict, like Rust's format strings: every `{` or `}` is either part of a
//! known `{name}` or doubled. A typo such as `{prot}` then fails before anything runs,
//! instead of starting a server on a port the harness never polls.

use super::LaunchError;

/// Prefix of the environment variables that carry the placeholder values.
pub const ENV_PREFIX: &str = "MCP_AUTHSPEC_";

/// The command with every placeholder replaced by its value.
pub(super) fn render(
    command: &str,
    placeholders: &[(String, String)],
) -> Result<String, LaunchError> {
    if command.trim().is_empty() {
        return Err(LaunchError::EmptyCommand);
    }
    let mut out = String::with_capacity(command.len());
    let mut rest = command;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let at = command.len() - rest.len() + i;
        let from_brace = &rest[i..];
        if let Some(after) = from_brace
            .strip_prefix("{{")
            .or_else(|| from_brace.strip_prefix("}}"))
        {
            // Both braces are ASCII, so the first character is the literal brace.
            out.push_str(&from_brace[..1]);
            rest = after;
            continue;
        }
        let Some(name) = from_brace
            .strip_prefix('{')
            .and_then(|s| s.split_once('}'))
            .map(|(name, _)| name)
            .filter(|name| is_name(name))
        else {
            return Err(LaunchError::StrayBrace {
                at,
                near: near(from_brace),
            });
        };
        let Some((_, value)) = placeholders.iter().find(|(known, _)| known == name) else {
            return Err(LaunchError::UnknownPlaceholder {
                name: name.to_string(),
                known: known_names(placeholders),
            });
        };
        out.push_str(value);
        rest = &from_brace[name.len() + 2..];
    }
    out.push_str(rest);
    if out.trim().is_empty() {
        return Err(LaunchError::EmptyCommand);
    }
    Ok(out)
}

/// `MCP_AUTHSPEC_<NAME>` for every placeholder, so that a wrapper script can read the
/// values without them appearing on its command line.
pub(super) fn env_vars(placeholders: &[(String, String)]) -> Vec<(String, String)> {
    placeholders
        .iter()
        .map(|(name, value)| (env_name(name), value.clone()))
        .collect()
}

/// `jwks_uri` → `MCP_AUTHSPEC_JWKS_URI`. Characters a shell variable cannot hold become `_`.
pub fn env_name(placeholder: &str) -> String {
    let name: String = placeholder
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("{ENV_PREFIX}{name}")
}

fn is_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The known placeholder names in the caller's order, without repeats.
fn known_names(placeholders: &[(String, String)]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (name, _) in placeholders {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    names
}

/// Up to 20 characters from the offending brace, to point at it in the message.
fn near(from_brace: &str) -> String {
    from_brace.chars().take(20).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values() -> Vec<(String, String)> {
        vec![
            ("port".to_string(), "43121".to_string()),
            ("issuer".to_string(), "http://127.0.0.1:40001".to_string()),
            (
                "jwks_uri".to_string(),
                "http://127.0.0.1:40001/jwks".to_string(),
            ),
        ]
    }

    #[test]
    fn placeholders_are_replaced() {
        let rendered = render("srv --port {port} --issuer={issuer} {port}", &values());
        assert_eq!(
            rendered.ok().as_deref(),
            Some("srv --port 43121 --issuer=http://127.0.0.1:40001 43121")
        );
    }

    #[test]
    fn doubled_braces_are_literal() {
        let rendered = render("echo {{port}} ${{HOME}} }}{{ {port}", &values());
        assert_eq!(
            rendered.ok().as_deref(),
            Some("echo {port} ${HOME} }{ 43121")
        );
    }

    #[test]
    fn unknown_placeholder_lists_the_known_ones() {
        let err = render("srv --port {prot}", &values());
        match err {
            Err(LaunchError::UnknownPlaceholder { name, known }) => {
                assert_eq!(name, "prot");
                assert_eq!(known, ["port", "issuer", "jwks_uri"]);
            }
            other => panic!("expected an unknown placeholder, got {other:?}"),
        }
        let message = render("srv {prot}", &values())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(message.contains("`{prot}`"), "{message}");
        assert!(
            message.contains("{port}, {issuer}, {jwks_uri}"),
            "{message}"
        );
    }

    #[test]
    fn lone_braces_are_errors() {
        for command in ["srv {", "srv }", "srv { echo; }", "srv {}", "srv {port"] {
            assert!(
                matches!(
                    render(command, &values()),
                    Err(LaunchError::StrayBrace { .. })
                ),
                "{command}"
            );
        }
        match render("ab}c", &values()) {
            Err(LaunchError::StrayBrace { at, near }) => {
                assert_eq!(at, 2);
                assert_eq!(near, "}c");
            }
            other => panic!("expected a stray brace, got {other:?}"),
        }
    }

    #[test]
    fn empty_commands_are_errors() {
        for command in ["", "  \n", "{empty}"] {
            let values = vec![("empty".to_string(), String::new())];
            assert!(
                matches!(render(command, &values), Err(LaunchError::EmptyCommand)),
                "{command:?}"
            );
        }
    }

    #[test]
    fn non_ascii_text_survives() {
        let rendered = render("echo «{port}» ✓", &values());
        assert_eq!(rendered.ok().as_deref(), Some("echo «43121» ✓"));
    }

    #[test]
    fn env_names_are_upper_case_with_prefix() {
        assert_eq!(env_name("port"), "MCP_AUTHSPEC_PORT");
        assert_eq!(env_name("jwks_uri"), "MCP_AUTHSPEC_JWKS_URI");
        assert_eq!(env_name("a-b.c"), "MCP_AUTHSPEC_A_B_C");
        let vars = env_vars(&values());
        assert_eq!(
            vars[0],
            ("MCP_AUTHSPEC_PORT".to_string(), "43121".to_string())
        );
    }
}
