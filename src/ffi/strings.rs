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

/// `user_data` travels to the delivering thread untouched; GameGate never dereferences it.
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

/// Owns the C strings a callback borrows, until it is dropped after the callback returns.
/// The strings are packed into a few fixed chunks (one for a whole session, instead of one
/// allocation per field); a chunk never grows, so the pointers handed out stay valid. The
/// chunks hold tokens: they are wiped when dropped.
#[derive(Default)]
pub(crate) struct CStrings {
    chunks: Vec<Vec<u8>>,
}

const CHUNK_BYTES: usize = 4096;

impl CStrings {
    pub fn add(&mut self, text: &str) -> *const c_char {
        // An interior NUL would cut the C string short: it becomes U+FFFD, as in to_cstring.
        let text: std::borrow::Cow<str> = if text.contains('\0') { text.replace('\0', "\u{FFFD}").into() } else { text.into() };
        let needed = text.len() + 1;
        let fits = self.chunks.last().is_some_and(|c| c.capacity() - c.len() >= needed);
        if !fits {
            self.chunks.push(Vec::with_capacity(needed.max(CHUNK_BYTES)));
        }
        let chunk = self.chunks.last_mut().expect("a chunk with room was just ensured");
        let start = chunk.len();
        chunk.extend_from_slice(text.as_bytes());
        chunk.push(0);
        // SAFETY: `start` is within the chunk, whose buffer never reallocated: `needed` bytes
        // were free before the copy.
        unsafe { chunk.as_ptr().add(start).cast() }
    }
}

impl Drop for CStrings {
    fn drop(&mut self) {
        // Only the bytes written: a chunk's spare capacity never held anything (wiping all
        // 4 KiB byte by byte was the largest user-space cost of a delivery).
        for chunk in &mut self.chunks {
            crate::secret::wipe(chunk.as_mut_slice());
        }
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



/// The arguments of `kgen_request` / `elixir_request` / `elixir_server_request`, checked and copied.
pub(crate) struct RequestArgs {
    pub method: crate::http::Method,
    pub path: String,
    pub body: Option<String>,
}

/// # Safety
/// Each pointer is NULL (`body_json` only) or a NUL-terminated string valid for the call.
pub(crate) unsafe fn request_args(method: *const c_char, path: *const c_char, body_json: *const c_char) -> Result<RequestArgs, Error> {
    // SAFETY: forwarded contract.
    let (method, path, body) = unsafe { (arg_str(method, "method")?, arg_str(path, "path")?, arg_opt_str(body_json, "body_json")?) };
    let method = crate::http::check_request(method, path, body)?;
    Ok(RequestArgs { method, path: path.to_string(), body: body.map(str::to_string) })
}

#[cfg(test)]
mod tests {
    use super::CStrings;
    use std::ffi::CStr;

    #[test]
    fn every_pointer_stays_valid_as_the_arena_grows() {
        let mut arena = CStrings::default();
        let texts: Vec<String> = (0..500).map(|i| format!("field-{i}-{}", "x".repeat(i % 97))).collect();
        let pointers: Vec<_> = texts.iter().map(|t| arena.add(t)).collect();
        let big = "y".repeat(10_000); // larger than a chunk: gets its own
        let big_ptr = arena.add(&big);
        let with_nul = arena.add("a\0b");
        for (text, ptr) in texts.iter().zip(pointers) {
            // SAFETY: the arena is alive and every pointer came from it.
            assert_eq!(unsafe { CStr::from_ptr(ptr) }.to_str().unwrap(), text);
        }
        // SAFETY: as above.
        unsafe {
            assert_eq!(CStr::from_ptr(big_ptr).to_bytes().len(), 10_000);
            assert_eq!(CStr::from_ptr(with_nul).to_str().unwrap(), "a\u{FFFD}b");
        }
        assert!(arena.chunks.len() < 20, "packed into a few chunks, not one per string");
    }
}

/// A C flag: 0 or 1, anything else refused.
pub(crate) fn arg_flag(value: u8) -> Result<bool, Error> {
    match value {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(Error::invalid("a flag is 0 or 1")),
    }
}
