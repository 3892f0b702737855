//! Templates: strings with `{variable}` placeholders and `|filter` derivations, e.g.
//! `{target}` or `{as_issuer|wk_insert:oauth-authorization-server}`. `{{` and `}}` stand
//! for literal braces. Parsed when a case is loaded, so a typo is reported with its
//! location instead of surfacing in the middle of a run.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer};
use url::Url;

use super::well_known;

/// Variable values during one case run: built-ins plus captures.
pub type Vars = BTreeMap<String, String>;

/// A derivation applied to a variable's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// `origin`: scheme://host:port of a URL.
    Origin,
    /// `wk_insert:SUFFIX`: RFC 9728 §3.1 / RFC 8414 §3.1 well-known URI, path inserted.
    WellKnownInsert(String),
    /// `wk_append:SUFFIX`: OpenID Connect Discovery 1.0 §4 well-known URI, path appended.
    WellKnownAppend(String),
    /// `wk_root:SUFFIX`: the well-known URI at the origin, path discarded.
    WellKnownRoot(String),
    /// `upper_origin`: the URL with scheme and host in upper case, which names the same
    /// resource (RFC 3986 §6.2.2.1; MCP "Canonical Server URI").
    UpperOrigin,
    /// `other_trailing_slash`: the value with its trailing slash removed, or one added
    /// when it has none: the other form of an identifier RFC 8414 §2 allows either way.
    OtherTrailingSlash,
    /// `with_host:HOST`: the URL with another host, the rest kept (a redirect URI that
    /// differs from the registered one only in its host, RFC 6749 §3.1.2.2).
    WithHost(String),
    /// `other_scheme`: the URL with http for https and https for http, the rest kept.
    OtherScheme,
    /// `other_port`: the URL with its port (explicit or the scheme's default) plus one,
    /// the rest kept: the loopback redirect URI port a native client picks at run time
    /// (RFC 8252 §7.3).
    OtherPort,
    /// `upper_path`: the URL with its path in upper case, the rest kept (a redirect URI
    /// that differs from the registered one only in case).
    UpperPath,
    /// `without_param:NAME`: the URL with every query parameter NAME removed (a callback
    /// replayed without its `state`).
    WithoutParam(String),
    /// `altered_param:NAME`: the URL with the value of query parameter NAME changed in its
    /// last character, same length (a callback replayed with another `state`).
    AlteredParam(String),
    /// `tampered`: the value altered as a malicious client would alter an opaque state
    /// (`logic/tamper.rs`): a JSON object in it gets an extra member, else one character
    /// changes.
    Tampered,
}

pub const FILTER_NAMES: &[&str] = &[
    "origin",
    "wk_insert",
    "wk_append",
    "wk_root",
    "upper_origin",
    "other_trailing_slash",
    "with_host",
    "other_scheme",
    "other_port",
    "upper_path",
    "without_param",
    "altered_param",
    "tampered",
];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Placeholder {
        variable: String,
        filters: Vec<Filter>,
    },
}

/// A parsed template, with the position of its text in the case file when it came from one.
#[derive(Debug, Clone)]
pub struct Template {
    raw: String,
    segments: Result<Vec<Segment>, TemplateError>,
    /// 1-based line and column of the value in its YAML file.
    pub location: Option<(u64, u64)>,
}

/// A template that does not parse, or a placeholder that cannot be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("unclosed `{{` in template `{0}` (write `{{{{` for a literal brace)")]
    Unclosed(String),
    #[error("stray `}}` in template `{0}` (write `}}}}` for a literal brace)")]
    StrayClose(String),
    #[error("empty placeholder `{{}}` in template `{0}`")]
    EmptyPlaceholder(String),
    #[error("unknown filter `{0}`")]
    UnknownFilter(String),
    #[error("filter `{0}` needs an argument, e.g. `{0}:oauth-protected-resource`")]
    MissingArgument(String),
    #[error("variable `{0}` is not defined here")]
    UndefinedVariable(String),
    #[error("`{template}` must give JSON here: {reason}")]
    NotJson { template: String, reason: String },
    #[error("filter `{filter}` needs a URL, but `{variable}` is `{value}`: {reason}")]
    NotAUrl {
        filter: String,
        variable: String,
        value: String,
        reason: String,
    },
}

impl Template {
    pub fn new(raw: impl Into<String>) -> Self {
        let raw = raw.into();
        let segments = parse(&raw);
        Template {
            raw,
            segments,
            location: None,
        }
    }

    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// The parse error, if the text is not a valid template.
    pub fn parse_error(&self) -> Option<&TemplateError> {
        self.segments.as_ref().err()
    }

    /// Names of the variables the template reads.
    pub fn variables(&self) -> Vec<&str> {
        match &self.segments {
            Ok(segs) => segs
                .iter()
                .filter_map(|s| match s {
                    Segment::Placeholder { variable, .. } => Some(variable.as_str()),
                    Segment::Literal(_) => None,
                })
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    pub fn render(&self, vars: &Vars) -> Result<String, TemplateError> {
        let segments = self.segments.as_ref().map_err(Clone::clone)?;
        let mut out = String::new();
        for seg in segments {
            match seg {
                Segment::Literal(s) => out.push_str(s),
                Segment::Placeholder { variable, filters } => {
                    let mut value = vars
                        .get(variable)
                        .cloned()
                        .ok_or_else(|| TemplateError::UndefinedVariable(variable.clone()))?;
                    for f in filters {
                        value = apply(f, variable, &value)?;
                    }
                    out.push_str(&value);
                }
            }
        }
        Ok(out)
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for Template {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<String>::deserialize(d)?;
        let mut t = Template::new(spanned.value);
        let loc = spanned.referenced;
        if loc.line() > 0 {
            t.location = Some((loc.line(), loc.column()));
        }
        Ok(t)
    }
}

impl schemars::JsonSchema for Template {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Template".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "Text with {variable} or {variable|filter:arg} placeholders; filters: origin, wk_insert, wk_append, wk_root"
        })
    }
}

/// Renders every string inside a JSON value as a template.
pub fn render_json(
    value: &serde_json::Value,
    vars: &Vars,
) -> Result<serde_json::Value, TemplateError> {
    use serde_json::Value;
    Ok(match value {
        Value::String(s) => Value::String(Template::new(s.clone()).render(vars)?),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| render_json(v, vars))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| Ok((k.clone(), render_json(v, vars)?)))
                .collect::<Result<_, TemplateError>>()?,
        ),
        other => other.clone(),
    })
}

/// Parse errors and variables of every string inside a JSON value.
pub fn json_templates(value: &serde_json::Value) -> Vec<Template> {
    use serde_json::Value;
    match value {
        Value::String(s) => vec![Template::new(s.clone())],
        Value::Array(items) => items.iter().flat_map(json_templates).collect(),
        Value::Object(map) => map.values().flat_map(json_templates).collect(),
        _ => Vec::new(),
    }
}

fn apply(filter: &Filter, variable: &str, value: &str) -> Result<String, TemplateError> {
    let not_a_url = |name: &str, reason: String| TemplateError::NotAUrl {
        filter: name.to_string(),
        variable: variable.to_string(),
        value: value.to_string(),
        reason,
    };
    let url = |name: &str| {
        Url::parse(value).map_err(|e| TemplateError::NotAUrl {
            filter: name.to_string(),
            variable: variable.to_string(),
            value: value.to_string(),
            reason: e.to_string(),
        })
    };
    Ok(match filter {
        Filter::Origin => well_known::origin_of(&url("origin")?),
        Filter::WellKnownInsert(s) => {
            well_known::insert_well_known(&url("wk_insert")?, s).to_string()
        }
        Filter::WellKnownAppend(s) => {
            well_known::append_well_known(&url("wk_append")?, s).to_string()
        }
        Filter::WellKnownRoot(s) => well_known::root_well_known(&url("wk_root")?, s).to_string(),
        Filter::UpperOrigin => {
            let u = url("upper_origin")?;
            let origin = well_known::origin_of(&u);
            // The origin as parsed is lower case; the rest of the URL follows it verbatim.
            let rest = &u.as_str()[origin.len()..];
            format!("{}{rest}", origin.to_ascii_uppercase())
        }
        Filter::OtherTrailingSlash => match value.strip_suffix('/') {
            Some(without) => without.to_string(),
            None => format!("{value}/"),
        },
        Filter::WithHost(host) => {
            let mut u = url("with_host")?;
            u.set_host(Some(host))
                .map_err(|e| not_a_url("with_host", e.to_string()))?;
            u.to_string()
        }
        Filter::OtherScheme => {
            let mut u = url("other_scheme")?;
            let other = if u.scheme() == "https" {
                "http"
            } else {
                "https"
            };
            u.set_scheme(other)
                .map_err(|()| not_a_url("other_scheme", "the scheme cannot be changed".into()))?;
            u.to_string()
        }
        Filter::OtherPort => {
            let mut u = url("other_port")?;
            let port = u.port_or_known_default().unwrap_or(80);
            let other = if port == u16::MAX { 1024 } else { port + 1 };
            u.set_port(Some(other))
                .map_err(|()| not_a_url("other_port", "the URL cannot have a port".into()))?;
            u.to_string()
        }
        Filter::UpperPath => {
            let mut u = url("upper_path")?;
            let upper = u.path().to_ascii_uppercase();
            u.set_path(&upper);
            u.to_string()
        }
        Filter::WithoutParam(name) | Filter::AlteredParam(name) => {
            let mut u = url("without_param")?;
            let alter = matches!(filter, Filter::AlteredParam(_));
            let pairs: Vec<(String, String)> = u
                .query_pairs()
                .filter(|(k, _)| alter || k != name.as_str())
                .map(|(k, v)| {
                    let v = if alter && k == name.as_str() {
                        altered_value(&v)
                    } else {
                        v.into_owned()
                    };
                    (k.into_owned(), v)
                })
                .collect();
            u.set_query(None);
            if !pairs.is_empty() {
                u.query_pairs_mut().extend_pairs(pairs);
            }
            u.to_string()
        }
        Filter::Tampered => super::tamper::tampered(value),
    })
}

/// The value with its last character changed (an empty one becomes `A`).
fn altered_value(value: &str) -> String {
    let mut chars: Vec<char> = value.chars().collect();
    match chars.last_mut() {
        Some(c) => *c = if *c == 'A' { 'B' } else { 'A' },
        None => chars.push('A'),
    }
    chars.into_iter().collect()
}

fn parse(raw: &str) -> Result<Vec<Segment>, TemplateError> {
    let mut segments = Vec::new();
    let mut literal = String::new();
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                literal.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                literal.push('}');
            }
            '}' => return Err(TemplateError::StrayClose(raw.to_string())),
            '{' => {
                let mut inner = String::new();
                let mut closed = false;
                for c in chars.by_ref() {
                    if c == '}' {
                        closed = true;
                        break;
                    }
                    inner.push(c);
                }
                if !closed {
                    return Err(TemplateError::Unclosed(raw.to_string()));
                }
                if !literal.is_empty() {
                    segments.push(Segment::Literal(std::mem::take(&mut literal)));
                }
                segments.push(parse_placeholder(raw, &inner)?);
            }
            c => literal.push(c),
        }
    }
    if !literal.is_empty() {
        segments.push(Segment::Literal(literal));
    }
    Ok(segments)
}

fn parse_placeholder(raw: &str, inner: &str) -> Result<Segment, TemplateError> {
    let mut parts = inner.split('|').map(str::trim);
    let variable = parts.next().unwrap_or_default().to_string();
    if variable.is_empty() {
        return Err(TemplateError::EmptyPlaceholder(raw.to_string()));
    }
    let filters = parts.map(parse_filter).collect::<Result<_, _>>()?;
    Ok(Segment::Placeholder { variable, filters })
}

fn parse_filter(text: &str) -> Result<Filter, TemplateError> {
    let (name, arg) = match text.split_once(':') {
        Some((n, a)) => (n.trim(), Some(a.trim().to_string())),
        None => (text, None),
    };
    let needs_arg = |f: fn(String) -> Filter| match &arg {
        Some(a) if !a.is_empty() => Ok(f(a.clone())),
        _ => Err(TemplateError::MissingArgument(name.to_string())),
    };
    match name {
        "origin" => Ok(Filter::Origin),
        "upper_origin" => Ok(Filter::UpperOrigin),
        "other_trailing_slash" => Ok(Filter::OtherTrailingSlash),
        "wk_insert" => needs_arg(Filter::WellKnownInsert),
        "wk_append" => needs_arg(Filter::WellKnownAppend),
        "wk_root" => needs_arg(Filter::WellKnownRoot),
        "with_host" => needs_arg(Filter::WithHost),
        "other_scheme" => Ok(Filter::OtherScheme),
        "other_port" => Ok(Filter::OtherPort),
        "upper_path" => Ok(Filter::UpperPath),
        "without_param" => needs_arg(Filter::WithoutParam),
        "altered_param" => needs_arg(Filter::AlteredParam),
        "tampered" => Ok(Filter::Tampered),
        other => Err(TemplateError::UnknownFilter(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> Vars {
        [
            (
                "target".to_string(),
                "http://127.0.0.1:8080/mcp".to_string(),
            ),
            (
                "issuer".to_string(),
                "https://as.example/tenant1".to_string(),
            ),
        ]
        .into_iter()
        .collect()
    }

    #[test]
    fn renders_variables_and_filters() {
        let t = Template::new("{target|wk_insert:oauth-protected-resource}");
        assert_eq!(
            t.render(&vars()).unwrap(),
            "http://127.0.0.1:8080/.well-known/oauth-protected-resource/mcp"
        );
        let t = Template::new("{issuer|wk_append:openid-configuration}");
        assert_eq!(
            t.render(&vars()).unwrap(),
            "https://as.example/tenant1/.well-known/openid-configuration"
        );
        assert_eq!(
            Template::new("{target|origin}/x").render(&vars()).unwrap(),
            "http://127.0.0.1:8080/x"
        );
        assert_eq!(
            Template::new("a {{b}} c").render(&vars()).unwrap(),
            "a {b} c"
        );
        assert_eq!(
            Template::new("{issuer|upper_origin}")
                .render(&vars())
                .unwrap(),
            "HTTPS://AS.EXAMPLE/tenant1"
        );
    }

    #[test]
    fn derives_redirect_uri_variants() {
        let v: Vars = [(
            "r".to_string(),
            "http://127.0.0.1:8765/callback".to_string(),
        )]
        .into_iter()
        .collect();
        let render = |t: &str| Template::new(t).render(&v).unwrap();
        assert_eq!(
            render("{r|with_host:localhost}"),
            "http://localhost:8765/callback"
        );
        assert_eq!(
            render("{r|other_scheme}"),
            "https://127.0.0.1:8765/callback"
        );
        assert_eq!(render("{r|other_port}"), "http://127.0.0.1:8766/callback");
        assert_eq!(render("{r|upper_path}"), "http://127.0.0.1:8765/CALLBACK");
        let plain: Vars = [("r".to_string(), "https://app.example/cb".to_string())]
            .into_iter()
            .collect();
        assert_eq!(
            Template::new("{r|other_port}").render(&plain).unwrap(),
            "https://app.example:444/cb"
        );
    }

    #[test]
    fn reports_parse_and_render_errors() {
        assert!(matches!(
            Template::new("{target").parse_error(),
            Some(TemplateError::Unclosed(_))
        ));
        assert!(matches!(
            Template::new("x}").parse_error(),
            Some(TemplateError::StrayClose(_))
        ));
        assert!(matches!(
            Template::new("{}").parse_error(),
            Some(TemplateError::EmptyPlaceholder(_))
        ));
        assert!(matches!(
            Template::new("{target|wk_inset:x}").parse_error(),
            Some(TemplateError::UnknownFilter(f)) if f == "wk_inset"
        ));
        assert!(matches!(
            Template::new("{target|wk_root}").parse_error(),
            Some(TemplateError::MissingArgument(_))
        ));
        assert_eq!(
            Template::new("{nope}").render(&vars()),
            Err(TemplateError::UndefinedVariable("nope".into()))
        );
        let v: Vars = [("x".to_string(), "not a url".to_string())]
            .into_iter()
            .collect();
        assert!(matches!(
            Template::new("{x|origin}").render(&v),
            Err(TemplateError::NotAUrl { .. })
        ));
    }

    #[test]
    fn lists_variables() {
        let t = Template::new("{a}/{b|origin}");
        assert_eq!(t.variables(), vec!["a", "b"]);
    }
}
