//! What to tell the user when an authorization server shows a page under `auto` consent:
//! a login or consent page the harness cannot get past on its own. The hint shows the
//! `[consent]` configuration (`logic::as_config`) that would, with the page's own form
//! filled in where it can be read from the HTML: the form's target and its hidden fields
//! become captures, visible fields become values to fill in. Hidden values themselves
//! (CSRF tokens, session ids) are never copied into the hint.

use url::Url;

use super::html_form::{first_form, form_tag, quote_of, title, Field};

/// The reason of a case (or of the run's set-up) whose authorization request ended on a
/// page under `auto` consent, with the configuration that would get past it.
pub fn login_page_hint(page_url: &str, status: u16, content_type: &str, body: &str) -> String {
    let title = title(body)
        .map(|t| format!(", \"{t}\""))
        .unwrap_or_default();
    let shown = if content_type.is_empty() {
        format!("HTTP {status}{title}")
    } else {
        format!("HTTP {status}, {content_type}{title}")
    };
    format!(
        "the server answered the authorization request with a page ({shown}) at {page} \
         instead of redirecting back to the client: a login or consent page, which the \
         default `auto` consent cannot get past. This is the set-up of the run, not a \
         verdict on the server. Tell the harness how to get through in a config file \
         (`--config as.toml`), either with form steps (cookies are kept; each capture is \
         a regular expression whose first group is taken from the previous page; fill in \
         the values marked …):\n\n{form}\nIf the server shows a consent page after the \
         login, add a second [[consent.steps]] for it, written the same way from that \
         page. Or use a program that gets the authorization URL, logs in, and prints the \
         URL the server finally redirects to:\n\n{command}",
        page = page_url,
        form = indent(&form_snippet(page_url, body)),
        command = indent(COMMAND_SNIPPET),
    )
}

const COMMAND_SNIPPET: &str =
    "[consent]\nstrategy = \"command\"\ncommand = \"my-login-bot {url}\"\n";

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}

/// The `form` configuration for the page: its first form when it has one, else a
/// template to complete.
pub fn form_snippet(page_url: &str, body: &str) -> String {
    let Some(form) = first_form(body) else {
        return "[consent]\nstrategy = \"form\"\n[[consent.steps]]\n\
                capture = { csrf = 'name=\"csrf\" value=\"([^\"]*)\"' }\n\
                url = \"{issuer}/login\"\n\
                form = { username = \"…\", password = \"…\", csrf = \"{csrf}\" }\n"
            .to_string();
    };
    let mut captures: Vec<(String, String)> = Vec::new();
    let url = match form.action.as_deref().filter(|a| !a.is_empty()) {
        // The form's target may carry a per-request id, so it is read from each page.
        Some(action) => {
            captures.push(("action".into(), action_pattern(body)));
            let base = action_base(page_url, action);
            format!("{base}{{action}}")
        }
        None => page_url.to_string(),
    };
    let mut fields: Vec<(String, String)> = Vec::new();
    for f in &form.fields {
        match f.kind.as_str() {
            "hidden" => {
                let var = variable_name(&f.name, &captures);
                captures.push((var.clone(), field_pattern(f)));
                fields.push((f.name.clone(), format!("{{{var}}}")));
            }
            "submit" | "button" => {
                if let Some(v) = &f.value {
                    fields.push((f.name.clone(), v.clone()));
                }
            }
            "checkbox" | "radio" => {
                fields.push((f.name.clone(), f.value.clone().unwrap_or("on".into())));
            }
            _ => fields.push((f.name.clone(), "…".into())),
        }
    }
    let mut out = String::from("[consent]\nstrategy = \"form\"\n[[consent.steps]]\n");
    if !captures.is_empty() {
        out.push_str(&format!("capture = {}\n", inline_table(&captures)));
    }
    if let Some(m) = form.method.as_deref() {
        if !m.eq_ignore_ascii_case("post") {
            out.push_str(&format!(
                "method = {}\n",
                toml_string(&m.to_ascii_uppercase())
            ));
        }
    }
    out.push_str(&format!("url = {}\n", toml_string(&url)));
    if !fields.is_empty() {
        out.push_str(&format!("form = {}\n", inline_table(&fields)));
    }
    out
}

/// Where a relative `action` is resolved from: nothing for an absolute URL, the page's
/// origin for a path, the page's directory otherwise (RFC 3986 §5.2).
fn action_base(page_url: &str, action: &str) -> String {
    if Url::parse(action).is_ok() {
        return String::new();
    }
    let Ok(page) = Url::parse(page_url) else {
        return String::new();
    };
    if action.starts_with('/') {
        return page.origin().ascii_serialization();
    }
    let mut dir = page.clone();
    dir.set_query(None);
    dir.set_fragment(None);
    let path = dir.path().to_string();
    let cut = path.rfind('/').map(|i| &path[..=i]).unwrap_or("/");
    format!("{}{cut}", page.origin().ascii_serialization())
}

/// A variable name for a hidden field: the field's name made template-safe, distinct
/// from the ones taken.
fn variable_name(name: &str, taken: &[(String, String)]) -> String {
    let mut var: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if var.is_empty() || var.starts_with(|c: char| c.is_ascii_digit()) {
        var.insert(0, 'f');
    }
    let mut candidate = var.clone();
    let mut n = 2;
    while taken.iter().any(|(t, _)| *t == candidate) || candidate == "issuer" {
        candidate = format!("{var}_{n}");
        n += 1;
    }
    candidate
}

/// A capture for the form's `action`.
fn action_pattern(body: &str) -> String {
    let quote = form_tag(body)
        .map(|t| quote_of(&t, "action"))
        .unwrap_or('"');
    format!("action={quote}([^{quote}]+){quote}")
}

/// A capture for a hidden field's value, in the attribute order its tag uses.
fn field_pattern(f: &Field) -> String {
    let q = f.quote;
    let name = regex::escape(&f.name);
    let name_at = f.tag.find("name=");
    let value_at = f.tag.find("value=");
    match (name_at, value_at) {
        (Some(n), Some(v)) if v < n => format!("value={q}([^{q}]*){q}[^>]*name={q}{name}{q}"),
        _ => format!("name={q}{name}{q}[^>]*value={q}([^{q}]*){q}"),
    }
}

/// A TOML string: literal (single-quoted) when it can be, so regular expressions keep
/// their backslashes; basic with escapes otherwise.
fn toml_string(value: &str) -> String {
    if !value.contains('\'') && !value.contains('\n') {
        return format!("'{value}'");
    }
    let escaped = value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n");
    format!("\"{escaped}\"")
}

fn inline_table(pairs: &[(String, String)]) -> String {
    let body: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{} = {}", toml_key(k), toml_string(v)))
        .collect();
    format!("{{ {} }}", body.join(", "))
}

/// A bare key when TOML allows one, else a quoted key.
fn toml_key(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        key.to_string()
    } else {
        format!("\"{}\"", key.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logic::as_config::{parse_as_config, Consent};

    const PAGE: &str = "<!doctype html><html><head><title>Sign in</title></head><body>\n\
        <form method=\"post\" action=\"http://127.0.0.1:4000/login\">\n\
        <input type=\"hidden\" name=\"csrf\" value=\"s3cr3t-csrf\">\n\
        <input value=\"r-123\" type=\"hidden\" name=\"request\">\n\
        <label>Username <input type=\"text\" name=\"username\"></label>\n\
        <label>Password <input type=\"password\" name=\"password\"></label>\n\
        <button type=\"submit\">Sign in</button>\n</form></body></html>";

    #[test]
    fn the_snippet_parses_and_its_captures_read_the_page() {
        let snippet = form_snippet("http://127.0.0.1:4000/authorize?x=1", PAGE);
        assert!(!snippet.contains("s3cr3t-csrf"), "{snippet}");
        let config = parse_as_config(&snippet).unwrap();
        let Consent::Form { steps } = config.consent else {
            panic!("not a form: {snippet}");
        };
        let step = &steps[0];
        assert_eq!(step.url, "{action}");
        let read = |name: &str| {
            let re = regex::Regex::new(&step.capture[name]).unwrap();
            re.captures(PAGE).unwrap()[1].to_string()
        };
        assert_eq!(read("action"), "http://127.0.0.1:4000/login");
        assert_eq!(read("csrf"), "s3cr3t-csrf");
        assert_eq!(read("request"), "r-123");
        assert_eq!(step.form["csrf"], "{csrf}");
        assert_eq!(step.form["username"], "…");
        assert_eq!(step.form["password"], "…");
    }

    #[test]
    fn relative_actions_keep_the_page_origin_and_odd_pages_get_a_template() {
        let page = "<form action='/interaction/abc/login' method='get'>\
                    <input type='hidden' name='uid' value='abc'></form>";
        let snippet = form_snippet("https://as.example/interaction/abc", page);
        let config = parse_as_config(&snippet).unwrap();
        let Consent::Form { steps } = config.consent else {
            panic!("{snippet}");
        };
        assert_eq!(steps[0].url, "https://as.example{action}");
        assert_eq!(steps[0].method, "GET");
        let re = regex::Regex::new(&steps[0].capture["uid"]).unwrap();
        assert_eq!(&re.captures(page).unwrap()[1], "abc");
        let no_form = form_snippet("https://as.example/x", "<p>Hello</p>");
        assert!(parse_as_config(&no_form).is_ok(), "{no_form}");
    }

    #[test]
    fn the_hint_names_the_page_and_both_strategies() {
        let hint = login_page_hint("http://as/authorize", 200, "text/html", PAGE);
        assert!(
            hint.contains("(HTTP 200, text/html, \"Sign in\")"),
            "{hint}"
        );
        assert!(hint.contains("strategy = \"form\""), "{hint}");
        assert!(hint.contains("strategy = \"command\""), "{hint}");
        assert!(!hint.contains("s3cr3t-csrf"));
    }
}
