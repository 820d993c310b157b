//! `kgen_client`, `kgen_profile` and `kgen_session`: KGeN server-to-server sessions from C.

use super::options::gg_options;
use super::result::{deliver_json, gg_error, gg_json_callback, gg_result, with_c_error};
use super::client::{self, ClientHandle};
use super::strings::{arg_callback, arg_flag, arg_mut, arg_ref, arg_str, request_args, UserData};
use crate::engine::{Engine, Completion};
use crate::error::Error;
use crate::kgen::profile::Profile;
use crate::kgen::session::{Session, Text};
use crate::kgen::{self, Service};
use crate::options::Options;
use std::ffi::{c_char, c_void};
use std::sync::Arc;

/// A game server's connection to KGeN (opaque). Thread-safe: any call from any thread.
#[allow(non_camel_case_types)]
pub struct kgen_client {
    engine: Arc<Engine>,
    service: Arc<Service>,
}

impl ClientHandle for kgen_client {
    fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }
}

/// Optional player fields sent with `kgen_create_session_with_profile` (opaque).
#[allow(non_camel_case_types)]
pub struct kgen_profile {
    inner: Profile,
}

/// A KGeN session, as KGeN returned it. Every string is borrowed (valid until the callback
/// returns) and never NULL: "" when the server sent nothing or null.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct kgen_session {
    /// `sizeof(kgen_session)` in the library that filled it; fields are only ever appended.
    pub struct_size: u32,
    /// The player's KGeN session id.
    pub session_id: *const c_char,
    /// The player's KGeN user id (the `user_id` the game sent).
    pub user_id: *const c_char,
    /// Echoed profile field: display name.
    pub name: *const c_char,
    /// Echoed profile field: user name.
    pub username: *const c_char,
    /// Echoed profile field: e-mail address.
    pub email: *const c_char,
    /// Echoed profile field: device id.
    pub device_id: *const c_char,
    /// Echoed profile field: phone number.
    pub phonenumber: *const c_char,
    /// Echoed profile field: player level (0 when not sent).
    pub level: i64,
    /// Echoed profile field: player rank (0 when not sent).
    pub rank: i64,
    /// Echoed profile field: when the player joined, as sent.
    pub date_joined: *const c_char,
    /// Echoed profile field: player tag.
    pub playertag: *const c_char,
    /// Echoed profile field: location code.
    pub location: *const c_char,
    /// Echoed profile field: location name.
    pub location_name: *const c_char,
    /// Echoed profile field: device model.
    pub device_model: *const c_char,
    /// Echoed profile field: screen height, as text.
    pub screen_height: *const c_char,
    /// Echoed profile field: screen width, as text.
    pub screen_width: *const c_char,
    /// Echoed profile field: operating system.
    pub os_name: *const c_char,
    /// Echoed profile field: operating system version.
    pub os_version: *const c_char,
    /// Echoed profile field: browser name.
    pub browser_name: *const c_char,
    /// Echoed profile field: the game's version.
    pub app_version: *const c_char,
    /// "true" / "false" / "" as the server echoed them.
    pub fb_login: *const c_char,
    /// "true" / "false" / "" as the server echoed it.
    pub google_login: *const c_char,
    /// The player's IndiGG id; "" when the server sent null.
    pub indigg_id: *const c_char,
    /// The player's IndiGG wallet address, or "".
    pub indigg_wallet_address: *const c_char,
    /// The game's KGeN client id.
    pub third_party_client_id: *const c_char,
    /// The game's name as registered with KGeN, or "".
    pub third_party_client_name: *const c_char,
    /// `<client_id>#<user_id>`.
    pub namespaced_third_party_user_id: *const c_char,
    /// The player's custodial wallet.
    pub wallet_address: *const c_char,
    /// 1 when this call created the KGeN user, 0 for an existing one.
    pub is_new_user: u8,
    /// The KGeN access token. A secret: never log it.
    pub access_token: *const c_char,
    /// The KGeN refresh token. A secret: keep it encrypted at rest, never log it.
    pub refresh_token: *const c_char,
    /// The phone number linked to the account, or "".
    pub linked_phone: *const c_char,
    /// As sent, e.g. "2024-08-20 08:32:13.025599965 +0000 UTC".
    pub session_start_time: *const c_char,
    /// `session_start_time` in Unix milliseconds; 0 if it could not be parsed.
    pub session_start_unix_ms: i64,
    /// The whole response body.
    pub raw_json: *const c_char,
}

/// Called once with the session, or with `error` set and `session` NULL.
#[allow(non_camel_case_types)]
pub type kgen_session_callback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, error: *const gg_error, session: *const kgen_session)>;

/// Creates a client. `client_secret` is a server credential: never ship it in a game build.
/// `options` may be NULL (defaults: production URL, tick dispatch).
#[no_mangle]
pub extern "C" fn kgen_client_new(
    client_id: *const c_char,
    client_secret: *const c_char,
    options: *const gg_options,
    out_client: *mut *mut kgen_client,
) -> gg_result {
    ffi_result! {
        if out_client.is_null() {
            return Err(Error::null_param("out_client"));
        }
        // SAFETY: out_client is non-NULL and writable per the contract.
        unsafe { out_client.write(std::ptr::null_mut()) };
        // SAFETY: pointer contract of this function.
        let (client_id, client_secret) = unsafe { (arg_str(client_id, "client_id")?, arg_str(client_secret, "client_secret")?) };
        // SAFETY: NULL or a live gg_options.
        let options: Options = unsafe { options.as_ref() }.map(|o| o.inner.clone()).unwrap_or_default();
        let service = Arc::new(Service::new(client_id, client_secret, &options)?);
        let engine = Arc::new(Engine::for_options("kgen", &options)?);
        let client = Box::new(kgen_client { engine, service });
        // SAFETY: as above.
        unsafe { out_client.write(Box::into_raw(client)) };
        Ok(())
    }
}

/// Completes every pending request with `GG_SHUTDOWN` (on this thread) and frees the client.
/// Returns without waiting for requests still on the wire. NULL is fine. Safe to call from
/// inside one of the client's own callbacks.
#[no_mangle]
pub extern "C" fn kgen_client_free(client: *mut kgen_client) {
    // SAFETY: NULL or created by kgen_client_new and freed once, per the contract.
    ffi_boundary! { unsafe { client::free(client) } }
}

/// Runs the callbacks that are ready, on this thread (tick dispatch). Returns how many ran.
/// Call it once per frame. From inside one of this client's callbacks it runs nothing and
/// returns 0, and `gg_last_error_message` gives `GG_REENTRANT`.
#[no_mangle]
pub extern "C" fn kgen_client_tick(client: *mut kgen_client) -> u32 {
    // SAFETY: NULL or a live client.
    ffi_boundary! { unsafe { client::tick(client) } }
}

/// Completes a pending request with `GG_CANCELLED`; `GG_INVALID_ARGUMENT` when its result was
/// already delivered. A request still waiting or on the wire is dropped there: its connection
/// is closed, so requests queued behind it go out at once.
#[no_mangle]
pub extern "C" fn kgen_client_cancel(client: *mut kgen_client, request_id: u64) -> gg_result {
    // SAFETY: NULL or a live client.
    ffi_result! { unsafe { client::cancel(client, request_id) } }
}

/// New, empty profile. Free it with `kgen_profile_free`.
#[no_mangle]
pub extern "C" fn kgen_profile_new() -> *mut kgen_profile {
    ffi_boundary! { Box::into_raw(Box::new(kgen_profile { inner: Profile::default() })) }
}

/// Frees a profile; NULL is fine.
#[no_mangle]
pub extern "C" fn kgen_profile_free(profile: *mut kgen_profile) {
    ffi_boundary! {
        if !profile.is_null() {
            // SAFETY: created by kgen_profile_new, freed once.
            drop(unsafe { Box::from_raw(profile) });
        }
    }
}

/// Sets a text field: name, username, email, device_id, phonenumber, date_joined, playertag,
/// location, location_name, device_model, screen_height, screen_width, os_name, os_version,
/// browser_name, app_version. Other names: `GG_INVALID_ARGUMENT`.
#[no_mangle]
pub extern "C" fn kgen_profile_set_text(profile: *mut kgen_profile, field: *const c_char, value: *const c_char) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        let (profile, field, value) = unsafe { (arg_mut(profile, "profile")?, arg_str(field, "field")?, arg_str(value, "value")?) };
        profile.inner.set_text(field, value)
    }
}

/// Sets an integer field: level, rank.
#[no_mangle]
pub extern "C" fn kgen_profile_set_int(profile: *mut kgen_profile, field: *const c_char, value: i64) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        let (profile, field) = unsafe { (arg_mut(profile, "profile")?, arg_str(field, "field")?) };
        profile.inner.set_int(field, value)
    }
}

/// Sets a flag field (0 / 1): fb_login, google_login.
#[no_mangle]
pub extern "C" fn kgen_profile_set_flag(profile: *mut kgen_profile, field: *const c_char, value: u8) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        let (profile, field) = unsafe { (arg_mut(profile, "profile")?, arg_str(field, "field")?) };
        profile.inner.set_flag(field, arg_flag(value)?)
    }
}

/// `POST /s2s/session`: creates or retrieves the player's KGeN session.
#[no_mangle]
pub extern "C" fn kgen_create_session(
    client: *mut kgen_client,
    user_id: *const c_char,
    callback: kgen_session_callback,
    user_data: *mut c_void,
    out_request_id: *mut u64,
) -> gg_result {
    kgen_create_session_with_profile(client, user_id, std::ptr::null(), callback, user_data, out_request_id)
}

/// As `kgen_create_session`, also sending the profile's fields (copied; NULL = none).
#[no_mangle]
pub extern "C" fn kgen_create_session_with_profile(
    client: *mut kgen_client,
    user_id: *const c_char,
    profile: *const kgen_profile,
    callback: kgen_session_callback,
    user_data: *mut c_void,
    out_request_id: *mut u64,
) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        let client = unsafe { arg_ref(client, "client")? };
        let callback = arg_callback(callback)?;
        // SAFETY: as above.
        let user_id = unsafe { arg_str(user_id, "user_id")? }.to_string();
        // SAFETY: NULL or a live profile.
        let profile = unsafe { profile.as_ref() }.map(|p| p.inner.clone()).unwrap_or_default();
        Service::check_user_id(&user_id)?;
        let service = client.service.clone();
        let user_data = UserData(user_data);
        let start = move |done: Completion<Session>| service.create_session(&user_id, &profile, move |r| done.finish_refined(r, kgen::session_from));
        let deliver = move |result: Result<Session, Error>| deliver_session(callback, user_data, result);
        // SAFETY: out_request_id is NULL or writable.
        unsafe { client::submit_io(client, start, deliver, out_request_id) }
    }
}

/// Any KGeN S2S call (e.g. `GET /s2s/loyalty/rewardable-events`), with the client's
/// credentials. `body_json` may be NULL; the callback gets the response body as JSON.
#[no_mangle]
pub extern "C" fn kgen_request(
    client: *mut kgen_client,
    method: *const c_char,
    path: *const c_char,
    body_json: *const c_char,
    callback: gg_json_callback,
    user_data: *mut c_void,
    out_request_id: *mut u64,
) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        let client = unsafe { arg_ref(client, "client")? };
        let callback = arg_callback(callback)?;
        // SAFETY: as above.
        let args = unsafe { request_args(method, path, body_json)? };
        let service = client.service.clone();
        let user_data = UserData(user_data);
        let method = args.method;
        let start = move |done: Completion<String>| service.request(method, &args.path, args.body.as_deref(), move |r| done.finish_refined(r, kgen::json_from));
        let deliver = move |result| deliver_json(callback, user_data, result);
        // SAFETY: out_request_id is NULL or writable.
        unsafe { client::submit_io(client, start, deliver, out_request_id) }
    }
}

type SessionFn = unsafe extern "C" fn(*mut c_void, *const gg_error, *const kgen_session);

fn deliver_session(callback: SessionFn, user_data: UserData, result: Result<Session, Error>) {
    match result {
        Ok(session) => {
            let c = c_session(&session);
            // SAFETY: the caller's callback with its own user_data; `c` and the session its
            // strings point into live until it returns.
            unsafe { callback(user_data.get(), std::ptr::null(), &c) }
        }
        // SAFETY: as above.
        Err(error) => with_c_error(&error, |e| unsafe { callback(user_data.get(), e, std::ptr::null()) }),
    }
}

fn c_session(s: &Session) -> kgen_session {
    kgen_session {
        struct_size: std::mem::size_of::<kgen_session>() as u32,
        session_id: s.c_text(Text::session_id),
        user_id: s.c_text(Text::user_id),
        name: s.c_text(Text::name),
        username: s.c_text(Text::username),
        email: s.c_text(Text::email),
        device_id: s.c_text(Text::device_id),
        phonenumber: s.c_text(Text::phonenumber),
        level: s.level,
        rank: s.rank,
        date_joined: s.c_text(Text::date_joined),
        playertag: s.c_text(Text::playertag),
        location: s.c_text(Text::location),
        location_name: s.c_text(Text::location_name),
        device_model: s.c_text(Text::device_model),
        screen_height: s.c_text(Text::screen_height),
        screen_width: s.c_text(Text::screen_width),
        os_name: s.c_text(Text::os_name),
        os_version: s.c_text(Text::os_version),
        browser_name: s.c_text(Text::browser_name),
        app_version: s.c_text(Text::app_version),
        fb_login: s.c_text(Text::fb_login),
        google_login: s.c_text(Text::google_login),
        indigg_id: s.c_text(Text::indigg_id),
        indigg_wallet_address: s.c_text(Text::indigg_wallet_address),
        third_party_client_id: s.c_text(Text::third_party_client_id),
        third_party_client_name: s.c_text(Text::third_party_client_name),
        namespaced_third_party_user_id: s.c_text(Text::namespaced_third_party_user_id),
        wallet_address: s.c_text(Text::wallet_address),
        is_new_user: u8::from(s.is_new_user),
        access_token: s.c_text(Text::access_token),
        refresh_token: s.c_text(Text::refresh_token),
        linked_phone: s.c_text(Text::linked_phone),
        session_start_time: s.c_text(Text::session_start_time),
        session_start_unix_ms: s.session_start_unix_ms,
        raw_json: s.c_raw_json(),
    }
}

/// Resolves the service's name, connects and finishes TLS for one connection now, so the next
/// call goes out without those round trips (a sign-in screen opening, a code about to be
/// verified). Returns at once and calls nothing back; the connection is then pooled like any
/// other (closed once idle past `gg_options_set_max_idle_ms`). Does nothing when a connection
/// is idle or being prepared already, through a proxy, or offline.
#[no_mangle]
pub extern "C" fn kgen_client_prepare(client: *mut kgen_client) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        unsafe { super::strings::arg_ref(client, "client")? }.service.prepare_connection();
        Ok(())
    }
}
