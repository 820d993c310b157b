//! Windows: the Credential Manager (advapi32's `CredWriteW` / `CredReadW` / `CredDeleteW`),
//! generic credentials of the signed-in user, encrypted by Windows with the user's key
//! (DPAPI) and kept with the local machine (`CRED_PERSIST_LOCAL_MACHINE`: not roamed).
//! A credential's secret holds at most 2,560 bytes; a longer refresh token is refused with a
//! message rather than cut.

use super::CredentialStore;
use crate::error::{Error, GG_INTERNAL};
use crate::secret::Secret;
use std::ffi::c_void;

const CRED_TYPE_GENERIC: u32 = 1;
const CRED_PERSIST_LOCAL_MACHINE: u32 = 2;
const CRED_MAX_CREDENTIAL_BLOB_SIZE: usize = 5 * 512;
const ERROR_NOT_FOUND: u32 = 1168;

/// `CREDENTIALW` (wincred.h).
#[repr(C)]
struct Credential {
    flags: u32,
    kind: u32,
    target_name: *mut u16,
    comment: *mut u16,
    last_written: [u32; 2],
    blob_size: u32,
    blob: *mut u8,
    persist: u32,
    attribute_count: u32,
    attributes: *mut c_void,
    target_alias: *mut u16,
    user_name: *mut u16,
}

#[link(name = "advapi32")]
extern "system" {
    fn CredWriteW(credential: *const Credential, flags: u32) -> i32;
    fn CredReadW(target: *const u16, kind: u32, flags: u32, credential: *mut *mut Credential) -> i32;
    fn CredDeleteW(target: *const u16, kind: u32, flags: u32) -> i32;
    fn CredFree(buffer: *const c_void);
}

#[link(name = "kernel32")]
extern "system" {
    fn GetLastError() -> u32;
}

pub struct CredentialManager;

fn wide(text: &str) -> Vec<u16> {
    text.encode_utf16().chain(std::iter::once(0)).collect()
}

fn failed(what: &str) -> Error {
    // SAFETY: reads the calling thread's last error code.
    let code = unsafe { GetLastError() };
    Error::new(GG_INTERNAL, format!("the Windows Credential Manager could not {what} (error {code})"))
}

impl CredentialStore for CredentialManager {
    fn name(&self) -> &str {
        "the Windows Credential Manager"
    }

    fn load(&self, entry: &str) -> Result<Option<Secret>, Error> {
        let target = wide(entry);
        let mut found: *mut Credential = std::ptr::null_mut();
        // SAFETY: a NUL-terminated wide target; `found` is freed with CredFree below.
        if unsafe { CredReadW(target.as_ptr(), CRED_TYPE_GENERIC, 0, &mut found) } == 0 {
            // SAFETY: as in `failed`.
            return match unsafe { GetLastError() } {
                ERROR_NOT_FOUND => Ok(None),
                _ => Err(failed("read the session")),
            };
        }
        // SAFETY: CredReadW filled `found` with a credential whose blob has blob_size bytes.
        let value = unsafe {
            let credential = &*found;
            let bytes = std::slice::from_raw_parts_mut(credential.blob, credential.blob_size as usize);
            let value = std::str::from_utf8(bytes).map(Secret::new);
            crate::secret::wipe(bytes);
            CredFree(found as *const c_void);
            value
        };
        value.map(Some).map_err(|_| Error::new(GG_INTERNAL, "the Windows Credential Manager holds a session GameGate cannot read"))
    }

    fn save(&self, entry: &str, value: &Secret) -> Result<(), Error> {
        let mut blob = value.expose().as_bytes().to_vec();
        if blob.len() > CRED_MAX_CREDENTIAL_BLOB_SIZE {
            crate::secret::wipe(&mut blob);
            return Err(Error::new(GG_INTERNAL, "the refresh token is longer than the 2,560 bytes a Windows credential holds"));
        }
        let mut target = wide(entry);
        let mut user = wide("gamegate");
        let credential = Credential {
            flags: 0,
            kind: CRED_TYPE_GENERIC,
            target_name: target.as_mut_ptr(),
            comment: std::ptr::null_mut(),
            last_written: [0, 0],
            blob_size: blob.len() as u32,
            blob: blob.as_mut_ptr(),
            persist: CRED_PERSIST_LOCAL_MACHINE,
            attribute_count: 0,
            attributes: std::ptr::null_mut(),
            target_alias: std::ptr::null_mut(),
            user_name: user.as_mut_ptr(),
        };
        // SAFETY: every pointer in `credential` points into a live buffer above.
        let written = unsafe { CredWriteW(&credential, 0) };
        crate::secret::wipe(&mut blob);
        if written == 0 {
            return Err(failed("write the session"));
        }
        Ok(())
    }

    fn erase(&self, entry: &str) -> Result<(), Error> {
        let target = wide(entry);
        // SAFETY: a NUL-terminated wide target.
        if unsafe { CredDeleteW(target.as_ptr(), CRED_TYPE_GENERIC, 0) } == 0 {
            // SAFETY: as in `failed`.
            if unsafe { GetLastError() } != ERROR_NOT_FOUND {
                return Err(failed("erase the session"));
            }
        }
        Ok(())
    }
}
