//! Secret strings: the client secret, API key, tokens and OTP codes.
//!
//! A `Secret` is wiped from memory when dropped and prints as `Secret(***)` in `Debug`, so a
//! stray `{:?}` in a log line or error message cannot leak it. The value is only reachable
//! through `expose`, which makes every use easy to find. `SecretBytes` does the same for
//! request and response bytes, which carry credentials and tokens.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{compiler_fence, Ordering};

#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret text, for a request header or body and nothing else.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Secret {
    /// Overwrites every byte of the buffer (its whole capacity) with zeros.
    fn wipe(&mut self) {
        // SAFETY: zeros are valid UTF-8, and the String is emptied right after.
        wipe_vec(unsafe { self.0.as_mut_vec() });
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.wipe();
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Overwrites `bytes` with zeros through volatile stores the compiler may not remove, a
/// machine word at a time: a byte at a time (as the zeroize crate does) was a visible share of
/// the I/O thread's time, as every response is wiped more than once on its way.
pub fn wipe(bytes: &mut [u8]) {
    // SAFETY: the slice is valid for writes of its length.
    unsafe { wipe_raw(bytes.as_mut_ptr(), bytes.len()) }
}

/// Wipes a vector's whole capacity (what it once held may lie past its length) and empties it.
pub fn wipe_vec(bytes: &mut Vec<u8>) {
    // SAFETY: the allocation is valid for writes of `capacity` bytes; writing to the part past
    // the length through a raw pointer creates no reference to uninitialised bytes.
    unsafe { wipe_raw(bytes.as_mut_ptr(), bytes.capacity()) };
    bytes.clear();
}

/// # Safety
/// `start` is valid for writes of `len` bytes.
unsafe fn wipe_raw(start: *mut u8, len: usize) {
    let word = std::mem::size_of::<u64>();
    let lead = start.align_offset(word).min(len);
    let words = (len - lead) / word;
    // SAFETY (all three loops): every address lies within `start..start + len`, and the
    // middle part is aligned for u64 by `align_offset`.
    unsafe {
        for i in 0..lead {
            std::ptr::write_volatile(start.add(i), 0);
        }
        let aligned = start.add(lead).cast::<u64>();
        for i in 0..words {
            std::ptr::write_volatile(aligned.add(i), 0);
        }
        for i in lead + words * word..len {
            std::ptr::write_volatile(start.add(i), 0);
        }
    }
    // Keeps later code (a free, a reuse) from being ordered before the stores.
    compiler_fence(Ordering::SeqCst);
}

/// Bytes that are wiped, whole capacity, when dropped: requests (with their credential
/// headers) and response bodies (with tokens).
#[derive(Default)]
pub struct SecretBytes(Vec<u8>);

impl SecretBytes {
    pub fn new(bytes: Vec<u8>) -> SecretBytes {
        SecretBytes(bytes)
    }

    pub fn with_capacity(capacity: usize) -> SecretBytes {
        SecretBytes(Vec::with_capacity(capacity))
    }
}

impl Deref for SecretBytes {
    type Target = Vec<u8>;
    fn deref(&self) -> &Vec<u8> {
        &self.0
    }
}

impl DerefMut for SecretBytes {
    fn deref_mut(&mut self) -> &mut Vec<u8> {
        &mut self.0
    }
}

impl Drop for SecretBytes {
    fn drop(&mut self) {
        wipe_vec(&mut self.0);
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretBytes({} bytes)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wiping_zeroes_the_whole_buffer() {
        let mut s = Secret::new(String::with_capacity(64) + "refresh-token-to-wipe");
        let (ptr, capacity) = (s.0.as_ptr(), s.0.capacity());
        s.wipe(); // what Drop runs; the buffer stays allocated until the String drops
        // SAFETY: wiping clears the String but keeps its allocation, so the bytes are still ours.
        let bytes = unsafe { std::slice::from_raw_parts(ptr, capacity) };
        assert!(bytes.iter().all(|&b| b == 0));
        assert!(s.is_empty());
    }

    #[test]
    fn wipe_zeroes_every_length_and_alignment() {
        let mut buffer = [0xAAu8; 80];
        for start in 0..9 {
            for len in [0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 70] {
                buffer.fill(0xAA);
                wipe(&mut buffer[start..start + len]);
                assert!(buffer[start..start + len].iter().all(|&b| b == 0), "{start}+{len}");
                // Nothing outside the slice is touched.
                assert!(buffer[..start].iter().chain(&buffer[start + len..]).all(|&b| b == 0xAA), "{start}+{len}");
            }
        }
    }

    #[test]
    fn secret_bytes_wipe_their_spare_capacity_too() {
        let mut bytes = SecretBytes::with_capacity(100);
        bytes.extend_from_slice(&[0x55; 100]);
        bytes.truncate(10); // the token's tail now lies past the length
        let (ptr, capacity) = (bytes.as_ptr(), bytes.capacity());
        wipe_vec(&mut bytes); // what Drop runs
        // SAFETY: the allocation is still owned by `bytes` and was fully written above.
        let all = unsafe { std::slice::from_raw_parts(ptr, capacity) };
        assert!(all.iter().all(|&b| b == 0));
        assert!(bytes.is_empty());
    }

    #[test]
    fn debug_never_shows_the_value() {
        let s = Secret::new("hunter2-very-secret");
        let printed = format!("{:?} {:#?}", s, Some(&s));
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(printed.contains("***"));
        assert_eq!(s.expose(), "hunter2-very-secret");
    }
}
