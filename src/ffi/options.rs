//! `gg_options`: transport settings a client copies at creation. The caller frees them.

use super::result::gg_result;
use super::strings::{arg_flag, arg_mut, arg_str};
use crate::options::{Dispatch, Options};
use std::ffi::c_char;

/// Transport settings shared by both clients (opaque).
#[allow(non_camel_case_types)]
pub struct gg_options {
    pub(crate) inner: Options,
}

/// New options with every default: production URL, 10 s timeout, tick dispatch, 4 requests
/// in flight, 1 MiB body cap, 60 s refresh margin. Never NULL (barring a panic).
#[no_mangle]
pub extern "C" fn gg_options_new() -> *mut gg_options {
    ffi_boundary! { Box::into_raw(Box::new(gg_options { inner: Options::default() })) }
}

/// Frees options; NULL is fine. Clients created from them keep their own copy.
#[no_mangle]
pub extern "C" fn gg_options_free(options: *mut gg_options) {
    ffi_boundary! {
        if !options.is_null() {
            // SAFETY: created by gg_options_new and not yet freed, per the contract.
            drop(unsafe { Box::from_raw(options) });
        }
    }
}

/// Base URL of the service, e.g. the emulator's `http://127.0.0.1:8910`. A client refuses
/// `http://` to a host other than loopback unless `gg_options_set_allow_plain_http` was set
/// (checked at client creation, so the two setters may come in either order).
#[no_mangle]
pub extern "C" fn gg_options_set_base_url(options: *mut gg_options, url: *const c_char) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        let (options, url) = unsafe { (arg_mut(options, "options")?, arg_str(url, "url")?) };
        options.inner.set_base_url(url)
    }
}

/// Whole-request timeout: name lookup, connect (every address tried), TLS, sending, waiting,
/// reading and every retry fit within it. Default 10000; 0 is refused.
#[no_mangle]
pub extern "C" fn gg_options_set_timeout_ms(options: *mut gg_options, ms: u32) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        unsafe { arg_mut(options, "options")? }.inner.set_timeout_ms(ms)
    }
}

/// `GG_DISPATCH_TICK` (0, default) or `GG_DISPATCH_WORKER` (1).
#[no_mangle]
pub extern "C" fn gg_options_set_dispatch(options: *mut gg_options, mode: u32) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        let options = unsafe { arg_mut(options, "options")? };
        options.inner.dispatch = Dispatch::from_raw(mode)?;
        Ok(())
    }
}

/// Trusts the PEM certificates in `pem` in addition to the bundled Mozilla roots.
#[no_mangle]
pub extern "C" fn gg_options_add_root_certificates_pem(options: *mut gg_options, pem: *const c_char) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        let (options, pem) = unsafe { (arg_mut(options, "options")?, arg_str(pem, "pem")?) };
        options.inner.add_root_certificates_pem(pem)
    }
}

/// Requests in flight at once: connections per client. The name is historical: no thread is
/// started per request; a client is one I/O thread (two in worker dispatch) whatever this
/// says. Further requests wait their turn; their timeout starts when they go on the wire.
/// Default 4, range 1..=256.
#[no_mangle]
pub extern "C" fn gg_options_set_worker_threads(options: *mut gg_options, count: u32) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        unsafe { arg_mut(options, "options")? }.inner.set_worker_threads(count)
    }
}

/// Largest response body accepted; a larger one fails with `GG_BAD_RESPONSE`. Default 1 MiB.
#[no_mangle]
pub extern "C" fn gg_options_set_max_body_bytes(options: *mut gg_options, bytes: u64) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        unsafe { arg_mut(options, "options")? }.inner.set_max_body_bytes(bytes)
    }
}

/// Elixir: refresh the access token before a call when it expires within this margin.
/// Default 60000.
#[no_mangle]
pub extern "C" fn gg_options_set_refresh_margin_ms(options: *mut gg_options, ms: u32) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        unsafe { arg_mut(options, "options")? }.inner.refresh_margin = std::time::Duration::from_millis(u64::from(ms));
        Ok(())
    }
}

/// The User-Agent header sent with every request. Default "gamegate/<version>".
#[no_mangle]
pub extern "C" fn gg_options_set_user_agent(options: *mut gg_options, user_agent: *const c_char) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        let (options, agent) = unsafe { (arg_mut(options, "options")?, arg_str(user_agent, "user_agent")?) };
        options.inner.set_user_agent(agent)
    }
}

/// Retries transient failures (connection failures, HTTP 502 / 503 / 504) with exponential
/// backoff and full jitter, within the request timeout. Only KGeN session creation (which
/// the service documents as create-or-retrieve) and GET requests are ever sent again, never
/// an Elixir sign-in, refresh or sign-out, nor any other POST/PUT/PATCH/DELETE. A request
/// whose connection broke after it was sent and before any answer ends with `GG_NETWORK`
/// saying it "may have been processed": check on the server before repeating it. Re-sends
/// count against `max_retries` on every path. Default: 2 retries, 200 ms base delay;
/// `max_retries` 0 disables, at most 10.
#[no_mangle]
pub extern "C" fn gg_options_set_retries(options: *mut gg_options, max_retries: u32, base_delay_ms: u32) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        let options = unsafe { arg_mut(options, "options")? };
        options.inner.set_retries(max_retries, base_delay_ms)
    }
}

/// 1: a plain `http://` base URL may name any host (a LAN emulator, an Android emulator's
/// 10.0.2.2), not only loopback. Development only: a request to a plain-HTTP host carries its
/// credentials in clear text; the client logs a warning when it is created. Either setter may
/// come first. 0 (default): refused at client creation with `GG_INVALID_ARGUMENT`.
#[no_mangle]
pub extern "C" fn gg_options_set_allow_plain_http(options: *mut gg_options, enabled: u8) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        unsafe { arg_mut(options, "options")? }.inner.allow_plain_http = arg_flag(enabled)?;
        Ok(())
    }
}

/// Whom TLS trusts: `GG_TRUST_DEFAULT` (0, the default: the OS's verifier and trust store,
/// the bundled Mozilla roots where the OS cannot be asked), `GG_TRUST_BUNDLED` (1: the bundled
/// roots only) or `GG_TRUST_OS` (2: the OS only; creating an HTTPS client then fails with
/// `GG_UNSUPPORTED` where the OS cannot be asked). Roots added with
/// `gg_options_add_root_certificates_pem` are trusted in every mode. On Linux the OS store is
/// OpenSSL's (`SSL_CERT_FILE`, `SSL_CERT_DIR`), on Windows the CryptoAPI chain engine, on macOS
/// and iOS the Security framework, on Android the system's TrustManager once `gg_android_init`
/// finds the verifier's component in the app (else the bundled roots). Where the OS's check
/// goes to the network (revocation, intermediates), it ends by the request's deadline
/// (`GG_TIMEOUT`).
#[no_mangle]
pub extern "C" fn gg_options_set_trust(options: *mut gg_options, mode: u32) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        let options = unsafe { arg_mut(options, "options")? };
        options.inner.trust = crate::net::trust::Trust::from_raw(mode)?;
        Ok(())
    }
}

/// Tick dispatch: `*_client_tick` stops delivering callbacks once `us` microseconds have gone
/// by, and delivers the rest at the next tick (always at least one callback per tick), so a
/// burst of answers is spread over frames. 0 (default): every ready callback, each tick.
#[no_mangle]
pub extern "C" fn gg_options_set_tick_budget_us(options: *mut gg_options, us: u32) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        unsafe { arg_mut(options, "options")? }.inner.tick_budget = std::time::Duration::from_micros(u64::from(us));
        Ok(())
    }
}

/// A pooled connection idle longer than `ms` is closed, never reused (default 60000). A
/// carrier's NAT or a load balancer may forget an idle connection without a word; a request
/// sent on one would wait out its whole timeout. 0 never reuses a connection.
#[no_mangle]
pub extern "C" fn gg_options_set_max_idle_ms(options: *mut gg_options, ms: u32) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        unsafe { arg_mut(options, "options")? }.inner.max_idle = std::time::Duration::from_millis(u64::from(ms));
        Ok(())
    }
}

/// Elixir: 1 keeps the access token fresh in the background (an alarm on the client's I/O
/// thread refreshes it before it expires, firing the session listener; no extra thread);
/// 0 (default) refreshes only when a call needs a token.
#[no_mangle]
pub extern "C" fn gg_options_set_background_refresh(options: *mut gg_options, enabled: u8) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        unsafe { arg_mut(options, "options")? }.inner.background_refresh = arg_flag(enabled)?;
        Ok(())
    }
}

/// Sends every request through an HTTP proxy, `http://[user:password@]host:port` (port 1080
/// when absent, as curl; user and password percent-encoded). HTTPS goes through a CONNECT
/// tunnel: TLS runs end to end with the service, whose certificate is checked as usual. The
/// credentials are secrets (kept wiped, sent only to the proxy, never logged). A proxy that
/// refuses (407, 403, 502...) gives `GG_HTTP_STATUS` with a message saying it was the proxy;
/// one that cannot be reached gives `GG_NETWORK` naming the proxy. "" or NULL removes it.
#[no_mangle]
pub extern "C" fn gg_options_set_proxy(options: *mut gg_options, proxy_url: *const c_char) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        let options = unsafe { arg_mut(options, "options")? };
        // SAFETY: as above; NULL means no proxy.
        let url = unsafe { super::strings::arg_opt_str(proxy_url, "proxy_url")? }.unwrap_or("");
        options.inner.set_proxy(url)
    }
}

/// 1: when no proxy was set, take one from the environment at client creation, as curl does:
/// `https_proxy` / `HTTPS_PROXY` for an https:// service, `http_proxy` (lowercase only) for
/// plain HTTP, and none for a host that `no_proxy` / `NO_PROXY` lists (`*`, host names with
/// their subdomains, IP addresses, IPv4 CIDR blocks). 0 (default): the environment is ignored.
#[no_mangle]
pub extern "C" fn gg_options_set_proxy_from_environment(options: *mut gg_options, enabled: u8) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        unsafe { arg_mut(options, "options")? }.inner.proxy_from_environment = arg_flag(enabled)?;
        Ok(())
    }
}
