//! Mutation fuzzing of the three parsers that read what a target or a user wrote: the
//! `WWW-Authenticate` parser, the case loader (one case file from its bytes, as the loader
//! reads it) and the JWT view. None of them may panic; the parser must also be
//! deterministic and place its errors inside the input.
//!
//! Deterministic and dependency-free: a seeded xorshift generator mutates the seed corpus in
//! `tests/fuzz-corpus/<target>/` (byte flips, inserted tokens, deep nesting, repeats,
//! truncation, splices). `cargo test` runs a fixed number of inputs per target;
//! `scripts/fuzz --seconds N` runs each target for a time budget
//! (`MCP_AUTHSPEC_FUZZ_SECONDS`, `MCP_AUTHSPEC_FUZZ_TARGET`, `MCP_AUTHSPEC_FUZZ_SEED`).
//! An input that panics (or, under a time budget, runs for more than
//! [`HANG_SECONDS`]) is written to `tests/fuzz-corpus/<target>/crash-<hash>` (`hang-<hash>`)
//! and stays a regression input: every corpus file runs unmutated first.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mcp_authspec::input::parse_case_file;
use mcp_authspec::logic::catalog::Catalog;
use mcp_authspec::logic::jwt_view::{describe, sent_token};
use mcp_authspec::logic::unclosed_flow::unclosed_flow_at;
use mcp_authspec::logic::www_authenticate::parse_challenges;
use mcp_authspec::vocab::{Exchange, HeaderPair};

/// Inputs per target in `cargo test` (each target well under 2 s in a debug build).
const TEST_RUNS: &[(&str, u64)] = &[
    ("www-authenticate", 5_000),
    ("case-loader", 150),
    ("jwt-view", 2_000),
];

/// No input grows past this: a parser's time is bounded by its input, and an error must
/// be an `Err` within it, not a hang.
const MAX_INPUT: usize = 64 * 1024;

/// Under a time budget, an input that runs this long is written out as a hang
/// (`MCP_AUTHSPEC_FUZZ_HANG_SECONDS` changes it).
const HANG_SECONDS: u64 = 10;

/// Tokens that YAML, HTTP auth-params and JSON give a meaning to.
const TOKENS: &[&[u8]] = &[
    b"\"",
    b"\\",
    b",",
    b"=",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b": ",
    b"- ",
    b"\n",
    b"\n  ",
    b"\t",
    b"#",
    b"*&a",
    b"&a ",
    b"*a",
    b"!",
    b"!!binary ",
    b"|",
    b">-",
    b"---\n",
    b"...",
    b"<<: ",
    b"'",
    b"''",
    b"%",
    b"\0",
    b"\r\n",
    b"\xff",
    b"\xc3\x28",
    b"\xe2\x82",
    b" ",
    b"Bearer ",
    b"realm=",
    b"=\"",
    b"\\\"",
    b"token68==",
    b"error=\"",
    b"resource_metadata=",
    b"~",
    b"null",
    b"1e999",
    b"-1",
    b"18446744073709551616",
    b"{target}",
    b"{",
    b"}}",
    b"eyJ",
    b".",
    b"..",
    b"==",
    b"%00",
    b"\xf0\x9f\x98\x80",
];

#[test]
fn the_www_authenticate_parser_never_panics_and_is_deterministic() {
    fuzz("www-authenticate", |input| {
        let text = String::from_utf8_lossy(input);
        // Several field lines, as a response with repeated headers sends them.
        let lines: Vec<&str> = text.split('\n').collect();
        let first = parse_challenges(&lines);
        assert_eq!(first, parse_challenges(&lines), "not deterministic");
        match first {
            Ok(challenges) => {
                for c in &challenges {
                    assert!(!c.scheme.is_empty(), "a challenge without a scheme");
                    let _ = c.to_json();
                }
            }
            Err(e) => {
                let joined = lines.join(", ");
                assert!(
                    e.offset <= joined.len(),
                    "error offset {} past the input ({} bytes)",
                    e.offset,
                    joined.len()
                );
            }
        }
    });
}

#[test]
fn the_case_loader_never_panics() {
    let catalog = Catalog::builtin();
    fuzz("case-loader", |input| {
        let path = fake_path(input);
        match parse_case_file(&path, input, catalog) {
            Ok(case) => assert!(!case.id().is_empty()),
            Err(diagnostics) => {
                assert!(!diagnostics.is_empty(), "an error without a diagnostic");
                for d in &diagnostics {
                    assert!(d.line >= 1 && d.column >= 1, "{d}");
                    let _ = d.to_string();
                }
            }
        }
        // The unclosed-bracket scan runs on texts the parser refused, at any place.
        let text = String::from_utf8_lossy(input);
        let lines = text.lines().count() as u64;
        let _ = unclosed_flow_at(&text, lines / 2 + 1, 1);
        let _ = unclosed_flow_at(&text, lines + 1, u64::MAX);
    });
}

#[test]
fn the_jwt_view_never_panics_and_never_keeps_a_signature() {
    fuzz("jwt-view", |input| {
        let token = String::from_utf8_lossy(input);
        let view = describe("authorization header", &token);
        assert!(
            view.signature == "empty"
                || view.signature.starts_with("[redacted: ")
                || view.signature.starts_with("not a JWT: [redacted: "),
            "{}",
            view.signature
        );
        let bearer = Exchange::request(
            "fuzz",
            "POST",
            "http://127.0.0.1:1/mcp",
            vec![HeaderPair::new("Authorization", format!("Bearer {token}"))],
            None,
        );
        let _ = sent_token(&bearer);
        let encoded = percent_encoded(token.as_bytes());
        let query = Exchange::request(
            "fuzz",
            "GET",
            format!("http://127.0.0.1:1/mcp?access_token={encoded}"),
            vec![HeaderPair::new("Authorization", token.as_ref())],
            None,
        );
        let _ = sent_token(&query);
    });
}

/// Every byte as `%XX`: the token as a query parameter, whatever it holds.
fn percent_encoded(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(bytes.len() * 3);
    for b in bytes {
        out.push('%');
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
    }
    out
}

/// `cases/<id>.yaml` when the input names an id (so validation goes past the id check),
/// else a path no id matches.
fn fake_path(input: &[u8]) -> String {
    let text = String::from_utf8_lossy(input);
    let id = text
        .lines()
        .find_map(|l| l.strip_prefix("id: "))
        .map(str::trim)
        .filter(|id| !id.is_empty() && !id.contains(".."));
    match id {
        Some(id) => format!("cases/{id}.yaml"),
        None => "cases/fuzz/input/unnamed.yaml".to_string(),
    }
}

/// Runs `check` on every corpus input, then on mutations of them, for the target's number
/// of inputs or its time budget; fails naming the files it wrote for panicking inputs.
fn fuzz(target: &str, check: impl Fn(&[u8]) + Sync) {
    let budget = Budget::from_env(target);
    let Some(budget) = budget else {
        return; // `scripts/fuzz --target` chose another target.
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-corpus")
        .join(target);
    let corpus = read_corpus(&dir);
    assert!(!corpus.is_empty(), "no seed inputs in {}", dir.display());
    let mut rng = XorShift::new(budget.seed ^ fnv1a(target.as_bytes()));
    let watchdog = budget.deadline.map(|_| Watchdog::start(dir.clone()));
    let mut crashes: Vec<PathBuf> = Vec::new();
    // An abort (a stack overflow) cannot be caught: under a time budget each input is
    // written here before it runs, and an earlier budgeted run that died left its last one
    // (one `scripts/fuzz` at a time; `cargo test` neither writes nor reads it).
    let current = current_input_file(target);
    let left = budget.deadline.and_then(|_| std::fs::read(&current).ok());
    if let Some(left) = left {
        let file = dir.join(format!("crash-{:016x}", fnv1a(&left)));
        std::fs::write(&file, &left).expect("keep the input an aborted run left");
        let _ = std::fs::remove_file(&current);
        panic!(
            "{target}: an earlier run aborted (a stack overflow?) on the input now kept as {}",
            file.display()
        );
    }
    let started = Instant::now();
    let mut runs = 0u64;
    if budget.deadline.is_some() {
        eprintln!("fuzz {target}: seed {:#x}", budget.seed);
    }
    let run = |input: &[u8], crashes: &mut Vec<PathBuf>| {
        if let Some(w) = &watchdog {
            w.begin(input);
            std::fs::write(&current, input).expect("write the input being checked");
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| check(input)));
        if let Some(w) = &watchdog {
            w.end();
        }
        if outcome.is_err() {
            let file = dir.join(format!("crash-{:016x}", fnv1a(input)));
            std::fs::write(&file, input).expect("write the crashing input");
            if !crashes.contains(&file) {
                crashes.push(file);
            }
        }
    };
    for input in &corpus {
        run(input, &mut crashes);
    }
    loop {
        let done = match budget.deadline {
            Some(deadline) => Instant::now() >= deadline,
            None => runs >= budget.runs,
        };
        if done || crashes.len() >= 20 {
            break;
        }
        let input = mutate(&mut rng, &corpus);
        run(&input, &mut crashes);
        runs += 1;
    }
    if budget.deadline.is_some() {
        let _ = std::fs::remove_file(&current);
    }
    eprintln!(
        "fuzz {target}: {runs} mutated inputs in {:.1} s (seed {:#x}), {} panicking",
        started.elapsed().as_secs_f64(),
        budget.seed,
        crashes.len()
    );
    assert!(
        crashes.is_empty(),
        "{target}: inputs that panic, kept as regression inputs:\n{}",
        crashes
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Where a time-budgeted run keeps the input it is checking: beside the test binary, in
/// the target folder.
fn current_input_file(target: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    let dir = exe
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    dir.join(format!("fuzz-{target}.current"))
}

/// How long a target runs: a fixed number of inputs, or (`MCP_AUTHSPEC_FUZZ_SECONDS`)
/// a time budget with a fresh seed unless `MCP_AUTHSPEC_FUZZ_SEED` names one.
struct Budget {
    runs: u64,
    deadline: Option<Instant>,
    seed: u64,
}

impl Budget {
    fn from_env(target: &str) -> Option<Budget> {
        if let Ok(only) = std::env::var("MCP_AUTHSPEC_FUZZ_TARGET") {
            if !only.is_empty() && only != "all" && only != target {
                return None;
            }
        }
        let runs = TEST_RUNS
            .iter()
            .find(|(t, _)| *t == target)
            .map_or(1_000, |(_, n)| *n);
        let seconds = std::env::var("MCP_AUTHSPEC_FUZZ_SECONDS")
            .ok()
            .and_then(|s| s.parse::<u64>().ok());
        let seed = std::env::var("MCP_AUTHSPEC_FUZZ_SEED")
            .ok()
            .and_then(|s| u64::from_str_radix(s.trim_start_matches("0x"), 16).ok());
        Some(match seconds {
            None => Budget {
                runs,
                deadline: None,
                seed: seed.unwrap_or(0x5eed_f022_c0de_0001),
            },
            Some(s) => Budget {
                runs: u64::MAX,
                deadline: Some(Instant::now() + Duration::from_secs(s)),
                seed: seed.unwrap_or_else(|| {
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(1, |d| d.as_nanos() as u64)
                }),
            },
        })
    }
}

/// The corpus files, sorted by name (regression inputs included).
fn read_corpus(dir: &Path) -> Vec<Vec<u8>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| Some(e.ok()?.path())).collect())
        .unwrap_or_default();
    paths.sort();
    paths
        .iter()
        .filter(|p| p.is_file())
        .map(|p| std::fs::read(p).expect("read a corpus file"))
        .collect()
}

/// One mutation (sometimes a few stacked) of a corpus input, at most [`MAX_INPUT`] bytes.
fn mutate(rng: &mut XorShift, corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut input = corpus[rng.below(corpus.len())].clone();
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        let at = rng.below(input.len() + 1);
        match rng.below(10) {
            0 => {
                if let Some(b) = input.get_mut(at) {
                    *b ^= 1 << rng.below(8);
                }
            }
            1 => {
                if at < input.len() {
                    input[at] = rng.next() as u8;
                }
            }
            2 | 3 => {
                let token = TOKENS[rng.below(TOKENS.len())];
                input.splice(at..at, token.iter().copied());
            }
            4 => {
                let end = (at + rng.below(64)).min(input.len());
                input.drain(at..end);
            }
            5 => input.truncate(at),
            6 => {
                // Deep nesting: openers only, or balanced.
                let deepest = if rng.below(8) == 0 { 2_000 } else { 80 };
                let depth = 1 + rng.below(deepest);
                let (open, close): (&[u8], &[u8]) = match rng.below(4) {
                    0 => (b"[", b"]"),
                    1 => (b"{a: ", b"}"),
                    2 => (b"\"", b"\""),
                    _ => (b"- ", b""),
                };
                let mut nest = open.repeat(depth);
                if rng.below(2) == 0 {
                    nest.extend(close.repeat(depth));
                }
                input.splice(at..at, nest);
            }
            7 => {
                // A huge repeat of a chunk of the input.
                let end = (at + 1 + rng.below(32)).min(input.len());
                if at < end {
                    let chunk = input[at..end].to_vec();
                    // Mostly a few times; now and then up to the input bound.
                    let most = match rng.below(8) {
                        0 => MAX_INPUT / chunk.len().max(1),
                        _ => 16,
                    };
                    let times = 1 + rng.below(most);
                    input.splice(end..end, chunk.repeat(times));
                }
            }
            8 => {
                // Splice: the head of this input, the tail of another.
                let other = &corpus[rng.below(corpus.len())];
                let from = rng.below(other.len() + 1);
                input.truncate(at);
                input.extend_from_slice(&other[from..]);
            }
            _ => {
                // A number where a number may be.
                let n = match rng.below(4) {
                    0 => u64::MAX.to_string(),
                    1 => "-9223372036854775809".to_string(),
                    2 => "0".repeat(1 + rng.below(400)),
                    _ => rng.next().to_string(),
                };
                input.splice(at..at, n.into_bytes());
            }
        }
        input.truncate(MAX_INPUT);
    }
    input
}

/// xorshift64* (Vigna, 2016): enough for mutation choices, reproducible from its seed.
struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> Self {
        XorShift(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// FNV-1a 64: the name of a crash file, stable across runs.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Under a time budget: a thread that writes out the input being checked when it has run
/// for [`HANG_SECONDS`], then aborts the run (a hang cannot be unwound).
struct Watchdog {
    current: Arc<Mutex<Vec<u8>>>,
    /// Milliseconds since `epoch` when the current input began; 0 between inputs.
    began: Arc<AtomicU64>,
    epoch: Instant,
}

impl Watchdog {
    fn start(dir: PathBuf) -> Watchdog {
        let w = Watchdog {
            current: Arc::new(Mutex::new(Vec::new())),
            began: Arc::new(AtomicU64::new(0)),
            epoch: Instant::now(),
        };
        let (current, began, epoch) = (w.current.clone(), w.began.clone(), w.epoch);
        let limit = std::env::var("MCP_AUTHSPEC_FUZZ_HANG_SECONDS")
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(HANG_SECONDS);
        std::thread::spawn(move || loop {
            // Polling is the point of a watchdog: the input it watches signals nothing.
            std::thread::sleep(Duration::from_millis(500));
            let since = began.load(Ordering::SeqCst);
            let now = epoch.elapsed().as_millis() as u64;
            if since != 0 && now.saturating_sub(since) > limit * 1000 {
                let input = current.lock().map(|i| i.clone()).unwrap_or_default();
                let file = dir.join(format!("hang-{:016x}", fnv1a(&input)));
                let _ = std::fs::write(&file, &input);
                eprintln!("an input ran over {limit} s: {}", file.display());
                std::process::abort();
            }
        });
        w
    }

    fn begin(&self, input: &[u8]) {
        if let Ok(mut current) = self.current.lock() {
            current.clear();
            current.extend_from_slice(input);
        }
        let now = (self.epoch.elapsed().as_millis() as u64).max(1);
        self.began.store(now, Ordering::SeqCst);
    }

    fn end(&self) {
        self.began.store(0, Ordering::SeqCst);
    }
}
