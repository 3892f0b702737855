//! A YAML reader's error said in the project's words: where the author has to look, what
//! is wrong there, and what to do, instead of the reader's own texts (`budget breached:
//! Nodes { nodes: 250001 }`, "set DuplicateKeyPolicy in Options if acceptable").

use serde_saphyr::budget::BudgetBreach;
use serde_saphyr::{Budget, Error, Options};

use super::unclosed_flow::unclosed_flow_at;

/// Lists and mappings of a case file nest at most this deep. The reader's default (64) let
/// a case nesting `not:` 57 deep overflow a 2 MiB thread stack while it was deserialised (a
/// debug build; the fuzz tests found it); the deepest built-in case nests 9.
pub const CASE_FILE_MAX_DEPTH: usize = 32;

/// The YAML reader's limits for case files: its defaults, nesting [`CASE_FILE_MAX_DEPTH`].
pub fn case_file_budget() -> Budget {
    let mut budget = Budget::default();
    budget.max_depth = CASE_FILE_MAX_DEPTH;
    budget
}

/// The reader's options for case files: its defaults, within [`case_file_budget`].
pub fn case_file_options() -> Options {
    let mut options = Options::default();
    options.budget = Some(case_file_budget());
    options
}

/// Where a YAML error is and what it means; `hint: None` leaves the hint to the generic
/// rules of `diagnostic.rs` (did-you-mean and the like).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlProblem {
    pub line: u64,
    pub column: u64,
    pub message: String,
    pub hint: Option<String>,
}

/// Describes `err`, raised while reading `text` within `limits`. `fallback` is the
/// reader's own message (without its location), kept where there is nothing better to say.
pub fn describe(text: &str, err: &Error, fallback: &str, limits: &Budget) -> YamlProblem {
    let err = err.without_snippet();
    let (line, column) = err
        .location()
        .map(|l| (l.line(), l.column()))
        .unwrap_or((1, 1));
    let mut problem = YamlProblem {
        line,
        column,
        message: fallback.to_string(),
        hint: None,
    };
    match err {
        Error::Budget { breach, .. } => budget(breach, limits, &mut problem, None),
        Error::AliasError {
            error, locations, ..
        } => {
            let defined = locations.defined_location;
            let alias = alias_at(text, line, column);
            let through = format!(
                "{alias} used here expands the anchor defined at {}:{}",
                defined.line(),
                defined.column()
            );
            match error.without_snippet() {
                Error::Budget { breach, .. } => {
                    budget(breach, limits, &mut problem, Some(&through))
                }
                _ => {
                    let inner =
                        describe(text, error, &strip_location(&error.to_string()), limits);
                    problem.message = format!("{} ({through})", inner.message);
                    problem.hint = inner.hint;
                }
            }
        }
        Error::AliasReplayLimitExceeded {
            max_total_replayed_events,
            ..
        } => recursive_aliases(
            &mut problem,
            format!("the aliases of the case file expand to more than {max_total_replayed_events} events"),
        ),
        Error::AliasExpansionLimitExceeded {
            max_expansions_per_anchor,
            ..
        } => recursive_aliases(
            &mut problem,
            format!("an anchor is expanded more than {max_expansions_per_anchor} times"),
        ),
        Error::AliasReplayStackDepthExceeded { max_depth, .. } => recursive_aliases(
            &mut problem,
            format!("aliases nest inside aliases more than {max_depth} deep"),
        ),
        Error::DuplicateMappingKey { key, .. } => {
            let first = key
                .as_deref()
                .and_then(|k| first_occurrence(text, k, line, column));
            problem.message = match (key, first) {
                (Some(k), Some(at)) => format!("duplicate key `{k}` (first set on line {at})"),
                (Some(k), None) => format!("duplicate key `{k}`"),
                (None, _) => "duplicate key".into(),
            };
            problem.hint = Some(
                "a key is set once per mapping: remove one of them, or merge their values".into(),
            );
        }
        Error::Unexpected { expected, .. } => {
            if let Some(what) = expected_in_words(expected) {
                problem.message = format!("expected {what} here");
                problem.hint = Some(type_hint(what));
            }
        }
        Error::ExternallyTaggedEnumExpectedScalarOrMapping { .. } => {
            problem.message = "expected one name here (or a mapping of one name), not a list".into();
            problem.hint = Some(type_hint("one name"));
        }
        Error::InvalidScalar { ty, .. } => {
            if let Some(range) = integer_range(ty) {
                problem.message = format!("expected a whole number from {range} here");
                problem.hint = Some(type_hint("a whole number"));
            }
        }
        Error::MultipleDocuments { .. } => {
            problem.message = "a second YAML document starts here".into();
            problem.hint =
                Some("a case file holds one case: remove the `---` line, or split the file".into());
        }
        Error::UnknownAnchor { .. } => {
            problem.message = format!("{} names no anchor defined before it", alias_at(text, line, column));
            problem.hint = Some("define the anchor (`&name`) before its first use (`*name`)".into());
        }
        Error::ExternalMessage { msg, .. } => parser_hint(msg, &mut problem),
        _ => {}
    }
    // Every error after a `[` or `{` that was never closed comes from it: the reader only
    // stops where the rest of the file cannot be inside a flow collection.
    if let Some(flow) = unclosed_flow_at(text, line, column) {
        // The reader's own words, short: the accepted names of a swallowed scalar are noise.
        let said = match problem.message.split_once(", expected one of") {
            Some((head, _)) => head,
            None => &problem.message,
        };
        let stopped = if (flow.line, flow.column) == (line, column) {
            format!("here: {said}")
        } else {
            format!("at {line}:{column}: {said}")
        };
        let starts = match line_text(text, flow.open_at_line) {
            Some(l) if l.trim_start().starts_with("- ") || l.trim() == "-" => "a new item",
            _ => "a new key",
        };
        return YamlProblem {
            line: flow.line,
            column: flow.column,
            message: format!(
                "the {} opened here by `{}` is still open at line {}, which starts {starts}",
                flow.kind(),
                flow.bracket,
                flow.open_at_line
            ),
            hint: Some(format!(
                "an unclosed `{}`? Close the {} with `{}` (the YAML reader stopped {stopped})",
                flow.bracket,
                flow.kind(),
                flow.closer()
            )),
        };
    }
    problem
}

/// A limit of the YAML reader, said with its number and what usually trips it.
fn budget(
    breach: &BudgetBreach,
    limits: &Budget,
    problem: &mut YamlProblem,
    through_alias: Option<&str>,
) {
    let (what, limit) = match breach {
        BudgetBreach::Depth { .. } => {
            problem.message = format!(
                "lists and mappings nest more than {} deep here",
                limits.max_depth
            );
            problem.hint = Some(format!(
                "a case file nests lists and mappings at most {} deep",
                limits.max_depth
            ));
            return;
        }
        BudgetBreach::Nodes { .. } => (
            format!(
                "more than {} YAML nodes (values, lists and mappings)",
                limits.max_nodes
            ),
            format!("at most {} nodes", limits.max_nodes),
        ),
        BudgetBreach::Events { .. } => (
            format!("more than {} YAML events", limits.max_events),
            format!("at most {} events", limits.max_events),
        ),
        BudgetBreach::Aliases { .. } => (
            format!("more than {} aliases (`*name`)", limits.max_aliases),
            format!("at most {} aliases", limits.max_aliases),
        ),
        BudgetBreach::Anchors { .. } => (
            format!("more than {} anchors (`&name`)", limits.max_anchors),
            format!("at most {} anchors", limits.max_anchors),
        ),
        BudgetBreach::AliasAnchorRatio { aliases, anchors } => (
            format!("{aliases} aliases for {anchors} anchor(s)"),
            format!(
                "at most {} aliases per anchor once there are {}",
                limits.alias_anchor_ratio_multiplier, limits.alias_anchor_min_aliases
            ),
        ),
        BudgetBreach::ScalarBytes { .. } => (
            format!(
                "more than {} bytes of text in its values",
                limits.max_total_scalar_bytes
            ),
            format!("at most {} bytes of values", limits.max_total_scalar_bytes),
        ),
        BudgetBreach::MergeKeys { .. } => (
            format!("more than {} merge keys (`<<`)", limits.max_merge_keys),
            format!("at most {} merge keys", limits.max_merge_keys),
        ),
        BudgetBreach::RecordedAnchorEvents { .. } | BudgetBreach::RecordedAnchorBytes { .. } => (
            "anchors that hold more than the reader keeps".to_string(),
            format!(
                "anchors hold at most {} events",
                limits.max_recorded_anchor_events
            ),
        ),
        _ => (
            "more than the YAML reader accepts".to_string(),
            "within the reader's limits".to_string(),
        ),
    };
    problem.message = match through_alias {
        Some(through) => format!("the case file expands to {what} ({through})"),
        None => format!("the case file has {what}"),
    };
    problem.hint = Some(format!(
        "the case file is too large or expands recursive aliases: a case file has {limit}"
    ));
}

fn recursive_aliases(problem: &mut YamlProblem, what: String) {
    problem.message = what;
    problem.hint = Some(
        "the case file expands recursive aliases: write the value out, or use fewer nested aliases"
            .into(),
    );
}

/// Hints for the parser's syntax errors a case author meets most.
fn parser_hint(msg: &str, problem: &mut YamlProblem) {
    let hint = if msg.contains("mapping values are not allowed") {
        "a plain value cannot hold `: `: quote the value, or, if this line starts a new key, \
         indent it like the keys above it"
    } else if msg.contains("did not find expected key") {
        "this line is indented like no key above it: align it with its siblings"
    } else if msg.contains("tabs disallowed") {
        "YAML indents with spaces, not tabs"
    } else if msg.contains("unclosed quote") {
        "close the quoted value with the same quote it opens with"
    } else if msg.contains("misplaced bracket") {
        "a `]` or `}` here closes nothing: remove it, or add the `[` or `{` it belongs to"
    } else {
        return;
    };
    problem.hint = Some(hint.into());
}

/// `*name` at a position of the text, or "an alias" when the text has none there.
fn alias_at(text: &str, line: u64, column: u64) -> String {
    let name: String = line_text(text, line)
        .map(|l| {
            l.chars()
                .skip(column.saturating_sub(1) as usize)
                .skip_while(|c| *c == '*')
                .take_while(|c| !c.is_whitespace() && !",[]{}".contains(*c))
                .collect()
        })
        .unwrap_or_default();
    if name.is_empty() {
        "an alias".into()
    } else {
        format!("the alias `*{name}`")
    }
}

/// The line of the first `key:` in the mapping that also holds the duplicate at
/// `(line, column)`: earlier on the same line (a flow mapping), or a line above that
/// starts its key at the same column, up to the line that opens the mapping.
fn first_occurrence(text: &str, key: &str, line: u64, column: u64) -> Option<u64> {
    let col = column.saturating_sub(1) as usize;
    let is_key_at = |chars: &[char], at: usize| {
        let rest: String = chars.iter().skip(at).collect();
        [key.to_string(), format!("\"{key}\""), format!("'{key}'")]
            .iter()
            .any(|k| {
                rest.strip_prefix(k.as_str())
                    .is_some_and(|r| r.trim_start().starts_with(':'))
            })
    };
    let here: Vec<char> = line_text(text, line)?.chars().collect();
    let in_flow = (0..col.min(here.len())).any(|at| {
        let before = here[..at].iter().rev().find(|c| **c != ' ');
        matches!(before, Some('{' | ',')) && is_key_at(&here, at)
    });
    if in_flow {
        return Some(line);
    }
    for l in (1..line).rev() {
        let chars: Vec<char> = line_text(text, l)?.chars().collect();
        let first = chars.iter().position(|c| *c != ' ');
        match first {
            None => continue,
            Some(i) if chars[i] == '#' => continue,
            Some(i) => {
                if node_start(&chars) == col && is_key_at(&chars, col) {
                    return Some(l);
                }
                if i < col {
                    // The line that opens this mapping: the search ends there.
                    return None;
                }
            }
        }
    }
    None
}

/// Where the key or item of a line starts, after its indentation and `- ` indicators.
fn node_start(chars: &[char]) -> usize {
    let mut i = chars.iter().take_while(|c| **c == ' ').count();
    while chars.get(i) == Some(&'-') && chars.get(i + 1).is_none_or(|c| *c == ' ') {
        i += 1;
        while chars.get(i) == Some(&' ') {
            i += 1;
        }
    }
    i
}

fn line_text(text: &str, line: u64) -> Option<&str> {
    text.lines().nth(line.checked_sub(1)? as usize)
}

fn strip_location(msg: &str) -> String {
    match msg.find(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// serde-saphyr's `expected …` token names, as a case author would say them.
fn expected_in_words(expected: &str) -> Option<&'static str> {
    Some(match expected {
        "sequence start" | "seq" => "a list",
        "mapping start" | "map" | "empty mapping start" => "a mapping (`key: value`)",
        "string scalar" | "string" => "a text value",
        "scalar" | "value" => "a single value",
        "an integer" => "a whole number",
        "null" => "nothing (null)",
        _ => return None,
    })
}

fn type_hint(what: &str) -> String {
    format!("the value here must be {what}; schemas/case.schema.json gives each key's type")
}

fn integer_range(ty: &str) -> Option<String> {
    let range = match ty {
        "u8" => (0, u8::MAX as u64),
        "u16" => (0, u16::MAX as u64),
        "u32" => (0, u32::MAX as u64),
        "u64" | "usize" => (0, u64::MAX),
        _ => return None,
    };
    Some(format!("{} to {}", range.0, range.1))
}
