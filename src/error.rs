//! Result codes and the one error type every layer returns.
//!
//! The numeric values are part of the C ABI: once released they never change and are never
//! reused. cbindgen turns each `GG_*` constant into a `#define` in `gamegate.h`.

use std::ffi::CStr;
use std::fmt;

/// Success.
pub const GG_OK: i32 = 0;
/// A required pointer argument was NULL.
pub const GG_NULL_PARAM: i32 = 1;
/// An argument was out of range, not UTF-8, or otherwise unusable.
pub const GG_INVALID_ARGUMENT: i32 = 2;
/// The connection failed: refused, reset, DNS, truncated response.
pub const GG_NETWORK: i32 = 3;
/// The request did not complete within the configured timeout.
pub const GG_TIMEOUT: i32 = 4;
/// The TLS handshake failed: untrusted certificate, wrong host name, protocol error.
pub const GG_TLS: i32 = 5;
/// The server answered with a non-2xx status and no service error envelope.
pub const GG_HTTP_STATUS: i32 = 6;
/// The service answered with its error envelope; see `api_code` and `message`.
pub const GG_API_ERROR: i32 = 7;
/// The response body could not be understood (not JSON, wrong types, too large).
pub const GG_BAD_RESPONSE: i32 = 8;
/// The request was cancelled by `*_client_cancel`.
pub const GG_CANCELLED: i32 = 9;
/// The client was freed, or is being freed, before the request completed.
pub const GG_SHUTDOWN: i32 = 10;
/// The call needs a signed-in Elixir session and there is none.
pub const GG_NOT_SIGNED_IN: i32 = 11;
/// The caller's buffer is NULL or too small; `*out_len` holds the size needed.
pub const GG_BUFFER_TOO_SMALL: i32 = 12;
/// The call was made from a place where it cannot run: a tick inside one of the same client's
/// callbacks (it runs nothing; `gg_last_error_message` says so).
pub const GG_REENTRANT: i32 = 13;
/// A bug inside GameGate (a caught panic). Please report it.
pub const GG_INTERNAL: i32 = 14;
/// This platform cannot do what was asked (e.g. it has no OS credential store).
pub const GG_UNSUPPORTED: i32 = 15;

/// Static name of a result code, `"GG_UNKNOWN"` for values GameGate never returns.
pub fn result_name(code: i32) -> &'static str {
    result_cname(code).to_str().unwrap_or("GG_UNKNOWN")
}

/// The same name, NUL-terminated, for `gg_result_name`.
pub fn result_cname(code: i32) -> &'static CStr {
    match code {
        GG_OK => c"GG_OK",
        GG_NULL_PARAM => c"GG_NULL_PARAM",
        GG_INVALID_ARGUMENT => c"GG_INVALID_ARGUMENT",
        GG_NETWORK => c"GG_NETWORK",
        GG_TIMEOUT => c"GG_TIMEOUT",
        GG_TLS => c"GG_TLS",
        GG_HTTP_STATUS => c"GG_HTTP_STATUS",
        GG_API_ERROR => c"GG_API_ERROR",
        GG_BAD_RESPONSE => c"GG_BAD_RESPONSE",
        GG_CANCELLED => c"GG_CANCELLED",
        GG_SHUTDOWN => c"GG_SHUTDOWN",
        GG_NOT_SIGNED_IN => c"GG_NOT_SIGNED_IN",
        GG_BUFFER_TOO_SMALL => c"GG_BUFFER_TOO_SMALL",
        GG_REENTRANT => c"GG_REENTRANT",
        GG_INTERNAL => c"GG_INTERNAL",
        GG_UNSUPPORTED => c"GG_UNSUPPORTED",
        _ => c"GG_UNKNOWN",
    }
}

/// What went wrong, in the shape the C `gg_error` struct exposes.
///
/// Messages are written by GameGate or copied from a server's error field; they never contain
/// a credential or token (no code path formats a `Secret` into one).
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    pub code: i32,
    /// 0 when no HTTP response arrived.
    pub http_status: i32,
    /// The service's own error code as text ("1001", "INVALID_REFRESH_TOKEN"), or "".
    pub api_code: String,
    pub message: String,
    /// The server's `Retry-After` on a 429 or 503, in milliseconds; 0 when none.
    pub retry_after_ms: i64,
}

impl Error {
    pub fn new(code: i32, message: impl Into<String>) -> Self {
        Error { code, http_status: 0, api_code: String::new(), message: message.into(), retry_after_ms: 0 }
    }

    /// Carries the answer's `Retry-After` (429 and 503 only), so a game can say when to try again.
    pub fn with_retry_after(mut self, retry_after: Option<std::time::Duration>) -> Self {
        if let Some(wait) = retry_after {
            self.retry_after_ms = i64::try_from(wait.as_millis()).unwrap_or(i64::MAX).max(1);
        }
        self
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.http_status = i32::from(status);
        self
    }

    pub fn with_api_code(mut self, api_code: impl Into<String>) -> Self {
        self.api_code = api_code.into();
        self
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Error::new(GG_INVALID_ARGUMENT, message)
    }

    pub fn cancelled() -> Self {
        Error::new(GG_CANCELLED, "the request was cancelled")
    }

    pub fn shutdown() -> Self {
        Error::new(GG_SHUTDOWN, "the client was freed before the request completed")
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Error::new(GG_INTERNAL, message)
    }

    pub fn null_param(name: &str) -> Self {
        Error::new(GG_NULL_PARAM, format!("{name} is NULL"))
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", result_name(self.code))?;
        if self.http_status != 0 {
            write!(f, " (HTTP {})", self.http_status)?;
        }
        if !self.api_code.is_empty() {
            write!(f, " [{}]", self.api_code)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_distinct_name() {
        let names: Vec<&str> = (0..=GG_UNSUPPORTED).map(result_name).collect();
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len());
        assert!(!names.contains(&"GG_UNKNOWN"));
        assert_eq!(result_name(-1), "GG_UNKNOWN");
        assert_eq!(result_name(9999), "GG_UNKNOWN");
    }

    #[test]
    fn display_names_code_status_and_api_code() {
        let e = Error::new(GG_API_ERROR, "Invalid API Key").with_status(400).with_api_code("1001");
        assert_eq!(e.to_string(), "GG_API_ERROR (HTTP 400) [1001]: Invalid API Key");
    }
}
