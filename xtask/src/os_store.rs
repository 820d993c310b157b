//! The OS credential store suites: `tests/c/test_store.c`'s OS test run twice, each in an
//! environment of its own. Once against a real gnome-keyring-daemon, unlocked in a private
//! D-Bus session (`dbus-run-session`), with a throw-away HOME so the developer's own keyring
//! is never touched; once with no D-Bus at all and an empty HOME, where the answer must be
//! GG_UNSUPPORTED and HOME must stay empty (no plaintext file in place of the store).

use crate::{have, root, run, Result};
use std::path::Path;
use std::process::Command;

/// Runs the OS store test of the store suite's `binary` (already built) in both environments.
pub fn suites(suites: &mut crate::Suites, binary: &Path, emulator_url: &str) {
    suites.record("c credential store: the Secret Service (gnome-keyring in a private D-Bus session)", with_keyring(binary, emulator_url));
    suites.record("c credential store: no D-Bus (GG_UNSUPPORTED, no file written)", without_dbus(binary, emulator_url));
}

/// A fresh, empty folder under target/ for a run's HOME.
fn fresh_dir(name: &str) -> Result<std::path::PathBuf> {
    let dir = root().join("target/os-store").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}

fn with_keyring(binary: &Path, emulator_url: &str) -> Result {
    for tool in ["dbus-run-session", "gnome-keyring-daemon"] {
        if !have(tool) {
            return Err(format!("{tool} is not installed (apt-get install dbus gnome-keyring libsecret-1-0)"));
        }
    }
    let home = fresh_dir("keyring-home")?;
    let runtime = fresh_dir("keyring-runtime")?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).map_err(|e| e.to_string())?;
    }
    // The daemon reads the new keyring's password from stdin and stays up for the session.
    let script = "echo -n gamegate-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec \"$0\"";
    run(Command::new("dbus-run-session")
        .args(["--", "sh", "-c", script])
        .arg(binary)
        .env("HOME", &home)
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("GG_TEST_FILTER", "test_the_os_store")
        .env("GG_EXPECT_OS_STORE", "secret-service")
        .env("GAMEGATE_EMULATOR_URL", emulator_url))
}

fn without_dbus(binary: &Path, emulator_url: &str) -> Result {
    let home = fresh_dir("empty-home")?;
    run(Command::new(binary)
        .env("HOME", &home)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("XDG_RUNTIME_DIR")
        .env_remove("DISPLAY")
        .env("GG_TEST_FILTER", "test_the_os_store")
        .env("GG_EXPECT_OS_STORE", "unsupported")
        .env("GAMEGATE_EMULATOR_URL", emulator_url))
}
