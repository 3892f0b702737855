//! The names a client case gives its mocks: the mock MCP server's knobs (reference-server
//! defects and conformant server knobs), the mock authorization server's (IdP defects and
//! knobs), and the pre-registered client's authentication method. Each deserialises
//! straight into its enum; [`Named`] keeps a name that names nothing, so that the
//! validator reports every unknown name of a file at once, each with a did-you-mean.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer};

use crate::vocab::{ClientAuthMethod, IdpDefect, IdpKnob, ServerDefect, ServerKnob};

/// A kind of name a case file may give: what parsing accepts, for did-you-mean hints.
pub trait KnownNames: FromStr<Err = String> {
    fn names() -> Vec<&'static str>;
}

/// A name parsed into `T` when the file is read, or, when it names nothing, the parse
/// error (`unknown server knob `…``). Serde would stop at the first unknown name; this
/// lets the validator report them all. Nothing after validation sees an unparsed name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named<T> {
    pub parsed: Result<T, String>,
    /// As written, for the did-you-mean hint.
    pub written: String,
}

impl<'de, T: KnownNames> Deserialize<'de> for Named<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let written = String::deserialize(d)?;
        Ok(Named {
            parsed: written.parse(),
            written,
        })
    }
}

/// The schema of the names `T` accepts: editors complete them.
impl<T: JsonSchema> JsonSchema for Named<T> {
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}

/// A knob of the mock MCP server: one of the reference server's defects (the mock
/// misbehaves) or a server knob (a conformant variation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
#[schemars(untagged)]
pub enum ServerMockKnob {
    Defect(ServerDefect),
    Knob(ServerKnob),
}

impl FromStr for ServerMockKnob {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        s.parse()
            .map(ServerMockKnob::Defect)
            .or_else(|_| s.parse().map(ServerMockKnob::Knob))
            .map_err(|_| format!("unknown server knob `{s}`"))
    }
}

impl KnownNames for ServerMockKnob {
    fn names() -> Vec<&'static str> {
        let defects = ServerDefect::ALL.iter().map(|d| d.name());
        defects
            .chain(ServerKnob::ALL.iter().map(|k| k.name()))
            .collect()
    }
}

impl fmt::Display for ServerMockKnob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerMockKnob::Defect(d) => d.fmt(f),
            ServerMockKnob::Knob(k) => k.fmt(f),
        }
    }
}

/// A knob of the mock authorization server: an IdP defect or an IdP knob.
#[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
#[schemars(untagged)]
pub enum IdpMockKnob {
    Defect(IdpDefect),
    Knob(IdpKnob),
}

impl FromStr for IdpMockKnob {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        s.parse()
            .map(IdpMockKnob::Defect)
            .or_else(|_| s.parse().map(IdpMockKnob::Knob))
            .map_err(|_| format!("unknown IdP knob `{s}`"))
    }
}

impl KnownNames for IdpMockKnob {
    fn names() -> Vec<&'static str> {
        let defects = IdpDefect::ALL.iter().map(|d| d.name());
        defects
            .chain(IdpKnob::ALL.iter().map(|k| k.name()))
            .collect()
    }
}

impl fmt::Display for IdpMockKnob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdpMockKnob::Defect(d) => d.fmt(f),
            IdpMockKnob::Knob(k) => k.fmt(f),
        }
    }
}

impl KnownNames for ClientAuthMethod {
    fn names() -> Vec<&'static str> {
        ClientAuthMethod::ALL.iter().map(|m| m.name()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_and_an_unknown_one_says_what_it_is_not() {
        for name in ServerMockKnob::names() {
            assert_eq!(name.parse::<ServerMockKnob>().unwrap().to_string(), name);
        }
        for name in IdpMockKnob::names() {
            assert_eq!(name.parse::<IdpMockKnob>().unwrap().to_string(), name);
        }
        assert_eq!(
            "prm-custom-locaton".parse::<ServerMockKnob>(),
            Err("unknown server knob `prm-custom-locaton`".into())
        );
        let named: Named<IdpMockKnob> = serde_saphyr::from_str("metadata-oidc-onyl").unwrap();
        assert_eq!(named.written, "metadata-oidc-onyl");
        assert_eq!(
            named.parsed,
            Err("unknown IdP knob `metadata-oidc-onyl`".into())
        );
    }
}
