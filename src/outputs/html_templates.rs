//! The HTML writers' templates (minijinja), compiled into the binary: the run report,
//! the matrix of several reports, the evidence macros both share, and their stylesheet.
//!
//! Every template is rendered with HTML auto-escaping, whatever its name: each value comes
//! from a target under test (a header, a body, a reason quoting them), and a hostile one
//! must never become markup.

use minijinja::value::{Serde, Value};
use minijinja::{AutoEscape, Environment};
use serde::Serialize;

const TEMPLATES: [(&str, &str); 4] = [
    ("report.html", include_str!("templates/report.html.j2")),
    ("matrix.html", include_str!("templates/matrix.html.j2")),
    ("evidence.html", include_str!("templates/evidence.html.j2")),
    ("style.css", include_str!("templates/style.css")),
];

fn environment() -> Result<Environment<'static>, minijinja::Error> {
    let mut env = Environment::new();
    // `style.css` is included inside `<style>`, where escaping is not wanted and where
    // no value of a report ever goes (the stylesheet takes no variables).
    env.set_auto_escape_callback(|name| match name {
        "style.css" => AutoEscape::None,
        _ => AutoEscape::Html,
    });
    // minijinja's own escaping also turns every `/` into `&#x2f;`, which triples the size
    // of a page of URLs for no safety gain in element content and quoted attributes (the
    // only places the templates put values); text is escaped here without it.
    env.set_formatter(|out, state, value| match value.as_str() {
        Some(text) if *state.auto_escape() == AutoEscape::Html && !value.is_safe() => {
            Ok(out.write_str(&escape(text))?)
        }
        _ => minijinja::escape_formatter(out, state, value),
    });
    // A field the view does not have is a bug of this writer, not an empty cell.
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    let mut syntax = minijinja::syntax::SyntaxConfig::builder();
    syntax.trim_blocks(true).lstrip_blocks(true);
    env.set_syntax(syntax.build()?);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)?;
    }
    Ok(env)
}

/// Renders template `name` with `view`. The templates are fixed, so a failure is a defect
/// of this writer; it still yields a page, one that says so and points to report.json,
/// rather than no file at all.
pub(crate) fn render_page(name: &str, view: &impl Serialize) -> String {
    let rendered =
        environment().and_then(|env| env.get_template(name)?.render(Value::from(Serde(view))));
    match rendered {
        Ok(html) => html,
        Err(e) => format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><meta charset=\"utf-8\"><title>mcp-authspec \
             report</title><p>This page could not be rendered ({}); report.json holds the \
             full report.</p></html>\n",
            escape(&format!("{e:#}"))
        ),
    }
}

/// HTML escaping of text for element content and quoted attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

/// How many bytes `text` takes once escaped (see [`escape`]): the writers' size budget
/// counts what lands in the file.
pub(crate) fn escaped_len(text: &str) -> usize {
    text.bytes()
        .map(|b| match b {
            b'<' | b'>' => 4,
            b'&' => 5,
            b'"' | b'\'' => 6,
            _ => 1,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles() {
        environment().unwrap();
    }

    #[test]
    fn values_are_escaped_and_their_length_is_counted() {
        let text = r#"<a href="x">Tom & 'Jerry'</a>/é"#;
        let mut env = environment().unwrap();
        env.add_template("t.html", "{{ t }}").unwrap();
        let html = env
            .get_template("t.html")
            .unwrap()
            .render(minijinja::context! { t => text })
            .unwrap();
        assert_eq!(
            html,
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#x27;Jerry&#x27;&lt;/a&gt;/é"
        );
        assert_eq!(escaped_len(text), html.len());
    }
}
