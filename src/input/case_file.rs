//! One case file from its bytes: decoded as UTF-8 (a file that is not gets a located
//! diagnostic with the offset of its first invalid byte), then parsed and validated.
//! The loader reads every file through here; the fuzz tests call it directly.

use crate::logic::case::{parse_case, Case};
use crate::logic::catalog::Catalog;
use crate::logic::diagnostic::Diagnostic;

/// Parses the case file at `path` (as shown to the user) from its bytes.
pub fn parse_case_file(
    path: &str,
    bytes: &[u8],
    catalog: &Catalog,
) -> Result<Case, Vec<Diagnostic>> {
    let text = case_text(path, bytes).map_err(|d| vec![d])?;
    parse_case(text, path, catalog)
}

/// The text of a case file, or where it stops being UTF-8 (YAML 1.2.2 §5.2 allows UTF-16
/// and UTF-32 too; case files are UTF-8, like the schema and the embedded cases).
pub fn case_text<'a>(path: &str, bytes: &'a [u8]) -> Result<&'a str, Diagnostic> {
    let err = match std::str::from_utf8(bytes) {
        Ok(text) => return Ok(text),
        Err(err) => err,
    };
    let offset = err.valid_up_to();
    // The prefix up to `offset` is valid UTF-8 by definition of `valid_up_to`.
    let valid = std::str::from_utf8(&bytes[..offset]).unwrap_or_default();
    let line = valid.matches('\n').count() as u64 + 1;
    let column = valid.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64 + 1;
    let shown = String::from_utf8_lossy(bytes);
    let utf16 = bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]);
    let hint = if utf16 {
        "case files are UTF-8; this one starts with a UTF-16 byte-order mark: save it as UTF-8"
    } else {
        "case files are UTF-8: save the file as UTF-8 (from Latin-1: `iconv -f latin1 -t utf-8`)"
    };
    Err(Diagnostic::new(
        path,
        &shown,
        line,
        column,
        format!(
            "the file is not UTF-8: byte 0x{:02x} at byte offset {offset} is not valid here",
            bytes[offset]
        ),
    )
    .with_hint(hint))
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
