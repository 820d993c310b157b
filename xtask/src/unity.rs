//! The Unity package's own checks and the C# suites: `.meta` files (unique GUIDs, every
//! slot in Plugins/README.md's table, nothing orphaned), the NUnit suite under mono with the JIT
//! and under full AOT, the console example, and the runtime compiled under Unity's define sets
//! against stand-ins of UnityEngine/UnityEditor.

use crate::toolchain::Toolchain;
use crate::{have, root, run, Result, Suites, UNITY_PACKAGE};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Unity ignores (and warns about) package files without a `.meta`, and orphan `.meta` files
/// point at nothing: both are checked here. Plugin binaries are built, not committed, so their
/// `.meta` files may stand alone. Folders ending in `~` are invisible to Unity.
pub fn unity_metadata_is_complete() -> Result {
    fn walk(dir: &Path, problems: &mut Vec<String>) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
            if name.ends_with('~') || name.starts_with('.') {
                continue;
            }
            if let Some(asset) = name.strip_suffix(".meta") {
                let plugin_slot = path.components().any(|c| c.as_os_str() == "Plugins")
                    && [".so", ".dll", ".dylib", ".a"].iter().any(|ext| asset.ends_with(ext));
                if !dir.join(asset).exists() && !plugin_slot {
                    problems.push(format!("{} has no asset", path.display()));
                }
                continue;
            }
            if !dir.join(format!("{name}.meta")).exists() {
                problems.push(format!("{} has no .meta", path.display()));
            }
            if path.is_dir() {
                walk(&path, problems)?;
            }
        }
        Ok(())
    }
    let mut problems = Vec::new();
    walk(&root().join(UNITY_PACKAGE), &mut problems).map_err(|e| e.to_string())?;
    problems.extend(unity_guids_and_slots_problems().map_err(|e| e.to_string())?);
    // Each sample package.json offers exists and has code (the define-set suite compiles it).
    let manifest = std::fs::read_to_string(root().join(UNITY_PACKAGE).join("package.json")).map_err(|e| e.to_string())?;
    let samples: Vec<&str> = manifest.split("\"path\": \"").skip(1).filter_map(|rest| rest.split('"').next()).collect();
    if samples.is_empty() {
        problems.push("package.json offers no sample".into());
    }
    for sample in samples {
        let dir = root().join(UNITY_PACKAGE).join(sample);
        let has_code = std::fs::read_dir(&dir).map(|entries| entries.filter_map(|e| e.ok()).any(|e| e.path().extension().is_some_and(|x| x == "cs"))).unwrap_or(false);
        if !sample.starts_with("Samples~/") || !has_code {
            problems.push(format!("package.json's sample {sample} is not a folder of C# under Samples~"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

/// Every `.meta` GUID is unique (Unity keys assets by it; a copied `.meta` makes two assets
/// one), and every plugin slot's `.meta` is listed in `Plugins/README.md`'s table.
fn unity_guids_and_slots_problems() -> std::io::Result<Vec<String>> {
    fn metas(dir: &Path, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if path.is_dir() {
                metas(&path, found)?;
            } else if path.extension().is_some_and(|e| e == "meta") {
                found.push(path);
            }
        }
        Ok(())
    }
    let package = root().join(UNITY_PACKAGE);
    let mut found = Vec::new();
    metas(&package, &mut found)?;
    let mut problems = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for meta in &found {
        let text = std::fs::read_to_string(meta)?;
        let guid = text.lines().find_map(|l| l.strip_prefix("guid: ")).unwrap_or_default().trim().to_string();
        if guid.len() != 32 {
            problems.push(format!("{} has no 32-digit guid", meta.display()));
        } else if let Some(first) = seen.insert(guid, meta.clone()) {
            problems.push(format!("{} and {} share a guid", first.display(), meta.display()));
        }
    }
    let table = std::fs::read_to_string(package.join("Plugins/README.md"))?;
    let plugins = package.join("Plugins");
    for meta in found.iter().filter(|m| m.starts_with(&plugins)) {
        let text = std::fs::read_to_string(meta)?;
        if !text.contains("PluginImporter:") {
            continue; // a folder
        }
        let slot = meta.strip_prefix(&plugins).expect("under Plugins").with_extension("");
        let row = table.lines().find(|line| line.starts_with(&format!("| `{}` |", slot.display())));
        let settings = enabled_targets(&text);
        match row {
            None => problems.push(format!("Plugins/{} is not in Plugins/README.md's table", slot.display())),
            Some(row) if !row.contains(&format!("| {settings} |")) => {
                problems.push(format!("Plugins/{}: its .meta enables {settings:?}, which Plugins/README.md's table does not say", slot.display()))
            }
            Some(_) => {}
        }
    }
    Ok(problems)
}

/// A plugin `.meta`'s enabled targets and their CPU, as the table writes them:
/// "Editor/x86_64, Linux64/x86_64".
pub fn enabled_targets(meta: &str) -> String {
    let mut enabled = Vec::new();
    let (mut target, mut on, mut cpu): (Option<String>, bool, Option<String>) = (None, false, None);
    let mut next_is_target = false;
    let mut flush = |target: &Option<String>, on: bool, cpu: &Option<String>| {
        if let (Some(target), true) = (target, on) {
            enabled.push(format!("{target}/{}", cpu.as_deref().unwrap_or("-")));
        }
    };
    for line in meta.lines() {
        if line.starts_with("  - first:") {
            flush(&target, on, &cpu);
            (target, on, cpu) = (None, false, None);
            next_is_target = true;
        } else if next_is_target {
            // "      Standalone: Linux64" (group: target), or "      : Any"
            let entry = line.trim();
            target = Some(entry.split_once(": ").map_or(entry.trim_matches(':').trim(), |(_, t)| t).to_string());
            next_is_target = false;
        } else if line.trim() == "enabled: 1" {
            on = true;
        } else if let Some(value) = line.trim().strip_prefix("CPU: ") {
            cpu = Some(value.to_string());
        } else if line.starts_with("  userData:") {
            flush(&target, on, &cpu);
            target = None;
        }
    }
    enabled.join(", ")
}

/// The Unity package's runtime code under mono: the NUnit suite (with the struct-layout check
/// against C) and the console example.
pub fn csharp_suites(suites: &mut Suites, toolchain: &Toolchain, bin_dir: &Path, emulator_url: &str, in_ci: bool) {
    suites.record("unity package metadata", unity_metadata_is_complete());
    let tools = ["mcs", "mono", "nunit-console"];
    if let Some(missing) = tools.iter().find(|tool| !have(tool)) {
        let message = format!("{missing} is not installed (apt-get install mono-mcs mono-runtime nunit-console libnunit-cil-dev)");
        if in_ci {
            suites.record("c# binding (nunit)", Err(message));
        } else {
            eprintln!("note: {message}; skipping the C# suites");
        }
        return;
    }
    let out = root().join("target").join("csharp");
    let runtime = out.join("GameGate.Runtime.dll");
    let mcs = |args: &[&str]| {
        let mut command = Command::new("mcs");
        command.current_dir(root()).args(["-langversion:7.2", "-warnaserror", "-nologo"]).args(args);
        run(&mut command)
    };
    let mono_env = |command: &mut Command| {
        command.env("LD_LIBRARY_PATH", bin_dir).env("GAMEGATE_EMULATOR_URL", emulator_url);
    };
    let layout = out.join("layout.txt");
    let prepared = std::fs::create_dir_all(&out)
        .map_err(|e| e.to_string())
        .and_then(|()| toolchain.compile(&["bindings/unity/Tests~/struct_layout.c"], &out.join("struct_layout"), bin_dir, &[]))
        .and_then(|()| {
            let printed = Command::new(out.join("struct_layout")).output().map_err(|e| e.to_string())?;
            std::fs::write(&layout, printed.stdout).map_err(|e| e.to_string())
        })
        .and_then(|()| mcs(&["-target:library", &format!("-out:{}", runtime.display()), "-recurse:bindings/unity/Runtime/*.cs"]));
    if let Err(message) = prepared {
        suites.record("c# binding (nunit)", Err(format!("the runtime does not build: {message}")));
        return;
    }

    let tests = out.join("GameGate.Tests.dll");
    let Some(framework) = nunit_framework() else {
        suites.record("c# binding (nunit)", Err("nunit.framework.dll not found under /usr/lib/cli (apt-get install libnunit-cil-dev)".into()));
        return;
    };
    let nunit = mcs(&[
        "-target:library",
        &format!("-r:{}", framework.display()),
        "-r:System.Core.dll",
        &format!("-r:{}", runtime.display()),
        &format!("-out:{}", tests.display()),
        "bindings/unity/Tests~/GameGateTests.cs",
    ])
    .and_then(|()| {
        let mut command = Command::new("nunit-console");
        command.current_dir(&out).args(["-nologo", "-noshadow"]).arg(&tests).env("GAMEGATE_LAYOUT", &layout);
        mono_env(&mut command);
        run(&mut command)
    });
    suites.record("c# binding (nunit)", nunit);
    let aot = mono_full_aot_suite(&out, &[&runtime, &tests, &framework], &layout, bin_dir, emulator_url);
    suites.record("c# binding under mono's full AOT (no JIT, the stand-in for IL2CPP)", aot);

    let example = out.join("Example.exe");
    let example_run = mcs(&[&format!("-r:{}", runtime.display()), &format!("-out:{}", example.display()), "examples/csharp/Program.cs"])
        .and_then(|()| {
            let mut command = Command::new("mono");
            command.current_dir(&out).arg(&example);
            mono_env(&mut command);
            run(&mut command)
        });
    suites.record("example: c# console (unity runtime code)", example_run);
    suites.record("unity runtime under unity's define sets (editor, standalone, ios, android), checked by reflection", unity_define_sets(&out));
}

/// The C# suite with every method compiled ahead of time and no JIT (`mono --full-aot`), the
/// closest thing to IL2CPP that runs here. mono looks for the AOT image of each assembly next
/// to the file it loads, corlib included, and finds its framework relative to its own binary:
/// so mono and its framework are copied into `target/` (Debian's own files stay untouched),
/// every assembly the suite can load is compiled there, and a small runner
/// (`tests/unity/AotTestRunner.cs`) stands in for nunit-console, which needs a JIT itself.
fn mono_full_aot_suite(out: &Path, assemblies: &[&PathBuf], layout: &Path, bin_dir: &Path, emulator_url: &str) -> Result {
    let aot = out.join("full-aot");
    let mono_root = aot.join("mono");
    let mono = mono_root.join("bin/mono");
    if !mono.exists() {
        let installed = std::fs::canonicalize(Path::new("/usr/bin/mono")).map_err(|e| format!("/usr/bin/mono: {e}"))?;
        for dir in ["bin", "lib/mono", "etc"] {
            std::fs::create_dir_all(mono_root.join(dir)).map_err(|e| e.to_string())?;
        }
        std::fs::copy(&installed, &mono).map_err(|e| e.to_string())?;
        // The framework keeps its relative links into the GAC; the native helpers are linked.
        for (from, to) in [("/usr/lib/mono/4.5", "lib/mono/4.5"), ("/usr/lib/mono/gac", "lib/mono/gac"), ("/etc/mono", "etc/mono")] {
            run(Command::new("cp").args(["-a", from]).arg(mono_root.join(to)))?;
        }
        for entry in std::fs::read_dir("/usr/lib").map_err(|e| e.to_string())?.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if name.to_ascii_lowercase().starts_with("libmono") && name.contains(".so") {
                run(Command::new("ln").arg("-sf").arg(entry.path()).arg(mono_root.join("lib").join(&name)))?;
            }
        }
    }
    let suite = aot.join("suite");
    std::fs::create_dir_all(&suite).map_err(|e| e.to_string())?;
    let mut references = Vec::new();
    for assembly in assemblies {
        let copy = suite.join(assembly.file_name().expect("a file name"));
        std::fs::copy(assembly, &copy).map_err(|e| e.to_string())?;
        references.push(format!("-r:{}", copy.display()));
    }
    let runner = suite.join("AotTestRunner.exe");
    let mut mcs = Command::new("mcs");
    mcs.current_dir(root()).args(["-langversion:7.2", "-warnaserror", "-nologo"]).args(&references);
    run(mcs.arg(format!("-out:{}", runner.display())).arg("tests/unity/AotTestRunner.cs"))?;
    let listed = Command::new(&mono).arg(&runner).arg("--references").output().map_err(|e| e.to_string())?;
    if !listed.status.success() {
        return Err(format!("the runner could not list its references: {}", String::from_utf8_lossy(&listed.stderr)));
    }
    for file in String::from_utf8_lossy(&listed.stdout).lines().map(PathBuf::from) {
        let image = PathBuf::from(format!("{}.so", file.display()));
        let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
        if image.exists() && modified(&image) >= modified(&file) {
            continue; // the framework's images survive from one run to the next
        }
        let compiled = Command::new(&mono).arg("--aot=full").arg(&file).output().map_err(|e| e.to_string())?;
        if !compiled.status.success() {
            return Err(format!("mono --aot=full {}: {}", file.display(), String::from_utf8_lossy(&compiled.stdout)));
        }
    }
    run(Command::new(&mono)
        .current_dir(&suite)
        .arg("--full-aot")
        .arg(&runner)
        .env("LD_LIBRARY_PATH", bin_dir)
        .env("GAMEGATE_EMULATOR_URL", emulator_url)
        .env("GAMEGATE_LAYOUT", layout))
}

/// The Unity runtime compiled as Unity compiles it for each kind of build (its scripting
/// defines, against stand-ins of UnityEngine and UnityEditor in `tests/unity`), then read by
/// reflection (`tests/unity/CheckRuntime.cs`): each build imports from the right library
/// ("__Internal" on iOS) and every delegate handed to native code is IL2CPP-safe.
fn unity_define_sets(out: &Path) -> Result {
    let dir = out.join("unity-define-sets");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let mcs = |args: &[String]| {
        let mut command = Command::new("mcs");
        command.current_dir(root()).args(["-langversion:7.2", "-warnaserror", "-nologo"]).args(args);
        run(&mut command)
    };
    let (engine, editor, check) = (dir.join("UnityEngine.dll"), dir.join("UnityEditor.dll"), dir.join("CheckRuntime.exe"));
    mcs(&["-target:library".into(), format!("-out:{}", engine.display()), "tests/unity/UnityEngine.cs".into()])?;
    mcs(&["-target:library".into(), format!("-out:{}", editor.display()), "tests/unity/UnityEditor.cs".into()])?;
    mcs(&[format!("-out:{}", check.display()), "tests/unity/CheckRuntime.cs".into()])?;
    for (build, defines, library) in [
        ("editor", "UNITY_EDITOR;UNITY_STANDALONE_LINUX", "gamegate"),
        ("standalone", "UNITY_STANDALONE;UNITY_STANDALONE_WIN", "gamegate"),
        ("ios", "UNITY_IOS", "__Internal"),
        ("android", "UNITY_ANDROID", "gamegate"),
    ] {
        let runtime = dir.join(build).join("GameGate.Runtime.dll");
        std::fs::create_dir_all(dir.join(build)).map_err(|e| e.to_string())?;
        let mut args = vec![
            "-target:library".to_string(),
            format!("-define:UNITY_5_3_OR_NEWER;UNITY_2019_3_OR_NEWER;{defines}"),
            format!("-r:{}", engine.display()),
            format!("-out:{}", runtime.display()),
            "-recurse:bindings/unity/Runtime/*.cs".into(),
        ];
        if build == "editor" {
            args.push(format!("-r:{}", editor.display()));
        }
        mcs(&args).map_err(|e| format!("{build}: {e}"))?;
        for dll in [&engine, &editor] {
            std::fs::copy(dll, dir.join(build).join(dll.file_name().expect("a file name"))).map_err(|e| e.to_string())?;
        }
        run(Command::new("mono").current_dir(dir.join(build)).arg(&check).arg(&runtime).arg(library)).map_err(|e| format!("{build}: {e}"))?;
        // The package's samples, as a project that imported them compiles them.
        let samples = dir.join(build).join("GameGate.Samples.dll");
        mcs(&["-target:library".into(), format!("-r:{}", engine.display()), format!("-r:{}", runtime.display()), format!("-out:{}", samples.display()), "-recurse:bindings/unity/Samples~/*.cs".into()])
            .map_err(|e| format!("{build}: the samples do not compile: {e}"))?;
    }
    Ok(())
}

/// Debian's NUnit (libnunit-cil-dev) lives in a versioned folder under /usr/lib/cli.
fn nunit_framework() -> Option<PathBuf> {
    std::fs::read_dir("/usr/lib/cli")
        .ok()?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|dir| dir.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("nunit.framework-")))
        .map(|dir| dir.join("nunit.framework.dll"))
        .find(|dll| dll.exists())
}
