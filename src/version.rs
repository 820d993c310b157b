//! Library version, as macros in the C header and as a string at run time.

/// The version of the header, major part; `gg_version()` gives the library's at run time.
pub const GG_VERSION_MAJOR: u32 = 0;
/// The version of the header, minor part.
pub const GG_VERSION_MINOR: u32 = 1;
/// The version of the header, patch part.
pub const GG_VERSION_PATCH: u32 = 0;

/// NUL-terminated version string handed out by `gg_version`.
pub(crate) const VERSION_CSTR: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_macros_match_the_crate_version() {
        let expected = format!("{GG_VERSION_MAJOR}.{GG_VERSION_MINOR}.{GG_VERSION_PATCH}\0");
        assert_eq!(VERSION_CSTR, expected);
    }
}
