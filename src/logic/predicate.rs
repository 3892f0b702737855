//! Predicates: what a query's value must satisfy. Adding a predicate is one variant here,
//! its wording in [`Predicate::expected`], and one arm in [`Predicate::holds`].

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use super::documents::DocumentSchema;
use super::query::QueryValue;
use super::template::{render_json, Template, Vars};
use super::well_known;

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Predicate {
    /// The query has a value.
    Present,
    /// The query has no value (header absent, parameter absent, …).
    Absent,
    /// Equal to this JSON value; strings are templates.
    Equals(Value),
    /// Not equal to this value (a missing value also satisfies it).
    NotEquals(Value),
    /// Equal to one of these values.
    OneOf(Vec<Value>),
    /// A string matching this regular expression (unanchored; use `^…$`).
    Matches(String),
    /// A string containing this text, or an array containing this value.
    Contains(Value),
    /// Not containing it (a missing value also satisfies it).
    NotContains(Value),
    /// A number within `[low, high]`, both inclusive.
    Between(i64, i64),
    /// An absolute URL (scheme and host, no fragment).
    AbsoluteUrl,
    /// An https URL, or an http URL on a loopback host (RFC 8252 §7.3 development use).
    HttpsOrLoopbackUrl,
    /// A non-empty string.
    NonEmptyString,
    /// An array with at least one element.
    NonEmptyArray,
    /// An array whose elements are all different (no value occurs twice; `null`s, for
    /// requests without the part, are not compared).
    Distinct,
    /// A JSON object.
    JsonObject,
    /// RFC 6749 §3.3 scope: space-delimited scope tokens (also accepts an empty string).
    ScopeList,
    /// Valid against one of the schemas in `schemas/`.
    Schema(DocumentSchema),
    /// An absolute URL naming the same origin as this template's value.
    SameOriginAs(Template),
    /// An absolute URL that covers this one under the lenient RFC 9728 §3.3 reading:
    /// same origin, and its path a prefix of the other's on a segment boundary.
    CoversUrl(Template),
    /// Every element of an array satisfies the inner predicate (an empty array does).
    All(Box<Predicate>),
    /// The inner predicate does not hold.
    Not(Box<Predicate>),
    /// At least one of these predicates holds (e.g. `[{equals: null}, https_or_loopback_url]`
    /// for an optional member under `all`).
    AnyOf(Vec<Predicate>),
}

/// The verdict of one predicate on one value, in words for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    pub holds: bool,
    pub expected: String,
    pub actual: String,
}

impl Predicate {
    /// Templates the predicate reads, for load-time validation.
    pub fn templates(&self) -> Vec<Template> {
        use super::template::json_templates;
        match self {
            Predicate::Equals(v)
            | Predicate::NotEquals(v)
            | Predicate::Contains(v)
            | Predicate::NotContains(v) => json_templates(v),
            Predicate::OneOf(vs) => vs.iter().flat_map(json_templates).collect(),
            Predicate::SameOriginAs(t) | Predicate::CoversUrl(t) => vec![t.clone()],
            Predicate::All(p) | Predicate::Not(p) => p.templates(),
            Predicate::AnyOf(ps) => ps.iter().flat_map(Predicate::templates).collect(),
            _ => Vec::new(),
        }
    }

    /// A compile error of a `matches` pattern, anywhere in the predicate.
    pub fn pattern_error(&self) -> Option<String> {
        match self {
            Predicate::Matches(p) => regex::Regex::new(p).err().map(|e| e.to_string()),
            Predicate::All(p) | Predicate::Not(p) => p.pattern_error(),
            Predicate::AnyOf(ps) => ps.iter().find_map(Predicate::pattern_error),
            _ => None,
        }
    }

    /// Whether a missing value satisfies the predicate (`absent`, `not …`,
    /// `not_contains`, …): such a check proves nothing unless something on its step
    /// shows that the answer was of the kind the check is about (a lint keeps every
    /// case to that).
    pub fn accepts_absence(&self) -> bool {
        matches!(self.holds(&Err(String::new()), &Vars::new()), Ok(true))
    }

    pub fn judge(&self, value: &QueryValue, vars: &Vars) -> Judgement {
        let expected = self.expected(vars);
        let actual = match value {
            Ok(v) => show(v),
            Err(reason) => format!("(none: {reason})"),
        };
        let result = self.holds(value, vars);
        let holds = matches!(result, Ok(true));
        // A value of the wrong kind does not satisfy the predicate; the report says why.
        let actual = match (&result, value) {
            (Err(why), Ok(_)) => format!("{actual} ({why})"),
            _ => actual,
        };
        Judgement {
            holds,
            expected,
            actual,
        }
    }

    /// Whether the value satisfies the predicate; `Err` explains a value of the wrong kind.
    fn holds(&self, value: &QueryValue, vars: &Vars) -> Result<bool, String> {
        let v = match (self, value) {
            (Predicate::Absent, v) => return Ok(v.is_err()),
            (Predicate::Present, v) => return Ok(v.is_ok()),
            (Predicate::Not(inner), v) => return Ok(!inner.holds(v, vars).unwrap_or(false)),
            (Predicate::AnyOf(ps), v) => {
                return Ok(ps.iter().any(|p| p.holds(v, vars).unwrap_or(false)))
            }
            (Predicate::NotEquals(_) | Predicate::NotContains(_), Err(_)) => return Ok(true),
            (_, Err(_)) => return Ok(false),
            (_, Ok(v)) => v,
        };
        match self {
            Predicate::Present | Predicate::Absent | Predicate::Not(_) | Predicate::AnyOf(_) => {
                unreachable!("handled above")
            }
            Predicate::Equals(e) => Ok(loose_eq(v, &render(e, vars)?)),
            Predicate::NotEquals(e) => Ok(!loose_eq(v, &render(e, vars)?)),
            Predicate::OneOf(es) => {
                for e in es {
                    if loose_eq(v, &render(e, vars)?) {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Predicate::Matches(p) => {
                let re = regex::Regex::new(p).map_err(|e| e.to_string())?;
                Ok(re.is_match(as_str(v)?))
            }
            Predicate::Contains(e) => contains(v, &render(e, vars)?),
            Predicate::NotContains(e) => contains(v, &render(e, vars)?).map(|c| !c),
            Predicate::Between(lo, hi) => {
                let n = v.as_i64().ok_or("not an integer")?;
                Ok(*lo <= n && n <= *hi)
            }
            Predicate::AbsoluteUrl => {
                let u = as_url(v)?;
                Ok(u.has_host() && u.fragment().is_none())
            }
            Predicate::HttpsOrLoopbackUrl => Ok(well_known::is_https_or_loopback(&as_url(v)?)),
            Predicate::NonEmptyString => Ok(!as_str(v)?.is_empty()),
            Predicate::NonEmptyArray => Ok(!v.as_array().ok_or("not an array")?.is_empty()),
            Predicate::Distinct => {
                let items = v.as_array().ok_or("not an array")?;
                Ok(items
                    .iter()
                    .enumerate()
                    .all(|(i, x)| x.is_null() || !items[..i].contains(x)))
            }
            Predicate::JsonObject => Ok(v.is_object()),
            Predicate::ScopeList => {
                let s = as_str(v)?;
                // scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), separated by single spaces.
                let token_ok = |t: &str| {
                    !t.is_empty()
                        && t.bytes().all(|b| {
                            b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b)
                        })
                };
                Ok(s.is_empty() || s.split(' ').all(token_ok))
            }
            Predicate::Schema(schema) => match schema.validate(v) {
                Ok(()) => Ok(true),
                Err(errors) => Err(errors.join("; ")),
            },
            Predicate::SameOriginAs(t) => {
                let other = Url::parse(&t.render(vars).map_err(|e| e.to_string())?)
                    .map_err(|e| e.to_string())?;
                Ok(as_url(v)?.origin() == other.origin())
            }
            Predicate::CoversUrl(t) => {
                let other = Url::parse(&t.render(vars).map_err(|e| e.to_string())?)
                    .map_err(|e| e.to_string())?;
                Ok(well_known::resource_covers(&as_url(v)?, &other))
            }
            Predicate::All(inner) => {
                let items = v.as_array().ok_or("not an array")?;
                for item in items {
                    if !inner.holds(&Ok(item.clone()), vars)? {
                        return Err(inner.denial(&format!("element {}", show(item)), vars));
                    }
                }
                Ok(true)
            }
        }
    }

    /// The expectation as a phrase for a report's "expected" column, with templates
    /// rendered where possible: `401`, `one of 401, 403`, `matches /^Bearer /`,
    /// `outside 500–599`, `present`, `every element is an absolute URL`.
    pub fn expected(&self, vars: &Vars) -> String {
        match self.phrase(vars, false) {
            Phrase::Verb(v) => v.strip_prefix("is ").map(str::to_string).unwrap_or(v),
            elements @ Phrase::Elements { .. } => elements.about_elements(),
        }
    }

    /// The expectation as a sentence about `subject` (a query in words): `status is 401`,
    /// `status is outside 500–599`, `in JSON `/a`, every element is an absolute URL`. It
    /// ends with [`Predicate::expected`], so that a reason can say it once.
    pub fn claim(&self, subject: &str, vars: &Vars) -> String {
        self.phrase(vars, false).about(subject)
    }

    /// The sentence denied, for a precondition that did not hold: `status is not 200`,
    /// `body does not match /x/`, `in JSON `/a`, some element is not an absolute URL`.
    pub fn denial(&self, subject: &str, vars: &Vars) -> String {
        self.phrase(vars, true).about(subject)
    }

    /// What the value must be (or, `negated`, must not be), as a verb phrase. Negations
    /// are said positively where English has a word for them (`outside`, `none of`,
    /// `absent`), so that no reason reads "not … not".
    fn phrase(&self, vars: &Vars, negated: bool) -> Phrase {
        let r = |v: &Value| {
            render(v, vars)
                .map(|v| show(&v))
                .unwrap_or_else(|_| show(v))
        };
        let t = |t: &Template| t.render(vars).unwrap_or_else(|_| t.raw().to_string());
        let list = |vs: &[Value]| vs.iter().map(r).collect::<Vec<_>>().join(", ");
        let verb = |positive: String, negative: String| {
            Phrase::Verb(if negated { negative } else { positive })
        };
        // A noun the value is (or is not): `an absolute URL`.
        let noun = |n: &str| verb(format!("is {n}"), format!("is not {n}"));
        match self {
            Predicate::Present => verb("is present".into(), "is absent".into()),
            Predicate::Absent => verb("is absent".into(), "is present".into()),
            Predicate::Equals(v) => verb(format!("is {}", r(v)), format!("is not {}", r(v))),
            Predicate::NotEquals(v) => verb(format!("is not {}", r(v)), format!("is {}", r(v))),
            Predicate::OneOf(vs) => verb(
                format!("is one of {}", list(vs)),
                format!("is none of {}", list(vs)),
            ),
            Predicate::Matches(p) => {
                verb(format!("matches /{p}/"), format!("does not match /{p}/"))
            }
            Predicate::Contains(v) => verb(
                format!("contains {}", r(v)),
                format!("does not contain {}", r(v)),
            ),
            Predicate::NotContains(v) => verb(
                format!("does not contain {}", r(v)),
                format!("contains {}", r(v)),
            ),
            Predicate::Between(lo, hi) => verb(
                format!("is between {lo} and {hi}"),
                format!("is outside {lo}–{hi}"),
            ),
            Predicate::AbsoluteUrl => noun("an absolute URL"),
            Predicate::HttpsOrLoopbackUrl => noun("an https URL (or http on loopback)"),
            Predicate::NonEmptyString => verb(
                "is a non-empty string".into(),
                "is empty or not a string".into(),
            ),
            Predicate::NonEmptyArray => verb(
                "is a non-empty array".into(),
                "is empty or not an array".into(),
            ),
            Predicate::Distinct => verb(
                "has no value twice".into(),
                "has a value more than once".into(),
            ),
            Predicate::JsonObject => noun("a JSON object"),
            Predicate::ScopeList => noun("a space-delimited list of scope tokens (RFC 6749 §3.3)"),
            Predicate::Schema(s) => verb(
                format!("is valid against {}", s.file_name()),
                format!("is not valid against {}", s.file_name()),
            ),
            Predicate::SameOriginAs(x) => verb(
                format!("has the same origin as {}", t(x)),
                format!("does not have the same origin as {}", t(x)),
            ),
            Predicate::CoversUrl(x) => verb(
                format!(
                    "covers {} (the same origin, and a path that is a prefix of its path)",
                    t(x)
                ),
                format!(
                    "does not cover {} (the same origin, and a path that is a prefix of its path)",
                    t(x)
                ),
            ),
            // "Every element is not X" is "no element is X"; "not every element is X" is
            // "some element is not X".
            Predicate::All(p) => match (negated, p.as_ref()) {
                (false, Predicate::Not(q)) if q.phrase(vars, true).negative() => Phrase::Elements {
                    quantifier: "no",
                    inner: Box::new(q.phrase(vars, false)),
                },
                (false, p) => Phrase::Elements {
                    quantifier: "every",
                    inner: Box::new(p.phrase(vars, false)),
                },
                (true, p) => Phrase::Elements {
                    quantifier: "some",
                    inner: Box::new(p.phrase(vars, true)),
                },
            },
            Predicate::Not(p) => p.phrase(vars, !negated),
            // "is null or is an https URL"; denied, "is neither null nor an https URL".
            Predicate::AnyOf(ps) => {
                let each: Vec<String> = ps
                    .iter()
                    .map(|p| p.phrase(vars, false).about_elements())
                    .collect();
                let bare: Vec<String> = each
                    .iter()
                    .map(|e| e.strip_prefix("is ").unwrap_or(e).to_string())
                    .collect();
                verb(
                    each.join(" or "),
                    format!("is neither {}", bare.join(" nor ")),
                )
            }
        }
    }
}

/// A predicate in words: a verb phrase about the value, or one about its elements.
enum Phrase {
    /// `is 401`, `matches /x/`.
    Verb(String),
    /// `every element is …`, `some element is …`, `no element is …`.
    Elements {
        quantifier: &'static str,
        inner: Box<Phrase>,
    },
}

impl Phrase {
    /// Whether the phrase already denies something (`is not 1`, `does not match`).
    fn negative(&self) -> bool {
        match self {
            Phrase::Verb(v) => ["is not ", "does not ", "is none of "]
                .iter()
                .any(|n| v.starts_with(n)),
            Phrase::Elements { .. } => false,
        }
    }

    /// The phrase as said of the elements: `every element is an absolute URL`.
    fn about_elements(&self) -> String {
        match self {
            Phrase::Verb(v) => v.clone(),
            Phrase::Elements { quantifier, inner } => match inner.as_ref() {
                Phrase::Verb(v) => format!("{quantifier} element {v}"),
                nested => format!(
                    "{quantifier} element is an array in which {}",
                    nested.about_elements()
                ),
            },
        }
    }

    /// The phrase as a sentence about `subject`.
    fn about(&self, subject: &str) -> String {
        match self {
            Phrase::Verb(v) => format!("{subject} {v}"),
            elements => format!("in {subject}, {}", elements.about_elements()),
        }
    }
}

fn render(v: &Value, vars: &Vars) -> Result<Value, String> {
    render_json(v, vars).map_err(|e| e.to_string())
}

/// Equality that lets a case write `401` for a status and `"401"` for a header alike.
fn loose_eq(actual: &Value, expected: &Value) -> bool {
    match (actual, expected) {
        (Value::String(a), Value::Number(e)) | (Value::Number(e), Value::String(a)) => {
            a == &e.to_string()
        }
        _ => actual == expected,
    }
}

fn contains(v: &Value, needle: &Value) -> Result<bool, String> {
    match v {
        Value::Array(items) => Ok(items.iter().any(|i| loose_eq(i, needle))),
        Value::String(s) => match needle {
            Value::String(n) => Ok(s.contains(n.as_str())),
            other => Ok(s.contains(&other.to_string())),
        },
        _ => Err("neither a string nor an array".into()),
    }
}

fn as_str(v: &Value) -> Result<&str, String> {
    v.as_str().ok_or_else(|| "not a string".to_string())
}

fn as_url(v: &Value) -> Result<Url, String> {
    Url::parse(as_str(v)?).map_err(|e| format!("not a URL: {e}"))
}

/// A value as a report shows it: strings without JSON quotes when simple, long values cut.
pub fn show(v: &Value) -> String {
    let s = match v {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    };
    if s.chars().count() > 300 {
        let cut: String = s.chars().take(300).collect();
        format!("{cut}… ({} characters)", s.chars().count())
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn judge(p: Predicate, v: QueryValue) -> bool {
        let vars: Vars = [("target".to_string(), "http://127.0.0.1:9/mcp".to_string())]
            .into_iter()
            .collect();
        p.judge(&v, &vars).holds
    }

    #[test]
    fn any_of_takes_an_optional_member_under_all() {
        let optional_url: Predicate = serde_json::from_value(json!(
            {"all": {"any_of": [{"equals": null}, "https_or_loopback_url"]}}
        ))
        .unwrap();
        let ok = json!([null, "http://127.0.0.1:3/cb", "https://x.example/cb"]);
        assert!(judge(optional_url.clone(), Ok(ok)));
        assert!(!judge(
            optional_url.clone(),
            Ok(json!([null, "http://x.example/cb"]))
        ));
        let vars = Vars::new();
        assert_eq!(
            optional_url.expected(&vars),
            "every element is null or is an https URL (or http on loopback)"
        );
        let j = optional_url.judge(&Ok(json!(["http://x.example/cb"])), &vars);
        assert!(
            j.actual.contains("is neither null nor an https URL"),
            "{}",
            j.actual
        );
    }

    #[test]
    fn basic_predicates() {
        assert!(judge(Predicate::Equals(json!(401)), Ok(json!(401))));
        assert!(judge(Predicate::Equals(json!(401)), Ok(json!("401"))));
        assert!(!judge(Predicate::Equals(json!(401)), Ok(json!(200))));
        assert!(!judge(Predicate::Equals(json!(401)), Err("none".into())));
        assert!(judge(
            Predicate::Equals(json!("{target}")),
            Ok(json!("http://127.0.0.1:9/mcp"))
        ));
        assert!(judge(
            Predicate::OneOf(vec![json!(401), json!(403)]),
            Ok(json!(403))
        ));
        assert!(judge(Predicate::Absent, Err("no header".into())));
        assert!(judge(
            Predicate::NotContains(json!("query")),
            Err("none".into())
        ));
        assert!(judge(
            Predicate::Contains(json!("S256")),
            Ok(json!(["plain", "S256"]))
        ));
        assert!(judge(Predicate::Between(400, 499), Ok(json!(404))));
        assert!(judge(
            Predicate::Distinct,
            Ok(json!(["a", null, "b", null]))
        ));
        assert!(!judge(Predicate::Distinct, Ok(json!(["a", "b", "a"]))));
        assert!(judge(
            Predicate::Matches("^Bearer".into()),
            Ok(json!("Bearer x"))
        ));
    }

    #[test]
    fn url_predicates() {
        assert!(judge(Predicate::AbsoluteUrl, Ok(json!("https://h/x"))));
        assert!(!judge(Predicate::AbsoluteUrl, Ok(json!("/x"))));
        assert!(judge(
            Predicate::HttpsOrLoopbackUrl,
            Ok(json!("http://127.0.0.1:5/x"))
        ));
        assert!(!judge(
            Predicate::HttpsOrLoopbackUrl,
            Ok(json!("http://as.example/x"))
        ));
        assert!(judge(
            Predicate::CoversUrl(Template::new("{target}")),
            Ok(json!("http://127.0.0.1:9"))
        ));
        assert!(!judge(
            Predicate::CoversUrl(Template::new("{target}")),
            Ok(json!("http://127.0.0.1:8/mcp"))
        ));
        assert!(judge(
            Predicate::All(Box::new(Predicate::HttpsOrLoopbackUrl)),
            Ok(json!(["https://a", "http://localhost:1"]))
        ));
        assert!(!judge(
            Predicate::All(Box::new(Predicate::AbsoluteUrl)),
            Ok(json!(["https://a", "x"]))
        ));
    }

    #[test]
    fn absence_and_negations_accept_a_missing_value() {
        let accepts = |p: serde_json::Value| {
            serde_json::from_value::<Predicate>(p)
                .unwrap()
                .accepts_absence()
        };
        assert!(accepts(json!("absent")));
        assert!(accepts(json!({"not": {"matches": "x"}})));
        assert!(accepts(json!({"not_contains": "x"})));
        assert!(accepts(json!({"not_equals": 1})));
        assert!(accepts(json!({"any_of": ["absent", "absolute_url"]})));
        assert!(!accepts(json!("present")));
        assert!(!accepts(json!({"equals": 401})));
        assert!(!accepts(json!({"all": {"not": {"matches": "x"}}})));
        assert!(!accepts(json!({"not": "absent"})));
    }

    #[test]
    fn scope_lists() {
        assert!(judge(
            Predicate::ScopeList,
            Ok(json!("mcp:tools files:read"))
        ));
        assert!(!judge(Predicate::ScopeList, Ok(json!("a  b"))));
        assert!(!judge(Predicate::ScopeList, Ok(json!("a\"b"))));
    }

    #[test]
    fn explains_wrong_kinds() {
        let j = Predicate::NonEmptyArray.judge(&Ok(json!("x")), &Vars::new());
        assert!(!j.holds);
        assert!(j.actual.contains("not an array"), "{}", j.actual);
    }
}
