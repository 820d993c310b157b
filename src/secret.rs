//! Secret strings: the client secret, API key, tokens and OTP codes.
//!
//! A `Secret` is wiped from memory when dropped and prints as `Secret(***)` in `Debug`, so a
//! stray `{:?}` in a log line or error message cannot leak it. The value is only reachable
//! through `expose`, which makes every use easy to find.

use std::fmt;
use zeroize::Zeroize;

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
        self.0.zeroize();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wiping_zeroes_the_whole_buffer() {
        let mut s = Secret::new(String::with_capacity(64) + "refresh-token-to-wipe");
        let (ptr, capacity) = (s.0.as_ptr(), s.0.capacity());
        s.wipe(); // what Drop runs; the buffer stays allocated until the String drops
        // SAFETY: zeroize clears the String but keeps its allocation, so the bytes are still ours.
        let bytes = unsafe { std::slice::from_raw_parts(ptr, capacity) };
        assert!(bytes.iter().all(|&b| b == 0));
        assert!(s.is_empty());
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
