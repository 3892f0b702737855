//! From checks to a case verdict, and the one-line reasons that explain it.

use super::case::Case;
use super::case_model::Expectation;
use super::predicate::{Judgement, Predicate};
use super::query::Query;
use super::template::Vars;
use crate::vocab::{CaseReport, CheckReport, Level, Outcome, Revision};

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
    let reason = checks.iter().find(|c| c.outcome == worst).map(check_reason);
    (worst, reason)
}

/// One sentence for a check that did not hold. A check judged from a case's expectation
/// states it (`status is outside 500–599`), so only what was seen follows; any other
/// (`capture `code` from …`) names its expectation too.
pub fn check_reason(c: &CheckReport) -> String {
    if c.description.ends_with(&c.expected) {
        format!("{}: got {}", c.description, c.actual)
    } else {
        format!(
            "{}: expected {}, got {}",
            c.description, c.expected, c.actual
        )
    }
}

/// The skip reason for a `when:` precondition that did not hold: the case's own words
/// for it when it has them (its `why:`, e.g. "the access token is opaque (not a JWT), so
/// its audience cannot be read"), else the claim denied; then what was seen.
pub fn unmet_precondition(
    subject: &str,
    predicate: &Predicate,
    judgement: &Judgement,
    why: Option<&str>,
    vars: &Vars,
) -> String {
    let actual = &judgement.actual;
    let absent = actual
        .strip_prefix("(none: ")
        .and_then(|r| r.strip_suffix(')'));
    let (said, seen) = match absent {
        Some(reason) => (format!("{subject} is absent"), reason.to_string()),
        None => (predicate.denial(subject, vars), format!("got {actual}")),
    };
    match why {
        Some(why) => format!("not applicable: {why} ({seen})"),
        None => format!("not applicable: {said} ({seen})"),
    }
}

/// A report for a case run with its identity filled in and no checks or evidence yet.
pub fn case_report(
    case: &Case,
    revision: Revision,
    outcome: Outcome,
    reason: Option<String>,
) -> CaseReport {
    CaseReport {
        id: case.id().to_string(),
        title: case.file.title.clone(),
        role: case.role,
        requirement: case.requirement.id.clone(),
        scenario: case.official_scenario().map(str::to_string),
        requirement_text: case.requirement.statement.clone(),
        level: case.file.level,
        revision,
        outcome,
        reason,
        spec: case.requirement.references_for(revision),
        checks: Vec::new(),
        exchanges: Vec::new(),
        process: None,
        omitted_exchanges: 0,
        duration_ms: 0,
        baseline: None,
    }
}

/// One expectation judged against what its query reads (a step's answer, a client's
/// run), at its own level or the case's.
pub fn judge_expectation<Q: Query>(
    e: &Expectation<Q>,
    subject: &Q::Subject,
    vars: &Vars,
    case_level: Level,
    label: &str,
) -> CheckReport {
    let level: Level = e.level.unwrap_or(case_level);
    let mut j = match e.query.unreadable(subject) {
        // Nothing to read is no evidence of absence: no predicate holds, `absent` and
        // `not …` included, and the report says what was wrong with the answer.
        Some(reason) => Judgement {
            holds: false,
            expected: e.is.expected(vars),
            actual: format!("(none: {reason})"),
        },
        None => e.is.judge(&e.query.evaluate(subject, vars), vars),
    };
    if let Some(evidence) = e.query.evidence(subject) {
        j.actual = format!("{} ({evidence})", j.actual);
    }
    CheckReport {
        step: label.to_string(),
        description: e.is.claim(&e.query.to_string(), vars),
        level,
        outcome: if j.holds {
            Outcome::Pass
        } else {
            level.violation()
        },
        expected: j.expected,
        actual: j.actual,
        why: e.why.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logic::predicate::Predicate;
    use crate::logic::template::Vars;
    use crate::vocab::Level;
    use serde_json::json;

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
    fn nothing_to_read_proves_no_absence() {
        use crate::logic::answer::Answer;
        use crate::logic::case_model::Expectation;
        use crate::logic::query::StepQuery;
        let expect = |query: serde_json::Value, is: serde_json::Value| -> Expectation<StepQuery> {
            serde_json::from_value(json!({"query": query, "is": is})).unwrap()
        };
        let broken = Answer {
            failure: Some("message head is too large".into()),
            ..Answer::default()
        };
        let vars = Vars::new();
        for e in [
            expect(json!({"json": "/result"}), json!("absent")),
            expect(json!("body"), json!({"not": {"matches": "result"}})),
            expect(json!({"header": "x"}), json!({"not_equals": "y"})),
            expect(json!("status"), json!({"equals": 401})),
        ] {
            let c = judge_expectation(&e, &broken, &vars, Level::SHOULD, "s");
            assert_eq!(c.outcome, Outcome::Warn, "{}", c.description);
            assert_eq!(
                c.actual,
                "(none: no valid HTTP answer: message head is too large)"
            );
        }
        // A well-formed answer without the member: absence holds, as it should.
        let refusal = Answer {
            status: Some(401),
            ..Answer::default()
        };
        let e = expect(json!({"json": "/result"}), json!("absent"));
        let c = judge_expectation(&e, &refusal, &vars, Level::MUST, "s");
        assert_eq!(c.outcome, Outcome::Pass, "{}", c.actual);
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

    /// The reason of a failed expectation, as a case run builds it.
    fn reason(subject: &str, predicate: serde_json::Value, actual: &str) -> String {
        let p: Predicate = serde_json::from_value(predicate).unwrap();
        let vars = Vars::new();
        check_reason(&CheckReport {
            step: "s".into(),
            description: p.claim(subject, &vars),
            level: Level::MUST,
            outcome: Outcome::Fail,
            expected: p.expected(&vars),
            actual: actual.into(),
            why: None,
        })
    }

    #[test]
    fn reasons_read_as_one_plain_sentence() {
        let cases = [
            (
                "status",
                json!({"not": {"between": [500, 599]}}),
                "500",
                "status is outside 500–599: got 500",
            ),
            (
                "status",
                json!({"not": {"one_of": [404, 405, 410]}}),
                "404",
                "status is none of 404, 405, 410: got 404",
            ),
            ("status", json!({"equals": 401}), "403", "status is 401: got 403"),
            (
                "status",
                json!({"one_of": [401, 403]}),
                "200",
                "status is one of 401, 403: got 200",
            ),
            (
                "status",
                json!({"between": [200, 299]}),
                "401",
                "status is between 200 and 299: got 401",
            ),
            (
                "header `www-authenticate`",
                json!("present"),
                "(none: no header)",
                "header `www-authenticate` is present: got (none: no header)",
            ),
            (
                "JSON `/scope`",
                json!({"not": {"matches": "(^| )offline_access( |$)"}}),
                "\"offline_access\"",
                "JSON `/scope` does not match /(^| )offline_access( |$)/: got \"offline_access\"",
            ),
            (
                "JSON `/grant_types_supported`",
                json!({"not": {"all": {"not_equals": "authorization_code"}}}),
                "[\"implicit\"]",
                "in JSON `/grant_types_supported`, some element is \"authorization_code\": got [\"implicit\"]",
            ),
            (
                "JSON `/authorization_servers`",
                json!({"all": {"not": {"matches": "[?#]"}}}),
                "[\"https://a?x\"]",
                "in JSON `/authorization_servers`, no element matches /[?#]/: got [\"https://a?x\"]",
            ),
            (
                "JSON `/code_challenge_methods_supported`",
                json!({"not_contains": "plain"}),
                "[\"plain\"]",
                "JSON `/code_challenge_methods_supported` does not contain \"plain\": got [\"plain\"]",
            ),
            (
                "redirect parameter `code`",
                json!("absent"),
                "\"[redacted: 32 characters]\"",
                "redirect parameter `code` is absent: got \"[redacted: 32 characters]\"",
            ),
            (
                "JSON `/x`",
                json!({"not": {"not": {"equals": 1}}}),
                "2",
                "JSON `/x` is 1: got 2",
            ),
        ];
        for (subject, predicate, actual, want) in cases {
            assert_eq!(reason(subject, predicate, actual), want);
        }
    }

    #[test]
    fn unmet_preconditions_say_why_the_case_does_not_apply() {
        let vars = Vars::new();
        let skip = |subject: &str, p: serde_json::Value, value, why: Option<&str>| {
            let p: Predicate = serde_json::from_value(p).unwrap();
            let j = p.judge(&value, &vars);
            assert!(!j.holds);
            unmet_precondition(subject, &p, &j, why, &vars)
        };
        assert_eq!(
            skip("status", json!({"equals": 200}), Ok(json!(400)), None),
            "not applicable: status is not 200 (got 400)"
        );
        assert_eq!(
            skip(
                "redirect parameter `code`",
                json!("non_empty_string"),
                Err("the redirect carries no `code` parameter".into()),
                None
            ),
            "not applicable: redirect parameter `code` is absent (the redirect carries no `code` parameter)"
        );
        assert_eq!(
            skip(
                "the claims set of the JWT at `/access_token`",
                json!("json_object"),
                Err("`/access_token` is not a JWT".into()),
                Some("the access token is opaque (not a JWT), so its audience cannot be read")
            ),
            "not applicable: the access token is opaque (not a JWT), so its audience cannot be read (`/access_token` is not a JWT)"
        );
    }

    #[test]
    fn no_reason_says_not_twice() {
        // Every predicate shape the built-in cases use, negated or not.
        let shapes = [
            json!("present"),
            json!("absent"),
            json!({"equals": 1}),
            json!({"not_equals": 1}),
            json!({"one_of": [1, 2]}),
            json!({"matches": "x"}),
            json!({"contains": "x"}),
            json!({"not_contains": "x"}),
            json!({"between": [1, 2]}),
            json!("absolute_url"),
            json!("https_or_loopback_url"),
            json!("non_empty_string"),
            json!("non_empty_array"),
            json!("json_object"),
            json!("scope_list"),
            json!({"same_origin_as": "https://a"}),
            json!({"covers_url": "https://a"}),
        ];
        let vars = Vars::new();
        for shape in shapes {
            for wrapped in [
                shape.clone(),
                json!({ "not": shape.clone() }),
                json!({ "all": shape.clone() }),
                json!({"not": { "all": shape.clone() }}),
                json!({"all": { "not": shape.clone() }}),
            ] {
                let p: Predicate = serde_json::from_value(wrapped.clone()).unwrap();
                for sentence in [p.claim("X", &vars), p.denial("X", &vars)] {
                    let nots = sentence
                        .split(|c: char| !c.is_alphanumeric() && c != '-')
                        .filter(|w| ["not", "non-empty", "none", "no"].contains(w))
                        .count();
                    assert!(nots <= 1, "{wrapped}: {sentence}");
                    assert!(!sentence.contains("is equals"), "{sentence}");
                    assert!(!sentence.contains("is matches"), "{sentence}");
                }
                assert!(
                    p.claim("X", &vars).ends_with(&p.expected(&vars)),
                    "{wrapped}: the claim states the expectation"
                );
            }
        }
    }
}
