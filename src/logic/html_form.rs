//! Reading an HTML page's form, as a user agent that fills it in: the first form (for the
//! hint of `logic::consent_hint`), or the one `<form method=post>` a consent page asks the
//! user to submit, with its target and the fields a browser would send for its approval
//! button (HTML Living Standard, "Form submission": named controls with their values,
//! and the one submit button pressed). No script runs: a page its script renders has no
//! form here, which is the harness's limit, never the page's fault.

use url::Url;

/// One `<input>` (or named `<button>`) of the page's form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub kind: String,
    /// The attribute text of the tag, to build a capture that matches it.
    pub tag: String,
    /// The quote character the tag's attributes use.
    pub quote: char,
    pub value: Option<String>,
}

/// The first form of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub action: Option<String>,
    pub method: Option<String>,
    pub fields: Vec<Field>,
}

pub fn title(body: &str) -> Option<String> {
    let lower = body.to_ascii_lowercase();
    let start = lower.find("<title")?;
    let open_end = start + lower[start..].find('>')? + 1;
    let close = open_end + lower[open_end..].find("</title")?;
    let text: String = body[open_end..close]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    (!text.is_empty()).then(|| text.chars().take(80).collect())
}

/// The opening `<form …>` tag of the first form.
pub fn form_tag(body: &str) -> Option<String> {
    let lower = body.to_ascii_lowercase();
    let start = lower.find("<form")?;
    let end = start + lower[start..].find('>')?;
    Some(body[start..=end].to_string())
}

pub fn first_form(body: &str) -> Option<Form> {
    let lower = body.to_ascii_lowercase();
    let start = lower.find("<form")?;
    let tag_end = start + lower[start..].find('>')?;
    let tag = &body[start..=tag_end];
    let end = lower[tag_end..]
        .find("</form")
        .map(|i| tag_end + i)
        .unwrap_or(body.len());
    let inner = &body[tag_end..end];
    let inner_lower = &lower[tag_end..end];
    let mut fields = Vec::new();
    for element in ["<input", "<button", "<select", "<textarea"] {
        let mut at = 0;
        while let Some(i) = inner_lower[at..].find(element) {
            let s = at + i;
            let Some(e) = inner_lower[s..].find('>').map(|e| s + e) else {
                break;
            };
            let field_tag = &inner[s..=e];
            if let Some(name) = attribute(field_tag, "name") {
                let kind = match element {
                    "<input" => attribute(field_tag, "type")
                        .unwrap_or_else(|| "text".into())
                        .to_ascii_lowercase(),
                    "<button" => "submit".into(),
                    _ => "text".into(),
                };
                fields.push((
                    s,
                    Field {
                        name,
                        kind,
                        tag: field_tag.to_string(),
                        quote: quote_of(field_tag, "name"),
                        value: attribute(field_tag, "value"),
                    },
                ));
            }
            at = e + 1;
        }
    }
    fields.sort_by_key(|(at, _)| *at);
    let mut seen: Vec<String> = Vec::new();
    let fields = fields
        .into_iter()
        .map(|(_, f)| f)
        .filter(|f| {
            let new = !seen.contains(&f.name);
            seen.push(f.name.clone());
            new
        })
        .collect();
    Some(Form {
        action: attribute(tag, "action"),
        method: attribute(tag, "method"),
        fields,
    })
}

/// The quote character of an attribute in a tag (`"` when unquoted or absent).
pub fn quote_of(tag: &str, name: &str) -> char {
    let lower = tag.to_ascii_lowercase();
    lower
        .find(&format!("{name}="))
        .and_then(|i| tag[i + name.len() + 1..].chars().next())
        .filter(|c| *c == '\'' || *c == '"')
        .unwrap_or('"')
}

/// An attribute's value in a tag: double-quoted, single-quoted or bare.
pub fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(name) {
        let at = from + i;
        from = at + name.len();
        // A whole attribute name: preceded by whitespace, followed by `=`.
        let before_ok = lower[..at].ends_with(char::is_whitespace);
        let rest = tag[at + name.len()..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let value = rest[1..].trim_start();
        let mut chars = value.chars();
        return match chars.next() {
            Some(q @ ('"' | '\'')) => value[1..].find(q).map(|end| value[1..=end].to_string()),
            Some(_) => Some(
                value
                    .split(|c: char| c.is_whitespace() || c == '>')
                    .next()
                    .unwrap_or_default()
                    .trim_end_matches('/')
                    .to_string(),
            ),
            None => None,
        };
    }
    None
}

/// Which fields of the form a request sends (the form's own, or edited to test what the
/// server accepts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldSelection {
    /// What a browser sends on the approval button: every named field with its value.
    All,
    /// The hidden fields only (to tell whether the form carries any).
    Hidden,
    /// Every field but the hidden ones (a CSRF token is withheld).
    WithoutHidden,
    /// Every field, the hidden ones with their values altered (a forged CSRF token).
    HiddenAltered,
}

/// The first `<form method=post>` of the page.
pub fn post_form(body: &str) -> Option<Form> {
    let lower = body.to_ascii_lowercase();
    let mut at = 0;
    while let Some(i) = lower[at..].find("<form") {
        let start = at + i;
        if let Some(form) = first_form(&body[start..]) {
            if form
                .method
                .as_deref()
                .is_some_and(|m| m.eq_ignore_ascii_case("post"))
            {
                return Some(form);
            }
        }
        at = start + 5;
    }
    None
}

/// Where the form posts to: its `action` resolved against the page's URL (an absent or
/// empty action is the page itself).
pub fn action_url(page_url: &str, form: &Form) -> Result<String, String> {
    let page = Url::parse(page_url).map_err(|e| format!("the page URL does not parse: {e}"))?;
    let action = form
        .action
        .as_deref()
        .map(decode_entities)
        .unwrap_or_default();
    if action.is_empty() {
        return Ok(page.to_string());
    }
    page.join(&action)
        .map(|u| u.to_string())
        .map_err(|e| format!("the form's action {action:?} is not a URL: {e}"))
}

/// The fields as an `application/x-www-form-urlencoded` body.
pub fn encoded_fields(form: &Form, selection: FieldSelection) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    let pressed = approval_button(form);
    for f in &form.fields {
        let value = f.value.as_deref().map(decode_entities).unwrap_or_default();
        let hidden = f.kind == "hidden";
        let sent = match f.kind.as_str() {
            "submit" | "button" | "image" => pressed == Some(f.name.as_str()),
            "checkbox" | "radio" => f.tag.to_ascii_lowercase().contains("checked"),
            "reset" | "file" => false,
            _ => true,
        };
        if !sent {
            continue;
        }
        match (selection, hidden) {
            (FieldSelection::Hidden, false) | (FieldSelection::WithoutHidden, true) => {}
            (FieldSelection::HiddenAltered, true) => {
                out.append_pair(&f.name, &altered(&value));
            }
            _ => {
                out.append_pair(&f.name, &value);
            }
        }
    }
    out.finish()
}

/// The submit button a user approving would press: the one whose value or tag reads as
/// approval, else the first that does not read as a refusal.
fn approval_button(form: &Form) -> Option<&str> {
    let approves = |t: &str| {
        [
            "approve",
            "allow",
            "accept",
            "authorize",
            "authorise",
            "consent",
            "yes",
            "continue",
            "grant",
        ]
        .iter()
        .any(|w| t.contains(w))
    };
    let refuses = |t: &str| {
        ["deny", "cancel", "reject", "decline", "refuse", "no"]
            .iter()
            .any(|w| t == *w || t.starts_with(w))
    };
    let buttons: Vec<&Field> = form
        .fields
        .iter()
        .filter(|f| matches!(f.kind.as_str(), "submit" | "button" | "image"))
        .collect();
    let text = |f: &Field| f.value.clone().unwrap_or_default().to_ascii_lowercase();
    buttons
        .iter()
        .find(|f| approves(&text(f)))
        .or_else(|| buttons.iter().find(|f| !refuses(&text(f))))
        .map(|f| f.name.as_str())
}

/// The value with its last character changed, same length (a forged token).
fn altered(value: &str) -> String {
    let mut chars: Vec<char> = value.chars().collect();
    match chars.last_mut() {
        Some(c) => *c = if *c == 'A' { 'B' } else { 'A' },
        None => chars.push('A'),
    }
    chars.into_iter().collect()
}

/// The character references attribute values commonly carry (HTML "Named character
/// references": the five of XML and numeric ones).
fn decode_entities(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let Some(end) = tail.find(';').filter(|e| *e <= 10) else {
            out.push('&');
            rest = &tail[1..];
            continue;
        };
        let name = &tail[1..end];
        let decoded = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => name
                .strip_prefix("#x")
                .or_else(|| name.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &tail[end + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONSENT: &str = "<html><form method=get action=/search><input name=q></form>\
        <form method=\"POST\" action=\"/consent?txn=1&amp;x=2\">\
        <input type=\"hidden\" name=\"csrf\" value=\"abc\">\
        <input type=checkbox name=remember>\
        <button type=submit name=decision value=deny>Deny</button>\
        <button type=submit name=decision2 value=approve>Approve</button></form>";

    #[test]
    fn reads_the_post_form_as_a_browser_submits_its_approval() {
        let form = post_form(CONSENT).expect("a post form");
        assert_eq!(
            action_url("http://127.0.0.1:9/authorize?a=b", &form).unwrap(),
            "http://127.0.0.1:9/consent?txn=1&x=2"
        );
        assert_eq!(
            encoded_fields(&form, FieldSelection::All),
            "csrf=abc&decision2=approve"
        );
        assert_eq!(encoded_fields(&form, FieldSelection::Hidden), "csrf=abc");
        assert_eq!(
            encoded_fields(&form, FieldSelection::WithoutHidden),
            "decision2=approve"
        );
        assert_eq!(
            encoded_fields(&form, FieldSelection::HiddenAltered),
            "csrf=abA&decision2=approve"
        );
        assert!(post_form("<form action=/x><input name=a></form>").is_none());
    }
}
