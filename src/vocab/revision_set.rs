//! The revisions a case or a catalog requirement applies to, as `revisions:` writes them:
//! an explicit list (`[2025-03-26, 2025-06-18]`) or an inclusive range
//! (`{since: 2025-06-18}`, `{until: 2025-11-25}`, `{since: …, until: …}`). A range is
//! resolved against [`Revision::ALL`] when the file is read, so an open range
//! (`since:` without `until:`) takes in every later revision, one added later included.

use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::Revision;

/// A set of revisions, resolved: the listed ones in the order written, or a range's
/// oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionSet(Vec<Revision>);

impl RevisionSet {
    /// Every revision from `since` (default: the oldest) to `until` (default: the
    /// newest), both inclusive; empty when `since` is after `until`.
    pub fn range(since: Option<Revision>, until: Option<Revision>) -> RevisionSet {
        RevisionSet(
            Revision::ALL
                .into_iter()
                .filter(|r| since.is_none_or(|s| s <= *r) && until.is_none_or(|u| *r <= u))
                .collect(),
        )
    }

    /// Every revision.
    pub fn all() -> RevisionSet {
        RevisionSet(Revision::ALL.to_vec())
    }

    pub fn contains(&self, revision: &Revision) -> bool {
        self.0.contains(revision)
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Revision> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn as_slice(&self) -> &[Revision] {
        &self.0
    }

    pub fn to_vec(&self) -> Vec<Revision> {
        self.0.clone()
    }
}

impl From<Vec<Revision>> for RevisionSet {
    fn from(revisions: Vec<Revision>) -> Self {
        RevisionSet(revisions)
    }
}

impl<'a> IntoIterator for &'a RevisionSet {
    type Item = &'a Revision;
    type IntoIter = std::slice::Iter<'a, Revision>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

const RANGE_KEYS: [&str; 2] = ["since", "until"];

/// How every error of a range that names known revisions begins; [`RevisionSet::hint_for`]
/// recognises it.
const RANGE_ERROR: &str = "the revision range ";

impl RevisionSet {
    /// The hint for a diagnostic whose message is an error of this type's own (serde's
    /// errors, such as an unknown revision, get the hints of their kind).
    pub fn hint_for(message: &str) -> Option<String> {
        message.starts_with(RANGE_ERROR).then(|| {
            format!(
                "write `{{since: A}}`, `{{until: B}}` or `{{since: A, until: B}}` (inclusive, A not \
                 after B), or a list such as `[{}]`; known revisions: {}",
                Revision::LATEST,
                Revision::names_for_help()
            )
        })
    }
}

impl<'de> Deserialize<'de> for RevisionSet {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(RevisionSetVisitor)
    }
}

struct RevisionSetVisitor;

impl<'de> Visitor<'de> for RevisionSetVisitor {
    type Value = RevisionSet;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(EXPECTED)
    }

    // A scalar is neither spelling. Serde's own invalid-type error would carry only a
    // fallback location (the key); a custom error is located at the value.
    fn visit_str<E: de::Error>(self, v: &str) -> Result<RevisionSet, E> {
        Err(not_a_set(de::Unexpected::Str(v)))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<RevisionSet, E> {
        Err(not_a_set(de::Unexpected::Bool(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<RevisionSet, E> {
        Err(not_a_set(de::Unexpected::Signed(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<RevisionSet, E> {
        Err(not_a_set(de::Unexpected::Unsigned(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<RevisionSet, E> {
        Err(not_a_set(de::Unexpected::Float(v)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<RevisionSet, E> {
        Err(not_a_set(de::Unexpected::Unit))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RevisionSet, A::Error> {
        let mut revisions = Vec::new();
        while let Some(r) = seq.next_element::<Revision>()? {
            revisions.push(r);
        }
        Ok(RevisionSet(revisions))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RevisionSet, A::Error> {
        let mut since = None;
        let mut until = None;
        while let Some(key) = map.next_key::<String>()? {
            let slot = match key.as_str() {
                "since" => &mut since,
                "until" => &mut until,
                // Worded as serde words it for more than two keys, so that the diagnostic
                // gives a did-you-mean or the accepted keys.
                _ => {
                    return Err(de::Error::custom(format_args!(
                        "unknown field `{key}`, expected one of {}",
                        RANGE_KEYS.join(", ")
                    )))
                }
            };
            if slot.is_some() {
                return Err(de::Error::custom(format_args!(
                    "{RANGE_ERROR}gives `{key}` twice"
                )));
            }
            *slot = Some(map.next_value::<Revision>()?);
        }
        if since.is_none() && until.is_none() {
            return Err(de::Error::custom(format_args!(
                "{RANGE_ERROR}names neither `since` nor `until`"
            )));
        }
        let set = RevisionSet::range(since, until);
        if set.is_empty() {
            return Err(de::Error::custom(format_args!(
                "{RANGE_ERROR}is empty: `since: {}` is after `until: {}`",
                since.map(Revision::as_str).unwrap_or_default(),
                until.map(Revision::as_str).unwrap_or_default(),
            )));
        }
        Ok(set)
    }
}

/// Worded as serde's invalid-type error, so that the diagnostic gives its hint.
fn not_a_set<E: de::Error>(found: de::Unexpected) -> E {
    E::custom(format_args!("invalid type: {found}, expected {}", EXPECTED))
}

const EXPECTED: &str = "a list of revisions or a range {since: …, until: …}";

// The two spellings, for the generated JSON schema only (the visitor above reads them).
/// The revisions a case or requirement applies to: a list, or an inclusive range.
#[derive(JsonSchema)]
#[serde(untagged)]
#[expect(dead_code, reason = "describes the YAML for schemars; never built")]
enum RevisionSetSchema {
    /// The revisions, each named.
    List(Vec<Revision>),
    /// Every revision from `since` to `until`, both inclusive; without `until`, every
    /// later revision too. At least one of the two.
    Range(RevisionRange),
}

#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("minProperties" = 1))]
#[expect(dead_code, reason = "describes the YAML for schemars; never built")]
struct RevisionRange {
    /// The first revision of the range (default: the oldest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Revision")]
    since: Option<Revision>,
    /// The last revision of the range (default: the newest, whichever that is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Revision")]
    until: Option<Revision>,
}

impl JsonSchema for RevisionSet {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RevisionSet".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        RevisionSetSchema::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(yaml: &str) -> Result<Vec<Revision>, String> {
        serde_saphyr::from_str::<RevisionSet>(yaml)
            .map(|s| s.to_vec())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn a_list_is_kept_as_written() {
        assert_eq!(
            parse("[2025-11-25, 2025-03-26]").unwrap(),
            [Revision::R2025_11_25, Revision::R2025_03_26]
        );
    }

    #[test]
    fn ranges_are_inclusive_and_open_ranges_reach_the_ends() {
        let all = Revision::ALL.to_vec();
        assert_eq!(parse("{since: 2025-03-26}").unwrap(), all);
        assert_eq!(parse("{since: 2025-06-18}").unwrap(), all[1..]);
        assert_eq!(parse("{until: 2025-11-25}").unwrap(), all[..3]);
        assert_eq!(
            parse("{since: 2025-06-18, until: 2025-06-18}").unwrap(),
            [Revision::R2025_06_18]
        );
        let newest = format!("{{since: {}}}", Revision::LATEST);
        assert_eq!(parse(&newest).unwrap(), [Revision::LATEST]);
    }

    #[test]
    fn a_bad_range_is_an_error() {
        let empty = parse("{since: 2025-11-25, until: 2025-06-18}").unwrap_err();
        assert!(empty.contains("the revision range is empty"), "{empty}");
        assert!(RevisionSet::hint_for(&empty).is_some());
        let neither = parse("{}").unwrap_err();
        assert!(neither.contains("neither"), "{neither}");
        assert!(RevisionSet::hint_for(&neither).is_some());
        let key = parse("{from: 2025-06-18}").unwrap_err();
        assert!(key.contains("unknown field `from`"), "{key}");
        let unknown = parse("{since: 2024-11-05}").unwrap_err();
        assert!(unknown.contains("2024-11-05"), "{unknown}");
        assert!(parse("{since: 2025-06-18, since: 2025-11-25}").is_err());
        assert!(parse("2025-06-18").is_err());
    }
}
