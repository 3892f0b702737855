//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::logic::case_selection::CaseFilter;
use crate::logic::partition::{ParsePartitionError, Partition};
use crate::outputs::ReportFormat;
use crate::transport::ConnectionPolicy;
use crate::vocab::{parse_extensions, Extension, Level, Profile, Revision, Role};

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
    /// Test an MCP client: it is run once per case against fresh mocks.
    Client(ClientArgs),
    /// Test an OAuth authorization server as MCP clients rely on it.
    AuthorizationServer(AuthorizationServerArgs),
    /// Run every case against the embedded reference implementations and write reports.
    Demo(DemoArgs),
    /// List the cases, one per line: id, level, requirement, revisions, title (tab-separated).
    List(ListArgs),
    /// Explain a case: what it checks, why, and where the spec says so.
    Explain(ExplainArgs),
    /// Merge the reports of a partitioned run's shards (`--partition K/N`) into one
    /// report, write it, and exit with the whole run's exit code.
    Merge(MergeArgs),
    /// Print which cases cover each requirement, clause and revision, and why the
    /// uncovered ones have none (Markdown or JSON).
    Coverage(CoverageArgs),
    /// A headless browser for an authorization URL: follows the server's redirects,
    /// delivers the final one to a loopback client, and prints where it went.
    OpenUrl(OpenUrlArgs),
    /// Several run reports side by side: matrix.html and matrix.md, one column per
    /// implementation, one row per case, and the evidence of every run that did not pass.
    Matrix(MatrixArgs),
    /// Run one of the suite's mocks on its own, for debugging an implementation by hand.
    #[command(subcommand)]
    Mock(MockCommand),
    /// Run one of the suite's reference implementations on its own.
    #[command(subcommand)]
    Reference(ReferenceCommand),
}

#[derive(Debug, Args)]
pub struct OpenUrlArgs {
    /// The authorization URL.
    pub url: String,
}

#[derive(Debug, Subcommand)]
pub enum MockCommand {
    /// The mock identity provider: metadata, JWKS, registration, authorization, token and
    /// introspection endpoints on 127.0.0.1. Prints its issuer and serves until stopped.
    Idp(MockIdpArgs),
}

#[derive(Debug, Args)]
pub struct MockIdpArgs {
    /// Loopback port to listen on (0: any free port).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// A path for the issuer identifier, e.g. /tenant1.
    #[arg(long)]
    pub issuer_path: Option<String>,
    /// Make the IdP misbehave in this way (repeatable; see `list --idp-defects`).
    #[arg(long = "defect")]
    pub defects: Vec<crate::vocab::IdpDefect>,
    /// Also print a valid access token for this resource (the MCP server URL).
    #[arg(long)]
    pub token_for: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReferenceClientArgs {
    /// The MCP server URL (the conformance launch protocol's last argument).
    pub url: String,
    /// Open the authorization URL with $BROWSER and wait on a loopback callback,
    /// instead of fetching it.
    #[arg(long)]
    pub browser: bool,
    /// Make the client misbehave in this way (repeatable; see `list --client-defects`).
    #[arg(long = "defect")]
    pub defects: Vec<crate::vocab::ClientDefect>,
}

#[derive(Debug, Subcommand)]
pub enum ReferenceCommand {
    /// The reference MCP client: discovers, authorizes, lists and calls a tool.
    Client(ReferenceClientArgs),
    /// The reference MCP server, trusting the issuer given. Prints its URL and serves
    /// until stopped; `server --command` can drive it like any vendor's server.
    Server(ReferenceServerArgs),
}

#[derive(Debug, Args)]
pub struct ReferenceServerArgs {
    /// Loopback port to listen on (0: any free port).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// The issuer to trust; its metadata is read at start (RFC 8414, then OIDC).
    #[arg(long)]
    pub issuer: String,
    /// Validate tokens by RFC 7662 introspection instead of the JWKS.
    #[arg(long)]
    pub introspection: bool,
    /// Make the server misbehave in this way (repeatable; see `list --defects`).
    #[arg(long = "defect")]
    pub defects: Vec<crate::vocab::ServerDefect>,
    /// Offer the `fetch_upstream` tool, which calls this upstream API (e.g. `{upstream}`
    /// under `server --command`).
    #[arg(long)]
    pub upstream: Option<String>,
    /// A scope hierarchy to honour, `BROADER=NARROWER` (repeatable), e.g. mcp:admin=mcp:tools.
    #[arg(long = "scope-implies", value_parser = parse_scope_implication)]
    pub scope_implies: Vec<(String, String)>,
    /// Offer the per-user resource `mcp-authspec://whoami`.
    #[arg(long)]
    pub per_user_resource: bool,
}

fn parse_scope_implication(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((b, n)) if !b.trim().is_empty() && !n.trim().is_empty() => {
            Ok((b.trim().to_string(), n.trim().to_string()))
        }
        _ => Err(format!(
            "`{text}`: write BROADER=NARROWER, e.g. mcp:admin=mcp:tools"
        )),
    }
}

/// `--jobs` when not given: twice the CPU cores this process may use, at least 2. Client
/// runs are CPU-bound (the clients' starts): on 2 cores, 4 at once ran 18 % faster and
/// used 17 % less CPU than 8 (README, "Benchmark").
pub fn default_jobs() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get() * 2)
        .unwrap_or(2)
        .max(2)
}

/// The report formats a run (and `merge`) writes unless `--format` says otherwise.
pub const DEFAULT_FORMATS: &str = "json,junit,md,html";

/// Options shared by every command that runs cases.
#[derive(Debug, Args)]
pub struct RunOptions {
    // The help names every revision of the table (`revision_help`).
    #[arg(
        long,
        default_value = Revision::LATEST.as_str(),
        value_parser = parse_revisions,
        help = revision_help()
    )]
    pub revision: RevisionChoice,
    /// `strict` (RFC 9728 §3.3 exact resource match) or `lenient` (same origin, path prefix).
    #[arg(long, default_value = "strict", value_parser = parse_profile)]
    pub profile: Profile,
    /// Report formats to write, comma-separated: json, junit, md, html.
    #[arg(long, default_value = DEFAULT_FORMATS, value_parser = parse_formats)]
    pub format: FormatList,
    /// Directory the reports are written to.
    #[arg(long, default_value = "reports")]
    pub out: PathBuf,
    /// How many cases run at once [default: twice the CPU cores this process may use]. A
    /// client run is CPU-bound (the client's start), and beyond twice the cores only adds
    /// CPU; server and authorization-server runs also cap their requests in flight per
    /// target.
    #[arg(long)]
    pub jobs: Option<usize>,
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
    // Baselines of expected failures (README, "Baselines of expected failures").
    /// A YAML baseline of expected failures (the official suite's expected-failures
    /// format; our case ids too): its failures do not fail the run, and an entry whose
    /// runs all pass fails it as stale. A bad file is a usage error (exit 2).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write a baseline listing every failing run of this run (for --baseline later);
    /// the run's exit code stays as it is.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    // Live progress and the console's detail (see `progress` and `outputs::console`).
    /// Live progress: `bar` (on standard error), `lines` (one line per finished case on
    /// standard output, and every 10 s the cases still running), `off`; `auto`: the bar
    /// when standard output and standard error are both terminals and --plain is not
    /// given, lines otherwise.
    #[arg(long, value_enum, default_value_t = ProgressMode::Auto)]
    pub progress: ProgressMode,
    /// Seconds between the heartbeat lines of `--progress lines` (for tests).
    #[arg(long, default_value_t = 10, hide = true)]
    pub heartbeat_secs: u64,
    /// In the console report, one line per skipped case instead of one per reason.
    #[arg(long)]
    pub verbose: bool,
    #[command(flatten)]
    pub select: SelectionArgs,
}

/// How a run shows its progress while it goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProgressMode {
    Auto,
    Bar,
    Lines,
    Off,
}

/// Which cases run: filters (different flags AND, repeats OR) and a CI shard. A value
/// that selects no case at all is an error (exit 2), so that a typo never runs nothing
/// or everything.
#[derive(Debug, Clone, Default, Args)]
pub struct SelectionArgs {
    /// Only cases whose id matches this glob (`*` any characters, `/` included; `?` one),
    /// e.g. `client/pkce/*`; a test name (`client::pkce::s256-pair`) works too. Repeatable.
    #[arg(long = "case", value_name = "PATTERN")]
    pub case_patterns: Vec<String>,
    /// Leave out the cases whose id matches this glob (after the other filters). Repeatable.
    #[arg(long = "exclude", value_name = "PATTERN")]
    pub exclude_patterns: Vec<String>,
    /// Only cases of a requirement matching this glob, e.g. `RS-PRM-*`. Repeatable.
    #[arg(long = "requirement", value_name = "ID")]
    pub requirement_patterns: Vec<String>,
    /// Only cases of this level: MUST, SHOULD or MAY. Repeatable.
    #[arg(long = "level", value_name = "LEVEL", value_parser = parse_level)]
    pub level_filter: Vec<Level>,
    /// Only the cases of this official conformance-suite scenario (`list --scenarios`),
    /// e.g. `auth/metadata-default`. Repeatable.
    #[arg(long = "scenario", value_name = "NAME")]
    pub scenario_names: Vec<String>,
    /// Also run the cases of these authorization extensions (`list --extensions`), e.g.
    /// `client-credentials`, or `all`; comma-separated or repeated. Without it only the
    /// core protocol is tested: extensions are optional for implementations.
    #[arg(long = "extension", value_name = "NAME[,NAME…]|all", value_parser = parse_extensions)]
    pub extensions: Vec<Vec<Extension>>,
    /// Run one stable share of the selected cases, for a CI matrix: `hash:K/N` (by a hash
    /// of each case) or `count:K/N` (round-robin). Every revision of a case, and every
    /// case of a scenario the baseline lists as a whole, lands in the same shard; `merge`
    /// puts the shards' reports back together.
    #[arg(long, value_name = "hash:K/N", value_parser = parse_partition)]
    pub partition: Option<Partition>,
}

impl SelectionArgs {
    /// The extensions enabled, each once, in extension order.
    pub fn enabled_extensions(&self) -> Vec<Extension> {
        let mut all: Vec<Extension> = self.extensions.iter().flatten().copied().collect();
        all.sort();
        all.dedup();
        all
    }

    pub fn filter(&self) -> CaseFilter {
        CaseFilter {
            cases: self.case_patterns.clone(),
            exclude: self.exclude_patterns.clone(),
            requirements: self.requirement_patterns.clone(),
            levels: self.level_filter.clone(),
            scenarios: self.scenario_names.clone(),
        }
    }
}

fn parse_level(s: &str) -> Result<Level, String> {
    match s.trim().to_ascii_uppercase().as_str() {
        "MUST" => Ok(Level::MUST),
        "SHOULD" => Ok(Level::SHOULD),
        "MAY" => Ok(Level::MAY),
        _ => Err(format!("`{s}` is not a level: write MUST, SHOULD or MAY")),
    }
}

fn parse_partition(s: &str) -> Result<Partition, String> {
    s.parse().map_err(|e: ParsePartitionError| e.to_string())
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("target").required(true).args(["url", "command"])))]
pub struct ServerArgs {
    /// The MCP endpoint of a running server, e.g. http://127.0.0.1:8080/mcp.
    #[arg(long)]
    pub url: Option<url::Url>,
    /// Start the server under test with this command, after starting the suite's IdP,
    /// so that every token case can run. Placeholders: {port} {issuer} {jwks_uri}
    /// {introspection_endpoint} {resource} {upstream} (also as MCP_AUTHSPEC_PORT, …
    /// variables).
    #[arg(long, conflicts_with = "url")]
    pub command: Option<String>,
    /// With --command: the path of the MCP endpoint on the started server.
    #[arg(long, default_value = "/mcp", requires = "command")]
    pub path: String,
    /// With --command: seconds to wait for the server's port to accept connections.
    #[arg(long, default_value_t = 30, requires = "command")]
    pub startup_timeout: u64,
    /// With --url: a valid access token for the server, which enables the token cases
    /// that need no minting (valid token, altered signature, token in the query, …).
    /// Opaque tokens may begin with `-` (base64url), so the value is taken as it is.
    #[arg(long, conflicts_with = "command", allow_hyphen_values = true)]
    pub token: Option<String>,
    /// The scope a valid minted token grants (what the server requires for tools/list).
    #[arg(long, default_value = "mcp:tools")]
    pub scope: String,
    /// TOML: the fixtures the server offers for the cases that need them: [tools]
    /// upstream (calls {upstream}) and per_user, [scopes] implies (a scope hierarchy).
    /// Without it those cases are skipped, naming the key to set.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// With --command: the server is an OAuth proxy (MCP Security Best Practices,
    /// "Confused Deputy Problem"); the suite's IdP is its third-party authorization
    /// server. More placeholders: {upstream_issuer} {upstream_client_id}
    /// {upstream_client_secret}. Without it the proxy cases are skipped.
    #[arg(long, requires = "command")]
    pub oauth_proxy: bool,
    #[command(flatten)]
    pub transport: ConnectionArgs,
    #[command(flatten)]
    pub run: RunOptions,
}

#[derive(Debug, Args)]
pub struct ClientArgs {
    /// The client's command line. The mock MCP server's URL is appended as the last
    /// argument; MCP_CONFORMANCE_SCENARIO, MCP_CONFORMANCE_PROTOCOL_VERSION and
    /// MCP_CONFORMANCE_CONTEXT are set, as the official conformance suite does.
    #[arg(long)]
    pub command: String,
    /// Do not put the headless-browser shim (xdg-open, BROWSER) in the client's
    /// environment.
    #[arg(long)]
    pub no_browser_shim: bool,
    /// Run the client once per case, even for cases whose mocks, scenario and context are
    /// the same (by default such cases share one run and each judges it).
    #[arg(long)]
    pub no_share: bool,
    #[command(flatten)]
    pub run: RunOptions,
}

#[derive(Debug, Args)]
pub struct AuthorizationServerArgs {
    /// The issuer identifier, e.g. https://auth.example.com or https://idp.example/tenant1,
    /// kept exactly as given (a trailing slash makes a different issuer).
    #[arg(long, value_parser = parse_url_text)]
    pub issuer: String,
    /// TOML: a pre-registered client, the resource and scope to request, and the consent
    /// strategy (auto, form, command). Without it the run registers a public client via
    /// DCR and expects immediate approval.
    #[arg(long)]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub transport: ConnectionArgs,
    #[command(flatten)]
    pub run: RunOptions,
}

/// How the harness connects to a server or an authorization server (issue 15).
#[derive(Debug, Args)]
pub struct ConnectionArgs {
    /// auto: a fresh connection per request to a loopback target (free there, and a
    /// kept-alive connection to a server that writes headers and body apart waits ~40 ms
    /// an answer), kept-alive connections elsewhere; fresh: always new; reuse: always
    /// kept alive. Verdicts do not depend on it.
    #[arg(long, value_name = "auto|fresh|reuse", default_value = "auto", value_parser = parse_connections)]
    pub connections: ConnectionPolicy,
}

fn parse_connections(s: &str) -> Result<ConnectionPolicy, String> {
    s.parse()
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
    /// List the mock IdP's defects instead of the cases.
    #[arg(long)]
    pub idp_defects: bool,
    /// List the reference client's defects instead of the cases.
    #[arg(long)]
    pub client_defects: bool,
    /// List the mock MCP server's conformant variations (client cases) instead of the cases.
    #[arg(long)]
    pub server_knobs: bool,
    /// List the mock IdP's conformant variations (client cases) instead of the cases.
    #[arg(long)]
    pub idp_knobs: bool,
    /// List the reference client's conformant variations instead of the cases.
    #[arg(long)]
    pub client_knobs: bool,
    /// List the official conformance suite's client scenarios a client case may name.
    #[arg(long)]
    pub scenarios: bool,
    /// List the authorization extensions `--extension` takes: name, identifier, the text
    /// their cases cite, and the official scenarios they stand beside.
    #[arg(long = "extensions")]
    pub list_extensions: bool,
    #[arg(long)]
    pub cases: Option<PathBuf>,
    /// The cases a run with these filters and this partition would select.
    #[command(flatten)]
    pub select: SelectionArgs,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shards' reports: each a report folder (a run's --out) or a report.json file.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Report formats to write, comma-separated, as for a run.
    #[arg(long, default_value = DEFAULT_FORMATS, value_parser = parse_formats)]
    pub format: FormatList,
    /// Directory the merged reports are written to.
    #[arg(long, default_value = "reports")]
    pub out: PathBuf,
    /// No colours.
    #[arg(long)]
    pub plain: bool,
}

#[derive(Debug, Args)]
pub struct CoverageArgs {
    /// `markdown` (the committed `docs/coverage.md`) or `json`.
    #[arg(long, default_value = "markdown")]
    pub format: CoverageFormat,
    /// Write the report to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Exit 1 when a core requirement has no case in a revision it applies to, or a
    /// MUST-level clause no case at all, and the catalog gives no reason.
    #[arg(long)]
    pub check: bool,
    #[arg(long)]
    pub cases: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CoverageFormat {
    Markdown,
    Json,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The case id (`server/prm/resource-matches-url`) or test name (`server::prm::…`).
    pub case: String,
    #[arg(long)]
    pub cases: Option<PathBuf>,
}

// `matrix`: several reports side by side.
#[derive(Debug, Args)]
pub struct MatrixArgs {
    /// The report.json files of the runs, one per implementation (column).
    pub reports: Vec<PathBuf>,
    /// NAME=PATH: the column name of report PATH (repeatable; PATH is added when it is not
    /// listed). Without it a column is named after the report's target, else its folder.
    #[arg(long = "name", value_name = "NAME=PATH", value_parser = parse_name)]
    pub names: Vec<(String, PathBuf)>,
    /// Directory matrix.html and matrix.md are written to.
    #[arg(long, default_value = "reports")]
    pub out: PathBuf,
}

/// `NAME=PATH` of `matrix --name`.
fn parse_name(text: &str) -> Result<(String, PathBuf), String> {
    match text.split_once('=') {
        Some((name, path)) if !name.trim().is_empty() && !path.trim().is_empty() => {
            Ok((name.trim().to_string(), PathBuf::from(path.trim())))
        }
        _ => Err(format!(
            "`{text}`: write NAME=PATH, e.g. typescript-sdk=reports/ts/report.json"
        )),
    }
}

#[derive(Debug, Clone)]
pub struct RevisionChoice(pub Vec<Revision>);

#[derive(Debug, Clone)]
pub struct FormatList(pub Vec<ReportFormat>);

/// The help of `--revision`: every revision, then `all`.
fn revision_help() -> String {
    format!("Revision to test: {}, or `all`", Revision::names_for_help())
}

fn parse_revisions(s: &str) -> Result<RevisionChoice, String> {
    if s == "all" {
        return Ok(RevisionChoice(Revision::ALL.to_vec()));
    }
    s.split(',')
        .map(|r| r.trim().parse::<Revision>().map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, _>>()
        .map(RevisionChoice)
}

/// A URL, kept as the text given.
fn parse_url_text(s: &str) -> Result<String, String> {
    url::Url::parse(s)
        .map(|_| s.to_string())
        .map_err(|e| e.to_string())
}

fn parse_profile(s: &str) -> Result<Profile, String> {
    s.parse()
}

fn parse_formats(s: &str) -> Result<FormatList, String> {
    ReportFormat::parse_list(s)
        .map(FormatList)
        .map_err(|e| e.to_string())
}
