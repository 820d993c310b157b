//! `elixir_client` and `elixir_session`: Elixir player sign-in from C.

use super::client::{self, ClientHandle};
use super::options::gg_options;
use super::result::{deliver_done, deliver_json, gg_done_callback, gg_error, gg_json_callback, gg_result, with_c_error};
use super::strings::{arg_callback, arg_ref, arg_str, copy_to_buffer, request_args, to_cstring, CStrings, UserData};
use crate::elixir::flow::{Done, Flow};
use crate::elixir::session::Session;
use crate::elixir::store::not_signed_in;
use crate::elixir::{Listener, Service};
use crate::engine::{Completion, Engine};
use crate::error::Error;
use crate::options::Options;
use crate::secret::Secret;
use std::ffi::{c_char, c_void};
use super::callback_slot::CallbackSlot;
use crate::elixir::SessionEvent;
use std::sync::Arc;

/// A player's connection to Elixir (opaque). Thread-safe: any call from any thread.
#[allow(non_camel_case_types)]
pub struct elixir_client {
    engine: Arc<Engine>,
    pub(super) service: Arc<Service>,
    callbacks: Arc<SessionCallbacks>,
}

/// The game's two ways of hearing session changes; either may be replaced at any time.
#[derive(Default)]
struct SessionCallbacks {
    listener: CallbackSlot<(ListenerFn, UserData)>,
    events: CallbackSlot<(EventFn, UserData)>,
}

/// Why the session changed (`elixir_session_event_callback`'s `event`): a sign-in, a restore or the OS store's session at launch.
pub const GG_SESSION_SIGNED_IN: u32 = 1;
/// The tokens were refreshed (by a call or in the background).
pub const GG_SESSION_REFRESHED: u32 = 2;
/// `session` is NULL.
pub const GG_SESSION_SIGNED_OUT: u32 = 3;
/// The service refused the refresh token: the player must sign in again; `session` is NULL.
pub const GG_SESSION_REVOKED: u32 = 4;
// The C values are the events' own (cbindgen writes only literals).
const _: () = assert!(
    SessionEvent::SignedIn as u32 == GG_SESSION_SIGNED_IN
        && SessionEvent::Refreshed as u32 == GG_SESSION_REFRESHED
        && SessionEvent::SignedOut as u32 == GG_SESSION_SIGNED_OUT
        && SessionEvent::Revoked as u32 == GG_SESSION_REVOKED
);

impl ClientHandle for elixir_client {
    fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }
}

/// A signed-in Elixir session. Strings are borrowed (valid until the callback returns) and
/// never NULL.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct elixir_session {
    /// `sizeof(elixir_session)` in the library that filled it; fields are only ever appended.
    pub struct_size: u32,
    /// The access token (a JWT), sent as `authorization: Bearer`.
    pub token: *const c_char,
    /// When `token` expires, epoch milliseconds.
    pub token_expiry_ms: i64,
    /// How long `token` lives from when it was issued, milliseconds.
    pub token_life_ms: i64,
    /// Persist this (securely) and pass it to `elixir_client_restore_session` next launch.
    pub refresh_token: *const c_char,
    /// `user._id`; "" for flows that send no user (QR).
    pub user_id: *const c_char,
    /// `user.status` as the service sends it (e.g. "active").
    pub user_status: *const c_char,
    /// "" when not banned.
    pub ban_reason: *const c_char,
    /// 1 when this sign-in created the account.
    pub new_account: u8,
    /// The envelope's `data` as JSON.
    pub raw_json: *const c_char,
}

/// Called once with the OTP transaction id (pass it to `elixir_otp_verify`).
#[allow(non_camel_case_types)]
pub type elixir_otp_callback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, error: *const gg_error, transaction_id: *const c_char)>;

/// Called once with the new session, or with `error` set and `session` NULL.
#[allow(non_camel_case_types)]
pub type elixir_session_callback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, error: *const gg_error, session: *const elixir_session)>;

/// Called in dispatch context on every session change; `session` NULL means signed out.
#[allow(non_camel_case_types)]
pub type elixir_session_listener = Option<unsafe extern "C" fn(user_data: *mut c_void, session: *const elixir_session)>;

/// Called in dispatch context on every session change, before the call's own callback, with
/// why it changed (`GG_SESSION_*`); `session` is NULL for `GG_SESSION_SIGNED_OUT` and
/// `GG_SESSION_REVOKED`.
#[allow(non_camel_case_types)]
pub type elixir_session_event_callback = Option<unsafe extern "C" fn(user_data: *mut c_void, event: u32, session: *const elixir_session)>;

type ListenerFn = unsafe extern "C" fn(*mut c_void, *const elixir_session);
type EventFn = unsafe extern "C" fn(*mut c_void, u32, *const elixir_session);
type SessionFn = unsafe extern "C" fn(*mut c_void, *const gg_error, *const elixir_session);

/// Creates a client for a game's public Elixir API key. `options` may be NULL.
#[no_mangle]
pub extern "C" fn elixir_client_new(api_key: *const c_char, options: *const gg_options, out_client: *mut *mut elixir_client) -> gg_result {
    ffi_result! {
        if out_client.is_null() {
            return Err(Error::null_param("out_client"));
        }
        // SAFETY: out_client is non-NULL and writable per the contract.
        unsafe { out_client.write(std::ptr::null_mut()) };
        // SAFETY: pointer contract of this function.
        let api_key = unsafe { arg_str(api_key, "api_key")? };
        // SAFETY: NULL or a live gg_options.
        let options: Options = unsafe { options.as_ref() }.map(|o| o.inner.clone()).unwrap_or_default();
        let callbacks = Arc::new(SessionCallbacks::default());
        let engine = Arc::new(Engine::for_options("elixir", &options)?);
        let service = Service::new(api_key, &options, listener_bridge(callbacks.clone()), engine.emitter())?;
        let client = Box::new(elixir_client { engine, service, callbacks });
        // SAFETY: as above.
        unsafe { out_client.write(Box::into_raw(client)) };
        Ok(())
    }
}

/// Completes every pending request with `GG_SHUTDOWN` (on this thread) and frees the client.
/// NULL is fine; safe from inside the client's own callbacks.
#[no_mangle]
pub extern "C" fn elixir_client_free(client: *mut elixir_client) {
    // SAFETY: NULL or created by elixir_client_new and freed once, per the contract.
    ffi_boundary! { unsafe { client::free(client) } }
}

/// Runs the callbacks that are ready, on this thread (tick dispatch). Returns how many ran.
/// Call it once per frame. From inside one of this client's callbacks it runs nothing and
/// returns 0, and `gg_last_error_message` gives `GG_REENTRANT`.
#[no_mangle]
pub extern "C" fn elixir_client_tick(client: *mut elixir_client) -> u32 {
    // SAFETY: NULL or a live client.
    ffi_boundary! { unsafe { client::tick(client) } }
}

/// Completes a pending request with `GG_CANCELLED`.
#[no_mangle]
pub extern "C" fn elixir_client_cancel(client: *mut elixir_client, request_id: u64) -> gg_result {
    // SAFETY: NULL or a live client.
    ffi_result! { unsafe { client::cancel(client, request_id) } }
}

/// Device fields sent with `elixir_otp_verify` (`deviceModel`, `deviceUniqueIdentifier`).
#[no_mangle]
pub extern "C" fn elixir_client_set_device_info(client: *mut elixir_client, device_model: *const c_char, device_unique_id: *const c_char) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        let (client, model, id) = unsafe { (arg_ref(client, "client")?, arg_str(device_model, "device_model")?, arg_str(device_unique_id, "device_unique_id")?) };
        client.service.set_device(model, id);
        Ok(())
    }
}

/// Installs (or with NULL removes) the session listener. When a call of the old listener is
/// running on another thread, this waits for it to return: afterwards the old one never runs
/// again. From inside the listener itself it does not wait.
#[no_mangle]
pub extern "C" fn elixir_client_set_session_listener(client: *mut elixir_client, listener: elixir_session_listener, user_data: *mut c_void) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        let client = unsafe { arg_ref(client, "client")? };
        client.callbacks.listener.set(listener.map(|l| (l, UserData(user_data))));
        Ok(())
    }
}

/// Installs (or with NULL removes) the session events callback: every session change with
/// its reason (`GG_SESSION_SIGNED_IN`, `_REFRESHED`, `_SIGNED_OUT`, `_REVOKED`), in dispatch
/// context, before the call's own callback; alongside the session listener, which keeps
/// working. Replacing it waits as `elixir_client_set_session_listener` does.
#[no_mangle]
pub extern "C" fn elixir_client_set_session_events(client: *mut elixir_client, callback: elixir_session_event_callback, user_data: *mut c_void) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        let client = unsafe { arg_ref(client, "client")? };
        client.callbacks.events.set(callback.map(|c| (c, UserData(user_data))));
        Ok(())
    }
}

/// Signs back in from a persisted refresh token: the next call that needs a token refreshes.
#[no_mangle]
pub extern "C" fn elixir_client_restore_session(client: *mut elixir_client, refresh_token: *const c_char) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        let (client, token) = unsafe { (arg_ref(client, "client")?, arg_str(refresh_token, "refresh_token")?) };
        client.service.restore(token)
    }
}

/// Copies the current access token; `GG_NOT_SIGNED_IN` without one.
#[no_mangle]
pub extern "C" fn elixir_client_access_token(client: *mut elixir_client, buf: *mut c_char, cap: usize, out_len: *mut usize) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        let client = unsafe { arg_ref(client, "client")? };
        let token = client.service.store().current().map(|s| s.token).filter(|t| !t.is_empty()).ok_or_else(not_signed_in)?;
        // SAFETY: buffer contract of this function.
        unsafe { copy_to_buffer(token.expose(), buf, cap, out_len) }
    }
}

/// Copies the current refresh token (to persist it); `GG_NOT_SIGNED_IN` without one.
#[no_mangle]
pub extern "C" fn elixir_client_refresh_token(client: *mut elixir_client, buf: *mut c_char, cap: usize, out_len: *mut usize) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        let client = unsafe { arg_ref(client, "client")? };
        let token = client.service.store().current().map(|s| s.refresh_token).ok_or_else(not_signed_in)?;
        // SAFETY: buffer contract of this function.
        unsafe { copy_to_buffer(token.expose(), buf, cap, out_len) }
    }
}

/// `signin/otp-login`: e-mails the player a 5-character code.
#[no_mangle]
pub extern "C" fn elixir_otp_request(client: *mut elixir_client, email: *const c_char, callback: elixir_otp_callback, user_data: *mut c_void, out_request_id: *mut u64) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        let (client, email) = unsafe { (arg_ref(client, "client")?, arg_str(email, "email")?) };
        let callback = arg_callback(callback)?;
        if email.trim().is_empty() {
            return Err(Error::invalid("email is empty"));
        }
        let email = email.to_string();
        let user_data = UserData(user_data);
        let start = move |service: &Service, flow: &Flow, done| service.otp_request(flow, &email, done);
        let deliver = move |result: Result<String, Error>| match result {
            Ok(id) => {
                let id = to_cstring(&id);
                // SAFETY: the caller's callback, once, with its own user_data.
                unsafe { callback(user_data.get(), std::ptr::null(), id.as_ptr()) }
            }
            // SAFETY: as above.
            Err(e) => with_c_error(&e, |e| unsafe { callback(user_data.get(), e, std::ptr::null()) }),
        };
        // SAFETY: out_request_id is NULL or writable.
        unsafe { submit_flow(client, start, deliver, out_request_id) }
    }
}

/// `signin/otp-verify`: signs the player in with the code from the e-mail.
#[no_mangle]
pub extern "C" fn elixir_otp_verify(client: *mut elixir_client, transaction_id: *const c_char, code: *const c_char, callback: elixir_session_callback, user_data: *mut c_void, out_request_id: *mut u64) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        let (client, tx, code) = unsafe { (arg_ref(client, "client")?, arg_str(transaction_id, "transaction_id")?, arg_str(code, "code")?) };
        let (tx, code) = (tx.to_string(), Secret::new(code));
        // SAFETY: out_request_id is NULL or writable.
        unsafe { submit_sign_in(client, callback, user_data, out_request_id, move |service, flow, done| service.otp_verify(flow, &tx, code.expose(), done)) }
    }
}

/// `signin/qr-verify`: signs in with a scanned QR value (`REIKEY:...`).
#[no_mangle]
pub extern "C" fn elixir_qr_verify(client: *mut elixir_client, qr_value: *const c_char, callback: elixir_session_callback, user_data: *mut c_void, out_request_id: *mut u64) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        let (client, qr) = unsafe { (arg_ref(client, "client")?, arg_str(qr_value, "qr_value")?) };
        let qr = Secret::new(qr);
        // SAFETY: out_request_id is NULL or writable.
        unsafe { submit_sign_in(client, callback, user_data, out_request_id, move |service, flow, done| service.qr_verify(flow, qr.expose(), done)) }
    }
}

/// Launcher sign-in with the rei-key the launcher passed as `-rei <key>`.
#[no_mangle]
pub extern "C" fn elixir_reikey_sign_in(client: *mut elixir_client, reikey: *const c_char, callback: elixir_session_callback, user_data: *mut c_void, out_request_id: *mut u64) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        let (client, key) = unsafe { (arg_ref(client, "client")?, arg_reikey(reikey)?) };
        // SAFETY: out_request_id is NULL or writable.
        unsafe { submit_sign_in(client, callback, user_data, out_request_id, move |service, flow, done| service.reikey_sign_in(flow, key.expose(), done)) }
    }
}

/// Ends a launcher (rei-key) session on the server (`closerei`).
#[no_mangle]
pub extern "C" fn elixir_reikey_close(client: *mut elixir_client, reikey: *const c_char, callback: gg_done_callback, user_data: *mut c_void, out_request_id: *mut u64) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        let (client, key) = unsafe { (arg_ref(client, "client")?, arg_reikey(reikey)?) };
        let callback = arg_callback(callback)?;
        let user_data = UserData(user_data);
        let start = move |service: &Service, flow: &Flow, done| service.close_reikey(flow, key.expose(), done);
        // SAFETY: out_request_id is NULL or writable.
        unsafe { submit_flow(client, start, move |r| deliver_done(callback, user_data, r), out_request_id) }
    }
}

/// Refreshes the session with the stored refresh token; `GG_NOT_SIGNED_IN` without one.
///
/// A refresh is never sent twice: the server rotates the refresh token when it executes one.
/// If the answer does not arrive within the request timeout, the callback gets `GG_TIMEOUT`,
/// but GameGate keeps listening for that answer for 60 s and, if it arrives, stores the new
/// session and tells the session listener (persist it there); no other refresh starts
/// meanwhile. If no answer ever arrives (the connection was lost), the server may still have
/// rotated the token: the next refresh may then be rejected with `INVALID_REFRESH_TOKEN`,
/// whose message says the session was lost to the network. The player must sign in again;
/// a game can say so ("your connection dropped while renewing your sign-in").
#[no_mangle]
pub extern "C" fn elixir_session_refresh(client: *mut elixir_client, callback: elixir_session_callback, user_data: *mut c_void, out_request_id: *mut u64) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        let client = unsafe { arg_ref(client, "client")? };
        require_session(client)?;
        // SAFETY: out_request_id is NULL or writable.
        unsafe { submit_sign_in(client, callback, user_data, out_request_id, |service, flow, done| service.refresh(flow, done)) }
    }
}

/// Signs out on the server and always locally (the listener hears NULL); the callback reports
/// what the server said. `GG_NOT_SIGNED_IN` without a session.
#[no_mangle]
pub extern "C" fn elixir_sign_out(client: *mut elixir_client, callback: gg_done_callback, user_data: *mut c_void, out_request_id: *mut u64) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        let client = unsafe { arg_ref(client, "client")? };
        let callback = arg_callback(callback)?;
        require_session(client)?;
        let user_data = UserData(user_data);
        let start = |service: &Service, flow: &Flow, done| service.sign_out(flow, done);
        // SAFETY: out_request_id is NULL or writable.
        unsafe { submit_flow(client, start, move |r| deliver_done(callback, user_data, r), out_request_id) }
    }
}

/// An authorized call on any path (e.g. `GET /sdk/v2/userinfo`), refreshing the token first
/// when it expires within the margin. The callback gets the envelope's `data` as JSON.
#[no_mangle]
pub extern "C" fn elixir_request(client: *mut elixir_client, method: *const c_char, path: *const c_char, body_json: *const c_char, callback: gg_json_callback, user_data: *mut c_void, out_request_id: *mut u64) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        let client = unsafe { arg_ref(client, "client")? };
        let callback = arg_callback(callback)?;
        // SAFETY: as above.
        let args = unsafe { request_args(method, path, body_json)? };
        let method = args.method;
        let body = args.body.as_deref().map(serde_json::from_str::<serde_json::Value>).transpose().map_err(|_| Error::invalid("body_json is not valid JSON"))?;
        require_session(client)?;
        let (path, user_data) = (args.path, UserData(user_data));
        let start = move |service: &Service, flow: &Flow, done| service.request(flow, method, path, body, done);
        // SAFETY: out_request_id is NULL or writable.
        unsafe { submit_flow(client, start, move |r| deliver_json(callback, user_data, r), out_request_id) }
    }
}

/// A launcher rei-key: required, non-empty, kept as a secret.
///
/// # Safety
/// `reikey` is NULL or a NUL-terminated string valid for the call.
unsafe fn arg_reikey(reikey: *const c_char) -> Result<Secret, Error> {
    // SAFETY: forwarded contract.
    let key = unsafe { arg_str(reikey, "reikey")? };
    if key.is_empty() {
        return Err(Error::invalid("reikey is empty"));
    }
    Ok(Secret::new(key))
}

fn require_session(client: &elixir_client) -> Result<(), Error> {
    client.service.store().current().map(|_| ()).ok_or_else(not_signed_in)
}

/// Registers an Elixir call and starts its flow; cancelling the request cancels the flow
/// (the exchange on the wire is aborted).
///
/// # Safety
/// `out_request_id` is NULL or writable.
unsafe fn submit_flow<T, S, D>(client: &elixir_client, start: S, deliver: D, out_request_id: *mut u64) -> Result<(), Error>
where
    T: Send + 'static,
    S: FnOnce(&Service, &Flow, Done<T>),
    D: FnOnce(Result<T, Error>) + Send + 'static,
{
    let service = &client.service;
    let start = move |done: Completion<T>| {
        let flow = Flow::default();
        start(service, &flow, Box::new(move |result| done.finish(result)));
        move || flow.cancel()
    };
    // SAFETY: forwarded contract.
    unsafe { client::submit_cancellable(client, start, deliver, out_request_id) }
}

/// Starts a flow that ends in a session and delivers it to an `elixir_session_callback`.
///
/// # Safety
/// `out_request_id` is NULL or writable.
unsafe fn submit_sign_in(
    client: &elixir_client,
    callback: elixir_session_callback,
    user_data: *mut c_void,
    out_request_id: *mut u64,
    start: impl FnOnce(&Service, &Flow, Done<Session>),
) -> Result<(), Error> {
    let callback: SessionFn = arg_callback(callback)?;
    let user_data = UserData(user_data);
    let deliver = move |result: Result<Session, Error>| match result {
        // SAFETY: the caller's callback, once, with its own user_data; the session lives until it returns.
        Ok(session) => with_c_session(&session, |s| unsafe { callback(user_data.get(), std::ptr::null(), s) }),
        // SAFETY: as above.
        Err(e) => with_c_error(&e, |e| unsafe { callback(user_data.get(), e, std::ptr::null()) }),
    };
    // SAFETY: forwarded contract.
    unsafe { submit_flow(client, start, deliver, out_request_id) }
}

/// Starts a flow that answers "is a player signed in?" for an `elixir_session_callback`: a
/// session, NULL session and NULL error for "nobody", or the error.
///
/// # Safety
/// `out_request_id` is NULL or writable.
pub(super) unsafe fn submit_session_check(
    client: &elixir_client,
    callback: elixir_session_callback,
    user_data: *mut c_void,
    out_request_id: *mut u64,
    start: impl FnOnce(&Service, &Flow, Done<Option<Session>>),
) -> Result<(), Error> {
    let callback: SessionFn = arg_callback(callback)?;
    let user_data = UserData(user_data);
    let deliver = move |result: Result<Option<Session>, Error>| match result {
        // SAFETY: the caller's callback, once, with its own user_data; the session lives until it returns.
        Ok(Some(session)) => with_c_session(&session, |s| unsafe { callback(user_data.get(), std::ptr::null(), s) }),
        // SAFETY: as above.
        Ok(None) => unsafe { callback(user_data.get(), std::ptr::null(), std::ptr::null()) },
        // SAFETY: as above.
        Err(e) => with_c_error(&e, |e| unsafe { callback(user_data.get(), e, std::ptr::null()) }),
    };
    // SAFETY: forwarded contract.
    unsafe { submit_flow(client, start, deliver, out_request_id) }
}

/// What the service calls on every change: the listener, then the events callback, each
/// read at call time (either may replace itself), with one C view of the session.
fn listener_bridge(callbacks: Arc<SessionCallbacks>) -> Listener {
    Arc::new(move |event: SessionEvent, session: Option<&Session>| {
        let tell = |c: *const elixir_session| {
            // SAFETY: the game's callbacks with their own user_data; the session lives until they return.
            callbacks.listener.call(|(listener, user_data)| unsafe { listener(user_data.get(), c) });
            // SAFETY: as above.
            callbacks.events.call(|(events, user_data)| unsafe { events(user_data.get(), event as u32, c) });
        };
        match session {
            Some(s) => with_c_session(s, tell),
            None => tell(std::ptr::null()),
        }
    })
}

fn with_c_session<R>(s: &Session, f: impl FnOnce(*const elixir_session) -> R) -> R {
    let mut strings = CStrings::default();
    let c = elixir_session {
        struct_size: std::mem::size_of::<elixir_session>() as u32,
        token: strings.add(s.token.expose()),
        token_expiry_ms: s.token_expiry_ms,
        token_life_ms: s.token_life_ms,
        refresh_token: strings.add(s.refresh_token.expose()),
        user_id: strings.add(&s.user_id),
        user_status: strings.add(&s.user_status),
        ban_reason: strings.add(&s.ban_reason),
        new_account: u8::from(s.new_account),
        raw_json: strings.add(s.raw_json.expose()),
    };
    f(&c)
}

/// Resolves the service's name, connects and finishes TLS for one connection now, so the next
/// call goes out without those round trips (a sign-in screen opening, a code about to be
/// verified). Returns at once and calls nothing back; the connection is then pooled like any
/// other (closed once idle past `gg_options_set_max_idle_ms`). Does nothing when a connection
/// is idle or being prepared already, through a proxy, or offline.
#[no_mangle]
pub extern "C" fn elixir_client_prepare(client: *mut elixir_client) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        unsafe { arg_ref(client, "client")? }.service.prepare_connection();
        Ok(())
    }
}
