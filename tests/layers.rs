//! The layering `src/lib.rs` documents, held: every top-level module
//! imports only modules of a lower layer, so the crate has no import
//! cycle and the folder layout stays the architecture.
//!
//! The check reads the sources (not the compiled crate) because Rust
//! itself allows cycles between modules of one crate; test code
//! (`#[cfg(test)]` and after) may reach anywhere and is not counted.

use std::collections::BTreeMap;
use std::path::Path;

/// Layer of each top-level module, bottom first, as `src/lib.rs` lists
/// them, times ten: within a numbered layer the second module named
/// (`snapshot`, `result`) stands on the first. The reference server
/// sits beside the pipeline on its own.
const LAYERS: &[(&str, u8)] = &[
    ("diag", 10),
    ("exit", 10),
    ("registry", 10),
    ("named", 10),
    ("scim", 20),
    ("rules", 30),
    ("profile", 30),
    ("case", 40),
    ("client", 50),
    ("check", 60),
    ("snapshot", 61),
    ("waiver", 70),
    ("result", 71),
    ("plan", 80),
    ("run", 90),
    ("report", 100),
    ("bundle", 110),
    ("pipeline", 120),
    ("cli", 130),
    ("server", 40),
];

fn layer(module: &str) -> u8 {
    LAYERS
        .iter()
        .find(|(name, _)| *name == module)
        .map(|(_, layer)| *layer)
        .unwrap_or_else(|| panic!("module `{module}` has no layer: add it to LAYERS and lib.rs"))
}

/// Modules a source file names as `crate::x`, `use crate::{x, …}` included.
fn imports(source: &str) -> Vec<String> {
    let code = source.split("#[cfg(test)]").next().unwrap_or(source);
    let mut found = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for item in group.split(',') {
                found.push(ident(item.trim()));
            }
        } else {
            found.push(ident(rest));
        }
    }
    found.retain(|name| !name.is_empty());
    found
}

fn ident(text: &str) -> String {
    text.chars()
        .take_while(|c| c.is_ascii_lowercase() || *c == '_' || c.is_ascii_digit())
        .collect()
}

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_module_imports_only_lower_layers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    let mut upward: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in &files {
        let relative = file.strip_prefix(&root).unwrap();
        let first = relative.components().next().unwrap().as_os_str();
        let module = first.to_string_lossy().trim_end_matches(".rs").to_string();
        if matches!(module.as_str(), "lib" | "main") {
            continue;
        }
        let source = std::fs::read_to_string(file).unwrap();
        for imported in imports(&source) {
            if imported != module && layer(&imported) >= layer(&module) {
                upward
                    .entry(format!("{} ({module})", relative.display()))
                    .or_default()
                    .push(imported);
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports of the same or a higher layer (see src/lib.rs): {upward:#?}"
    );
}

#[test]
fn the_import_reader_sees_grouped_and_plain_paths() {
    let source = "use crate::{case::Case, scim};\nfn f() { crate::diag::x(); }\n#[cfg(test)]\nuse crate::cli;";
    assert_eq!(imports(source), ["case", "scim", "diag"]);
}
