//! How much of a run's evidence its report keeps. A hostile target decides how much it
//! sends (a 100 MB body, 64 KB headers, a client that floods the mocks), so every report
//! file of any run stays under [`REPORT_FILE_BOUND`]: each case's evidence is first cut to
//! [`CASE_CAPS`] when the case ends (which also bounds the memory of a long run), and when
//! the run's cases together are still too heavy the heaviest are cut further, step by
//! step, until they fit. Ordinary cases are far below every cap and never cut.

use std::io::Write;

use super::evidence_cut::{cut_case, exceeds, EvidenceCaps};
use crate::vocab::CaseReport;

/// The most bytes any report file of a run holds (documented in the README).
pub const REPORT_FILE_BOUND: usize = 16 * 1024 * 1024;

/// What the cases of one report may weigh, as pretty-printed JSON (the heaviest format):
/// the rest of the bound is room for the report's frame and the other formats' markup.
const CASES_BUDGET: usize = 12 * 1024 * 1024;

/// What every case keeps at most, cut when it ends.
pub const CASE_CAPS: EvidenceCaps = EvidenceCaps {
    exchanges: 200,
    body: 64 * 1024,
    headers: 100,
    header_value: 8 * 1024,
    check_value: 4 * 1024,
    output: 16 * 1024,
};

/// Tighter and tighter caps for the heaviest cases of a run that is still over budget.
const TIGHTER: [EvidenceCaps; 4] = [
    EvidenceCaps {
        exchanges: 50,
        body: 8 * 1024,
        headers: 50,
        header_value: 2 * 1024,
        check_value: 2 * 1024,
        output: 4 * 1024,
    },
    EvidenceCaps {
        exchanges: 10,
        body: 1024,
        headers: 30,
        header_value: 512,
        check_value: 1024,
        output: 1024,
    },
    EvidenceCaps {
        exchanges: 3,
        body: 256,
        headers: 20,
        header_value: 256,
        check_value: 512,
        output: 512,
    },
    EvidenceCaps {
        exchanges: 1,
        body: 0,
        headers: 10,
        header_value: 128,
        check_value: 256,
        output: 256,
    },
];

/// Cuts the case to [`CASE_CAPS`] if it exceeds them; says whether it did.
pub fn cap_case(case: &mut CaseReport) -> bool {
    exceeds(case, &CASE_CAPS) && cut_case(case, &CASE_CAPS)
}

/// Cuts the heaviest cases until all of them together fit the budget.
pub fn fit_cases(cases: &mut [CaseReport]) {
    fit_cases_within(cases, CASES_BUDGET);
}

fn fit_cases_within(cases: &mut [CaseReport], budget: usize) {
    for case in cases.iter_mut() {
        cap_case(case);
    }
    let mut weights: Vec<usize> = cases.iter().map(weight).collect();
    let mut total: usize = weights.iter().sum();
    let mut steps = vec![0usize; cases.len()];
    while total > budget {
        // The heaviest case that can still be cut.
        let Some(i) = (0..cases.len())
            .filter(|&i| steps[i] < TIGHTER.len())
            .max_by_key(|&i| weights[i])
        else {
            break;
        };
        cut_case(&mut cases[i], &TIGHTER[steps[i]]);
        steps[i] += 1;
        let now = weight(&cases[i]);
        total = total - weights[i] + now;
        weights[i] = now;
    }
}

/// The bytes the case takes in the JSON report, where it is pretty-printed two levels
/// deep (four more spaces on each line than alone).
fn weight(case: &CaseReport) -> usize {
    struct Count {
        bytes: usize,
        lines: usize,
    }
    impl Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.bytes += buf.len();
            self.lines += buf.iter().filter(|b| **b == b'\n').count();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count { bytes: 0, lines: 0 };
    let _ = serde_json::to_writer_pretty(&mut count, case);
    count.bytes + 4 * count.lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::{Exchange, HeaderPair, Level, Outcome, Revision, Role};

    fn case(id: &str, exchanges: usize, body: usize) -> CaseReport {
        let mut e = Exchange::request(
            "step 1",
            "POST",
            "http://127.0.0.1:1/mcp",
            vec![HeaderPair::new("content-type", "application/json")],
            None,
        );
        e.status = Some(401);
        e.response_body = Some("x".repeat(body));
        CaseReport {
            id: id.into(),
            title: "t".into(),
            role: Role::Server,
            requirement: "RS-401-01".into(),
            scenario: None,
            requirement_text: "r".into(),
            level: Level::MUST,
            revision: Revision::R2025_06_18,
            outcome: Outcome::Fail,
            reason: None,
            spec: Vec::new(),
            checks: Vec::new(),
            exchanges: vec![e; exchanges],
            omitted_exchanges: 0,
            process: None,
            duration_ms: 1,
            baseline: None,
        }
    }

    #[test]
    fn ordinary_cases_are_never_cut() {
        let mut cases = vec![case("a", 12, 2_000), case("b", 3, 500)];
        let before = cases.clone();
        fit_cases(&mut cases);
        assert_eq!(cases, before);
    }

    #[test]
    fn a_case_over_its_caps_is_cut_when_it_ends_and_says_so() {
        let mut c = case("a", 600, 100 * 1024);
        assert!(cap_case(&mut c));
        assert_eq!(c.exchanges.len(), CASE_CAPS.exchanges);
        assert_eq!(c.omitted_exchanges, 400);
        let body = c.exchanges[0].response_body.as_deref().unwrap();
        assert!(body.ends_with("[cut for the report: 102400 bytes in all]"));
        assert!(c.exchanges[0].response_truncated);
        assert!(!cap_case(&mut c), "cutting again changes nothing");
    }

    #[test]
    fn the_heaviest_cases_are_cut_first_until_the_run_fits() {
        let mut cases: Vec<CaseReport> = (0..20)
            .map(|i| case(&format!("small-{i}"), 5, 1_000))
            .collect();
        cases.push(case("heavy", 200, 60 * 1024));
        let small_before = cases[0].clone();
        let budget = 1024 * 1024;
        fit_cases_within(&mut cases, budget);
        let total: usize = cases.iter().map(weight).sum();
        assert!(total <= budget, "{total}");
        assert_eq!(cases[0], small_before, "light cases keep their evidence");
        assert!(cases[20].omitted_exchanges > 0);
    }

    #[test]
    fn the_tightest_caps_bound_any_case() {
        // Whatever a hostile target sent, a case at the last step weighs a few KiB.
        let mut c = case("hostile", 200, 64 * 1024);
        c.exchanges[0].response_headers =
            vec![HeaderPair::new("www-authenticate", "y".repeat(8 * 1024)); 100];
        cap_case(&mut c);
        for caps in &TIGHTER {
            cut_case(&mut c, caps);
        }
        assert!(weight(&c) < 8 * 1024, "{}", weight(&c));
    }
}
