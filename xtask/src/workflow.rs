//! The release workflow (`.github/workflows/release.yml`) checked here, although it runs only
//! on hosted runners: validated against GitHub's workflow schema (check-jsonschema's vendored
//! copy, no network), every `cargo xtask` step it runs named as a command this xtask has, and the
//! packaging script of its last job run against this machine's `target/dist` (the hosted
//! builds stood in for by empty folders). The `cargo xtask dist` and `dist --check` steps are
//! the dist suites of the test command; the `--hosted` ones need the runners' SDKs.

use crate::{root, run, Result};
use std::path::Path;
use std::process::Command;

const WORKFLOW: &str = ".github/workflows/release.yml";

/// The xtask steps a workflow may run; the first two run in the test command itself.
const KNOWN_STEPS: [&str; 5] = ["dist --check", "dist", "dist --hosted msvc", "dist --hosted android", "dist --hosted ios"];

pub fn schema() -> Result {
    let mut command = Command::new("check-jsonschema");
    command.current_dir(root()).args(["--builtin-schema", "vendor.github-workflows", WORKFLOW]);
    run(&mut command).map_err(|e| if e.contains("could not start") { format!("{e} (pip install check-jsonschema; .ci/run does)") } else { e })
}

pub fn steps_and_packaging() -> Result {
    let text = std::fs::read_to_string(root().join(WORKFLOW)).map_err(|e| e.to_string())?;
    let mut unknown = Vec::new();
    for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
        if let Some(at) = line.find("cargo xtask ") {
            let step = line[at + "cargo xtask ".len()..].trim();
            if !KNOWN_STEPS.contains(&step) {
                unknown.push(step.to_string());
            }
        }
    }
    if !unknown.is_empty() {
        return Err(format!("{WORKFLOW} runs xtask steps this xtask does not have: {unknown:?}"));
    }
    run_packaging_script(&packaging_script(&text)?)
}

/// The multi-line `run: |` block of the last job: it packs what `cargo xtask dist` laid out.
fn packaging_script(workflow: &str) -> Result<String> {
    let start = workflow.find("run: |\n").ok_or(format!("{WORKFLOW} has no multi-line packaging step"))?;
    let body = &workflow[start + "run: |\n".len()..];
    let indent = body.len() - body.trim_start().len();
    let script: Vec<&str> = body.lines().take_while(|l| l.len() > indent && l[..indent].trim().is_empty()).map(|l| &l[indent..]).collect();
    if script.is_empty() {
        return Err("the packaging step is empty".into());
    }
    Ok(script.join("\n"))
}

/// Runs the script in a scratch tree: `target/dist` hard-linked, hosted outputs as empty folders.
fn run_packaging_script(script: &str) -> Result {
    let dist = root().join("target/dist");
    if !dist.join("unreal/GameGate").exists() {
        return Err("target/dist has no Unreal plugin: run after cargo xtask dist".into());
    }
    let scratch = root().join("target/workflow-check");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(scratch.join("target")).map_err(|e| e.to_string())?;
    run(Command::new("cp").arg("-al").arg(&dist).arg(scratch.join("target/dist")))?;
    // The script writes SHA256SUMS anew: unlink the hard-linked one, or it would write through
    // into the real dist folder.
    let _ = std::fs::remove_file(scratch.join("target/dist/SHA256SUMS"));
    for hosted in ["msvc", "android", "ios"] {
        std::fs::create_dir_all(scratch.join("target/dist-hosted").join(hosted)).map_err(|e| e.to_string())?;
    }
    run(Command::new("bash").args(["-euo", "pipefail", "-c", script]).current_dir(&scratch))?;
    let packed = scratch.join("target/dist");
    for expected in ["gamegate-unreal-plugin.tar.gz", "gamegate-msvc.tar.gz", "SHA256SUMS"] {
        if !packed.join(expected).exists() {
            return Err(format!("the packaging step made no {expected}"));
        }
    }
    check_sums(&packed)
}

/// SHA256SUMS lists the plugin tarball and the Unity package, and every sum holds.
fn check_sums(dir: &Path) -> Result {
    let sums = std::fs::read_to_string(dir.join("SHA256SUMS")).map_err(|e| e.to_string())?;
    if !sums.contains("gamegate-unreal-plugin.tar.gz") || !sums.contains(".tgz") {
        return Err("SHA256SUMS lacks the Unreal plugin or the Unity package".into());
    }
    run(Command::new("sha256sum").args(["--check", "--quiet", "SHA256SUMS"]).current_dir(dir))
}
