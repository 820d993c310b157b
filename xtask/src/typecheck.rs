//! Platform code this machine cannot link, type-checked: `cargo check` of the library for
//! iOS (`aarch64-apple-ios`: the Keychain through a run-time loaded Security framework) and
//! Android (`aarch64-linux-android`: `gg_android_init`). ring's build script compiles C for
//! the target, which needs a C compiler of that target: zig's (from PyPI's ziglang), through
//! a small wrapper that drops the flags cc-rs writes for an Apple SDK or the NDK. The objects
//! are never linked; the real builds are the release workflow's (hosted runners).

use crate::{cargo, root, run, Result};
use std::path::PathBuf;
use std::process::Command;

pub const TARGETS: [(&str, &str); 2] = [("aarch64-apple-ios", "aarch64-macos"), ("aarch64-linux-android", "aarch64-linux-musl")];

fn zig() -> Result<PathBuf> {
    let found = Command::new("python3")
        .args(["-c", "import ziglang, os; print(os.path.join(os.path.dirname(ziglang.__file__), 'zig'))"])
        .output()
        .map_err(|e| format!("python3: {e}"))?;
    let path = PathBuf::from(String::from_utf8_lossy(&found.stdout).trim());
    if !found.status.success() || !path.exists() {
        return Err("zig is not installed (pip install ziglang)".into());
    }
    Ok(path)
}

/// Writes an executable shell script.
fn script(path: &PathBuf, text: &str) -> Result {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).map_err(|e| e.to_string())?;
    }
    Ok(())
}

pub fn check(triple: &str, zig_target: &str) -> Result {
    let zig = zig()?;
    let dir = root().join("target/zigcc");
    let sdk = dir.join("empty-sdk"); // cc-rs wants an existing SDKROOT for Apple targets
    std::fs::create_dir_all(&sdk).map_err(|e| e.to_string())?;
    let cc = dir.join(format!("cc-{triple}"));
    let ar = dir.join("ar");
    script(
        &cc,
        &format!(
            "#!/bin/sh\n# zig cc for {zig_target}, without the target flags cc-rs writes for {triple}.\nskip=\"\"\nfor a in \"$@\"; do\n  shift\n  if [ -n \"$skip\" ]; then skip=\"\"; continue; fi\n  case \"$a\" in\n    -arch|-isysroot) skip=1 ;;\n    --target=*|-mios-version-min=*|-miphoneos-version-min=*|-mmacosx-version-min=*) ;;\n    *) set -- \"$@\" \"$a\" ;;\n  esac\ndone\nexec \"{}\" cc -target {zig_target} \"$@\"\n",
            zig.display()
        ),
    )?;
    script(&ar, &format!("#!/bin/sh\nexec \"{}\" ar \"$@\"\n", zig.display()))?;
    let variable = triple.replace('-', "_");
    run(cargo()
        .args(["check", "--quiet", "-p", "gamegate", "--target", triple])
        .env(format!("CC_{variable}"), &cc)
        .env(format!("AR_{variable}"), &ar)
        .env("SDKROOT", &sdk))
    .map_err(|e| format!("{e} (rustup target add {triple})"))
}

/// The Android verifier's Kotlin component must be the very version of the Rust side
/// (rustls-platform-verifier-android in Cargo.lock): the Unreal plugin's APL and the Unity
/// package's EDM4U file each name it for the app's Gradle build.
pub fn android_component_pinned() -> Result {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).map_err(|e| e.to_string())?;
    let mut lines = lock.lines().skip_while(|l| l.trim() != "name = \"rustls-platform-verifier-android\"");
    let version = lines
        .nth(1)
        .and_then(|l| l.trim().strip_prefix("version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .ok_or("rustls-platform-verifier-android is not in Cargo.lock")?;
    let wanted = format!("rustls:rustls-platform-verifier:{version}");
    for file in ["bindings/unreal/GameGate/Source/ThirdParty/GameGateLibrary/GameGateLibrary_APL.xml", "bindings/unity/Editor/GameGateDependencies.xml"] {
        let text = std::fs::read_to_string(root().join(file)).map_err(|e| format!("{file}: {e}"))?;
        if !text.contains(&wanted) || !text.contains("org.rustls.platformverifier") {
            return Err(format!("{file} must name {wanted} (Cargo.lock's version) and keep org.rustls.platformverifier from ProGuard"));
        }
    }
    println!("  the Android verifier component: {wanted}");
    Ok(())
}
