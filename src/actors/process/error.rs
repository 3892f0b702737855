//! Why the server under test could not be started, worded for the person who wrote the
//! `--command`: each message says what happened and what to try next.

use std::time::Duration;

use crate::vocab::ProcessEvidence;

/// How many of the last lines of output a message quotes; the evidence holds the rest.
const QUOTED_LINES: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    #[error(
        "the server command is empty; give the command that starts the server under test, \
         e.g. --command 'my-server --port {{port}} --issuer {{issuer}}'"
    )]
    EmptyCommand,

    #[error(
        "the server command uses the placeholder `{{{name}}}`, which the harness does not \
         fill in; known placeholders: {}. Write `{{{{` and `}}}}` for literal braces",
        braced(.known)
    )]
    UnknownPlaceholder { name: String, known: Vec<String> },

    #[error(
        "the server command has a lone brace at byte {at} (`{near}`); placeholders are \
         written `{{name}}` and literal braces are doubled, `{{{{` and `}}}}` \
         (e.g. `${{{{HOME}}}}` for the shell's `${{HOME}}`)"
    )]
    StrayBrace { at: usize, near: String },

    #[error(
        "cannot start the server command through `{shell}`: {source}; check that `{shell}` \
         exists and that the harness may start processes"
    )]
    Spawn {
        shell: &'static str,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "the server command ended ({}) before 127.0.0.1:{port} accepted a connection; check \
         that it runs on its own and keeps serving on that port (given as {{port}} or \
         MCP_AUTHSPEC_PORT){}",
        .evidence.ended,
        quoted_output(.evidence)
    )]
    ExitedBeforeReady {
        port: u16,
        evidence: Box<ProcessEvidence>,
    },

    #[error(
        "127.0.0.1:{port} never accepted a connection within {} s, so the harness stopped the \
         server command ({}); check that the server listens on 127.0.0.1 on the port given \
         as {{port}} or MCP_AUTHSPEC_PORT, or allow a longer startup time{}",
        .timeout.as_secs_f64(),
        .evidence.ended,
        quoted_output(.evidence)
    )]
    NeverReady {
        port: u16,
        timeout: Duration,
        evidence: Box<ProcessEvidence>,
    },

    #[error(
        "cannot watch the started server command: {source}; the harness stopped it ({}){}",
        .evidence.ended,
        quoted_output(.evidence)
    )]
    Watch {
        #[source]
        source: std::io::Error,
        evidence: Box<ProcessEvidence>,
    },
}

impl LaunchError {
    /// What the process printed and how it ended, when it was started at all.
    pub fn evidence(&self) -> Option<&ProcessEvidence> {
        match self {
            LaunchError::ExitedBeforeReady { evidence, .. }
            | LaunchError::NeverReady { evidence, .. }
            | LaunchError::Watch { evidence, .. } => Some(evidence),
            LaunchError::EmptyCommand
            | LaunchError::UnknownPlaceholder { .. }
            | LaunchError::StrayBrace { .. }
            | LaunchError::Spawn { .. } => None,
        }
    }
}

/// `{port}, {issuer}`, or a note that there are none.
fn braced(names: &[String]) -> String {
    if names.is_empty() {
        return "none".to_string();
    }
    names
        .iter()
        .map(|n| format!("{{{n}}}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The last lines of standard error (or of standard output when stderr is empty), indented
/// under a heading; empty when the process printed nothing.
fn quoted_output(evidence: &ProcessEvidence) -> String {
    let (stream, text) = if evidence.stderr.trim().is_empty() {
        ("standard output", &evidence.stdout)
    } else {
        ("standard error", &evidence.stderr)
    };
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.is_empty() {
        return String::new();
    }
    let shown = &lines[lines.len().saturating_sub(QUOTED_LINES)..];
    let mut out = format!("\n  its {stream} ends with:");
    for line in shown {
        out.push_str("\n    ");
        // A single runaway line must not flood the terminal either.
        out.extend(line.chars().take(300));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evidence(stdout: &str, stderr: &str) -> ProcessEvidence {
        ProcessEvidence {
            command: "srv".to_string(),
            ended: "exit status 3".to_string(),
            stdout: stdout.to_string(),
            stderr: stderr.to_string(),
            truncated: false,
            notes: Vec::new(),
            outlived: Vec::new(),
        }
    }

    #[test]
    fn messages_quote_the_end_of_stderr() {
        let err = LaunchError::ExitedBeforeReady {
            port: 4000,
            evidence: Box::new(evidence("ignored", "one\ntwo\n")),
        };
        let message = err.to_string();
        assert!(message.contains("ended (exit status 3)"), "{message}");
        assert!(message.contains("127.0.0.1:4000"), "{message}");
        assert!(message.contains("{port}"), "{message}");
        assert!(
            message.ends_with("standard error ends with:\n    one\n    two"),
            "{message}"
        );
    }

    #[test]
    fn messages_fall_back_to_stdout_and_skip_silence() {
        let err = LaunchError::Watch {
            source: std::io::Error::other("boom"),
            evidence: Box::new(evidence("out", "")),
        };
        assert!(err
            .to_string()
            .ends_with("standard output ends with:\n    out"));
        let err = LaunchError::Watch {
            source: std::io::Error::other("boom"),
            evidence: Box::new(evidence("", " \n")),
        };
        assert!(err.to_string().ends_with("(exit status 3)"));
    }

    #[test]
    fn brace_messages_show_literal_braces() {
        let message = LaunchError::StrayBrace {
            at: 4,
            near: "${HOME}".to_string(),
        }
        .to_string();
        assert!(message.contains("`{name}`"), "{message}");
        assert!(message.contains("`{{` and `}}`"), "{message}");
        assert!(
            message.contains("`${{HOME}}` for the shell's `${HOME}`"),
            "{message}"
        );
    }
}
