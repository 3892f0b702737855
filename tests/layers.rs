//! The layers of the crate (ARCHITECTURE.md, "Layers"), checked from the source: every
//! `crate::`/`super::`/`self::` path a module names must point to its own layer or a lower
//! one, and no two files may import each other, directly or through others. Paths that go
//! through a `mod.rs` re-export count as imports of the file that defines the item, so a
//! folder's files cannot hide a circle behind their `mod.rs`. Test-only modules (files
//! named `tests.rs` or `*_tests.rs`, files under a `*_tests/` folder, inline
//! `#[cfg(test)] mod … { … }`) are left out: tests may reach anywhere.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layer of each top-level module; arrows point down (to a lower or equal number).
const LAYERS: &[(&str, u8)] = &[
    ("vocab", 0),
    ("logic", 1),
    ("transport", 2),
    ("input", 2),
    ("actors", 3),
    ("engine", 4),
    ("outputs", 5),
    ("cli", 5),
    ("harness", 5),
];

/// Pairs of modules that may not import the first from the second, beyond the layer
/// order: the writers read only the vocabulary; mocks and reference implementations
/// never use the drivers that exercise targets; the two entry points stay independent.
const FORBIDDEN: &[(&str, &str, &str)] = &[
    ("outputs", "logic", "report writers read only layer-0 types"),
    (
        "outputs",
        "transport",
        "report writers read only layer-0 types",
    ),
    ("outputs", "input", "report writers read only layer-0 types"),
    (
        "outputs",
        "actors",
        "report writers read only layer-0 types",
    ),
    (
        "outputs",
        "engine",
        "report writers read only layer-0 types",
    ),
    (
        "actors::idp",
        "actors::drivers",
        "mocks never import drivers",
    ),
    (
        "actors::reference",
        "actors::drivers",
        "mocks never import drivers",
    ),
    (
        "actors::reference_client",
        "actors::drivers",
        "references never import drivers",
    ),
    (
        "actors::tokens",
        "actors::drivers",
        "mocks never import drivers",
    ),
    (
        "cli",
        "harness",
        "the CLI and the cargo-test harness are separate entry points",
    ),
    (
        "harness",
        "cli",
        "the CLI and the cargo-test harness are separate entry points",
    ),
];

struct Module {
    file: PathBuf,
    /// `mod.rs` (or the crate root): paths through it are resolved to the defining file.
    is_folder: bool,
    source: String,
}

fn main_modules() -> BTreeMap<String, Module> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut modules = BTreeMap::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src is readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                if !path
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .ends_with("_tests")
                {
                    stack.push(path);
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(&root).unwrap().with_extension("");
            let mut parts: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let last = parts.last().cloned().unwrap_or_default();
            if last == "tests" || last.ends_with("_tests") || last == "main" {
                continue;
            }
            let is_folder = last == "mod" || (parts.len() == 1 && last == "lib");
            if is_folder {
                parts.pop();
            }
            let source = without_test_modules(&std::fs::read_to_string(&path).unwrap());
            modules.insert(
                parts.join("::"),
                Module {
                    file: path,
                    is_folder,
                    source,
                },
            );
        }
    }
    modules
}

/// The source without inline `#[cfg(test)] mod name { … }` blocks and without comments.
fn without_test_modules(source: &str) -> String {
    let code: String = source
        .lines()
        .map(|l| match l.find("//") {
            Some(i) if !l[..i].contains('"') => &l[..i],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = String::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "#[cfg(test)]".len()..];
        let open = after.find('{');
        let semi = after.find(';');
        match (open, semi) {
            (Some(o), s) if s.is_none_or(|s| o < s) => {
                let mut depth = 0usize;
                let mut end = after.len();
                for (i, ch) in after.char_indices().skip(o) {
                    match ch {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = i + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                rest = &after[end..];
            }
            (_, Some(s)) => rest = &after[s + 1..],
            _ => rest = "",
        }
    }
    out.push_str(rest);
    out
}

/// Every path the source names from `crate`, `super` or `self`, as absolute module paths
/// (`a::b::Item`); grouped `use` trees are flattened.
fn paths_named(module: &str, source: &str) -> Vec<String> {
    let here: Vec<&str> = if module.is_empty() {
        Vec::new()
    } else {
        module.split("::").collect()
    };
    let mut out = Vec::new();
    let bytes = source.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let starts = ["crate::", "super::", "self::"]
            .iter()
            .find(|p| bytes[i..].starts_with(p.as_bytes()))
            .copied();
        let boundary = i == 0
            || !(bytes[i - 1].is_ascii_alphanumeric()
                || bytes[i - 1] == b'_'
                || bytes[i - 1] == b':');
        let Some(prefix) = starts.filter(|_| boundary) else {
            i += 1;
            continue;
        };
        // The whole path, braces included.
        let mut j = i;
        let mut depth = 0i32;
        while j < bytes.len() {
            let c = bytes[j] as char;
            if c == '{' {
                depth += 1;
            } else if c == '}' {
                if depth == 0 {
                    break;
                }
                depth -= 1;
            } else if (depth == 0 && !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                || (depth > 0 && c == ';')
            {
                break;
            }
            j += 1;
        }
        let text = normalized(&source[i..j]);
        i = j.max(i + prefix.len());
        for path in flatten(&text) {
            let mut segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
            let mut base: Vec<&str> = match segments.first() {
                Some(&"crate") => {
                    segments.remove(0);
                    Vec::new()
                }
                _ => here.clone(),
            };
            while let Some(first) = segments.first() {
                match *first {
                    "super" => {
                        base.pop();
                        segments.remove(0);
                    }
                    "self" => {
                        segments.remove(0);
                    }
                    _ => break,
                }
            }
            base.extend(segments);
            out.push(base.join("::"));
        }
    }
    out
}

/// Whitespace collapsed to single spaces, none around `::`, braces and commas, so that
/// `x as y` keeps its spaces and nothing else has any.
fn normalized(text: &str) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = collapsed;
    for token in ["::", "{", "}", ","] {
        out = out
            .replace(&format!(" {token}"), token)
            .replace(&format!("{token} "), token);
    }
    out
}

/// `a::{b, c::{d, e}}` → `a::b`, `a::c::d`, `a::c::e` (`self` inside braces names `a`).
fn flatten(text: &str) -> Vec<String> {
    let Some(open) = text.find('{') else {
        return vec![text.split(" as ").next().unwrap_or(text).to_string()];
    };
    let prefix = &text[..open];
    let inner = &text[open + 1..text.rfind('}').unwrap_or(text.len())];
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut current = String::new();
    for c in inner.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => {}
        }
        if c == ',' && depth == 0 {
            parts.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    parts.push(current);
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .flat_map(|p| {
            let p = p.split(" as ").next().map(str::to_string).unwrap_or(p);
            if p == "self" {
                vec![prefix.trim_end_matches(':').to_string()]
            } else {
                flatten(&format!("{prefix}{p}"))
            }
        })
        .collect()
}

/// Which `pub use` of a folder's `mod.rs` defines each name: `(folder, name) → module`.
fn re_exports(modules: &BTreeMap<String, Module>) -> BTreeMap<(String, String), String> {
    let mut map = BTreeMap::new();
    for (name, m) in modules.iter().filter(|(_, m)| m.is_folder) {
        for statement in m.source.split(';') {
            let s = normalized(statement);
            let Some(at) = s.find("pub use ") else {
                continue;
            };
            let tree = &s[at + "pub use ".len()..];
            if tree.starts_with("crate::") {
                continue;
            }
            for path in flatten(tree) {
                let segments: Vec<&str> = path.split("::").collect();
                let Some((item, child)) = segments.split_last() else {
                    continue;
                };
                let mut defining = if name.is_empty() {
                    Vec::new()
                } else {
                    vec![name.as_str()]
                };
                defining.extend(child);
                map.insert((name.clone(), (*item).to_string()), defining.join("::"));
            }
        }
    }
    map
}

/// The file a path ends up in: the longest module prefix, then through re-exports of a
/// folder. `None` for paths outside the crate's modules.
fn resolve(
    path: &str,
    modules: &BTreeMap<String, Module>,
    exports: &BTreeMap<(String, String), String>,
) -> Option<String> {
    let segments: Vec<&str> = path.split("::").collect();
    for n in (1..=segments.len()).rev() {
        let candidate = segments[..n].join("::");
        let Some(m) = modules.get(&candidate) else {
            continue;
        };
        if m.is_folder {
            if let Some(next) = segments.get(n) {
                if let Some(defining) = exports.get(&(candidate.clone(), next.to_string())) {
                    let rest = segments[n + 1..].join("::");
                    let full = if rest.is_empty() {
                        defining.clone()
                    } else {
                        format!("{defining}::{rest}")
                    };
                    if full != path {
                        return resolve(&full, modules, exports).or(Some(candidate));
                    }
                }
            }
        }
        return Some(candidate);
    }
    None
}

fn layer_of(module: &str) -> Option<u8> {
    let top = module.split("::").next()?;
    LAYERS
        .iter()
        .find(|(name, _)| *name == top)
        .map(|(_, l)| *l)
}

fn within(module: &str, prefix: &str) -> bool {
    module == prefix || module.starts_with(&format!("{prefix}::"))
}

/// Every (importer, imported) pair of files.
fn import_graph() -> (BTreeMap<String, Module>, BTreeMap<String, BTreeSet<String>>) {
    let modules = main_modules();
    let exports = re_exports(&modules);
    let mut graph = BTreeMap::new();
    for (name, m) in &modules {
        let mut targets = BTreeSet::new();
        for path in paths_named(name, &m.source) {
            if let Some(target) = resolve(&path, &modules, &exports) {
                if &target != name && !target.is_empty() {
                    targets.insert(target);
                }
            }
        }
        graph.insert(name.clone(), targets);
    }
    (modules, graph)
}

#[test]
fn every_import_points_down() {
    let (modules, graph) = import_graph();
    let mut wrong = Vec::new();
    for (from, targets) in &graph {
        let Some(from_layer) = layer_of(from) else {
            continue;
        };
        for to in targets {
            let Some(to_layer) = layer_of(to) else {
                continue;
            };
            if to_layer > from_layer {
                wrong.push(format!(
                    "{} (layer {from_layer}) imports {to} (layer {to_layer})",
                    modules[from].file.display()
                ));
            }
            for (a, b, why) in FORBIDDEN {
                if within(from, a) && within(to, b) {
                    wrong.push(format!(
                        "{} imports {to}: {why}",
                        modules[from].file.display()
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_two_files_import_each_other() {
    let (modules, graph) = import_graph();
    // Tarjan's strongly connected components over the files (folders' `mod.rs` files
    // only re-export, so arrows into them were resolved to the defining files above).
    let files: Vec<&String> = graph.keys().filter(|m| !modules[*m].is_folder).collect();
    let index_of: BTreeMap<&String, usize> =
        files.iter().enumerate().map(|(i, f)| (*f, i)).collect();
    let edges: Vec<Vec<usize>> = files
        .iter()
        .map(|f| {
            graph[*f]
                .iter()
                .filter_map(|t| index_of.get(t).copied())
                .collect()
        })
        .collect();
    let circles = strongly_connected(&edges)
        .into_iter()
        .filter(|c| c.len() > 1)
        .map(|c| {
            let mut names: Vec<&str> = c.iter().map(|i| files[*i].as_str()).collect();
            names.sort();
            names.join(" ↔ ")
        })
        .collect::<Vec<_>>();
    assert!(
        circles.is_empty(),
        "import circles between files:\n{}",
        circles.join("\n")
    );
}

#[test]
fn the_checker_sees_a_circle_and_an_upward_import() {
    // Positive control: the parser finds grouped, nested and `super` paths.
    let paths = paths_named(
        "engine::runner",
        "use super::case_run::{run_case, CaseContext};\nuse crate::logic::{a::B, c::{D, E}};\nlet x = crate::actors::idp::Client::new();",
    );
    for expected in [
        "engine::case_run::run_case",
        "engine::case_run::CaseContext",
        "logic::a::B",
        "logic::c::D",
        "logic::c::E",
        "actors::idp::Client::new",
    ] {
        assert!(
            paths.iter().any(|p| p == expected),
            "{expected} in {paths:?}"
        );
    }
    let circle = strongly_connected(&[vec![1], vec![2], vec![0], vec![]]);
    assert!(circle.iter().any(|c| c.len() == 3));
    assert_eq!(layer_of("engine::runner"), Some(4));
    assert!(layer_of("actors::idp").unwrap() < layer_of("engine").unwrap());
    let stripped =
        without_test_modules("use a;\n#[cfg(test)]\nmod tests { use crate::cli; }\nuse b;");
    assert!(!stripped.contains("cli") && stripped.contains("use b"));
}

/// Tarjan's algorithm; recursive, which a crate's few hundred files allow.
fn strongly_connected(edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    struct State<'a> {
        edges: &'a [Vec<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        out: Vec<Vec<usize>>,
    }
    fn visit(s: &mut State, v: usize) {
        s.index[v] = Some(s.next);
        s.low[v] = s.next;
        s.next += 1;
        s.stack.push(v);
        s.on_stack[v] = true;
        for &w in &s.edges[v] {
            match s.index[w] {
                None => {
                    visit(s, w);
                    s.low[v] = s.low[v].min(s.low[w]);
                }
                Some(i) if s.on_stack[w] => s.low[v] = s.low[v].min(i),
                _ => {}
            }
        }
        if Some(s.low[v]) == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack[w] = false;
                component.push(w);
                if w == v {
                    break;
                }
            }
            s.out.push(component);
        }
    }
    let n = edges.len();
    let mut s = State {
        edges,
        index: vec![None; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in 0..n {
        if s.index[v].is_none() {
            visit(&mut s, v);
        }
    }
    s.out
}
