//! The house's layering, checked from the source: every module (one per
//! file) and the modules its code names (`use` lines and `crate::`/`super::`
//! paths, comments left out) form a graph that must have no cycle, and no
//! module may name one of a higher layer. Layers, lowest first:
//!
//! 0. foundations that know nothing of the domain: `env`, `normalize`,
//!    `windows_console`;
//! 1. `model`, the domain's types;
//! 2. what every job shares: `error` (typed, naming kinds of files),
//!    `jobs`, `files`, `launch`;
//! 3. `store`, the only place with SQL;
//! 4. the core's jobs: `import`, `sample`, `matching`, `settings`,
//!    `review`, `indicators`, `export`, `sample_workspace`;
//! 5. the two faces: `cli` and `ui`.
//!
//! Test-only modules (`tests.rs`, `*_tests.rs`, `#[cfg(test)]` blocks) are
//! left out: a test may reach anywhere.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const LAYERS: [&[&str]; 6] = [
    &["env", "normalize", "windows_console"],
    &["model"],
    &["error", "jobs", "files", "launch"],
    &["store"],
    &[
        "import",
        "sample",
        "matching",
        "settings",
        "review",
        "indicators",
        "export",
        "sample_workspace",
    ],
    &["cli", "ui"],
];

/// The modules a file declares under `#[cfg(test)]` (`mod fixtures;`).
fn test_only_children(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("#[cfg(test)]") {
        rest = &rest[at + "#[cfg(test)]".len()..];
        let item = rest.trim_start();
        let item = item
            .strip_prefix("pub(crate) ")
            .or_else(|| item.strip_prefix("pub "))
            .unwrap_or(item);
        if let Some(decl) = item.strip_prefix("mod ")
            && let Some(end) = decl.find(';')
            && !decl[..end].contains('{')
        {
            names.push(decl[..end].trim().to_string());
        }
    }
    names
}

/// Module path (e.g. `store::imports::keys`) → source text, test-only
/// modules left out.
fn modules(src: &Path) -> BTreeMap<String, String> {
    let all = all_modules(src);
    let mut test_only = BTreeSet::new();
    for (module, text) in &all {
        for child in test_only_children(text) {
            test_only.insert(if module.is_empty() {
                child
            } else {
                format!("{module}::{child}")
            });
        }
    }
    all.into_iter()
        .filter(|(m, _)| {
            !m.is_empty()
                && !test_only
                    .iter()
                    .any(|t| m == t || m.starts_with(&format!("{t}::")))
        })
        .collect()
}

fn all_modules(src: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let Some(stem) = rel.strip_suffix(".rs") else {
                continue;
            };
            let mut parts: Vec<&str> = stem.split('/').collect();
            if parts.last() == Some(&"mod") {
                parts.pop();
            }
            let file = *parts.last().unwrap_or(&"");
            if stem == "main" || file == "tests" || file.ends_with("_tests") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // lib.rs is the root (""): kept only to learn its test-only children.
            let name = if stem == "lib" {
                String::new()
            } else {
                parts.join("::")
            };
            out.insert(name, text);
        }
    }
    out
}

/// The code of a file without comments, string and char literals, and
/// `#[cfg(test)]` items.
fn code_of(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut plain = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            i += 2;
            while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                i += 1;
            }
            i += 2;
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !ident_before(&chars, i) {
            let hashes = chars[i + 1..].iter().take_while(|c| **c == '#').count();
            if chars.get(i + 1 + hashes) != Some(&'"') {
                plain.push(c);
                i += 1;
                continue;
            }
            i += 2 + hashes;
            while i < chars.len() {
                if chars[i] == '"'
                    && chars[i + 1..]
                        .iter()
                        .take(hashes)
                        .filter(|c| **c == '#')
                        .count()
                        == hashes
                {
                    i += 1 + hashes;
                    break;
                }
                i += 1;
            }
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
        } else if c == '\'' && (chars.get(i + 2) == Some(&'\'') || next == Some('\\')) {
            // A char literal ('x' or '\n'), not a lifetime.
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
        } else {
            plain.push(c);
            i += 1;
        }
    }
    // Drop `#[cfg(test)]` items: up to the end of the braced block or the `;`.
    let mut out = String::new();
    let mut rest = plain.as_str();
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let brace = after.find('{');
        let semi = after.find(';');
        let cut = match (brace, semi) {
            (Some(b), Some(s)) if s < b => s + 1,
            (Some(b), _) => {
                let mut depth = 0;
                let mut end = after.len();
                for (j, ch) in after[b..].char_indices() {
                    match ch {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = b + j + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                end
            }
            (None, Some(s)) => s + 1,
            (None, None) => after.len(),
        };
        rest = &after[cut..];
    }
    out.push_str(rest);
    out
}

fn ident_before(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// The paths the code names from the crate root, `super::` resolved, with
/// `{a, b::c}` groups expanded one level.
fn named_paths(module: &str, code: &str) -> Vec<String> {
    // `super` is the parent module whether the file is `x.rs` or `x/mod.rs`.
    let mut own: Vec<&str> = module.split("::").collect();
    own.pop();
    let parent = own.join("::");
    let mut paths = Vec::new();
    let bytes = code.as_bytes();
    for (prefix, base) in [("crate::", String::new()), ("super::", parent)] {
        let mut from = 0;
        while let Some(i) = code[from..].find(prefix) {
            let start = from + i;
            from = start + prefix.len();
            if start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_') {
                continue;
            }
            let rest = &code[from..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':' || c == '{'))
                .unwrap_or(rest.len());
            let mut path = rest[..end].trim_end_matches(':').to_string();
            let mut group = Vec::new();
            if let Some(brace) = path.find('{') {
                let close = rest[brace..]
                    .find('}')
                    .map(|j| brace + j)
                    .unwrap_or(rest.len());
                group = rest[brace + 1..close]
                    .split(',')
                    .map(|s| s.trim().split(" as ").next().unwrap_or("").to_string())
                    .filter(|s| !s.is_empty())
                    .collect();
                path.truncate(brace);
                path = path.trim_end_matches(':').to_string();
            }
            let full = |tail: &str| {
                [base.as_str(), path.as_str(), tail]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join("::")
            };
            paths.push(full(""));
            for item in group {
                paths.push(full(&item));
            }
        }
    }
    paths
}

/// The longest known module a path starts with.
fn owner<'a>(path: &str, known: &'a BTreeMap<String, String>) -> Option<&'a str> {
    let segments: Vec<&str> = path.split("::").collect();
    (1..=segments.len())
        .rev()
        .map(|n| segments[..n].join("::"))
        .find_map(|m| known.get_key_value(&m).map(|(k, _)| k.as_str()))
}

fn layer(module: &str) -> usize {
    let top = module.split("::").next().unwrap_or(module);
    LAYERS
        .iter()
        .position(|names| names.contains(&top))
        .unwrap_or_else(|| panic!("top-level module `{top}` has no layer: add it to LAYERS"))
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let modules = modules(&src);
    let mut edges = BTreeMap::new();
    for (module, text) in &modules {
        let code = code_of(text);
        let mut deps = BTreeSet::new();
        for path in named_paths(module, &code) {
            if let Some(target) = owner(&path, &modules)
                && target != module
                // A module naming its own parent's items (super::Store) is
                // not an edge worth a cycle: mod.rs declares its children.
                && !module.starts_with(&format!("{target}::"))
            {
                deps.insert(target.to_string());
            }
        }
        edges.insert(module.clone(), deps);
    }
    edges
}

#[test]
fn no_module_names_a_higher_layer() {
    let mut violations = Vec::new();
    for (module, deps) in graph() {
        for dep in deps {
            if layer(&dep) > layer(&module) {
                violations.push(format!(
                    "{module} (layer {}) → {dep} (layer {})",
                    layer(&module),
                    layer(&dep)
                ));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "upward imports:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_module_graph_has_no_cycle() {
    let edges = graph();
    // Tarjan's strongly connected components, iteratively simple enough for
    // a few hundred modules: a component of more than one module is a cycle.
    struct State<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        cycles: Vec<Vec<&'a str>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        let edges = s.edges;
        for w in edges.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.on_stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w);
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort_unstable();
                s.cycles.push(component);
            }
        }
    }
    let mut state = State {
        edges: &edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        cycles: Vec::new(),
    };
    for module in edges.keys() {
        if !state.index.contains_key(module.as_str()) {
            visit(&mut state, module);
        }
    }
    let described: Vec<String> = state
        .cycles
        .iter()
        .map(|c| {
            let links: Vec<String> = c
                .iter()
                .flat_map(|m| {
                    edges[*m]
                        .iter()
                        .filter(|d| c.contains(&d.as_str()))
                        .map(move |d| format!("{m} → {d}"))
                })
                .collect();
            links.join(", ")
        })
        .collect();
    assert!(
        described.is_empty(),
        "import cycles:\n{}",
        described.join("\n")
    );
}

#[test]
fn the_checker_sees_an_edge_and_skips_comments_and_tests() {
    let code = code_of(
        "//! [`crate::ui`]\nuse crate::store::{Store, imports::keys};\n// crate::cli\nlet s = \"crate::ui {\";\nlet c = '\"';\n/* crate::cli */\n#[cfg(test)]\nmod tests {\n    use crate::ui::x;\n}\nuse super::sibling;\n",
    );
    let paths = named_paths("import::text", &code);
    assert!(paths.contains(&"store".to_string()), "{paths:?}");
    assert!(
        paths.contains(&"store::imports::keys".to_string()),
        "{paths:?}"
    );
    assert!(paths.contains(&"import::sibling".to_string()), "{paths:?}");
    assert!(
        !paths
            .iter()
            .any(|p| p.starts_with("ui") || p.starts_with("cli")),
        "{paths:?}"
    );
}
