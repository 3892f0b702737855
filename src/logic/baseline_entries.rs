//! The entries of a baseline of expected failures (`--baseline FILE`): the official
//! conformance suite's expected-failures YAML, read as that suite reads it, each entry
//! then resolved against the loaded cases.
//!
//! The file is a mapping keyed by mode, each key a list of entries:
//!
//! ```yaml
//! client:
//!   - auth/scope-step-up                      # an official scenario: every run of its cases
//!   - auth/basic-cimd:some-check              # an official check: lists no run of ours
//!   - client/pkce/s256-pair:2025-06-18        # one of our cases, at one revision
//! server:
//!   - server/challenge/bearer-scheme          # one of our cases, at every revision
//! authorization-server:                       # our own key
//!   - authorization-code-grant
//! ```
//!
//! The official suite's rules hold: an empty file is an empty baseline, the top level is
//! a mapping, a section is a list, an entry is one name (`- a: b`, with a space after the
//! colon, is a YAML mapping and refused with that hint), neither side of a colon is
//! empty, a scenario is not listed both whole and per check, and other top-level keys are
//! ignored. So SDKs' existing files load unchanged. What is ours: a section lists only
//! its role's cases; `<case-id>` (or its test name `client::scope::step-up`) lists every
//! revision's run of the case, `<case-id>:<revision>` that revision's only; a name that
//! looks like one of our case ids but names none is a typo (an error with a
//! did-you-mean), while any other name this suite does not know (another mode's
//! scenario, a future one) lists no run: a note, never an error.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Budget, Options, Spanned};

use super::diagnostic::{did_you_mean, Diagnostic};
use super::official_scenarios::{official_auth_scenarios, OFFICIAL_AUTHORIZATION_SERVER_SCENARIOS};
use crate::vocab::{Revision, Role};

/// A baseline, parsed and resolved: its entries in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Baseline {
    /// The file, as given on the command line.
    pub file: String,
    pub entries: Vec<BaselineEntry>,
}

/// One entry of a baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaselineEntry {
    /// As written in the file (`client::scope::step-up` stays so): what the report shows.
    pub written: String,
    /// The section it is listed in: it lists only runs of this role's cases.
    pub role: Role,
    pub lists: Listed,
}

/// What an entry lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listed {
    /// One of our cases: every revision's run, or one revision's.
    Case {
        id: String,
        revision: Option<Revision>,
    },
    /// An official scenario: every run of every case that belongs to it.
    Scenario(String),
    /// An official scenario's check (`<scenario>:<check-id>`): our cases are not the
    /// official checks, so it lists no run of ours.
    OfficialCheck,
    /// A name this suite does not know for this role (another mode's scenario, a newer
    /// suite's): lists no run.
    Unknown,
}

/// A loaded case, as the entries are resolved against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownCase<'a> {
    pub id: &'a str,
    pub role: Role,
    /// Its official scenario (`Case::official_scenario`).
    pub scenario: Option<&'a str>,
}

/// The section keys of a baseline, by role: the official suite's `server` and `client`,
/// and our own `authorization-server`.
const SECTIONS: [Role; 3] = [Role::Server, Role::Client, Role::AuthorizationServer];

/// What an entry looks like, shown in hints.
const ENTRY_FORMS: &str =
    "`<scenario>`, `<scenario>:<check-id>`, `<case-id>` or `<case-id>:<revision>`";

/// Parses the baseline at `path` (as shown to the user) from its text, resolving each
/// entry against `cases`. Every malformed entry is reported, not only the first.
pub fn parse_baseline(
    path: &str,
    text: &str,
    cases: &[KnownCase<'_>],
) -> Result<Baseline, Vec<Diagnostic>> {
    let top: Option<Spanned<Node>> = serde_saphyr::from_str_with_options(text, options())
        .map_err(|e| vec![yaml_error(path, text, &e)])?;
    let mut reader = Reader {
        path,
        text,
        cases,
        diagnostics: Vec::new(),
        entries: Vec::new(),
    };
    match top {
        None => {}
        Some(Spanned {
            value: Node::Null, ..
        }) => {}
        Some(Spanned {
            value: Node::Map(pairs),
            ..
        }) => {
            for role in SECTIONS {
                if let Some((_, list)) = pairs.iter().find(|(k, _)| k == role.as_str()) {
                    reader.section(role, list);
                }
            }
        }
        Some(other) => reader.error(
            &other,
            format!(
                "a baseline is a mapping of lists, not {}",
                other.value.in_words()
            ),
            "write `server:`, `client:` and/or `authorization-server:` at the top, each \
             followed by a list of entries (`  - auth/scope-step-up`)",
        ),
    }
    if !reader.diagnostics.is_empty() {
        return Err(reader.diagnostics);
    }
    // File order, whatever the order of the sections: the first entry to list a run
    // gives it its mark.
    reader.entries.sort_by_key(|(at, _)| *at);
    Ok(Baseline {
        file: path.to_string(),
        entries: reader.entries.into_iter().map(|(_, e)| e).collect(),
    })
}

/// A baseline nests three deep (sections, their lists, a mistaken `- a: b`); other
/// top-level keys are read too, and this bounds them (the reader's default, 64, lets a
/// recursive value use much stack in a debug build).
const BASELINE_MAX_DEPTH: usize = 16;

/// A baseline lists hundreds of names at most; the reader's default (250,000 nodes)
/// would let recursive aliases keep a run waiting for seconds before it starts.
const BASELINE_MAX_NODES: usize = 50_000;

fn budget() -> Budget {
    let mut budget = Budget::default();
    budget.max_depth = BASELINE_MAX_DEPTH;
    budget.max_nodes = BASELINE_MAX_NODES;
    budget
}

fn options() -> Options {
    let mut options = Options::default();
    options.budget = Some(budget());
    options
}

/// The YAML reader's error in the project's words, with the baseline's own hint where
/// the generic one speaks of case files.
fn yaml_error(path: &str, text: &str, err: &serde_saphyr::Error) -> Diagnostic {
    let mut d = Diagnostic::from_yaml_error_within(path, text, err, &budget());
    if d.message.starts_with("a second YAML document") {
        d.hint = Some("a baseline is one YAML document: remove the `---` line".into());
    }
    d.message = d.message.replace("case file", "baseline file");
    d.hint = d.hint.map(|h| h.replace("case file", "baseline file"));
    d
}

struct Reader<'a> {
    path: &'a str,
    text: &'a str,
    cases: &'a [KnownCase<'a>],
    diagnostics: Vec<Diagnostic>,
    /// Each entry with where it was written, to be put in file order.
    entries: Vec<((u64, u64), BaselineEntry)>,
}

impl Reader<'_> {
    fn error<T>(&mut self, at: &Spanned<T>, message: impl Into<String>, hint: impl Into<String>) {
        let (line, column) = location(at);
        self.diagnostics
            .push(Diagnostic::new(self.path, self.text, line, column, message).with_hint(hint));
    }

    fn section(&mut self, role: Role, list: &Spanned<Node>) {
        let items = match &list.value {
            Node::List(items) => items,
            other => {
                let key = role.as_str();
                return self.error(
                    list,
                    format!(
                        "`{key}:` must be a list of entries, not {}",
                        other.in_words()
                    ),
                    format!(
                        "list each entry on its own line as `  - <entry>` under `{key}:` \
                         ({ENTRY_FORMS}); for none, write `{key}: []`"
                    ),
                );
            }
        };
        // Whole entries of the section, by the name they list, with their line.
        let mut whole: BTreeMap<String, u64> = BTreeMap::new();
        let mut parts: Vec<(String, &Spanned<Node>, String)> = Vec::new();
        for item in items {
            let Some(written) = self.entry_text(item) else {
                continue;
            };
            let name = as_case_path(&written);
            match name.split_once(':') {
                None => {
                    whole.entry(name.clone()).or_insert(location(item).0);
                }
                Some((left, right)) if left.is_empty() || right.is_empty() => {
                    self.error(
                        item,
                        format!("`{written}` has an empty side of its colon"),
                        format!("both sides of the colon are required: an entry is {ENTRY_FORMS}"),
                    );
                    continue;
                }
                Some((left, _)) => parts.push((left.to_string(), item, written.clone())),
            }
            if let Some(lists) = self.resolve(role, item, &written, &name) {
                let entry = BaselineEntry {
                    written,
                    role,
                    lists,
                };
                self.entries.push((location(item), entry));
            }
        }
        for (left, item, written) in parts {
            if let Some(line) = whole.get(&left) {
                self.error(
                    item,
                    format!(
                        "`{left}` on line {line} lists all of it already, so `{written}` is \
                         redundant"
                    ),
                    "remove one or the other",
                );
            }
        }
    }

    /// The text of one list item, or a diagnostic for an item that is not one name.
    fn entry_text(&mut self, item: &Spanned<Node>) -> Option<String> {
        match &item.value {
            Node::Scalar(text) => return Some(text.clone()),
            Node::Null => self.error(
                item,
                "this entry is empty",
                format!("write one name after the `-` ({ENTRY_FORMS}), or remove the line"),
            ),
            Node::Map(pairs) => match pairs.as_slice() {
                [(key, value)] => match &value.value {
                    Node::Scalar(check) => self.error(
                        item,
                        format!(
                            "`{key}: {check}` is a mapping, not an entry: the space after the \
                             colon makes YAML read a key and a value"
                        ),
                        format!("remove the space after the colon: `- {key}:{check}`"),
                    ),
                    Node::Null => self.error(
                        item,
                        format!("`{key}:` ends with its colon"),
                        "a per-check entry is `<scenario>:<check-id>` and a revision entry \
                             `<case-id>:<revision>`, with no space after the colon: write what \
                             follows it, or remove the colon",
                    ),
                    _ => self.not_one_name(item),
                },
                _ => self.not_one_name(item),
            },
            Node::List(_) => self.not_one_name(item),
        }
        None
    }

    fn not_one_name(&mut self, item: &Spanned<Node>) {
        self.error(
            item,
            format!("an entry is one name, not {}", item.value.in_words()),
            format!("write one name per `-` line: {ENTRY_FORMS}"),
        );
    }

    /// What `name` (the entry `written`, test names turned into ids) lists in the
    /// section of `role`, or `None` after a diagnostic.
    fn resolve(
        &mut self,
        role: Role,
        item: &Spanned<Node>,
        written: &str,
        name: &str,
    ) -> Option<Listed> {
        let (left, right) = match name.split_once(':') {
            Some((l, r)) => (l, Some(r)),
            None => (name, None),
        };
        if let Some(case) = self.cases.iter().find(|c| c.id == left) {
            if case.role != role {
                self.error(
                    item,
                    format!(
                        "`{written}` is a {} case: the `{}:` section lists {} cases only",
                        case.role, role, role
                    ),
                    format!("move the entry under `{}:`", case.role),
                );
                return None;
            }
            let revision = match right {
                None => None,
                Some(r) => Some(self.revision(item, written, r)?),
            };
            return Some(Listed::Case {
                id: left.to_string(),
                revision,
            });
        }
        if looks_like_case_id(left) {
            let ids = self.cases.iter().map(|c| c.id);
            let hint = match did_you_mean(left, ids) {
                Some(best) => format!("did you mean `{best}`?"),
                None => "`mcp-authspec list` prints every case id".to_string(),
            };
            self.error(item, format!("`{left}` names no case"), hint);
            return None;
        }
        let known = self.is_scenario_of(role, left);
        Some(match (known, right) {
            (true, None) => Listed::Scenario(left.to_string()),
            (true, Some(_)) => Listed::OfficialCheck,
            (false, _) => Listed::Unknown,
        })
    }

    /// The revision after the colon of `written`, or a diagnostic pointing at it.
    fn revision(&mut self, item: &Spanned<Node>, written: &str, given: &str) -> Option<Revision> {
        match given.parse::<Revision>() {
            Ok(r) => Some(r),
            Err(_) => {
                let names = Revision::ALL.map(|r| r.as_str());
                let hint = match did_you_mean(given, names) {
                    Some(best) => format!("did you mean `{best}`?"),
                    None => format!("the revisions are {}", Revision::names_for_help()),
                };
                let (line, column) = location(item);
                let column = column + self.offset_in_item(line, column, written, given);
                self.diagnostics.push(
                    Diagnostic::new(
                        self.path,
                        self.text,
                        line,
                        column,
                        format!(
                            "unknown revision `{given}`: after a case id, the colon is \
                             followed by a revision"
                        ),
                    )
                    .with_hint(hint),
                );
                None
            }
        }
    }

    /// How far into the item at `(line, column)` the text `part` of `written` starts,
    /// when the line shows `written` there (plain or quoted); 0 otherwise.
    fn offset_in_item(&self, line: u64, column: u64, written: &str, part: &str) -> u64 {
        let Some(source) = self.text.lines().nth(line.saturating_sub(1) as usize) else {
            return 0;
        };
        let at: String = source
            .chars()
            .skip(column.saturating_sub(1) as usize)
            .collect();
        let quote = u64::from(at.starts_with(['\'', '"']));
        let shown = &at[quote as usize..];
        match (shown.starts_with(written), written.rfind(part)) {
            (true, Some(i)) => quote + written[..i].chars().count() as u64,
            _ => 0,
        }
    }

    /// An official scenario of the role, or the scenario of a loaded case of it.
    fn is_scenario_of(&self, role: Role, name: &str) -> bool {
        let official = match role {
            Role::Client => official_auth_scenarios().any(|s| s == name),
            Role::AuthorizationServer => OFFICIAL_AUTHORIZATION_SERVER_SCENARIOS.contains(&name),
            Role::Server => false,
        };
        official
            || self
                .cases
                .iter()
                .any(|c| c.role == role && c.scenario == Some(name))
    }
}

/// A test name (`client::scope::step-up`, as `cargo test` prints it) as the case id it
/// stands for; any other name as it is.
fn as_case_path(written: &str) -> String {
    let test_name = SECTIONS
        .iter()
        .any(|r| written.starts_with(&format!("{}::", r.as_str())));
    if test_name {
        written.replace("::", "/")
    } else {
        written.to_string()
    }
}

/// `server/…`, `client/…` or `authorization-server/…`: what only our case ids look like
/// (the official scenarios are `auth/…` or have no slash).
fn looks_like_case_id(name: &str) -> bool {
    SECTIONS
        .iter()
        .any(|r| name.starts_with(&format!("{}/", r.as_str())))
}

fn location<T>(s: &Spanned<T>) -> (u64, u64) {
    (s.referenced.line().max(1), s.referenced.column().max(1))
}

/// Any YAML value, kept as far as a baseline needs it: the official suite reads the file
/// as plain data first, then judges its shape, and so does this.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Null,
    /// Text, a number or a boolean, as text (`String(entry)` in the official suite).
    Scalar(String),
    List(Vec<Spanned<Node>>),
    Map(Vec<(String, Spanned<Node>)>),
}

impl Node {
    fn in_words(&self) -> &'static str {
        match self {
            Node::Null => "empty (null)",
            Node::Scalar(_) => "a single value",
            Node::List(_) => "a list",
            Node::Map(_) => "a mapping",
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Scalar(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Node, E> {
        Ok(Node::Scalar(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Node>>()? {
            items.push(item);
        }
        Ok(Node::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut pairs = Vec::new();
        while let Some(key) = map.next_key::<Node>()? {
            let key = match key {
                Node::Scalar(k) => k,
                Node::Null => "null".to_string(),
                // A list or mapping as a key: no section is named so; kept unnamed.
                _ => String::new(),
            };
            pairs.push((key, map.next_value::<Spanned<Node>>()?));
        }
        Ok(Node::Map(pairs))
    }
}

#[cfg(test)]
#[path = "baseline_entries_tests.rs"]
mod tests;
