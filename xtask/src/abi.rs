//! The C ABI check (docs/abi.md): the ABI of this build, described from the committed header
//! (prototypes, callback types, constants), a C probe of every struct's size, alignment and
//! field offsets, and the library's exported symbols, compared with `abi/gamegate-abi.txt`, the
//! ABI of the last release. Additions need a newer version; anything else removed or changed
//! needs a version that says it breaks (0.x: the minor, then the major).
//! `cargo xtask abi --bless` makes the current ABI the baseline once the version allows it.

use crate::toolchain::Toolchain;
use crate::{root, Result};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

const BASELINE: &str = "abi/gamegate-abi.txt";

/// One ABI item per key ("fn gg_options_new", "field gg_stats.live_clients", ...).
type Description = BTreeMap<String, String>;

pub fn check(bin_dir: &Path) -> Result {
    let (version, current) = describe(bin_dir)?;
    let (base_version, baseline) = read_baseline()?;
    let verdict = compare(&baseline, &current);
    verdict.allowed(&base_version, &version)
}

pub fn bless(bin_dir: &Path) -> Result {
    let (version, current) = describe(bin_dir)?;
    if let Ok((base_version, baseline)) = read_baseline() {
        compare(&baseline, &current).allowed(&base_version, &version)?;
    }
    let mut text = format!("version {version}\n");
    for (key, value) in &current {
        text.push_str(&format!("{key} = {value}\n"));
    }
    std::fs::write(root().join(BASELINE), text).map_err(|e| e.to_string())?;
    println!("abi: {BASELINE} now describes {version} ({} items)", current.len());
    Ok(())
}

fn read_baseline() -> Result<(String, Description)> {
    let text = std::fs::read_to_string(root().join(BASELINE)).map_err(|e| format!("{BASELINE}: {e}"))?;
    let mut lines = text.lines();
    let version = lines.next().and_then(|l| l.strip_prefix("version ")).ok_or(format!("{BASELINE}: no version line"))?;
    let items = lines.filter_map(|l| l.split_once(" = ")).map(|(k, v)| (k.to_string(), v.to_string())).collect();
    Ok((version.to_string(), items))
}

struct Verdict {
    broken: Vec<String>,
    added: Vec<String>,
}

impl Verdict {
    fn allowed(&self, base: &str, current: &str) -> Result {
        let (b, c) = (semver(base)?, semver(current)?);
        let breaking_bump = if b.0 == 0 { c.0 > 0 || c.1 > b.1 } else { c.0 > b.0 };
        let list = |items: &[String]| items.iter().take(20).map(|i| format!("\n    {i}")).collect::<String>();
        if !self.broken.is_empty() && !breaking_bump {
            return Err(format!(
                "the C ABI of {current} breaks {base}'s ({BASELINE}); restore it, or move the version to a breaking one (docs/abi.md) and run `cargo xtask abi --bless`:{}",
                list(&self.broken)
            ));
        }
        if !self.added.is_empty() && c <= b {
            return Err(format!(
                "the C ABI gained items but the version is still {current}; move it past {base} (docs/abi.md, CHANGELOG.md):{}",
                list(&self.added)
            ));
        }
        Ok(())
    }
}

fn semver(version: &str) -> Result<(u64, u64, u64)> {
    let parts: Vec<u64> = version.split('.').map(|p| p.parse().map_err(|_| format!("not a version: {version}"))).collect::<Result<_>>()?;
    match parts[..] {
        [major, minor, patch] => Ok((major, minor, patch)),
        _ => Err(format!("not a version: {version}")),
    }
}

/// What changed from `baseline` to `current`. A struct that starts with `struct_size` may
/// grow (fields are only appended); every other change to an existing item breaks.
fn compare(baseline: &Description, current: &Description) -> Verdict {
    let mut verdict = Verdict { broken: vec![], added: vec![] };
    for (key, old) in baseline {
        match current.get(key) {
            None => verdict.broken.push(format!("removed: {key} = {old}")),
            Some(new) if new == old => {}
            Some(new) => {
                let grows = key.strip_prefix("struct ").is_some_and(|name| {
                    baseline.contains_key(&format!("field {name}.struct_size")) && size_of(new) > size_of(old)
                });
                if grows {
                    verdict.added.push(format!("grown: {key}: {old} -> {new}"));
                } else {
                    verdict.broken.push(format!("changed: {key}: {old} -> {new}"));
                }
            }
        }
    }
    for (key, new) in current {
        if !baseline.contains_key(key) {
            verdict.added.push(format!("added: {key} = {new}"));
        }
    }
    verdict
}

fn size_of(struct_value: &str) -> u64 {
    struct_value.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0)
}

/// The version in Cargo.toml and this build's ABI.
fn describe(bin_dir: &Path) -> Result<(String, Description)> {
    let header = std::fs::read_to_string(root().join("include/gamegate.h")).map_err(|e| e.to_string())?;
    let parsed = parse_header(&header);
    let mut items = Description::new();
    for (name, value) in &parsed.constants {
        items.insert(format!("const {name}"), value.clone());
    }
    for (name, text) in &parsed.functions {
        items.insert(format!("fn {name}"), text.clone());
    }
    for (name, text) in &parsed.callbacks {
        items.insert(format!("callback {name}"), text.clone());
    }
    for (key, value) in probe_layouts(&parsed.structs, bin_dir)? {
        items.insert(key, value);
    }
    let symbols = exported_symbols(&bin_dir.join("libgamegate.so"))?;
    // Every declared function is exported and every export declared.
    let declared: Vec<&String> = parsed.functions.iter().map(|(name, _)| name).collect();
    let unmatched: Vec<String> = symbols.iter().filter(|s| !declared.contains(s)).chain(declared.iter().copied().filter(|d| !symbols.contains(d))).cloned().collect();
    if !unmatched.is_empty() {
        return Err(format!("declared in gamegate.h or exported by the library, not both: {unmatched:?}"));
    }
    for symbol in symbols {
        items.insert(format!("symbol {symbol}"), "exported".into());
    }
    Ok((cargo_version()?, items))
}

fn cargo_version() -> Result<String> {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).map_err(|e| e.to_string())?;
    manifest
        .lines()
        .find_map(|l| l.strip_prefix("version = \"").and_then(|v| v.strip_suffix('"')))
        .map(str::to_string)
        .ok_or("no version in Cargo.toml".into())
}

struct Header {
    constants: Vec<(String, String)>,
    functions: Vec<(String, String)>,
    callbacks: Vec<(String, String)>,
    /// Struct name and its field names, in order.
    structs: Vec<(String, Vec<String>)>,
}

fn parse_header(text: &str) -> Header {
    let code = strip_comments(text);
    let mut header = Header { constants: vec![], functions: vec![], callbacks: vec![], structs: vec![] };
    let mut rest = String::new();
    for line in code.lines() {
        let line = line.trim();
        if let Some(define) = line.strip_prefix("#define ") {
            let mut parts = define.split_whitespace();
            if let (Some(name), Some(value)) = (parts.next(), parts.next()) {
                // The version numbers move with every release; the check compares them itself.
                if !name.starts_with("GG_VERSION_") {
                    header.constants.push((name.to_string(), value.to_string()));
                }
            }
        } else if !line.starts_with('#') && !line.starts_with("extern \"C\"") && line != "}" {
            rest.push_str(line);
            rest.push(' ');
        }
    }
    for statement in statements(&rest) {
        let flat = statement.split_whitespace().collect::<Vec<_>>().join(" ");
        if let Some(body) = flat.strip_prefix("typedef struct ").filter(|s| s.contains('{')) {
            let name = body.split_whitespace().next().unwrap_or_default().to_string();
            let inner = &body[body.find('{').unwrap_or(0) + 1..body.rfind('}').unwrap_or(body.len())];
            let fields = inner.split(';').map(str::trim).filter(|f| !f.is_empty()).map(field_name).collect();
            header.structs.push((name, fields));
        } else if flat.starts_with("typedef") && flat.contains("(*") {
            header.callbacks.push((between(&flat, "(*", ")").to_string(), flat.clone()));
        } else if !flat.starts_with("typedef") && flat.contains('(') {
            let name = flat[..flat.find('(').unwrap_or(0)].split(|c: char| c == ' ' || c == '*').next_back().unwrap_or_default();
            header.functions.push((name.to_string(), flat.clone()));
        }
    }
    header
}

/// Top-level statements, split at `;` outside braces.
fn statements(code: &str) -> Vec<String> {
    let (mut out, mut current, mut depth) = (vec![], String::new(), 0i32);
    for c in code.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => {}
        }
        if c == ';' && depth == 0 {
            out.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    out
}

fn field_name(declaration: &str) -> String {
    if declaration.contains("(*") {
        return between(declaration, "(*", ")").to_string();
    }
    let last = declaration.split_whitespace().next_back().unwrap_or_default();
    last.trim_start_matches('*').split('[').next().unwrap_or_default().to_string()
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> &'a str {
    let start = text.find(open).map(|i| i + open.len()).unwrap_or(0);
    let end = text[start..].find(close).map(|i| start + i).unwrap_or(text.len());
    &text[start..end]
}

fn strip_comments(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        rest = rest[start..].find("*/").map(|end| &rest[start + end + 2..]).unwrap_or("");
    }
    out.push_str(rest);
    out.lines().map(|l| l.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n")
}

/// Sizes, alignments and offsets as this machine's C compiler lays them out.
fn probe_layouts(structs: &[(String, Vec<String>)], bin_dir: &Path) -> Result<Vec<(String, String)>> {
    let mut probe = String::from("#include <stdio.h>\n#include <stddef.h>\n#include \"gamegate.h\"\n#define FIELD(s, f) printf(\"field %s.%s = offset %zu size %zu\\n\", #s, #f, offsetof(s, f), sizeof(((s *)0)->f))\nint main(void) {\n");
    for (name, fields) in structs {
        probe.push_str(&format!("  printf(\"struct {name} = size %zu align %zu\\n\", sizeof({name}), _Alignof({name}));\n"));
        for field in fields {
            probe.push_str(&format!("  FIELD({name}, {field});\n"));
        }
    }
    probe.push_str("  return 0;\n}\n");
    let out = root().join("target/abi");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let source = out.join("abi_probe.c");
    std::fs::write(&source, probe).map_err(|e| e.to_string())?;
    let binary = out.join("abi_probe");
    Toolchain::host()?.compile(&[source.to_str().ok_or("path")?], &binary, bin_dir, &[])?;
    let output = Command::new(&binary).output().map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err("the ABI probe failed".into());
    }
    Ok(String::from_utf8_lossy(&output.stdout).lines().filter_map(|l| l.split_once(" = ")).map(|(k, v)| (k.to_string(), v.to_string())).collect())
}

fn exported_symbols(library: &Path) -> Result<Vec<String>> {
    let output = Command::new("nm").args(["-D", "--defined-only"]).arg(library).output().map_err(|e| format!("nm: {e} (apt-get install binutils)"))?;
    if !output.status.success() {
        return Err(format!("nm -D {} failed", library.display()));
    }
    let symbols: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().collect::<Vec<_>>().get(1..3).map(|p| (p[0].to_string(), p[1].to_string())))
        .filter(|(kind, name)| kind == "T" && (name.starts_with("gg_") || name.starts_with("kgen_") || name.starts_with("elixir_")))
        .map(|(_, name)| name)
        .collect();
    if symbols.is_empty() {
        return Err(format!("{} exports no gg_/kgen_/elixir_ function", library.display()));
    }
    Ok(symbols)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn description(items: &[(&str, &str)]) -> Description {
        items.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn the_header_parser_finds_functions_callbacks_structs_and_constants() {
        let header = parse_header("/* doc */\n#define GG_OK 0\n#define GG_VERSION_MAJOR 0\ntypedef struct gg_x {\n  uint32_t struct_size;\n  void (*load)(void *u, const char *e);\n  char name[8];\n} gg_x;\ntypedef void (*gg_cb)(void *user_data);\n#ifdef __cplusplus\nextern \"C\" {\n#endif\nstruct gg_options *gg_options_new(void);\ngg_result gg_y(const char *a,\n  size_t b);\n");
        assert_eq!(header.constants, vec![("GG_OK".to_string(), "0".to_string())]);
        assert_eq!(header.structs, vec![("gg_x".to_string(), vec!["struct_size".to_string(), "load".to_string(), "name".to_string()])]);
        assert_eq!(header.callbacks[0].0, "gg_cb");
        let names: Vec<&str> = header.functions.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["gg_options_new", "gg_y"]);
        assert_eq!(header.functions[1].1, "gg_result gg_y(const char *a, size_t b)");
    }

    #[test]
    fn appending_needs_a_newer_version_and_breaking_needs_a_breaking_one() {
        let base = description(&[("fn gg_a", "void gg_a(void)"), ("struct gg_s", "size 8 align 8"), ("field gg_s.struct_size", "offset 0 size 4")]);
        let appended = description(&[("fn gg_a", "void gg_a(void)"), ("fn gg_b", "void gg_b(void)"), ("struct gg_s", "size 16 align 8"), ("field gg_s.struct_size", "offset 0 size 4")]);
        let verdict = compare(&base, &appended);
        assert!(verdict.broken.is_empty());
        assert_eq!(verdict.added.len(), 2);
        assert!(verdict.allowed("0.1.0", "0.1.0").is_err());
        assert!(verdict.allowed("0.1.0", "0.1.1").is_ok());

        let removed = description(&[("struct gg_s", "size 8 align 8"), ("field gg_s.struct_size", "offset 0 size 4")]);
        let verdict = compare(&base, &removed);
        assert_eq!(verdict.broken.len(), 1);
        assert!(verdict.allowed("0.1.0", "0.1.5").is_err());
        assert!(verdict.allowed("0.1.0", "0.2.0").is_ok());
        assert!(verdict.allowed("1.2.0", "1.9.0").is_err());
        assert!(verdict.allowed("1.2.0", "2.0.0").is_ok());
        assert!(compare(&base, &base).allowed("0.1.0", "0.1.0").is_ok());
    }
}
