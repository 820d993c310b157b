//! Strings and pointers across the boundary: checked inputs, borrowed outputs for callbacks,
//! and copies into caller buffers for getters.

use crate::error::{Error, GG_BUFFER_TOO_SMALL, GG_INVALID_ARGUMENT};
use std::ffi::{c_char, c_void, CStr, CString};

/// A required UTF-8 string argument. NULL → `GG_NULL_PARAM`, bad UTF-8 → `GG_INVALID_ARGUMENT`.
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string valid for the duration of the call.
pub(crate) unsafe fn arg_str<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, Error> {
    if ptr.is_null() {
        return Err(Error::null_param(name));
    }
    // SAFETY: non-NULL and NUL-terminated per the caller's contract.
    let bytes = unsafe { CStr::from_ptr(ptr) }.to_bytes();
    std::str::from_utf8(bytes).map_err(|_| Error::new(GG_INVALID_ARGUMENT, format!("{name} is not valid UTF-8")))
}

/// An optional string argument: NULL → `None`.
///
/// # Safety
/// As for [`arg_str`].
pub(crate) unsafe fn arg_opt_str<'a>(ptr: *const c_char, name: &str) -> Result<Option<&'a str>, Error> {
    if ptr.is_null() {
        Ok(None)
    } else {
        // SAFETY: forwarded contract.
        unsafe { arg_str(ptr, name) }.map(Some)
    }
}

/// A required object handle.
///
/// # Safety
/// `ptr` is NULL or a live object of this type created by GameGate.
pub(crate) unsafe fn arg_ref<'a, T>(ptr: *const T, name: &str) -> Result<&'a T, Error> {
    // SAFETY: the caller passes a pointer GameGate handed out and has not freed.
    unsafe { ptr.as_ref() }.ok_or_else(|| Error::null_param(name))
}

/// # Safety
/// As for [`arg_ref`], with exclusive access for the call.
pub(crate) unsafe fn arg_mut<'a, T>(ptr: *mut T, name: &str) -> Result<&'a mut T, Error> {
    // SAFETY: as above; the C contract says an object is not used from two threads at once
    // for mutation (options builders are single-owner).
    unsafe { ptr.as_mut() }.ok_or_else(|| Error::null_param(name))
}

/// A required callback.
pub(crate) fn arg_callback<F>(callback: Option<F>) -> Result<F, Error> {
    callback.ok_or_else(|| Error::null_param("callback"))
}

/// Writes the new request id where the caller asked for it.
///
/// # Safety
/// `out` is NULL or valid for one write.
pub(crate) unsafe fn write_request_id(out: *mut u64, id: u64) {
    if !out.is_null() {
        // SAFETY: non-NULL and writable per the caller's contract.
        unsafe { out.write(id) };
    }
}

/// `user_data` travels to the callback thread untouched; GameGate never dereferences it.
#[derive(Clone, Copy)]
pub(crate) struct UserData(pub *mut c_void);
// SAFETY: an opaque token handed back to the caller's own callback; never dereferenced here.
unsafe impl Send for UserData {}
unsafe impl Sync for UserData {}

impl UserData {
    /// Taking `self` makes closures capture the whole `Send` wrapper, not the raw field.
    pub fn get(self) -> *mut c_void {
        self.0
    }
}

/// A NUL-terminated copy of `text`; an interior NUL (never valid in our outputs) becomes U+FFFD.
pub(crate) fn to_cstring(text: &str) -> CString {
    CString::new(text).unwrap_or_else(|_| CString::new(text.replace('\0', "\u{FFFD}")).unwrap_or_default())
}

/// Owns the C strings a callback borrows; they live until the arena is dropped after the
/// callback returns. Moving a `CString` never moves its bytes, so pointers stay valid.
#[derive(Default)]
pub(crate) struct CStrings(Vec<CString>);

impl CStrings {
    pub fn add(&mut self, text: &str) -> *const c_char {
        let owned = to_cstring(text);
        let ptr = owned.as_ptr();
        self.0.push(owned);
        ptr
    }
}

/// Copies `text` and a NUL into `buf`. Too small or NULL → `GG_BUFFER_TOO_SMALL`; `*out_len`
/// always receives the size needed, NUL included.
///
/// # Safety
/// `buf` is NULL or valid for `cap` bytes; `out_len` is NULL or valid for one write.
pub(crate) unsafe fn copy_to_buffer(text: &str, buf: *mut c_char, cap: usize, out_len: *mut usize) -> Result<(), Error> {
    let needed = text.len() + 1;
    if !out_len.is_null() {
        // SAFETY: caller contract.
        unsafe { out_len.write(needed) };
    }
    if buf.is_null() || cap < needed {
        return Err(Error::new(GG_BUFFER_TOO_SMALL, format!("the buffer needs {needed} bytes")));
    }
    // SAFETY: `buf` holds at least `needed` bytes; source and destination do not overlap.
    unsafe {
        std::ptr::copy_nonoverlapping(text.as_ptr(), buf.cast::<u8>(), text.len());
        buf.add(text.len()).write(0);
    }
    Ok(())
}



/// The arguments of `kgen_request` / `elixir_request`, checked and copied.
pub(crate) struct RequestArgs {
    pub method: String,
    pub path: String,
    pub body: Option<String>,
}

/// # Safety
/// Each pointer is NULL (`body_json` only) or a NUL-terminated string valid for the call.
pub(crate) unsafe fn request_args(method: *const c_char, path: *const c_char, body_json: *const c_char) -> Result<RequestArgs, Error> {
    // SAFETY: forwarded contract.
    let (method, path, body) = unsafe { (arg_str(method, "method")?, arg_str(path, "path")?, arg_opt_str(body_json, "body_json")?) };
    crate::http::check_request(method, path, body)?;
    Ok(RequestArgs { method: method.to_string(), path: path.to_string(), body: body.map(str::to_string) })
}
