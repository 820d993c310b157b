//! Checks on the release artifacts, for the test command: each file is read back as its
//! platform's loader would see it (glibc symbol versions and SONAME, the Mach-O install name
//! and architectures, the DLL's export and import tables), the archives against their
//! checksums, the Unity tarball against Unity's `.meta` rules, and the folder is consumed by
//! a CMake project and a pkg-config build that run against the emulator.

use super::{dist, dist_dir, is_shipped_binary, walk, Os, GLIBC_FLOOR, TARGETS, VERSION};
use crate::toolchain::Toolchain;
use crate::{cross, have, root, run, Result, Suites};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;


/// Builds the artifacts, then reads them back; each check is a suite.
pub fn suites(suites: &mut Suites, emulator_url: &str) {
    let built = dist();
    let failed_build = built.is_err();
    suites.record("cargo xtask dist (every artifact this machine can build)", built);
    if failed_build {
        return;
    }
    let dist = dist_dir();
    for target in &TARGETS {
        let folder = dist.join(target.triple);
        let result = match target.os {
            Os::Linux => check_linux(&folder.join("lib/libgamegate.so")),
            Os::Mac => check_mac(&folder.join("lib/libgamegate.dylib")),
            Os::Windows => cross::check_dll(&folder.join("lib/gamegate.dll")),
        };
        suites.record(format!("dist {}: the library as the platform's loader sees it", target.triple), result);
    }
    suites.record("dist archives: checksums match and each holds its folder", check_archives(&dist));
    suites.record("dist unity tarball: a binary in every slot it lists, no orphan .meta", check_unity_tarball(&dist));
    suites.record("dist c++ consumer: cmake find_package(GameGate), shared and static, run", cmake_consumer(&dist, emulator_url));
    suites.record("dist c consumer: pkg-config --cflags --libs gamegate, run", pkg_config_consumer(&dist, emulator_url));
}

/// Highest GLIBC symbol version at most the floor, a SONAME, and the header's functions exported.
fn check_linux(so: &Path) -> Result {
    let symbols = output(Command::new("llvm-objdump").arg("-T").arg(so))?;
    let newest = highest_glibc(&symbols).ok_or("no GLIBC symbol versions found")?;
    let headers = output(Command::new("llvm-objdump").arg("-p").arg(so))?;
    let soname = headers.lines().find_map(|l| l.trim().strip_prefix("SONAME")).map(str::trim).unwrap_or_default().to_string();
    let exported: BTreeSet<String> = symbols
        .lines()
        .filter(|l| l.contains(" .text") && l.contains("DF"))
        .filter_map(|l| l.split_whitespace().last().map(String::from))
        .collect();
    println!("  {}: newest glibc symbol GLIBC_{}.{}, SONAME {soname:?}, {} functions", so.display(), newest.0, newest.1, exported.len());
    if newest > GLIBC_FLOOR {
        return Err(format!("needs GLIBC_{}.{}, newer than the {}.{} floor", newest.0, newest.1, GLIBC_FLOOR.0, GLIBC_FLOOR.1));
    }
    if soname != "libgamegate.so" {
        return Err(format!("SONAME is {soname:?}, not \"libgamegate.so\""));
    }
    same_functions(&exported)
}

/// The highest `GLIBC_x.y` version a symbol table needs.
fn highest_glibc(symbols: &str) -> Option<(u32, u32)> {
    symbols
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter_map(|word| word.strip_prefix("GLIBC_"))
        .filter_map(|version| {
            let mut parts = version.split('.');
            Some((parts.next()?.parse().ok()?, parts.next().and_then(|p| p.parse().ok()).unwrap_or(0)))
        })
        .max()
}

/// Install name `@rpath/libgamegate.dylib`, both architectures, the header's functions in each,
/// and only the OS's libraries loaded.
fn check_mac(dylib: &Path) -> Result {
    let id = output(Command::new("llvm-objdump").args(["--macho", "--dylib-id"]).arg(dylib))?;
    let install_name = id.lines().last().unwrap_or_default().trim().to_string();
    let lipo = llvm_lipo().ok_or("llvm-lipo is not installed (apt-get install llvm)")?;
    let archs = output(Command::new(lipo).arg("-archs").arg(dylib))?;
    let archs: BTreeSet<&str> = archs.split_whitespace().collect();
    println!("  {}: install name {install_name}, architectures {archs:?}", dylib.display());
    if install_name != "@rpath/libgamegate.dylib" {
        return Err(format!("install name is {install_name:?}: it must be @rpath/libgamegate.dylib to load outside the build Mac"));
    }
    if archs != BTreeSet::from(["arm64", "x86_64"]) {
        return Err(format!("architectures {archs:?}, not arm64 + x86_64"));
    }
    for arch in ["arm64", "x86_64"] {
        let trie = output(Command::new("llvm-objdump").args(["--macho", "--exports-trie", &format!("--arch={arch}")]).arg(dylib))?;
        let exported: BTreeSet<String> = trie.lines().filter_map(|l| l.split_whitespace().last()).filter_map(|s| s.strip_prefix('_')).map(String::from).collect();
        same_functions(&exported).map_err(|e| format!("{arch}: {e}"))?;
        // What it loads: the OS's own libraries and frameworks, at their real install names
        // (Security and CoreFoundation are linked against stubs here, xtask/apple-frameworks).
        let used = output(Command::new("llvm-objdump").args(["--macho", "--dylibs-used", &format!("--arch={arch}")]).arg(dylib))?;
        let loads: Vec<&str> = used.lines().skip(1).filter_map(|l| l.split(" (").next()).map(str::trim).filter(|l| *l != "@rpath/libgamegate.dylib").collect();
        let foreign: Vec<_> = loads.iter().filter(|l| !l.starts_with("/usr/lib/") && !l.starts_with("/System/Library/Frameworks/")).collect();
        let needed = ["/System/Library/Frameworks/Security.framework/Versions/A/Security", "/System/Library/Frameworks/CoreFoundation.framework/Versions/A/CoreFoundation"];
        if !foreign.is_empty() || needed.iter().any(|n| !loads.contains(n)) {
            return Err(format!("{arch}: loads {loads:?}: only the OS's libraries, Security and CoreFoundation among them"));
        }
    }
    Ok(())
}

/// Debian names it llvm-lipo-<version>.
fn llvm_lipo() -> Option<PathBuf> {
    if have("llvm-lipo") {
        return Some(PathBuf::from("llvm-lipo"));
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/bin").ok()?.flatten().map(|e| e.path()).filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("llvm-lipo-"))).collect();
    found.sort();
    found.pop()
}

fn same_functions(exported: &BTreeSet<String>) -> Result {
    let declared = cross::header_functions()?;
    let missing: Vec<_> = declared.difference(exported).collect();
    let extra: Vec<_> = exported.iter().filter(|name| !declared.contains(*name) && is_ours(name)).collect();
    if missing.is_empty() && extra.is_empty() {
        Ok(())
    } else {
        Err(format!("in the header but not exported: {missing:?}; exported but not in the header: {extra:?}"))
    }
}

fn is_ours(name: &str) -> bool {
    ["gg_", "kgen_", "elixir_"].iter().any(|prefix| name.starts_with(prefix))
}

/// `sha256sum -c` over SHA256SUMS, and each archive lists exactly its folder's files.
fn check_archives(dist: &Path) -> Result {
    run(Command::new("sha256sum").current_dir(dist).args(["--check", "--strict", "SHA256SUMS"]))?;
    for target in &TARGETS {
        let archive = format!("gamegate-{VERSION}-{}.tar.gz", target.triple);
        let listed: BTreeSet<String> = output(Command::new("tar").current_dir(dist).args(["-tzf", &archive]))?.lines().filter(|l| !l.ends_with('/')).map(String::from).collect();
        let on_disk: BTreeSet<String> = walk(&dist.join(target.triple))?.iter().map(|f| f.strip_prefix(dist).unwrap_or(f).display().to_string()).collect();
        if listed != on_disk {
            return Err(format!("{archive} does not hold exactly {}/", target.triple));
        }
        for needed in ["include/gamegate.h", "include/gamegate.hpp", "lib/pkgconfig/gamegate.pc", "lib/cmake/GameGate/GameGateConfig.cmake", "lib/cmake/GameGate/GameGateConfigVersion.cmake", "THIRD_PARTY_NOTICES"] {
            if !listed.contains(&format!("{}/{needed}", target.triple)) {
                return Err(format!("{archive} has no {needed}"));
            }
        }
    }
    Ok(())
}

/// Read from the tarball itself: every asset has its `.meta` and every `.meta` its asset
/// (folders included), and at least one plugin slot holds its binary.
fn check_unity_tarball(dist: &Path) -> Result {
    let tarball = format!("unity/com.gamegate.sdk-{VERSION}.tgz");
    let listed = output(Command::new("tar").current_dir(dist).args(["-tzf", &tarball]))?;
    let entries: BTreeSet<String> = listed.lines().map(|l| l.trim_end_matches('/').to_string()).filter(|l| l != "package").collect();
    let problems = unity_listing_problems(&entries);
    println!("  {tarball}: {} entries, {} native libraries", entries.len(), entries.iter().filter(|e| is_shipped_binary(Path::new(e))).count());
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// What Unity would complain about in a package's file list (paths under `package/`).
fn unity_listing_problems(entries: &BTreeSet<String>) -> Vec<String> {
    let mut problems = Vec::new();
    for entry in entries {
        let hidden = entry.split('/').any(|part| part.ends_with('~') || part.starts_with('.'));
        if hidden || entry == "package/package.json" {
            continue; // Unity imports neither hidden folders nor the manifest as assets
        }
        match entry.strip_suffix(".meta") {
            Some(asset) if !entries.contains(asset) => problems.push(format!("{entry} has no asset (an orphan .meta)")),
            Some(_) => {}
            None if !entries.contains(&format!("{entry}.meta")) => problems.push(format!("{entry} has no .meta")),
            None => {}
        }
    }
    if !entries.iter().any(|e| e.contains("/Plugins/") && is_shipped_binary(Path::new(e))) {
        problems.push("no native library in any plugin slot".into());
    }
    problems
}

/// `tests/dist/cmake`: find_package(GameGate CONFIG REQUIRED) against the Linux folder, a
/// program linked to the shared and one to the static library, both run against the emulator.
fn cmake_consumer(dist: &Path, emulator_url: &str) -> Result {
    if !have("cmake") {
        return Err("cmake is not installed (apt-get install cmake)".into());
    }
    let build = root().join("target/dist-consumers/cmake");
    let _ = std::fs::remove_dir_all(&build);
    let prefix = dist.join("x86_64-unknown-linux-gnu");
    run(Command::new("cmake")
        .arg("-S")
        .arg(root().join("tests/dist/cmake"))
        .arg("-B")
        .arg(&build)
        .arg(format!("-DCMAKE_PREFIX_PATH={}", prefix.display()))
        .arg("-DCMAKE_BUILD_TYPE=Release"))?;
    run(Command::new("cmake").arg("--build").arg(&build))?;
    for program in ["consumer_shared", "consumer_static"] {
        run(Command::new(build.join(program)).env("GAMEGATE_EMULATOR_URL", emulator_url))?;
    }
    // The shared one found the library in the dist folder, not in the build tree.
    let needed = output(Command::new("llvm-objdump").arg("-p").arg(build.join("consumer_shared")))?;
    if !needed.lines().any(|l| l.contains("NEEDED") && l.trim_end().ends_with(" libgamegate.so")) {
        return Err("consumer_shared does not record NEEDED libgamegate.so".into());
    }
    Ok(())
}

/// `tests/dist/pkg_config.c` built with `pkg-config --cflags --libs gamegate` and run.
fn pkg_config_consumer(dist: &Path, emulator_url: &str) -> Result {
    if !have("pkg-config") {
        return Err("pkg-config is not installed (apt-get install pkg-config)".into());
    }
    let pc_dir = dist.join("x86_64-unknown-linux-gnu/lib/pkgconfig");
    let flags = output(Command::new("pkg-config").args(["--cflags", "--libs", "gamegate"]).env("PKG_CONFIG_PATH", &pc_dir))?;
    let libdir = output(Command::new("pkg-config").args(["--variable=libdir", "gamegate"]).env("PKG_CONFIG_PATH", &pc_dir))?;
    let out = root().join("target/dist-consumers");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let program = out.join("pkg_config_consumer");
    let toolchain = Toolchain::host()?;
    run(toolchain
        .c_command()
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-o"])
        .arg(&program)
        .arg(root().join("tests/dist/pkg_config.c"))
        .args(flags.split_whitespace())
        .arg(format!("-Wl,-rpath,{}", libdir.trim())))?;
    run(Command::new(&program).env("GAMEGATE_EMULATOR_URL", emulator_url))
}

fn output(command: &mut Command) -> Result<String> {
    let out = command.output().map_err(|e| format!("{command:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{command:?} failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unity_listing_with_an_orphan_meta_or_a_missing_meta_is_refused() {
        let listing = |names: &[&str]| names.iter().map(|n| format!("package/{n}")).collect::<BTreeSet<String>>();
        let good = listing(&["package.json", "package.json.meta", "Plugins", "Plugins.meta", "Plugins/Linux", "Plugins/Linux.meta", "Plugins/Linux/libgamegate.so", "Plugins/Linux/libgamegate.so.meta", "Tests~/x.cs"]);
        assert!(unity_listing_problems(&good).is_empty(), "{:?}", unity_listing_problems(&good));
        let orphan = listing(&["Plugins", "Plugins.meta", "Plugins/Linux/libgamegate.so", "Plugins/Linux/libgamegate.so.meta", "Plugins/Linux", "Plugins/Linux.meta", "Plugins/iOS.meta"]);
        assert_eq!(unity_listing_problems(&orphan), vec!["package/Plugins/iOS.meta has no asset (an orphan .meta)"]);
        let bare = listing(&["Plugins", "Plugins.meta", "Plugins/a.dll"]);
        assert_eq!(unity_listing_problems(&bare), vec!["package/Plugins/a.dll has no .meta"]);
        let empty = listing(&["Runtime", "Runtime.meta"]);
        assert_eq!(unity_listing_problems(&empty), vec!["no native library in any plugin slot"]);
    }

    #[test]
    fn the_newest_glibc_version_is_read_from_a_symbol_table() {
        let table = "0000 DF *UND* 0000 (GLIBC_2.2.5) memcpy\n0000 DF *UND* 0000 (GLIBC_2.28) fcntl64\n0000 DF *UND* GLIBC_2.3 x";
        assert_eq!(highest_glibc(table), Some((2, 28)));
        assert_eq!(highest_glibc("0000 DF *UND* (GLIBC_2.34) pthread_create"), Some((2, 34)));
        assert_eq!(highest_glibc("nothing versioned"), None);
    }
}
