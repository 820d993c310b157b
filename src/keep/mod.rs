//! Keeping the player's session at rest: one trait for a credential store (load / save /
//! erase of one entry), one file per platform behind it, and the one thread per process that
//! runs store I/O, so it never runs on the game thread nor on a client's I/O thread (an OS
//! store may block: a keyring prompt, D-Bus, a console's save API).
//!
//! What is kept is the refresh token alone, under an entry named from a hash of the API key,
//! the service host and the game's slot: these stores are per user, not per app.

mod base64;
#[cfg(target_os = "linux")]
mod secret_service;
#[cfg(windows)]
mod windows;
#[cfg(any(target_os = "macos", target_os = "ios"))]
mod apple;
#[cfg(target_os = "android")]
mod android;

use crate::error::{Error, GG_UNSUPPORTED};
use crate::secret::Secret;
use std::sync::{Arc, Mutex};

/// A place that keeps one secret per entry name. Called only on the store thread.
pub trait CredentialStore: Send + Sync {
    /// What the store calls itself in messages ("the Secret Service").
    fn name(&self) -> &str;
    fn load(&self, entry: &str) -> Result<Option<Secret>, Error>;
    fn save(&self, entry: &str, value: &Secret) -> Result<(), Error>;
    fn erase(&self, entry: &str) -> Result<(), Error>;
}

/// The platform's own store, or `GG_UNSUPPORTED` saying why there is none (never a plaintext
/// file instead).
pub fn platform_store() -> Result<Arc<dyn CredentialStore>, Error> {
    #[cfg(target_os = "linux")]
    {
        secret_service::SecretService::open().map(|s| Arc::new(s) as Arc<dyn CredentialStore>)
    }
    #[cfg(windows)]
    {
        Ok(Arc::new(windows::CredentialManager))
    }
    #[cfg(any(target_os = "macos", target_os = "ios"))]
    {
        apple::Keychain::open().map(|k| Arc::new(k) as Arc<dyn CredentialStore>)
    }
    #[cfg(target_os = "android")]
    {
        android::Keystore::open().map(|k| Arc::new(k) as Arc<dyn CredentialStore>)
    }
    #[cfg(not(any(target_os = "linux", windows, target_os = "macos", target_os = "ios", target_os = "android")))]
    {
        Err(unsupported("this platform's credential store is not supported by this build of GameGate"))
    }
}

/// Android's JVM and application context, for the Keystore (`gg_android_init`).
#[cfg(target_os = "android")]
pub fn android_init(java_vm: *mut std::ffi::c_void, context: *mut std::ffi::c_void) -> Result<(), Error> {
    android::init(java_vm, context)
}

#[cfg(not(target_os = "android"))]
pub fn android_init(_java_vm: *mut std::ffi::c_void, _context: *mut std::ffi::c_void) -> Result<(), Error> {
    Err(Error::new(GG_UNSUPPORTED, "gg_android_init is for Android only"))
}

pub fn unsupported(why: &str) -> Error {
    Error::new(GG_UNSUPPORTED, format!("{why}; the session was not kept (GameGate never falls back to a plaintext file)"))
}

/// The entry a session lives under: `gamegate/<api key hash>/<host>/<slot>`.
pub fn entry_name(api_key: &str, host: &str, slot: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, api_key.as_bytes());
    let hash: String = digest.as_ref()[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("gamegate/{hash}/{host}/{slot}")
}

/// A slot names one game profile: short, and plain enough for every store's entry names.
pub fn check_slot(slot: &str) -> Result<(), Error> {
    let plain = slot.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if slot.is_empty() || slot.len() > 64 || !plain {
        return Err(Error::invalid("slot must be 1 to 64 characters of A-Z, a-z, 0-9, '-', '_' or '.'"));
    }
    Ok(())
}

type Job = Box<dyn FnOnce() + Send>;

/// The jobs waiting for the store thread, and whether it runs.
struct Queue {
    jobs: std::collections::VecDeque<Job>,
    running: bool,
}

static QUEUE: Mutex<Queue> = Mutex::new(Queue { jobs: std::collections::VecDeque::new(), running: false });

/// Runs `job` on the store thread, in order with every other store job of the process. The
/// thread starts on first use and ends when it has nothing left to do (counted in
/// `gg_stats.live_threads` meanwhile).
pub fn run(job: impl FnOnce() + Send + 'static) {
    let mut queue = QUEUE.lock().unwrap_or_else(|p| p.into_inner());
    queue.jobs.push_back(Box::new(job));
    if queue.running {
        return;
    }
    queue.running = true;
    let live = crate::engine::stats::LiveGuard::thread();
    let spawned = std::thread::Builder::new().name("gamegate-store".into()).spawn(move || {
        let _live = live;
        loop {
            let job = {
                let mut queue = QUEUE.lock().unwrap_or_else(|p| p.into_inner());
                match queue.jobs.pop_front() {
                    Some(job) => job,
                    None => {
                        queue.running = false;
                        return;
                    }
                }
            };
            if std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)).is_err() {
                crate::gg_log!(crate::log::GG_LOG_ERROR, "a credential store job panicked; the panic was contained");
            }
        }
    });
    if spawned.is_err() {
        queue.running = false;
        crate::gg_log!(crate::log::GG_LOG_ERROR, "could not start the credential store thread");
        // The jobs stay queued; the next one tries to start the thread again.
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_named_from_the_key_hash_host_and_slot_and_slots_are_checked() {
        let name = entry_name("secret-api-key", "kend.elixir.app", "profile-1");
        assert!(name.starts_with("gamegate/") && name.ends_with("/kend.elixir.app/profile-1"), "{name}");
        assert!(!name.contains("secret-api-key"));
        assert_ne!(name, entry_name("another-key", "kend.elixir.app", "profile-1"));
        for bad in ["", "a/b", "with space", &"x".repeat(65)] {
            assert!(check_slot(bad).is_err(), "{bad:?}");
        }
        assert!(check_slot("Player_1.main-save").is_ok());
    }

    #[test]
    fn store_jobs_run_in_order_on_one_thread() {
        let (tx, rx) = std::sync::mpsc::channel();
        for i in 0..20 {
            let tx = tx.clone();
            run(move || tx.send((i, std::thread::current().name().map(str::to_string))).unwrap());
        }
        let got: Vec<(i32, Option<String>)> = (0..20).map(|_| rx.recv().unwrap()).collect();
        assert_eq!(got.iter().map(|g| g.0).collect::<Vec<_>>(), (0..20).collect::<Vec<_>>());
        assert!(got.iter().all(|g| g.1.as_deref() == Some("gamegate-store")));
    }
}
