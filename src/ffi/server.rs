//! `elixir_server`: Elixir's server-side signed calls from C (a game server's tournament
//! scores and game stats). Same rules as every other client: tick or worker dispatch,
//! exactly-once callbacks, free answers pending requests with `GG_SHUTDOWN`.

use super::client::{self, ClientHandle};
use super::options::gg_options;
use super::result::{deliver_json, gg_json_callback, gg_result};
use super::strings::{arg_callback, arg_ref, arg_str, request_args, UserData};
use crate::elixir::server::{compact, Server};
use crate::engine::{Completion, Engine};
use crate::error::Error;
use crate::options::Options;
use std::ffi::{c_char, c_void};
use std::sync::Arc;

/// A game server's signed connection to Elixir (opaque). Thread-safe: any call from any
/// thread. Holds the game's private key: create it on servers only, never in a game client.
#[allow(non_camel_case_types)]
pub struct elixir_server {
    engine: Arc<Engine>,
    server: Arc<Server>,
}

impl ClientHandle for elixir_server {
    fn engine(&self) -> &Arc<Engine> {
        &self.engine
    }
}

/// Creates a server client. `private_key_pem` is the game's RSA private key as unencrypted
/// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`, 2048 to 4096 bits); it is checked here, kept
/// in memory that is wiped when the client is freed, and never logged. A PKCS#1 key, a public
/// key or a malformed PEM gives `GG_INVALID_ARGUMENT` with a message that names no key
/// material. `options` may be NULL.
#[no_mangle]
pub extern "C" fn elixir_server_new(
    api_key: *const c_char,
    private_key_pem: *const c_char,
    options: *const gg_options,
    out_server: *mut *mut elixir_server,
) -> gg_result {
    ffi_result! {
        if out_server.is_null() {
            return Err(Error::null_param("out_server"));
        }
        // SAFETY: out_server is non-NULL and writable per the contract.
        unsafe { out_server.write(std::ptr::null_mut()) };
        // SAFETY: pointer contract of this function.
        let (api_key, pem) = unsafe { (arg_str(api_key, "api_key")?, arg_str(private_key_pem, "private_key_pem")?) };
        // SAFETY: NULL or a live gg_options.
        let options: Options = unsafe { options.as_ref() }.map(|o| o.inner.clone()).unwrap_or_default();
        let server = Arc::new(Server::new(api_key, pem, &options)?);
        let engine = Arc::new(Engine::for_options("elixir-server", &options)?);
        // SAFETY: as above.
        unsafe { out_server.write(Box::into_raw(Box::new(elixir_server { engine, server }))) };
        Ok(())
    }
}

/// Completes every pending request with `GG_SHUTDOWN` (on this thread) and frees the client,
/// wiping its key. NULL is fine; safe from inside the client's own callbacks.
#[no_mangle]
pub extern "C" fn elixir_server_free(server: *mut elixir_server) {
    // SAFETY: NULL or created by elixir_server_new and freed once, per the contract.
    ffi_boundary! { unsafe { client::free(server) } }
}

/// Runs the callbacks that are ready, on this thread (tick dispatch). Returns how many ran.
/// Call it once per frame. From inside one of this client's callbacks it runs nothing and
/// returns 0, and `gg_last_error_message` gives `GG_REENTRANT`.
#[no_mangle]
pub extern "C" fn elixir_server_tick(server: *mut elixir_server) -> u32 {
    // SAFETY: NULL or a live client.
    ffi_boundary! { unsafe { client::tick(server) } }
}

/// Completes a pending request with `GG_CANCELLED` (its exchange is dropped on the wire);
/// `GG_INVALID_ARGUMENT` when its result was already delivered.
#[no_mangle]
pub extern "C" fn elixir_server_cancel(server: *mut elixir_server, request_id: u64) -> gg_result {
    // SAFETY: NULL or a live client.
    ffi_result! { unsafe { client::cancel(server, request_id) } }
}

/// A signed call, e.g. `POST /sdk/v2/game-stats`. `body_json` (NULL for none) is sent as
/// compact JSON: the whitespace between its tokens is removed and nothing else changes (key
/// order, number and string text stay as written), and exactly those bytes are signed with
/// `"." + <epoch ms>`. Write numbers and strings as JavaScript's `JSON.stringify` would (no
/// `1.0`, no needless escapes): the service checks the signature against its own
/// `JSON.stringify` of the body. Each attempt is signed when it is sent; only GETs are
/// retried. The callback gets the envelope's `data` as JSON.
#[no_mangle]
pub extern "C" fn elixir_server_request(
    server: *mut elixir_server,
    method: *const c_char,
    path: *const c_char,
    body_json: *const c_char,
    callback: gg_json_callback,
    user_data: *mut c_void,
    out_request_id: *mut u64,
) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        let client = unsafe { arg_ref(server, "server")? };
        let callback = arg_callback(callback)?;
        // SAFETY: as above.
        let args = unsafe { request_args(method, path, body_json)? };
        let method = args.method;
        let body = args.body.as_deref().map(compact);
        let (server, user_data) = (client.server.clone(), UserData(user_data));
        let start = move |done: Completion<String>| server.request(method, &args.path, body, move |r| done.finish_refined(r, crate::elixir::server::data_from));
        // SAFETY: out_request_id is NULL or writable.
        unsafe { client::submit_io(client, start, move |r| deliver_json(callback, user_data, r), out_request_id) }
    }
}

/// Resolves the service's name, connects and finishes TLS for one connection now, so the next
/// call goes out without those round trips (a sign-in screen opening, a code about to be
/// verified). Returns at once and calls nothing back; the connection is then pooled like any
/// other (closed once idle past `gg_options_set_max_idle_ms`). Does nothing when a connection
/// is idle or being prepared already, through a proxy, or offline.
#[no_mangle]
pub extern "C" fn elixir_server_prepare(server: *mut elixir_server) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        unsafe { super::strings::arg_ref(server, "server")? }.server.prepare_connection();
        Ok(())
    }
}
