//! Keeping the player's session from C: the OS credential store, a store of the game's own
//! (console save APIs, an engine's secure storage), and Android's JVM for the Keystore.

use super::elixir::{elixir_client, elixir_session_callback, submit_session_check};
use super::result::gg_result;
use super::strings::{arg_opt_str, arg_ref, arg_str, UserData};
use crate::error::{Error, GG_TIMEOUT};
use crate::keep::{self, CredentialStore};
use crate::secret::Secret;
use std::ffi::{c_char, c_void, CString};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// Keeps the player's session in the OS credential store under `slot` (1 to 64 characters of
/// A-Z a-z 0-9 - _ ., one per game profile): the Secret Service on Linux (through libsecret,
/// loaded at run time). If the store holds a session, it is restored and refreshed at once,
/// firing `GG_SESSION_SIGNED_IN`; the callback answers "is the player still signed in?": the
/// session, or NULL session and NULL error when nothing is stored, or the error (`GG_NETWORK`
/// keeps the stored session for the next call; where there is no store, `GG_UNSUPPORTED`:
/// GameGate never writes a plaintext file). From then on every session change is written
/// before the game hears of it, and sign-out and revocation erase it. Store I/O runs on one
/// library thread per process, never on the game thread. A second attach on one client (of
/// any store): `GG_INVALID_ARGUMENT`.
#[no_mangle]
pub extern "C" fn elixir_client_use_os_store(
    client: *mut elixir_client,
    slot: *const c_char,
    callback: elixir_session_callback,
    user_data: *mut c_void,
    out_request_id: *mut u64,
) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        let (client, slot) = unsafe { (arg_ref(client, "client")?, arg_str(slot, "slot")?) };
        // SAFETY: forwarded contract.
        unsafe { attach(client, slot, callback, user_data, out_request_id, keep::platform_store) }
    }
}

/// Completes one operation of a `gg_credential_store`; the handle is freed by this call.
#[allow(non_camel_case_types)]
pub struct gg_store_op {
    state: Arc<OpState>,
}

/// A credential store of the game's own. Each hook starts one operation on `entry` and
/// returns; the game finishes it, at once or later and from any thread, by calling
/// `gg_store_op_complete(op, ...)` exactly once. Hooks are called one at a time on GameGate's
/// store thread, never on the game thread; an operation not completed within 30 s fails with
/// `GG_TIMEOUT` (a later completion is then ignored, and still frees `op`).
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct gg_credential_store {
    /// `sizeof(gg_credential_store)`; fields are only ever appended.
    pub struct_size: u32,
    /// Passed to every hook as it is.
    pub user_data: *mut c_void,
    /// Complete with the stored value, or NULL value when nothing is stored.
    pub load: Option<unsafe extern "C" fn(user_data: *mut c_void, entry: *const c_char, op: *mut gg_store_op)>,
    /// `value` is a secret (a refresh token): keep it encrypted at rest, never log it.
    pub save: Option<unsafe extern "C" fn(user_data: *mut c_void, entry: *const c_char, value: *const c_char, op: *mut gg_store_op)>,
    /// Nothing stored is not an error.
    pub erase: Option<unsafe extern "C" fn(user_data: *mut c_void, entry: *const c_char, op: *mut gg_store_op)>,
}

/// `elixir_client_use_os_store` with the game's own store in place of the OS's; the hooks
/// are copied, `user_data` must stay valid while the client lives.
#[no_mangle]
pub extern "C" fn elixir_client_use_store(
    client: *mut elixir_client,
    store: *const gg_credential_store,
    slot: *const c_char,
    callback: elixir_session_callback,
    user_data: *mut c_void,
    out_request_id: *mut u64,
) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        let (client, hooks, slot) = unsafe { (arg_ref(client, "client")?, arg_ref(store, "store")?, arg_str(slot, "slot")?) };
        if (hooks.struct_size as usize) < std::mem::size_of::<gg_credential_store>() {
            return Err(Error::invalid("set store->struct_size = sizeof(gg_credential_store)"));
        }
        let (Some(load), Some(save), Some(erase)) = (hooks.load, hooks.save, hooks.erase) else {
            return Err(Error::null_param("a store hook (load, save or erase)"));
        };
        let store = GameStore { user_data: UserData(hooks.user_data), load, save, erase };
        // SAFETY: forwarded contract.
        unsafe { attach(client, slot, callback, user_data, out_request_id, move || Ok(Arc::new(store) as Arc<dyn CredentialStore>)) }
    }
}

/// Completes a store operation: `result` `GG_OK` (with `value` for a load: the stored text,
/// or NULL when nothing is stored) or any failure code. `GG_NULL_PARAM` for a NULL `op`;
/// `op` is freed either way and must not be used again.
#[no_mangle]
pub extern "C" fn gg_store_op_complete(op: *mut gg_store_op, result: gg_result, value: *const c_char) -> gg_result {
    ffi_result! {
        if op.is_null() {
            return Err(Error::null_param("op"));
        }
        // SAFETY: created by Box::into_raw in `GameStore::perform` and completed once, per the contract.
        let op = unsafe { Box::from_raw(op) };
        // SAFETY: NULL or a NUL-terminated string, per the contract.
        let value = unsafe { arg_opt_str(value, "value") };
        let outcome = match (result, value) {
            (crate::error::GG_OK, Ok(value)) => Ok(value.map(Secret::new)),
            (crate::error::GG_OK, Err(e)) => Err(e),
            (code, _) => Err(Error::new(code, format!("the game's credential store failed ({})", crate::error::result_name(code)))),
        };
        op.state.finish(outcome);
        Ok(())
    }
}

/// Android: gives GameGate the JVM (`JavaVM *`) and an `android.content.Context` (a global
/// reference the caller keeps) for the platform's services: the Keystore that keeps the
/// session, and the OS certificate verifier when the app bundles its Android component
/// (docs/security.md). Call once, early, before the first client (the Unreal module does; a
/// Unity game calls it from its Android code). Elsewhere `GG_UNSUPPORTED`; NULL `GG_NULL_PARAM`.
#[no_mangle]
pub extern "C" fn gg_android_init(java_vm: *mut c_void, context: *mut c_void) -> gg_result {
    ffi_result! {
        if java_vm.is_null() || context.is_null() {
            return Err(Error::null_param(if java_vm.is_null() { "java_vm" } else { "context" }));
        }
        crate::keep::android_init(java_vm, context)?;
        #[cfg(target_os = "android")]
        crate::net::android_verifier::init(java_vm, context);
        Ok(())
    }
}

/// The shared part of both attach calls: the slot and a second attach are checked here, the
/// store is opened and read on the store thread.
///
/// # Safety
/// `out_request_id` is NULL or writable.
unsafe fn attach(
    client: &elixir_client,
    slot: &str,
    callback: elixir_session_callback,
    user_data: *mut c_void,
    out_request_id: *mut u64,
    open: impl FnOnce() -> Result<Arc<dyn CredentialStore>, Error> + Send + 'static,
) -> Result<(), Error> {
    super::strings::arg_callback(callback)?;
    client.service.claim_store(slot)?;
    let slot = slot.to_string();
    let start = move |service: &crate::elixir::Service, flow: &crate::elixir::flow::Flow, done| {
        let done = service.within_store_deadline(done);
        let (service, flow) = (service.me(), flow.clone());
        // Opening an OS store may block (loading a library, reaching D-Bus): store thread.
        keep::run(move || {
            if let Some(service) = service.upgrade() {
                service.attach_store(&flow, open(), &slot, done);
            }
        });
    };
    // SAFETY: forwarded contract.
    unsafe { submit_session_check(client, callback, user_data, out_request_id, start) }
}

/// How long the store thread waits for the game to complete one operation.
const GAME_STORE_TIMEOUT: Duration = Duration::from_secs(30);

type LoadHook = unsafe extern "C" fn(*mut c_void, *const c_char, *mut gg_store_op);
type SaveHook = unsafe extern "C" fn(*mut c_void, *const c_char, *const c_char, *mut gg_store_op);

struct GameStore {
    user_data: UserData,
    load: LoadHook,
    save: SaveHook,
    erase: LoadHook,
}

#[derive(Default)]
struct OpState {
    outcome: Mutex<Option<Result<Option<Secret>, Error>>>,
    completed: Condvar,
}

impl OpState {
    fn finish(&self, outcome: Result<Option<Secret>, Error>) {
        let mut slot = self.outcome.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_none() {
            *slot = Some(outcome);
        }
        self.completed.notify_all();
    }
}

impl GameStore {
    /// Starts one operation through `hook` and waits for the game to complete it.
    fn perform(&self, hook: impl FnOnce(*mut c_void, *mut gg_store_op)) -> Result<Option<Secret>, Error> {
        let state = Arc::new(OpState::default());
        let op = Box::into_raw(Box::new(gg_store_op { state: state.clone() }));
        hook(self.user_data.get(), op);
        let slot = state.outcome.lock().unwrap_or_else(|p| p.into_inner());
        let (mut slot, _) = state.completed.wait_timeout_while(slot, GAME_STORE_TIMEOUT, |o| o.is_none()).unwrap_or_else(|p| p.into_inner());
        slot.take().unwrap_or_else(|| {
            // Whatever comes later is ignored; the game's completion still frees `op`.
            state.finish(Err(Error::new(GG_TIMEOUT, "")));
            Err(Error::new(GG_TIMEOUT, "the game's credential store did not complete the operation within 30 s"))
        })
    }
}

// SAFETY: the hooks are the game's, called from the store thread as documented; user_data
// is the game's to make thread-safe.
unsafe impl Send for GameStore {}
unsafe impl Sync for GameStore {}

impl CredentialStore for GameStore {
    fn name(&self) -> &str {
        "the game's credential store"
    }

    fn load(&self, entry: &str) -> Result<Option<Secret>, Error> {
        let entry = super::strings::to_cstring(entry);
        // SAFETY: the game's hook with its own user_data; `entry` lives until it returns.
        self.perform(|user_data, op| unsafe { (self.load)(user_data, entry.as_ptr(), op) })
    }

    fn save(&self, entry: &str, value: &Secret) -> Result<(), Error> {
        let entry = super::strings::to_cstring(entry);
        let value = CString::new(value.expose()).map_err(|_| Error::invalid("the refresh token has a NUL"))?;
        // SAFETY: as above; `value` is wiped once the hook has returned.
        let result = self.perform(|user_data, op| unsafe { (self.save)(user_data, entry.as_ptr(), value.as_ptr(), op) });
        let mut bytes = value.into_bytes_with_nul();
        crate::secret::wipe(&mut bytes);
        result.map(drop)
    }

    fn erase(&self, entry: &str) -> Result<(), Error> {
        let entry = super::strings::to_cstring(entry);
        // SAFETY: as above.
        self.perform(|user_data, op| unsafe { (self.erase)(user_data, entry.as_ptr(), op) }).map(drop)
    }
}
