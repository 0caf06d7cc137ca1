//! The shape of the workspace, checked on its sources: the library (the `usersig`
//! package, crates/usersig) uses no file system, environment, standard input, Unix-only
//! API or command-line crate; its modules import each other without a loop, in layers
//! (the formats never reach up to issuing or verification); no comment cites a document
//! that is not in the repository; and a test's missing precondition fails it, CI runs the
//! tests that need root and installs every tool a test needs.

use crate::common::precondition;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`, recursively, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The library's files with their module paths (`crate`, `issue`, `ticket::v1`, ...).
fn library_modules() -> BTreeMap<String, PathBuf> {
    modules_under(&root().join("crates/usersig/src"))
}

/// The files under `src` with their module paths, the root file (`lib.rs`, or a
/// directory's `mod.rs`) as `crate`.
fn modules_under(src: &Path) -> BTreeMap<String, PathBuf> {
    let mut modules = BTreeMap::new();
    for path in rust_files(src) {
        let rel = path.strip_prefix(src).unwrap();
        let parts: Vec<String> = rel
            .iter()
            .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
            .collect();
        let mut name: Vec<&str> = parts.iter().map(String::as_str).collect();
        if name.last() == Some(&"mod") {
            name.pop();
        }
        let module = match name.as_slice() {
            ["lib"] | [] => "crate".to_owned(),
            _ => name.join("::"),
        };
        modules.insert(module, path);
    }
    modules
}

/// The code of a file that ships: up to its `#[cfg(test)]` module, without comments
/// (doc examples may read fixtures; they are not the library).
fn shipped_code(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap();
    let code = text.split("#[cfg(test)]").next().unwrap();
    code.lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn library_has_no_platform_or_cli_code() {
    let modules = library_modules();
    assert!(modules.len() >= 10, "{modules:?}");
    let forbidden = [
        "std::fs",
        "std::env",
        "std::os",
        "std::process",
        "stdin",
        "nix::",
        "clap",
        "File::",
        "OpenOptions",
    ];
    let mut found = Vec::new();
    for (module, path) in &modules {
        let code = shipped_code(path);
        for word in forbidden {
            if code.contains(word) {
                found.push(format!("{module}: {word}"));
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

/// The modules `module` (at `path`) refers to: `crate::a::b`, `super::a`, brace lists
/// (`crate::ticket::{self, v1}`), and a parent module's own children (`v1::parse`).
fn references(
    module: &str,
    path: &Path,
    known: &BTreeSet<String>,
    reexports: &BTreeMap<&str, &str>,
) -> BTreeSet<String> {
    let code = shipped_code(path);
    let parent = match module.rsplit_once("::") {
        Some((p, _)) => p.to_owned(),
        None => "crate".to_owned(),
    };
    // Brace lists on one token: no white space after `{` or `,`, or before `}`.
    let mut code = code;
    loop {
        let joined = ["{ ", "{\n", ", ", ",\n", " }", "\n}"]
            .iter()
            .fold(code.clone(), |c, gap| c.replace(gap, gap.trim()));
        if joined == code {
            break;
        }
        code = joined;
    }
    let mut paths: Vec<String> = Vec::new();
    let is_path_char = |c: char| c.is_alphanumeric() || "_:{},".contains(c);
    for token in code.split(|c: char| !is_path_char(c)) {
        for piece in top_level(token) {
            let piece = piece.trim_start_matches('{');
            if piece.contains("::") {
                paths.extend(expand(piece));
            }
        }
    }
    let mut out = BTreeSet::new();
    let children: Vec<&String> = known
        .iter()
        .filter(|k| k.rsplit_once("::").map_or("crate", |(p, _)| p) == module)
        .collect();
    for p in paths {
        let segments: Vec<&str> = p.split("::").filter(|s| !s.is_empty()).collect();
        let absolute: Vec<String> = match segments.first() {
            Some(&"crate") => segments[1..].iter().map(|s| s.to_string()).collect(),
            Some(&"super") => {
                let mut base: Vec<String> = if parent == "crate" {
                    Vec::new()
                } else {
                    parent.split("::").map(str::to_owned).collect()
                };
                base.extend(segments[1..].iter().map(|s| s.to_string()));
                base
            }
            Some(first)
                if children
                    .iter()
                    .any(|c| c.rsplit("::").next() == Some(first)) =>
            {
                let mut base: Vec<String> = if module == "crate" {
                    Vec::new()
                } else {
                    module.split("::").map(str::to_owned).collect()
                };
                base.extend(segments.iter().map(|s| s.to_string()));
                base
            }
            _ => continue,
        };
        if let Some(first) = absolute.first()
            && !known.contains(first)
            && let Some(target) = reexports.get(first.as_str())
        {
            let mut resolved: Vec<String> = target.split("::").map(str::to_owned).collect();
            resolved.extend(absolute[1..].iter().cloned());
            push_longest(&mut out, &resolved, known, module);
        } else {
            push_longest(&mut out, &absolute, known, module);
        }
    }
    out
}

/// A token cut at its commas outside braces.
fn top_level(token: &str) -> Vec<&str> {
    let (mut depth, mut start, mut out) = (0i32, 0, Vec::new());
    for (i, c) in token.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth <= 0 => {
                out.push(&token[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&token[start..]);
    out
}

/// `a::{b, c::{d}}` as `a::b`, `a::c::d`.
fn expand(token: &str) -> Vec<String> {
    let token = token.trim_matches(',');
    let Some(open) = token.find('{') else {
        return token
            .split(',')
            .filter(|s| s.contains("::"))
            .map(str::to_owned)
            .collect();
    };
    let prefix = &token[..open];
    let Some(close) = token.rfind('}').filter(|&c| c > open) else {
        return Vec::new();
    };
    let inner = &token[open + 1..close];
    let mut items = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&inner[start..]);
    let mut out = Vec::new();
    for item in items.into_iter().filter(|i| !i.is_empty()) {
        let item = if item == "self" { "" } else { item };
        let joined = format!("{prefix}{item}");
        if item.contains('{') {
            out.extend(expand(&joined));
        } else {
            out.push(joined.trim_end_matches("::").to_owned());
        }
    }
    out
}

/// The longest prefix of `segments` that names a library module (`crate` for none).
fn push_longest(
    out: &mut BTreeSet<String>,
    segments: &[String],
    known: &BTreeSet<String>,
    from: &str,
) {
    for n in (1..=segments.len()).rev() {
        let candidate = segments[..n].join("::");
        if known.contains(&candidate) {
            if candidate != from {
                out.insert(candidate);
            }
            return;
        }
    }
}

/// The library's import graph: module -> the modules it uses.
fn import_graph() -> BTreeMap<String, BTreeSet<String>> {
    graph_of(library_modules())
}

/// The import graph of `modules` (as [`modules_under`] names them).
fn graph_of(modules: BTreeMap<String, PathBuf>) -> BTreeMap<String, BTreeSet<String>> {
    let known: BTreeSet<String> = modules.keys().cloned().collect();
    // The crate root re-exports these from the ticket module (a name that is a module of
    // its own is taken as that module).
    let reexports: BTreeMap<&str, &str> = [
        ("deflate", "ticket::deflate"),
        ("envelope", "ticket::envelope"),
        ("json", "ticket::json"),
        ("userbuf", "ticket::userbuf"),
        ("v1", "ticket::v1"),
        ("v2", "ticket::v2"),
        ("Secret", "secret"),
    ]
    .into_iter()
    .collect();
    modules
        .iter()
        .filter(|(m, _)| *m != "crate")
        .map(|(m, path)| (m.clone(), references(m, path, &known, &reexports)))
        .collect()
}

/// Everything `from` reaches through the graph.
fn reach(graph: &BTreeMap<String, BTreeSet<String>>, from: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<&str> = graph
        .get(from)
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    while let Some(m) = todo.pop() {
        if seen.insert(m.to_owned()) {
            todo.extend(graph.get(m).into_iter().flatten().map(String::as_str));
        }
    }
    seen
}

#[test]
fn the_reference_finder_sees_every_form_of_import() {
    assert_eq!(
        expand("crate::ticket::{self,Claims,envelope,v1}"),
        [
            "crate::ticket",
            "crate::ticket::Claims",
            "crate::ticket::envelope",
            "crate::ticket::v1"
        ]
    );
    assert_eq!(
        expand("crate::{a::{b,c},d}"),
        ["crate::a::b", "crate::a::c", "crate::d"]
    );
    let graph = import_graph();
    // One of each form the sources use: a path, a brace list, super::, a parent's child,
    // a root re-export.
    assert!(graph["renew"].contains("verify"), "{graph:#?}");
    assert!(graph["issue"].contains("ticket::v2"), "{graph:#?}");
    assert!(graph["ticket::v1"].contains("ticket::fields"), "{graph:#?}");
    assert!(graph["ticket"].contains("ticket::v1"), "{graph:#?}");
    assert!(
        graph["ticket::envelope"].contains("ticket::deflate"),
        "{graph:#?}"
    );
    assert!(graph["ticket::v2"].contains("secret"), "{graph:#?}");
}

/// The modules of `graph` that reach themselves.
fn loops(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<&String> {
    graph
        .keys()
        .filter(|m| reach(graph, m).contains(*m))
        .collect()
}

#[test]
fn library_modules_import_each_other_without_a_loop() {
    let graph = import_graph();
    let loops = loops(&graph);
    assert!(
        loops.is_empty(),
        "modules in an import loop: {loops:?}\n{graph:#?}"
    );
}

/// The CLI's modules (src/cli, its mod.rs the root, each directory taken with its
/// files as one module: a module and its parts may refer to each other) import each
/// other without a loop: the dispatcher reaches every command, and no command reaches
/// back.
#[test]
fn cli_modules_import_each_other_without_a_loop() {
    let top = |m: &str| m.split("::").next().unwrap().to_owned();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, uses) in graph_of(modules_under(&root().join("src/cli"))) {
        let entry = graph.entry(top(&module)).or_default();
        entry.extend(uses.iter().map(|u| top(u)).filter(|u| *u != top(&module)));
    }
    assert!(graph["fleet"].contains("renew"), "{graph:#?}");
    assert!(graph["keyload"].contains("fsio"), "{graph:#?}");
    let loops = loops(&graph);
    assert!(
        loops.is_empty(),
        "modules in an import loop: {loops:?}\n{graph:#?}"
    );
}

#[test]
fn formats_sit_below_issuing_and_verification() {
    let graph = import_graph();
    let upper = ["issue", "verify", "renew"];
    for (module, _) in graph.iter().filter(|(m, _)| m.starts_with("ticket")) {
        let reached = reach(&graph, module);
        for up in upper {
            assert!(!reached.contains(up), "{module} reaches {up}: {graph:#?}");
        }
    }
    for bottom in ["clock", "keys", "secret"] {
        let reached = reach(&graph, bottom);
        for up in upper.iter().chain(&["ticket"]) {
            assert!(!reached.contains(*up), "{bottom} reaches {up}: {graph:#?}");
        }
    }
    assert!(!reach(&graph, "issue").contains("verify"), "{graph:#?}");
    assert!(!reach(&graph, "verify").contains("issue"), "{graph:#?}");
}

/// The library's package depends on no command-line crate: a backend that adds
/// `usersig` gets none of them.
#[test]
fn the_library_package_has_no_cli_crate() {
    let manifest = fs::read_to_string(root().join("crates/usersig/Cargo.toml")).unwrap();
    let deps = manifest
        .split("\n[dependencies]")
        .nth(1)
        .expect("a [dependencies] table");
    let deps = deps.split("\n[").next().unwrap();
    let names: Vec<&str> = deps
        .lines()
        .filter(|l| !l.starts_with('#') && l.contains('='))
        .map(|l| l.split(['=', ' ']).next().unwrap())
        .collect();
    assert!(names.contains(&"ring"), "{names:?}");
    for cli in [
        "clap",
        "clap_complete",
        "clap_mangen",
        "nix",
        "toml",
        "trycmd",
    ] {
        assert!(!names.contains(&cli), "{cli} in {names:?}");
    }
}

/// Comments cite docs/FORMAT.md and the README, never a document outside the repository.
#[test]
fn no_reference_to_an_outside_document() {
    let word = ["SP", "EC"].concat();
    let mut found = Vec::new();
    for dir in ["src", "crates", "tests", "benches", "fuzz/fuzz_targets"] {
        for path in rust_files(&root().join(dir)) {
            let text = fs::read_to_string(&path).unwrap();
            for (n, line) in text.lines().enumerate() {
                let hit = line.match_indices(&word).any(|(at, _)| {
                    let before = line[..at].chars().next_back();
                    let after = line[at + word.len()..].chars().next();
                    !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
                        && !after.is_some_and(|c| c.is_alphanumeric() || c == '_')
                });
                if hit {
                    found.push(format!("{}:{}: {line}", path.display(), n + 1));
                }
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

/// A test that requires something missing fails, its message naming each missing thing
/// and how to get it; one whose preconditions are met runs on.
#[test]
fn a_missing_precondition_fails_the_test_naming_the_fix() {
    use precondition::{require, tool};
    let sh = tool("sh", "sh(1)", "dash");
    require(&[sh]);
    let absent = tool(
        "no-such-tool-here",
        "no-such-tool-here(1)",
        "no-such-package",
    );
    let other = tool("no-other-tool-here", "no-other-tool-here", "other-package");
    let failed = std::panic::catch_unwind(|| require(&[sh, absent, other])).unwrap_err();
    assert_eq!(
        failed.downcast_ref::<String>().map(String::as_str),
        Some(
            "no-such-tool-here(1) is missing: apt-get install no-such-package; \
             no-other-tool-here is missing: apt-get install other-package"
        )
    );
    // Python modules, imported by Debian's python3.
    let module = |module, package| precondition::Precondition::PythonModule { module, package };
    let json = module("json", "python3");
    require(&[json]);
    let absent = module("no_such_module_here", "python3-no-such-module");
    let failed = std::panic::catch_unwind(|| require(&[json, absent])).unwrap_err();
    assert_eq!(
        failed.downcast_ref::<String>().map(String::as_str),
        Some(
            "the Python module no_such_module_here is missing from /usr/bin/python3: \
             apt-get install python3-no-such-module"
        )
    );
}

/// Under CI=true (as CI runs) the tests that need root run: src/build.rs has set `cfg(ci)`,
/// which takes their `ignore` off.
#[test]
fn under_ci_the_tests_that_need_root_are_not_ignored() {
    assert_eq!(cfg!(ci), option_env!("CI") == Some("true"));
}

/// .ci/run installs, when missing, every tool and Python module a test requires, from its
/// Debian package.
#[test]
fn ci_installs_every_tool_a_test_requires() {
    let script = fs::read_to_string(root().join(".ci/run")).unwrap();
    let needs = precondition::TOOLS
        .iter()
        .chain(&precondition::PYTHON_MODULES);
    for need in needs {
        let pair = match *need {
            precondition::Precondition::Tool {
                command, package, ..
            } => format!("{command}:{package}"),
            precondition::Precondition::PythonModule { module, package } => {
                format!("{module}:{package}")
            }
            _ => panic!("{need:?} is neither a tool nor a Python module"),
        };
        assert!(
            script
                .split(|c: char| c.is_whitespace() || c == ';')
                .any(|word| word == pair),
            "{pair} not in .ci/run"
        );
    }
}

/// The README lists the exit statuses exactly as `--help` does, which reads them from the
/// one table in src/cli/exit.rs.
#[test]
fn the_readme_lists_the_exit_statuses_as_help_does() {
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_tls_licence_tools"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    let block = |text: &str| -> String {
        let start = text.find("Exit status:\n").expect("an exit status block");
        let end = text[start..].find("never 0.").expect("the rule") + start;
        text[start..end].to_owned()
    };
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    assert_eq!(block(&readme), block(&help));
}
