//! What the HTML writers show of one case run: its outcome as a labelled badge, and the
//! evidence behind a verdict (requirement, reason, checks, exchanges, the client's run),
//! shared by the run report and the matrix so that both tell it alike.
//!
//! Everything a target sent is bounded here, before it reaches a template: a body is cut
//! to a few KiB, and each page has a byte budget for evidence; past it, an exchange is shown
//! by its one-line summary only. The report JSON keeps it all.

use serde::Serialize;

use crate::vocab::{BaselineMark, CaseReport, Exchange, Outcome};

use super::html_templates::escaped_len;
use super::text::{cut_chars, duration, exchange_line, omitted_exchanges_line, spec_ref};
use super::wire_text::{self, token_text, Cuts};

/// An outcome as shown: a text label (never colour alone) and the CSS class that colours it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Badge {
    /// `FAIL`, or `FAIL (expected)` for a failure the baseline lists.
    pub label: String,
    /// `o-fail`, and `expected` or `stale` for a baseline's mark.
    pub class: String,
    /// The plain outcome (`fail`), which the page's filter reads.
    pub outcome: &'static str,
}

impl Badge {
    pub(crate) fn of_outcome(outcome: Outcome) -> Badge {
        Badge {
            label: outcome.as_str().to_ascii_uppercase(),
            class: format!("o-{}", outcome.as_str()),
            outcome: outcome.as_str(),
        }
    }

    /// A case run's badge: its real outcome, and what the baseline made of it.
    pub(crate) fn of_run(case: &CaseReport) -> Badge {
        let mut badge = Badge::of_outcome(case.outcome);
        match &case.baseline {
            Some(BaselineMark::ExpectedFailure { .. }) => {
                badge.label.push_str(" (expected)");
                badge.class.push_str(" expected");
            }
            Some(BaselineMark::Stale { .. }) => {
                badge.label.push_str(" (stale baseline entry)");
                badge.class.push_str(" stale");
            }
            None => {}
        }
        badge
    }
}

/// Whether a case run gets a detail section: everything that did not simply pass or
/// skip, and a pass that a stale baseline entry makes fail the run.
pub(crate) fn is_detailed(case: &CaseReport) -> bool {
    !matches!(case.outcome, Outcome::Pass | Outcome::Skip)
        || matches!(case.baseline, Some(BaselineMark::Stale { .. }))
}

/// How much evidence text one page may carry, in bytes as escaped into the file.
pub(crate) struct Budget {
    left: usize,
    /// Characters kept of one body (request, response, process output).
    body_limit: usize,
    /// Where the reader finds what a cut left out, e.g. `report.json`.
    full_report: String,
    /// Whether a run's passing checks are listed, or only counted (the matrix).
    passing_checks: bool,
}

impl Budget {
    pub(crate) fn new(bytes: usize, body_limit: usize, full_report: impl Into<String>) -> Budget {
        Budget {
            left: bytes,
            body_limit,
            full_report: full_report.into(),
            passing_checks: true,
        }
    }

    /// The same budget, which lists only the checks that did not pass and counts the rest.
    pub(crate) fn without_passing_checks(self) -> Budget {
        Budget {
            passing_checks: false,
            ..self
        }
    }

    /// A share of what is left for one of `runs` runs still to come, so that every run
    /// gets some room however many there are; give it back with [`Budget::settle`].
    pub(crate) fn share(&self, runs: usize) -> Budget {
        Budget {
            left: self.left / runs.max(1),
            body_limit: self.body_limit,
            full_report: self.full_report.clone(),
            passing_checks: self.passing_checks,
        }
    }

    /// Takes what a share of `granted` bytes used out of this budget.
    pub(crate) fn settle(&mut self, granted: usize, share: Budget) {
        self.left = self.left.saturating_sub(granted.saturating_sub(share.left));
    }

    pub(crate) fn left(&self) -> usize {
        self.left
    }

    /// Takes `text` out of the budget, or returns `None` when it does not fit.
    fn take(&mut self, text: &str) -> Option<()> {
        let cost = escaped_len(text);
        if cost > self.left {
            return None;
        }
        self.left -= cost;
        Some(())
    }

    /// A value shown whatever the budget (a reason, a check's expected and actual), cut to
    /// the body limit; it still counts against the budget.
    fn small(&mut self, text: &str) -> String {
        let text = self.cut(text);
        self.left = self.left.saturating_sub(escaped_len(&text));
        text
    }

    /// `text` cut to the body limit (in characters, never inside a UTF-8 sequence), with a
    /// note saying how much was left out and where the rest is.
    fn cut(&self, text: &str) -> String {
        cut_chars(text, self.body_limit, &self.full_report)
    }
}

/// The evidence of one case run.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RunDetail {
    /// The fragment the tables link to.
    pub anchor: String,
    pub id: String,
    pub title: String,
    pub role: &'static str,
    pub revision: &'static str,
    pub badge: Badge,
    /// Fails, errors and stale entries are shown open; the rest one click away.
    pub open: bool,
    pub requirement: String,
    pub requirement_text: String,
    pub level: &'static str,
    pub scenario: Option<String>,
    pub spec: Vec<String>,
    pub reason: Option<String>,
    /// What the baseline made of the run, in words.
    pub baseline: Option<String>,
    pub checks: Vec<CheckRow>,
    /// Passing checks counted, not listed (the matrix).
    pub hidden_checks: usize,
    pub exchanges: Vec<ExchangeView>,
    /// `N more exchanges are not shown …`, from the report or from the page's budget.
    pub omitted: Vec<String>,
    pub process: Option<ProcessView>,
    pub duration: String,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct CheckRow {
    pub step: String,
    pub description: String,
    pub level: &'static str,
    pub badge: Badge,
    pub expected: String,
    pub actual: String,
    pub why: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ExchangeView {
    pub number: usize,
    pub step: String,
    pub elapsed: String,
    /// `POST http://… -> 401`.
    pub line: String,
    /// The mock endpoint that served it, for a client case.
    pub endpoint: Option<&'static str>,
    /// Request line, headers and body; `None` when the page's budget was spent.
    pub request: Option<String>,
    /// Status, headers and body, or what replaced them.
    pub response: Option<String>,
    /// The decoded token the request carried, as JSON.
    pub token: Option<String>,
    pub token_carried_in: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ProcessView {
    pub command: String,
    pub ended: String,
    pub stdout: String,
    pub stderr: String,
    pub truncated: bool,
    pub notes: Vec<String>,
    pub outlived: Vec<String>,
}

impl ProcessView {
    pub(crate) fn of(p: &crate::vocab::ProcessEvidence, budget: &mut Budget) -> ProcessView {
        ProcessView {
            command: budget.small(&p.command),
            ended: budget.small(&p.ended),
            stdout: budget.small(&p.stdout),
            stderr: budget.small(&p.stderr),
            truncated: p.truncated,
            notes: p.notes.iter().map(|n| budget.small(n)).collect(),
            outlived: p.outlived.iter().map(|n| budget.small(n)).collect(),
        }
    }
}

impl RunDetail {
    /// The evidence of `case`, linked as `anchor`.
    pub(crate) fn of(case: &CaseReport, anchor: String, budget: &mut Budget) -> RunDetail {
        let baseline = case.baseline.as_ref().map(|mark| match mark {
            BaselineMark::ExpectedFailure { entry } => format!(
                "expected failure: the baseline lists it (`{entry}`), so its {} does not \
                 fail the run",
                case.outcome
            ),
            BaselineMark::Stale { entry } => format!(
                "stale baseline entry `{entry}`: the baseline expects a failure, the case \
                 passes, and that fails the run (remove the entry)"
            ),
        });
        let all_checks = budget.passing_checks;
        let shown = |c: &&crate::vocab::CheckReport| all_checks || c.outcome != Outcome::Pass;
        let hidden_checks = case.checks.iter().filter(|c| !shown(c)).count();
        let checks = case
            .checks
            .iter()
            .filter(shown)
            .map(|c| CheckRow {
                step: budget.small(&c.step),
                description: budget.small(&c.description),
                level: c.level.as_str(),
                badge: Badge::of_outcome(c.outcome),
                expected: budget.small(&c.expected),
                actual: budget.small(&c.actual),
                why: c.why.as_deref().map(|w| budget.small(w)),
            })
            .collect();
        let mut exchanges = Vec::new();
        let mut summarised = 0;
        for (i, exchange) in case.exchanges.iter().enumerate() {
            let view = exchange_view(i + 1, exchange, budget);
            if view.request.is_none() {
                summarised += 1;
            }
            exchanges.push(view);
        }
        let mut omitted: Vec<String> = omitted_exchanges_line(case).into_iter().collect();
        if summarised > 0 {
            omitted.push(format!(
                "{summarised} exchanges are shown by their first line only: this page keeps a \
                 bounded amount of evidence; {} has it all",
                budget.full_report
            ));
        }
        RunDetail {
            anchor,
            id: case.id.clone(),
            title: case.title.clone(),
            role: case.role.as_str(),
            revision: case.revision.as_str(),
            badge: Badge::of_run(case),
            open: matches!(case.outcome, Outcome::Fail | Outcome::Error)
                || matches!(case.baseline, Some(BaselineMark::Stale { .. })),
            requirement: case.requirement.clone(),
            requirement_text: case.requirement_text.clone(),
            level: case.level.as_str(),
            scenario: case.scenario.clone(),
            spec: case.spec.iter().map(spec_ref).collect(),
            reason: case.reason.as_deref().map(|r| budget.small(r)),
            baseline,
            checks,
            hidden_checks,
            exchanges,
            omitted,
            process: case.process.as_ref().map(|p| ProcessView::of(p, budget)),
            duration: duration(case.duration_ms),
        }
    }
}

fn exchange_view(number: usize, exchange: &Exchange, budget: &mut Budget) -> ExchangeView {
    let line = budget.small(&exchange_line(exchange));
    let request = request_text(exchange, budget);
    let response = response_text(exchange, budget);
    let token = exchange.sent_token.as_ref().map(token_text);
    let whole = [
        &request,
        &response,
        token.as_ref().unwrap_or(&String::new()),
    ]
    .iter()
    .map(|t| t.as_str())
    .collect::<String>();
    let fits = budget.take(&whole).is_some();
    ExchangeView {
        number,
        step: exchange.step.clone(),
        elapsed: duration(exchange.elapsed_ms),
        line,
        endpoint: exchange.endpoint.map(|e| e.as_str()),
        request: fits.then_some(request),
        response: fits.then_some(response),
        token: if fits { token } else { None },
        token_carried_in: exchange
            .sent_token
            .as_ref()
            .filter(|_| fits)
            .map(|t| t.carried_in.clone()),
    }
}

/// The request as on the wire, bodies and header values cut to the budget's limit.
fn request_text(exchange: &Exchange, budget: &Budget) -> String {
    let cut = |text: &str| budget.cut(text);
    let cuts = Cuts {
        body: &cut,
        header_value: &cut,
    };
    wire_text::request_text(exchange, &cuts)
}

/// The response as on the wire, cut as the request is.
fn response_text(exchange: &Exchange, budget: &Budget) -> String {
    let cut = |text: &str| budget.cut(text);
    let cuts = Cuts {
        body: &cut,
        header_value: &cut,
    };
    wire_text::response_text(exchange, &cuts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outputs::fixture::sample_report;

    #[test]
    fn bodies_are_cut_on_a_character_boundary() {
        let budget = Budget::new(1 << 20, 10, "report.json");
        let cut = budget.cut(&"é".repeat(15));
        assert_eq!(
            cut,
            format!(
                "{}\n[cut at 10 of 15 characters; report.json has the rest]",
                "é".repeat(10)
            )
        );
        assert_eq!(budget.cut("short\n"), "short");
    }

    #[test]
    fn past_the_budget_an_exchange_shows_its_first_line_only() {
        let report = sample_report();
        let case = report
            .cases
            .iter()
            .find(|c| c.outcome == Outcome::Fail)
            .unwrap();
        let mut budget = Budget::new(0, 2_000, "report.json");
        let detail = RunDetail::of(case, "run-1".into(), &mut budget);
        let exchange = &detail.exchanges[0];
        assert!(exchange.request.is_none() && exchange.response.is_none());
        assert!(exchange
            .line
            .starts_with("POST http://127.0.0.1:38080/mcp -> 200"));
        assert!(
            detail.omitted[0].contains("first line only"),
            "{:?}",
            detail.omitted
        );
        // The verdict's own words are never dropped.
        assert_eq!(detail.reason.as_deref(), Some("status is 401: got 200"));
    }
}
