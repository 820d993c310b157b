//! Library-wide calls: logging, version, statistics, the last refused call's message.

use super::macros::last_failure;
use super::result::gg_result;
use super::strings::{copy_to_buffer, to_cstring, UserData};
use crate::engine::stats;
use crate::error::{Error, GG_INVALID_ARGUMENT};
use std::ffi::{c_char, c_void};

/// Receives log lines (any thread). `message` is valid only during the call and never
/// contains a secret.
#[allow(non_camel_case_types)]
pub type gg_log_callback = Option<unsafe extern "C" fn(user_data: *mut c_void, level: i32, message: *const c_char)>;

/// Installs the log sink: lines of `max_level` (`GG_LOG_ERROR` 1 .. `GG_LOG_TRACE` 5) and more
/// severe reach `callback`, from whatever thread logs them. NULL callback or level 0: off.
#[no_mangle]
pub extern "C" fn gg_set_log_callback(max_level: i32, callback: gg_log_callback, user_data: *mut c_void) {
    ffi_boundary! {
        let user_data = UserData(user_data);
        let sink: Option<crate::log::Sink> = callback.map(|callback| {
            Box::new(move |level: i32, line: &str| {
                let text = to_cstring(line);
                // SAFETY: the game's own callback with its own user_data; `text` outlives the call.
                unsafe { callback(user_data.get(), level, text.as_ptr()) }
            }) as crate::log::Sink
        });
        crate::log::set_sink(max_level, sink)
    }
}

/// The library version, e.g. "0.1.0" (static string).
#[no_mangle]
pub extern "C" fn gg_version() -> *const c_char {
    ffi_boundary! { crate::version::VERSION_CSTR.as_ptr().cast() }
}

/// Process-wide counters, for leak checks and diagnostics.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct gg_stats {
    /// Set to `sizeof(gg_stats)` before calling; fields are only ever appended.
    pub struct_size: u32,
    /// Clients created and not yet freed.
    pub live_clients: u64,
    /// Library threads still running (each client's I/O thread, its callback thread in worker
    /// dispatch, a host-name lookup), counted from their start until they have ended, after a
    /// free too.
    pub live_threads: u64,
    /// Asynchronous requests accepted since the process started.
    pub requests_started: u64,
    /// Requests whose work finished, whether or not the result was still wanted.
    pub requests_finished: u64,
    /// Times a client's I/O thread woke up (all clients together): it sleeps until the
    /// network has something, so an answer arriving in N pieces costs a few wake-ups per piece.
    pub io_wakeups: u64,
    /// Connections opened by the process since it started (appended).
    pub connections_opened: u64,
}

/// The size of `gg_stats` before `io_wakeups` was appended: programs built against it still
/// get the fields they know.
const GG_STATS_FIRST_SIZE: usize = std::mem::offset_of!(gg_stats, requests_finished) + 8;

/// Fills `out` (whose `struct_size` the caller sets) with the current counters.
#[no_mangle]
pub extern "C" fn gg_get_stats(out: *mut gg_stats) -> gg_result {
    ffi_result! {
        if out.is_null() {
            return Err(Error::null_param("out"));
        }
        // SAFETY: `out` points at a gg_stats of at least the first size (checked before any
        // other field is touched); fields past the caller's struct_size are never written.
        unsafe {
            let size = std::ptr::addr_of!((*out).struct_size).read() as usize;
            if size < GG_STATS_FIRST_SIZE {
                return Err(Error::new(GG_INVALID_ARGUMENT, "set out->struct_size = sizeof(gg_stats) first"));
            }
            let now = stats::snapshot();
            let written = size.min(std::mem::size_of::<gg_stats>());
            std::ptr::addr_of_mut!((*out).struct_size).write(written as u32);
            std::ptr::addr_of_mut!((*out).live_clients).write(now.live_clients);
            std::ptr::addr_of_mut!((*out).live_threads).write(now.live_threads);
            std::ptr::addr_of_mut!((*out).requests_started).write(now.requests_started);
            std::ptr::addr_of_mut!((*out).requests_finished).write(now.requests_finished);
            if written >= std::mem::offset_of!(gg_stats, io_wakeups) + 8 {
                std::ptr::addr_of_mut!((*out).io_wakeups).write(now.io_wakeups);
            }
            if written >= std::mem::offset_of!(gg_stats, connections_opened) + 8 {
                std::ptr::addr_of_mut!((*out).connections_opened).write(now.connections_opened);
            }
        }
        Ok(())
    }
}

/// Copies the message of the last call refused on this thread (empty when none), e.g.
/// "GG_INVALID_ARGUMENT: plain http:// is only allowed for loopback hosts ...".
#[no_mangle]
pub extern "C" fn gg_last_error_message(buf: *mut c_char, cap: usize, out_len: *mut usize) -> gg_result {
    ffi_boundary! {
        let text = last_failure();
        // SAFETY: pointer contract of this function. Not routed through ffi_result!, so that a
        // too-small buffer does not overwrite the message being read.
        match unsafe { copy_to_buffer(&text, buf, cap, out_len) } {
            Ok(()) => crate::error::GG_OK,
            Err(e) => e.code,
        }
    }
}

/// Tells GameGate the app went to the background (`GG_APP_BACKGROUND`) or came back
/// (`GG_APP_FOREGROUND`), process-wide: call it from the engine's pause / resume. Back in the
/// foreground, every client's pooled connections are closed (a device that slept may have
/// lost them without a word) and background refresh looks at the token at once. Other values:
/// `GG_INVALID_ARGUMENT`.
#[no_mangle]
pub extern "C" fn gg_set_application_status(status: u32) -> gg_result {
    ffi_result! { crate::app_life::set_application_status(status) }
}

/// Tells GameGate what the device's network is, process-wide: `GG_NET_ONLINE`,
/// `GG_NET_OFFLINE` or `GG_NET_UNKNOWN` (treated as online). Every report, a repeated
/// `GG_NET_ONLINE` too (Wi-Fi to cellular), closes pooled connections. While offline, a new
/// request is accepted and its callback gets `GG_NETWORK` at once ("the device is offline"),
/// nothing is sent to any host, and retries and background refresh wait for the network.
#[no_mangle]
pub extern "C" fn gg_set_network_status(status: u32) -> gg_result {
    ffi_result! { crate::app_life::set_network_status(status) }
}
