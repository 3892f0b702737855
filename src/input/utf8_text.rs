//! A file's text, or a located diagnostic at its first byte that is not UTF-8 (YAML
//! 1.2.2 §5.2 allows UTF-16 and UTF-32 too; the suite's YAML inputs are UTF-8, like the
//! schemas and the embedded cases).

use crate::logic::diagnostic::Diagnostic;

/// The text of the file at `path` (as shown to the user); `kind` names such files in the
/// hint (`case files`, `baselines`).
pub(super) fn utf8_text<'a>(
    path: &str,
    bytes: &'a [u8],
    kind: &str,
) -> Result<&'a str, Diagnostic> {
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
        format!("{kind} are UTF-8; this one starts with a UTF-16 byte-order mark: save it as UTF-8")
    } else {
        format!(
            "{kind} are UTF-8: save the file as UTF-8 (from Latin-1: `iconv -f latin1 -t utf-8`)"
        )
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
