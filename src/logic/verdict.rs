//! From checks to a case verdict.

use crate::vocab::{CheckReport, Outcome};

/// The case outcome is its worst check; the reason is the first check with that outcome.
pub fn case_verdict(checks: &[CheckReport]) -> (Outcome, Option<String>) {
    let worst = checks
        .iter()
        .map(|c| c.outcome)
        .max()
        .unwrap_or(Outcome::Pass);
    if worst == Outcome::Pass {
        return (Outcome::Pass, None);
    }
    let reason = checks.iter().find(|c| c.outcome == worst).map(|c| {
        format!(
            "{}: expected {}, got {}",
            c.description, c.expected, c.actual
        )
    });
    (worst, reason)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::Level;

    fn check(outcome: Outcome, d: &str) -> CheckReport {
        CheckReport {
            step: "s".into(),
            description: d.into(),
            level: Level::MUST,
            outcome,
            expected: "e".into(),
            actual: "a".into(),
            why: None,
        }
    }

    #[test]
    fn worst_check_decides() {
        assert_eq!(case_verdict(&[]).0, Outcome::Pass);
        let (o, r) = case_verdict(&[
            check(Outcome::Pass, "a"),
            check(Outcome::Warn, "b"),
            check(Outcome::Fail, "c"),
        ]);
        assert_eq!(o, Outcome::Fail);
        assert_eq!(r.unwrap(), "c: expected e, got a");
    }
}
