//! What is linked into the shipped library and under which licenses: THIRD_PARTY_NOTICES is
//! generated from the dependency tree (`cargo tree`, normal dependencies of the library for
//! one target: what ends up in the binary; build tools such as cbindgen are not), with the
//! license files each crate ships. The check fails on a license outside the allow-list.

use crate::{cargo, Result};
use std::path::PathBuf;

/// Licenses a studio's legal review accepts for code linked into a game without conditions
/// beyond attribution (SPDX identifiers).
const ALLOWED: [&str; 12] = [
    "MIT",
    "Apache-2.0",
    "ISC",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "Zlib",
    "0BSD",
    "Unlicense",
    "BSL-1.0",
    "Unicode-3.0",
    "Unicode-DFS-2016",
    // The Mozilla root certificates bundled by webpki-root-certs.
    "CDLA-Permissive-2.0",
];
const ALLOWED_EXCEPTIONS: [&str; 1] = ["LLVM-exception"];

/// The targets whose trees are checked: every platform GameGate ships on.
const TARGETS: [&str; 8] = [
    "x86_64-unknown-linux-gnu",
    "aarch64-unknown-linux-gnu",
    "x86_64-pc-windows-gnu",
    "x86_64-pc-windows-msvc",
    "aarch64-apple-darwin",
    "aarch64-apple-ios",
    "aarch64-linux-android",
    "armv7-linux-androideabi",
];

struct Package {
    name: String,
    version: String,
    license: String,
}

/// The crates linked into the library for `target` (GameGate itself left out).
fn linked(target: &str) -> Result<Vec<Package>> {
    let out = cargo()
        .args(["tree", "--quiet", "--locked", "-p", "gamegate", "-e", "normal", "--prefix", "none", "--no-dedupe", "--target", target])
        .args(["--format", "{p}|{l}"])
        .output()
        .map_err(|e| format!("cargo tree: {e}"))?;
    if !out.status.success() {
        return Err(format!("cargo tree --target {target} failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let mut packages: Vec<Package> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| {
            let (id, license) = line.split_once('|')?;
            let mut words = id.split_whitespace();
            let (name, version) = (words.next()?.to_string(), words.next()?.trim_start_matches('v').to_string());
            Some(Package { name, version, license: license.trim().to_string() })
        })
        .filter(|p| p.name != "gamegate")
        .collect();
    packages.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
    packages.dedup_by(|a, b| a.name == b.name && a.version == b.version);
    Ok(packages)
}

/// Every crate linked for every shipped target has a license on the allow-list.
pub fn check() -> Result {
    let mut problems = Vec::new();
    let mut counted = 0;
    for target in TARGETS {
        for package in linked(target)? {
            counted += 1;
            if !allowed(&package.license) {
                problems.push(format!("{} {} ({target}): {:?}", package.name, package.version, package.license));
            }
        }
    }
    println!("  licenses: {counted} crate/target pairs over {} targets checked", TARGETS.len());
    if problems.is_empty() {
        Ok(())
    } else {
        problems.dedup();
        Err(format!("licenses not on the allow-list (xtask/src/licenses.rs): {}", problems.join("; ")))
    }
}

/// THIRD_PARTY_NOTICES for `target`: each crate, its license, and the license files it ships.
pub fn notices(target: &str) -> Result<String> {
    let packages = linked(target)?;
    let mut text = format!(
        "GameGate {} links the following crates ({target}). Generated from the dependency tree by\n\
         `cargo xtask dist`; each crate's own license files follow its entry.\n\n",
        crate::dist::VERSION
    );
    for package in &packages {
        text.push_str(&format!("{}\n{} {} — {}\n{}\n", "=".repeat(78), package.name, package.version, package.license, "=".repeat(78)));
        let files = license_files(package);
        if files.is_empty() {
            text.push_str(&format!("(the crate ships no license file; its license is {})\n\n", package.license));
        }
        for file in files {
            let body = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            text.push_str(&format!("--- {} ---\n{}\n\n", file.file_name().unwrap_or_default().to_string_lossy(), body.trim_end()));
        }
    }
    Ok(text)
}

/// LICENSE*, COPYING*, NOTICE* at the top of the crate's source in cargo's registry.
fn license_files(package: &Package) -> Vec<PathBuf> {
    let home = std::env::var_os("CARGO_HOME").map(PathBuf::from).or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let Some(registry) = home.map(|h| h.join("registry/src")) else { return Vec::new() };
    let mut found = Vec::new();
    for index in std::fs::read_dir(registry).into_iter().flatten().flatten() {
        let dir = index.path().join(format!("{}-{}", package.name, package.version));
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().to_ascii_uppercase();
            if ["LICENSE", "LICENCE", "COPYING", "NOTICE"].iter().any(|prefix| name.starts_with(prefix)) && entry.path().is_file() {
                found.push(entry.path());
            }
        }
        if !found.is_empty() {
            break;
        }
    }
    found.sort();
    found
}

/// Whether an SPDX expression can be satisfied with allowed licenses: `OR` takes any side,
/// `AND` needs both (and binds tighter), parentheses group, `WITH` adds an exception.
fn allowed(expression: &str) -> bool {
    let spaced = expression.replace('(', " ( ").replace(')', " ) ").replace('/', " OR ");
    let tokens: Vec<&str> = spaced.split_whitespace().collect();
    let mut at = 0;
    let verdict = parse_or(&tokens, &mut at);
    verdict == Some(true) && at == tokens.len()
}

fn parse_or(tokens: &[&str], at: &mut usize) -> Option<bool> {
    let mut any = parse_and(tokens, at)?;
    while tokens.get(*at) == Some(&"OR") {
        *at += 1;
        any |= parse_and(tokens, at)?;
    }
    Some(any)
}

fn parse_and(tokens: &[&str], at: &mut usize) -> Option<bool> {
    let mut all = parse_atom(tokens, at)?;
    while tokens.get(*at) == Some(&"AND") {
        *at += 1;
        all &= parse_atom(tokens, at)?;
    }
    Some(all)
}

fn parse_atom(tokens: &[&str], at: &mut usize) -> Option<bool> {
    let token = *tokens.get(*at)?;
    *at += 1;
    if token == "(" {
        let inner = parse_or(tokens, at)?;
        (tokens.get(*at) == Some(&")")).then_some(())?;
        *at += 1;
        return Some(inner);
    }
    if ["AND", "OR", "WITH", ")"].contains(&token) {
        return None;
    }
    let mut ok = ALLOWED.contains(&token);
    if tokens.get(*at) == Some(&"WITH") {
        let exception = *tokens.get(*at + 1)?;
        *at += 2;
        ok &= ALLOWED_EXCEPTIONS.contains(&exception);
    }
    Some(ok)
}

#[cfg(test)]
mod tests {
    use super::allowed;

    #[test]
    fn spdx_expressions_are_read_with_and_binding_tighter_than_or() {
        assert!(allowed("MIT OR Apache-2.0"));
        assert!(allowed("Apache-2.0 AND ISC"));
        assert!(allowed("MIT/Apache-2.0"));
        assert!(allowed("(MIT OR Apache-2.0) AND Unicode-3.0"));
        assert!(allowed("Apache-2.0 WITH LLVM-exception"));
        assert!(allowed("GPL-3.0 OR MIT"), "one allowed choice is enough");
        assert!(!allowed("MIT AND GPL-3.0"), "both are needed");
        assert!(!allowed("(MIT OR Apache-2.0) AND GPL-3.0"));
        assert!(!allowed("GPL-2.0 WITH LLVM-exception"));
        assert!(!allowed(""), "no license at all is not allowed");
        assert!(!allowed("MIT OR"));
    }
}
