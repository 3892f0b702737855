//! Strict parser for `WWW-Authenticate` header values (RFC 9110 §11.6.1, §11.1, §5.6;
//! RFC 6750 §3; RFC 9728 §5.1).
//!
//! The parser never panics: any input either parses into a list of [`Challenge`]s or yields a
//! [`ParseError`] naming the first thing that is wrong and its byte offset.
//!
//! Grammar (RFC 9110 §11.1, §11.6.1, §5.6):
//!
//! ```text
//! WWW-Authenticate = #challenge
//! challenge        = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
//! auth-scheme      = token
//! auth-param       = token BWS "=" BWS ( token / quoted-string )
//! token68          = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
//! ```
//!
//! Commas separate both challenges and the parameters of one challenge. After a comma, an
//! element of the form `token BWS "="` is an auth-param of the current challenge; a token not
//! followed by `=` starts a new challenge. Empty list elements (`, ,`) are ignored (RFC 9110
//! §5.6.1). Several field lines are combined as if joined by `", "` (RFC 9110 §5.3), so error
//! offsets are byte offsets into that combined value (for a single line, into the line itself).
//!
//! One ambiguity is resolved explicitly: right after an auth-scheme, `name=` followed by the
//! end of the challenge is both a valid token68 and an auth-param with a missing value. It is
//! read as token68, except for schemes whose challenges are defined as auth-params only
//! (`Basic` RFC 7617 §2, `Digest` RFC 7616 §3.3, `Bearer` RFC 6750 §3, `DPoP` RFC 9449 §7.1),
//! where it is reported as a missing parameter value.

use serde::Serialize;

/// One challenge of a `WWW-Authenticate` header (RFC 9110 §11.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Challenge {
    /// As sent; compare case-insensitively.
    pub scheme: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token68: Option<String>,
    /// In order of appearance, names as sent, values unquoted and unescaped.
    pub params: Vec<AuthParam>,
}

/// One `name=value` auth-param (RFC 9110 §11.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthParam {
    /// As sent; compare case-insensitively.
    pub name: String,
    /// Unquoted and unescaped.
    pub value: String,
    /// Whether the value was sent as a quoted-string (RFC 9110 §5.6.4) rather than a token.
    pub quoted: bool,
}

impl Challenge {
    /// Case-insensitive scheme comparison (RFC 9110 §11.1).
    pub fn is_scheme(&self, scheme: &str) -> bool {
        self.scheme.eq_ignore_ascii_case(scheme)
    }

    /// First value of a parameter, name compared case-insensitively (RFC 9110 §11.2).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
            .map(|p| p.value.as_str())
    }

    /// How many times a parameter name occurs (RFC 6750 §3: each attribute MUST NOT appear
    /// more than once).
    pub fn param_count(&self, name: &str) -> usize {
        self.params
            .iter()
            .filter(|p| p.name.eq_ignore_ascii_case(name))
            .count()
    }

    /// `{"scheme": ..., "token68"?: ..., "params": {name: value, ...}}`, with parameter names
    /// lower-cased and the first occurrence of a name winning.
    pub fn to_json(&self) -> serde_json::Value {
        let mut params = serde_json::Map::new();
        for p in &self.params {
            params
                .entry(p.name.to_ascii_lowercase())
                .or_insert_with(|| serde_json::Value::String(p.value.clone()));
        }
        let mut obj = serde_json::Map::new();
        obj.insert("scheme".into(), self.scheme.clone().into());
        if let Some(t) = &self.token68 {
            obj.insert("token68".into(), t.clone().into());
        }
        obj.insert("params".into(), serde_json::Value::Object(params));
        serde_json::Value::Object(obj)
    }
}

/// What is wrong with a `WWW-Authenticate` value, and where (a byte offset into the field
/// lines joined by `", "`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at byte {offset}")]
pub struct ParseError {
    pub offset: usize,
    pub message: String,
}

/// Parses the values of every `WWW-Authenticate` header line of one response, in order.
///
/// The lines are combined as if joined by `", "` (RFC 9110 §5.3); error offsets refer to that
/// combined value.
pub fn parse_challenges<S: AsRef<str>>(header_values: &[S]) -> Result<Vec<Challenge>, ParseError> {
    let joined = header_values
        .iter()
        .map(AsRef::as_ref)
        .collect::<Vec<&str>>()
        .join(", ");
    Parser::new(&joined).parse()
}

/// Finds the first challenge with this scheme (case-insensitive).
pub fn find_challenge<'a>(challenges: &'a [Challenge], scheme: &str) -> Option<&'a Challenge> {
    challenges.iter().find(|c| c.is_scheme(scheme))
}

/// Schemes whose challenge grammar is auth-params only (no token68); used to resolve the
/// `name=` ambiguity described in the module documentation.
const PARAMS_ONLY_SCHEMES: [&str; 4] = ["Basic", "Bearer", "Digest", "DPoP"];

/// tchar (RFC 9110 §5.6.2).
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'.'
                | b'^'
                | b'_'
                | b'`'
                | b'|'
                | b'~'
        )
}

/// The non-padding characters of token68 (RFC 9110 §11.2).
fn is_token68_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
}

/// OWS / BWS / RWS characters (RFC 9110 §5.6.3).
fn is_ws(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// What a finished element was, for the message when no separator follows it.
enum Last {
    Param(String),
    Token68,
    /// A challenge with neither token68 nor params; always followed by `,` or the end.
    Bare,
}

struct Parser<'a> {
    s: &'a str,
    b: &'a [u8],
    pos: usize,
    out: Vec<Challenge>,
}

impl<'a> Parser<'a> {
    fn new(s: &'a str) -> Self {
        Parser {
            s,
            b: s.as_bytes(),
            pos: 0,
            out: Vec::new(),
        }
    }

    fn peek_at(&self, i: usize) -> Option<u8> {
        self.b.get(i).copied()
    }

    fn at_element_end(&self, i: usize) -> bool {
        matches!(self.peek_at(i), None | Some(b','))
    }

    fn skip_ws_from(&self, mut i: usize) -> usize {
        while self.peek_at(i).is_some_and(is_ws) {
            i += 1;
        }
        i
    }

    fn run_from(&self, mut i: usize, pred: fn(u8) -> bool) -> usize {
        while self.peek_at(i).is_some_and(pred) {
            i += 1;
        }
        i
    }

    /// Human-readable description of the character at `i` (never panics).
    fn found(&self, i: usize) -> String {
        match self.s.get(i..).and_then(|rest| rest.chars().next()) {
            Some(c) => format!("{c:?}"),
            None if i >= self.b.len() => "end of header".to_string(),
            None => format!("byte 0x{:02x}", self.b[i]),
        }
    }

    fn err(&self, offset: usize, message: impl Into<String>) -> ParseError {
        ParseError {
            offset,
            message: message.into(),
        }
    }

    fn parse(mut self) -> Result<Vec<Challenge>, ParseError> {
        loop {
            // Leading OWS and empty list elements.
            self.pos = self.skip_ws_from(self.pos);
            match self.peek_at(self.pos) {
                None => break,
                Some(b',') => {
                    self.pos += 1;
                    continue;
                }
                Some(_) => {}
            }
            let last = self.element()?;
            // Separator: OWS then "," or the end.
            self.pos = self.skip_ws_from(self.pos);
            match self.peek_at(self.pos) {
                None => break,
                Some(b',') => self.pos += 1,
                Some(_) => {
                    let what = match last {
                        Last::Param(name) => format!("after value of parameter `{name}`"),
                        Last::Token68 => "after token68".to_string(),
                        Last::Bare => "after auth-scheme".to_string(),
                    };
                    return Err(self.err(
                        self.pos,
                        format!("expected `,` {what}, found {}", self.found(self.pos)),
                    ));
                }
            }
        }
        Ok(self.out)
    }

    /// One list element: a new challenge (with its first param or token68) or an auth-param
    /// continuing the current challenge.
    fn element(&mut self) -> Result<Last, ParseError> {
        let start = self.pos;
        let name_end = self.run_from(start, is_tchar);
        if name_end == start {
            let msg = match self.peek_at(start) {
                Some(b'=') => "missing parameter name before `=`".to_string(),
                _ => format!(
                    "empty auth-scheme: expected a token, found {}",
                    self.found(start)
                ),
            };
            return Err(self.err(start, msg));
        }
        let name = &self.s[start..name_end];
        let eq = self.skip_ws_from(name_end);
        if self.peek_at(eq) == Some(b'=') {
            // auth-param continuing the current challenge.
            match self.out.last() {
                None if eq > name_end => {
                    // Most likely `Scheme ="..."`: a scheme followed by a nameless param.
                    return Err(self.err(eq, "missing parameter name before `=`"));
                }
                None => {
                    return Err(self.err(
                        start,
                        format!("auth-param `{name}` appears before any auth-scheme"),
                    ));
                }
                Some(c) if c.token68.is_some() => {
                    return Err(self.err(
                        start,
                        format!(
                            "auth-param `{name}` cannot follow token68 in challenge `{}`",
                            c.scheme
                        ),
                    ));
                }
                Some(_) => {}
            }
            let (value, quoted) = self.param_value(name, eq + 1)?;
            let param = AuthParam {
                name: name.to_string(),
                value,
                quoted,
            };
            if let Some(c) = self.out.last_mut() {
                c.params.push(param);
            }
            return Ok(Last::Param(name.to_string()));
        }

        // A new challenge.
        let mut challenge = Challenge {
            scheme: name.to_string(),
            token68: None,
            params: Vec::new(),
        };
        let last = match self.peek_at(name_end) {
            None | Some(b',') => {
                self.pos = name_end;
                Last::Bare
            }
            Some(b) if is_ws(b) => {
                let body = self.skip_ws_from(name_end);
                if self.at_element_end(body) {
                    self.pos = body;
                    Last::Bare
                } else {
                    if let Some(tab) = (name_end..body).find(|&i| self.b[i] == b'\t') {
                        return Err(self.err(
                            tab,
                            format!(
                                "expected SP between auth-scheme `{name}` and its parameters, found HTAB"
                            ),
                        ));
                    }
                    self.challenge_body(&mut challenge, body)?
                }
            }
            Some(_) => {
                return Err(self.err(
                    name_end,
                    format!(
                        "invalid character {} in token (auth-scheme `{name}`)",
                        self.found(name_end)
                    ),
                ));
            }
        };
        self.out.push(challenge);
        Ok(last)
    }

    /// The first item after `auth-scheme 1*SP`: an auth-param or a token68.
    fn challenge_body(
        &mut self,
        challenge: &mut Challenge,
        start: usize,
    ) -> Result<Last, ParseError> {
        let name_end = self.run_from(start, is_tchar);
        let t68_chars_end = self.run_from(start, is_token68_char);
        let t68_end = if t68_chars_end > start {
            Some(self.run_from(t68_chars_end, |b| b == b'='))
        } else {
            None
        };
        let t68_ok = t68_end.is_some_and(|e| self.at_element_end(self.skip_ws_from(e)));
        let take_token68 = |this: &mut Self, challenge: &mut Challenge| {
            let end = t68_end.unwrap_or(start);
            challenge.token68 = Some(this.s[start..end].to_string());
            this.pos = end;
            Last::Token68
        };

        if name_end > start {
            let name = &self.s[start..name_end];
            let eq = self.skip_ws_from(name_end);
            if self.peek_at(eq) == Some(b'=') {
                let value_start = self.skip_ws_from(eq + 1);
                let has_value = self
                    .peek_at(value_start)
                    .is_some_and(|b| b == b'"' || is_tchar(b));
                if !has_value {
                    if t68_ok {
                        let ambiguous = self.at_element_end(value_start);
                        let params_only =
                            PARAMS_ONLY_SCHEMES.iter().any(|s| challenge.is_scheme(s));
                        if !(ambiguous && params_only) {
                            return Ok(take_token68(self, challenge));
                        }
                    } else if let Some(e) = t68_end.filter(|&e| e > eq + 1) {
                        // Looks like token68 with padding (`abc==`) followed by junk.
                        return Err(self.token68_error(e));
                    }
                }
                let (value, quoted) = self.param_value(name, eq + 1)?;
                challenge.params.push(AuthParam {
                    name: name.to_string(),
                    value,
                    quoted,
                });
                return Ok(Last::Param(name.to_string()));
            }
            if t68_ok {
                return Ok(take_token68(self, challenge));
            }
            if t68_end.is_some_and(|e| e > name_end) {
                return Err(self.token68_error(t68_end.unwrap_or(start)));
            }
            return Err(self.err(
                eq,
                format!(
                    "expected `=` after parameter name `{name}`, found {}",
                    self.found(eq)
                ),
            ));
        }
        if t68_ok {
            return Ok(take_token68(self, challenge));
        }
        if let Some(e) = t68_end {
            return Err(self.token68_error(e));
        }
        let msg = match self.peek_at(start) {
            Some(b'=') => "missing parameter name before `=`".to_string(),
            _ => format!(
                "expected auth-param or token68 after auth-scheme `{}`, found {}",
                challenge.scheme,
                self.found(start)
            ),
        };
        Err(self.err(start, msg))
    }

    fn token68_error(&self, end: usize) -> ParseError {
        let at = self.skip_ws_from(end);
        self.err(
            at,
            format!(
                "expected `,` or end after token68, found {}",
                self.found(at)
            ),
        )
    }

    /// Parses `BWS ( token / quoted-string )` starting right after the `=`, leaving `pos` after
    /// the value. Returns the unescaped value and whether it was quoted.
    fn param_value(&mut self, name: &str, after_eq: usize) -> Result<(String, bool), ParseError> {
        let start = self.skip_ws_from(after_eq);
        match self.peek_at(start) {
            Some(b'"') => {
                let (value, end) = self.quoted_string(start)?;
                self.pos = end;
                Ok((value, true))
            }
            Some(b) if is_tchar(b) => {
                let end = self.run_from(start, is_tchar);
                self.pos = end;
                Ok((self.s[start..end].to_string(), false))
            }
            None | Some(b',') => Err(self.err(
                start,
                format!("missing value for parameter `{name}` (expected token or quoted-string)"),
            )),
            Some(_) => Err(self.err(
                start,
                format!(
                    "invalid character {} in value of parameter `{name}` (expected token or quoted-string)",
                    self.found(start)
                ),
            )),
        }
    }

    /// quoted-string (RFC 9110 §5.6.4) starting at the opening DQUOTE. Returns the unescaped
    /// content and the offset just after the closing DQUOTE.
    fn quoted_string(&self, open: usize) -> Result<(String, usize), ParseError> {
        let unterminated = || self.err(open, "unterminated quoted-string");
        let mut out = String::new();
        let mut i = open + 1;
        loop {
            let c = match self.s.get(i..).and_then(|r| r.chars().next()) {
                Some(c) => c,
                None => return Err(unterminated()),
            };
            match c {
                '"' => return Ok((out, i + 1)),
                '\\' => {
                    let next = match self.s.get(i + 1..).and_then(|r| r.chars().next()) {
                        Some(n) => n,
                        None => return Err(unterminated()),
                    };
                    // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
                    if next != '\t' && (next.is_ascii_control()) {
                        return Err(
                            self.err(i + 1, format!("invalid character {next:?} in quoted-pair"))
                        );
                    }
                    out.push(next);
                    i += 1 + next.len_utf8();
                }
                // qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
                c if c != '\t' && c.is_ascii_control() => {
                    return Err(self.err(i, format!("invalid character {c:?} in quoted-string")));
                }
                c => {
                    out.push(c);
                    i += c.len_utf8();
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "www_authenticate_tests.rs"]
mod tests;
