//! One case file from its bytes: decoded as UTF-8 (a file that is not gets a located
//! diagnostic with the offset of its first invalid byte), then parsed and validated.
//! The loader reads every file through here; the fuzz tests call it directly.

use crate::logic::case::{parse_case, Case};
use crate::logic::catalog::Catalog;
use crate::logic::diagnostic::Diagnostic;

use super::utf8_text::utf8_text;

/// Parses the case file at `path` (as shown to the user) from its bytes.
pub fn parse_case_file(
    path: &str,
    bytes: &[u8],
    catalog: &Catalog,
) -> Result<Case, Vec<Diagnostic>> {
    let text = case_text(path, bytes).map_err(|d| vec![d])?;
    parse_case(text, path, catalog)
}

/// The text of a case file, or where it stops being UTF-8.
pub fn case_text<'a>(path: &str, bytes: &'a [u8]) -> Result<&'a str, Diagnostic> {
    utf8_text(path, bytes, "case files")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_the_first_invalid_byte() {
        let d = case_text("x.yaml", b"id: a\ntitle: caf\xe9 ok\n").unwrap_err();
        assert_eq!((d.line, d.column), (2, 11));
        assert!(
            d.message.contains("byte 0xe9 at byte offset 16"),
            "{}",
            d.message
        );
        assert_eq!(d.source_line.as_deref(), Some("title: caf\u{fffd} ok"));
        assert!(case_text("x.yaml", "id: é\n".as_bytes()).is_ok());
    }
}
