//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::logic::case_model::Profile;
use crate::outputs::ReportFormat;
use crate::vocab::{Revision, Role};

#[derive(Debug, Parser)]
#[command(
    name = "mcp-authspec",
    version,
    about = "Conformance suite for MCP authorization"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Test a running MCP server as an OAuth protected resource.
    Server(ServerArgs),
    /// Run every case against the embedded reference implementations and write reports.
    Demo(DemoArgs),
    /// List the cases, one per line: id, level, requirement, revisions, title (tab-separated).
    List(ListArgs),
    /// Explain a case: what it checks, why, and where the spec says so.
    Explain(ExplainArgs),
}

/// Options shared by every command that runs cases.
#[derive(Debug, Args)]
pub struct RunOptions {
    /// Revision to test: 2025-03-26, 2025-06-18, 2025-11-25, 2026-07-28, or `all`.
    #[arg(long, default_value = "2026-07-28", value_parser = parse_revisions)]
    pub revision: RevisionChoice,
    /// `strict` (RFC 9728 §3.3 exact resource match) or `lenient` (same origin, path prefix).
    #[arg(long, default_value = "strict", value_parser = parse_profile)]
    pub profile: Profile,
    /// Report formats to write, comma-separated: json, junit, md.
    #[arg(long, default_value = "json,junit,md", value_parser = parse_formats)]
    pub format: FormatList,
    /// Directory the reports are written to.
    #[arg(long, default_value = "reports")]
    pub out: PathBuf,
    /// How many cases run at once.
    #[arg(long, default_value_t = 8)]
    pub jobs: usize,
    /// Time limit of one case, in seconds.
    #[arg(long, default_value_t = 30)]
    pub case_timeout: u64,
    /// Time limit of one HTTP request, in seconds.
    #[arg(long, default_value_t = 10)]
    pub request_timeout: u64,
    /// Load case files from this directory instead of the built-in cases.
    #[arg(long)]
    pub cases: Option<PathBuf>,
    /// No colours and no progress bar.
    #[arg(long)]
    pub plain: bool,
}

#[derive(Debug, Args)]
pub struct ServerArgs {
    /// The MCP endpoint, e.g. http://127.0.0.1:8080/mcp.
    #[arg(long)]
    pub url: url::Url,
    #[command(flatten)]
    pub run: RunOptions,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub run: RunOptions,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only cases for this role: server, client, authorization-server.
    #[arg(long)]
    pub role: Option<Role>,
    /// Only cases that apply to this revision.
    #[arg(long)]
    pub revision: Option<Revision>,
    /// List the reference server's defects instead of the cases.
    #[arg(long)]
    pub defects: bool,
    #[arg(long)]
    pub cases: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The case id (`server/prm/resource-matches-url`) or test name (`server::prm::…`).
    pub case: String,
    #[arg(long)]
    pub cases: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct RevisionChoice(pub Vec<Revision>);

#[derive(Debug, Clone)]
pub struct FormatList(pub Vec<ReportFormat>);

fn parse_revisions(s: &str) -> Result<RevisionChoice, String> {
    if s == "all" {
        return Ok(RevisionChoice(Revision::ALL.to_vec()));
    }
    s.split(',')
        .map(|r| r.trim().parse::<Revision>().map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, _>>()
        .map(RevisionChoice)
}

fn parse_profile(s: &str) -> Result<Profile, String> {
    s.parse()
}

fn parse_formats(s: &str) -> Result<FormatList, String> {
    ReportFormat::parse_list(s)
        .map(FormatList)
        .map_err(|e| e.to_string())
}
