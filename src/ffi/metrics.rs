//! `gg_request_metrics`: each request's numbers, handed to the game's metrics callback.

use super::options::gg_options;
use super::result::gg_result;
use super::strings::{arg_mut, CStrings, UserData};
use crate::engine::metrics::{MetricsSink, RequestMetrics};
use std::ffi::{c_char, c_void};
use std::sync::Arc;

/// One request's numbers. Borrowed: valid only until the callback returns.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct gg_request_metrics {
    /// `sizeof(gg_request_metrics)` in the library that filled it; fields are only ever appended.
    pub struct_size: u32,
    /// The id the call returned in `out_request_id`.
    pub request_id: u64,
    /// "GET", "POST", ...; "" when the request never reached the network.
    pub method: *const c_char,
    /// As sent, secrets (rei-keys, query values) replaced.
    pub path: *const c_char,
    /// The result the request's own callback gets (`GG_OK` or a failure code).
    pub code: gg_result,
    /// Of the last attempt; 0 when none.
    pub http_status: i32,
    /// Times the request was sent (retries included); 0 when it never went out.
    pub attempts: u32,
    /// The last attempt went out on a pooled connection.
    pub connection_reused: u8,
    /// Name lookup for the last attempt's connection; 0 when reused.
    pub dns_us: i64,
    /// TCP connect of the last attempt's connection; 0 when reused.
    pub connect_us: i64,
    /// TLS handshake of the last attempt's connection; 0 when reused or plain HTTP.
    pub tls_us: i64,
    /// Last attempt: request written -> first response byte.
    pub first_byte_us: i64,
    /// From the call to completion.
    pub total_us: i64,
    /// Over all attempts, HTTP bytes (before TLS).
    pub bytes_sent: u64,
    /// Over all attempts, HTTP bytes received (before TLS).
    pub bytes_received: u64,
}

/// Receives one request's numbers, in dispatch context, right before its own callback.
#[allow(non_camel_case_types)]
pub type gg_metrics_callback = Option<unsafe extern "C" fn(user_data: *mut c_void, metrics: *const gg_request_metrics)>;

/// Calls `callback` exactly once per accepted request, in dispatch context (inside tick in
/// tick mode, on the callback thread in worker mode), right before the request's own callback,
/// with its method, path, result, attempts and timings (DNS, connect, TLS, first byte, total,
/// in microseconds) and bytes. NULL removes it. Without one, nothing is measured.
#[no_mangle]
pub extern "C" fn gg_options_set_metrics_callback(options: *mut gg_options, callback: gg_metrics_callback, user_data: *mut c_void) -> gg_result {
    ffi_result! {
        // SAFETY: pointer contract of this function.
        let options = unsafe { arg_mut(options, "options")? };
        let user_data = UserData(user_data);
        options.inner.metrics = callback.map(|callback| {
            MetricsSink(Arc::new(move |metrics: &RequestMetrics| {
                // SAFETY: the game's callback with its own user_data; the struct and its
                // strings live until it returns.
                with_c_metrics(metrics, |c| unsafe { callback(user_data.get(), c) })
            }))
        });
        Ok(())
    }
}

fn micros(duration: std::time::Duration) -> i64 {
    i64::try_from(duration.as_micros()).unwrap_or(i64::MAX)
}

fn with_c_metrics<R>(m: &RequestMetrics, f: impl FnOnce(*const gg_request_metrics) -> R) -> R {
    let mut strings = CStrings::default();
    let e = &m.exchange;
    let c = gg_request_metrics {
        struct_size: std::mem::size_of::<gg_request_metrics>() as u32,
        request_id: m.request_id,
        method: strings.add(&e.method),
        path: strings.add(&e.path),
        code: m.code,
        http_status: e.http_status,
        attempts: e.attempts,
        connection_reused: u8::from(e.connection_reused),
        dns_us: micros(e.dns),
        connect_us: micros(e.connect),
        tls_us: micros(e.tls),
        first_byte_us: micros(e.first_byte),
        total_us: micros(m.total),
        bytes_sent: e.bytes_sent,
        bytes_received: e.bytes_received,
    };
    f(&c)
}
