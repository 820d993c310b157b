//! `gg_result`, `gg_error` and the callback types shared by both services.

use super::strings::{to_cstring, UserData};
use crate::error::{result_cname, Error};
use std::ffi::{c_char, c_void, CString};

/// A GameGate result code: `GG_OK` (0) or one of the `GG_*` failure codes.
#[allow(non_camel_case_types)]
pub type gg_result = i32;

/// Why an asynchronous call failed. Borrowed: valid only until the callback returns.
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct gg_error {
    /// `sizeof(gg_error)` in the library that filled it; fields are only ever appended.
    pub struct_size: u32,
    /// The `GG_*` failure code (never `GG_OK`).
    pub code: gg_result,
    /// 0 when no HTTP response arrived.
    pub http_status: i32,
    /// The service's own error code as text ("1001", "INVALID_REFRESH_TOKEN"), or "".
    pub api_code: *const c_char,
    /// Human-readable, never NULL, never contains a secret.
    pub message: *const c_char,
    /// The server's `Retry-After` on a 429 or 503, in milliseconds ("try again in N s");
    /// 0 when it sent none. Appended: read it only when `struct_size` covers it.
    pub retry_after_ms: i64,
}

/// Called once when a call that produces no data completes. `error` is NULL on success.
#[allow(non_camel_case_types)]
pub type gg_done_callback = Option<unsafe extern "C" fn(user_data: *mut c_void, error: *const gg_error)>;

/// Called once with a JSON document (`json` is NULL when `error` is not).
#[allow(non_camel_case_types)]
pub type gg_json_callback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, error: *const gg_error, json: *const c_char)>;

/// Static name of any result code, e.g. "GG_TIMEOUT"; "GG_UNKNOWN" for unknown values.
#[no_mangle]
pub extern "C" fn gg_result_name(result: gg_result) -> *const c_char {
    ffi_boundary! { result_cname(result).as_ptr() }
}

/// Runs `f` with a `gg_error` that borrows from `error` for the duration of the call.
pub(crate) fn with_c_error<R>(error: &Error, f: impl FnOnce(*const gg_error) -> R) -> R {
    let api_code: CString = to_cstring(&error.api_code);
    let message: CString = to_cstring(&error.message);
    let raw = gg_error {
        struct_size: std::mem::size_of::<gg_error>() as u32,
        code: error.code,
        http_status: error.http_status,
        api_code: api_code.as_ptr(),
        message: message.as_ptr(),
        retry_after_ms: error.retry_after_ms,
    };
    f(&raw)
}

/// Delivers a JSON result to a `gg_json_callback`.
pub(crate) fn deliver_json(callback: unsafe extern "C" fn(*mut c_void, *const gg_error, *const c_char), user_data: UserData, result: Result<String, Error>) {
    match result {
        Ok(json) => {
            let json = to_cstring(&json);
            // SAFETY: the caller's callback, called once with its own user_data; `json` lives
            // until it returns.
            unsafe { callback(user_data.get(), std::ptr::null(), json.as_ptr()) }
        }
        // SAFETY: as above; the error lives until the callback returns.
        Err(error) => with_c_error(&error, |e| unsafe { callback(user_data.get(), e, std::ptr::null()) }),
    }
}

/// Delivers a data-less result to a `gg_done_callback`.
pub(crate) fn deliver_done(callback: unsafe extern "C" fn(*mut c_void, *const gg_error), user_data: UserData, result: Result<(), Error>) {
    match result {
        // SAFETY: the caller's callback, called once with its own user_data.
        Ok(()) => unsafe { callback(user_data.get(), std::ptr::null()) },
        // SAFETY: as above; the error lives until the callback returns.
        Err(error) => with_c_error(&error, |e| unsafe { callback(user_data.get(), e) }),
    }
}
