//! Diagnostics for case files: `file:line:col`, the offending line with a caret, and a
//! hint (did-you-mean for unknown keys, variants and names).

use std::fmt;

use super::client_query::ClientQuery;
use super::query::StepQuery;
use super::yaml_diagnostic::describe;
use crate::vocab::RevisionSet;

/// A problem in an input file, located to a line and column (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub path: String,
    pub line: u64,
    pub column: u64,
    pub message: String,
    /// The text of the offending line, if known.
    pub source_line: Option<String>,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn new(path: &str, text: &str, line: u64, column: u64, message: impl Into<String>) -> Self {
        let source_line = (line > 0)
            .then(|| text.lines().nth(line as usize - 1).map(str::to_string))
            .flatten();
        Diagnostic {
            path: path.to_string(),
            line,
            column,
            message: message.into(),
            source_line,
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Turns a YAML/serde error into a diagnostic in the project's words
    /// ([`super::yaml_diagnostic`]), with a did-you-mean hint when the error names the
    /// accepted alternatives.
    pub fn from_yaml_error(path: &str, text: &str, err: &serde_saphyr::Error) -> Self {
        Self::from_yaml_error_within(path, text, err, &serde_saphyr::Budget::default())
    }

    /// [`Diagnostic::from_yaml_error`] for text read within other limits than the reader's
    /// defaults (case files: [`super::yaml_diagnostic::case_file_budget`]).
    pub fn from_yaml_error_within(
        path: &str,
        text: &str,
        err: &serde_saphyr::Error,
        limits: &serde_saphyr::Budget,
    ) -> Self {
        let raw = err.without_snippet().to_string();
        let described = describe(text, err, &strip_location_suffix(&raw), limits);
        let hint = described.hint.or_else(|| hint_for(&described.message));
        let mut d = Diagnostic::new(
            path,
            text,
            described.line,
            described.column,
            described.message,
        );
        d.hint = hint;
        d
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}:{}:{}: error: {}",
            self.path, self.line, self.column, self.message
        )?;
        if let Some(src) = &self.source_line {
            let gutter = self.line.to_string().len();
            writeln!(f, "{:gutter$} |", "")?;
            writeln!(f, "{} | {}", self.line, src)?;
            let caret_pad: String = src
                .chars()
                .take(self.column.saturating_sub(1) as usize)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            writeln!(f, "{:gutter$} | {caret_pad}^", "")?;
        }
        if let Some(h) = &self.hint {
            // Aligned with the gutter of the quoted line, however many digits it has.
            let gutter = self.line.to_string().len();
            writeln!(f, "{:gutter$} = hint: {h}", "")?;
        }
        Ok(())
    }
}

/// serde-saphyr appends " at line N, column M" (and, for an alias, where it was defined
/// and used); the diagnostic says that itself.
fn strip_location_suffix(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) if msg[i..].contains(", column ") => msg[..i].to_string(),
        _ => msg.to_string(),
    }
}

fn hint_for(message: &str) -> Option<String> {
    if let Some(hint) = RevisionSet::hint_for(message) {
        return Some(hint);
    }
    // "unknown field `iz`, expected one of query, is" / "unknown variant `x`, expected one of a, b"
    if let Some(rest) = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("unknown variant `"))
    {
        let (given, tail) = rest.split_once('`')?;
        let options = accepted_names(tail);
        if let Some(hint) = query_of_another_role(given, &options) {
            return Some(hint);
        }
        return Some(
            match did_you_mean(given, options.iter().map(String::as_str)) {
                Some(best) => format!("did you mean `{best}`?"),
                None if options.is_empty() => "this key is not allowed here".to_string(),
                None => format!("accepted here: {}", options.join(", ")),
            },
        );
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or_default();
        return Some(format!(
            "add `{field}:` (schemas/case.schema.json lists every key)"
        ));
    }
    if message.starts_with("expected ") || message.contains("invalid type") {
        return Some(
            "the value has the wrong type here; schemas/case.schema.json gives each key's type"
                .into(),
        );
    }
    None
}

/// A step query in a client case, or a client query in a step: each kind of case reads
/// a different thing (a step's answer; a client's observed run), so the query cannot mean
/// anything there. The hint says which cases it belongs to.
fn query_of_another_role(given: &str, options: &[String]) -> Option<String> {
    let offers =
        |names: &[&str]| !options.is_empty() && options.iter().all(|o| names.contains(&o.as_str()));
    if offers(StepQuery::NAMES) && ClientQuery::NAMES.contains(&given) {
        Some(format!(
            "`{given}` reads the observed run of a client under test: only client cases \
             (`client/…`, under `client:`) use it"
        ))
    } else if offers(ClientQuery::NAMES) && StepQuery::NAMES.contains(&given) {
        Some(format!(
            "`{given}` reads the answer to a step: only server and authorization-server cases \
             (under `steps:`) use it"
        ))
    } else {
        None
    }
}

fn accepted_names(tail: &str) -> Vec<String> {
    let list = tail
        .split_once("expected one of ")
        .map(|(_, l)| l)
        .or_else(|| tail.split_once("expected ").map(|(_, l)| l))
        .unwrap_or_default();
    list.split(',')
        .map(|s| s.trim().trim_matches('`').to_string())
        .filter(|s| !s.is_empty() && !s.contains(' '))
        .collect()
}

/// Every diagnostic of one input, then a closing count: `2 problems in case files`.
/// `place` says where they are (`case files`, `the baseline`).
pub fn render_diagnostics(diagnostics: &[Diagnostic], place: &str) -> String {
    let n = diagnostics.len();
    let listed: Vec<String> = diagnostics.iter().map(|d| d.to_string()).collect();
    format!(
        "{}\n{n} problem{} in {place}",
        listed.join("\n"),
        if n == 1 { "" } else { "s" }
    )
}

/// The closest candidate within a small edit distance, for did-you-mean hints.
pub fn did_you_mean<'a>(
    given: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let length = given.chars().count();
    let limit = (length / 3).clamp(1, 3);
    candidates
        .into_iter()
        // The distance is at least the difference in length: a name far longer than every
        // candidate (a 35 KB one came out of the fuzz tests) is compared with none, not in
        // time quadratic in its length.
        .filter(|c| c.chars().count().abs_diff(length) <= limit)
        .map(|c| {
            (
                edit_distance(&given.to_ascii_lowercase(), &c.to_ascii_lowercase()),
                c,
            )
        })
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names() {
        assert_eq!(did_you_mean("iz", ["query", "is"]), Some("is"));
        assert_eq!(did_you_mean("equal", ["equals", "one_of"]), Some("equals"));
        assert_eq!(did_you_mean("zzzzzz", ["equals"]), None);
        assert_eq!(
            hint_for("unknown field `iz`, expected one of query, is"),
            Some("did you mean `is`?".into())
        );
        assert_eq!(
            hint_for("unknown variant `qqqqqqq`, expected one of a, b"),
            Some("accepted here: a, b".into())
        );
        let step_queries = StepQuery::NAMES.join(", ");
        let hint = hint_for(&format!(
            "unknown variant `client_exit`, expected one of {step_queries}"
        ));
        assert!(hint.unwrap().contains("only client cases"));
        let client_queries = ClientQuery::NAMES.join(", ");
        let hint = hint_for(&format!(
            "unknown variant `status`, expected one of {client_queries}"
        ));
        assert!(hint
            .unwrap()
            .contains("only server and authorization-server cases"));
    }

    #[test]
    fn renders_location_line_and_caret() {
        let d = Diagnostic::new(
            "cases/x.yaml",
            "a: 1\n  bad: 2\n",
            2,
            3,
            "unknown field `bad`",
        )
        .with_hint("did you mean `bat`?");
        let s = d.to_string();
        assert!(
            s.starts_with("cases/x.yaml:2:3: error: unknown field `bad`\n"),
            "{s}"
        );
        assert!(s.contains("2 |   bad: 2\n  |   ^\n"), "{s}");
    }
}
