//! Linux: the freedesktop Secret Service (GNOME Keyring, KWallet) through libsecret, loaded at
//! run time with `dlopen`, so `libgamegate.so` keeps no link to D-Bus or GLib and still loads
//! on a server that has neither (the store then answers `GG_UNSUPPORTED`, saying why).
//!
//! libsecret's "simple" password calls take the schema's attributes as C varargs, ending
//! with NULL; each entry is found by one attribute, `gamegate-entry`.

use super::{unsupported, CredentialStore};
use crate::error::{Error, GG_INTERNAL};
use crate::secret::Secret;
use std::ffi::{c_char, c_int, c_void, CStr, CString};

/// `SecretSchema` (libsecret/secret-schema.h): a name, flags, 32 attribute slots, reserved fields.
#[repr(C)]
struct Schema {
    name: *const c_char,
    flags: c_int,
    attributes: [SchemaAttribute; 32],
    reserved: c_int,
    reserved_pointers: [*const c_void; 7],
}

#[repr(C)]
#[derive(Clone, Copy)]
struct SchemaAttribute {
    name: *const c_char,
    kind: c_int, // SECRET_SCHEMA_ATTRIBUTE_STRING = 0
}

/// `GError`.
#[repr(C)]
struct GError {
    domain: u32,
    code: c_int,
    message: *const c_char,
}

type StoreFn = unsafe extern "C" fn(*const Schema, *const c_char, *const c_char, *const c_char, *mut c_void, *mut *mut GError, ...) -> c_int;
type LookupFn = unsafe extern "C" fn(*const Schema, *mut c_void, *mut *mut GError, ...) -> *mut c_char;
type ClearFn = unsafe extern "C" fn(*const Schema, *mut c_void, *mut *mut GError, ...) -> c_int;
type FreeFn = unsafe extern "C" fn(*mut c_char);
type ErrorFreeFn = unsafe extern "C" fn(*mut GError);

const SCHEMA_NAME: &CStr = c"app.gamegate.Session";
const ATTRIBUTE: &CStr = c"gamegate-entry";

pub struct SecretService {
    store: StoreFn,
    lookup: LookupFn,
    clear: ClearFn,
    free_password: FreeFn,
    free_error: ErrorFreeFn,
    schema: Box<Schema>,
}

// SAFETY: the function pointers are libsecret's thread-safe synchronous calls; the schema
// is immutable static data.
unsafe impl Send for SecretService {}
unsafe impl Sync for SecretService {}

impl SecretService {
    /// Loads libsecret and checks that a Secret Service answers on the session bus.
    pub fn open() -> Result<SecretService, Error> {
        // SAFETY: dlopen with a constant name; the handle is kept for the process's life
        // (never dlclosed: the function pointers below point into it).
        let handle = unsafe { libc::dlopen(c"libsecret-1.so.0".as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
        if handle.is_null() {
            return Err(unsupported("no Secret Service here: libsecret-1.so.0 could not be loaded (install libsecret-1-0 and run a keyring such as gnome-keyring)"));
        }
        let symbol = |name: &CStr| {
            // SAFETY: a symbol looked up in the handle just opened (and its dependencies: GLib).
            let found = unsafe { libc::dlsym(handle, name.as_ptr()) };
            if found.is_null() {
                Err(unsupported(&format!("libsecret lacks {}", name.to_string_lossy())))
            } else {
                Ok(found)
            }
        };
        let mut attributes = [SchemaAttribute { name: std::ptr::null(), kind: 0 }; 32];
        attributes[0] = SchemaAttribute { name: ATTRIBUTE.as_ptr(), kind: 0 };
        let schema = Box::new(Schema { name: SCHEMA_NAME.as_ptr(), flags: 0, attributes, reserved: 0, reserved_pointers: [std::ptr::null(); 7] });
        // SAFETY: each symbol has the C signature its type names (libsecret 0.18+, GLib 2).
        let service = unsafe {
            SecretService {
                store: std::mem::transmute::<*mut c_void, StoreFn>(symbol(c"secret_password_store_sync")?),
                lookup: std::mem::transmute::<*mut c_void, LookupFn>(symbol(c"secret_password_lookup_sync")?),
                clear: std::mem::transmute::<*mut c_void, ClearFn>(symbol(c"secret_password_clear_sync")?),
                free_password: std::mem::transmute::<*mut c_void, FreeFn>(symbol(c"secret_password_free")?),
                free_error: std::mem::transmute::<*mut c_void, ErrorFreeFn>(symbol(c"g_error_free")?),
                schema,
            }
        };
        if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() && std::env::var_os("XDG_RUNTIME_DIR").is_none() {
            return Err(unsupported("no Secret Service here: there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)"));
        }
        Ok(service)
    }

    /// Turns a GError into GameGate's error (its message names no secret: libsecret's own text).
    fn failed(&self, what: &str, error: *mut GError) -> Error {
        if error.is_null() {
            return Error::new(GG_INTERNAL, format!("the Secret Service could not {what}"));
        }
        // SAFETY: a GError libsecret filled in; freed right after its message is copied.
        let message = unsafe { CStr::from_ptr((*error).message).to_string_lossy().into_owned() };
        // SAFETY: as above.
        unsafe { (self.free_error)(error) };
        unsupported(&format!("the Secret Service could not {what}: {message}"))
    }
}

impl CredentialStore for SecretService {
    fn name(&self) -> &str {
        "the Secret Service"
    }

    fn load(&self, entry: &str) -> Result<Option<Secret>, Error> {
        let entry = CString::new(entry).map_err(|_| Error::invalid("entry name has a NUL"))?;
        let mut error: *mut GError = std::ptr::null_mut();
        // SAFETY: libsecret's lookup with our schema, one attribute pair and the NULL end.
        let found = unsafe { (self.lookup)(&*self.schema, std::ptr::null_mut(), &mut error, ATTRIBUTE.as_ptr(), entry.as_ptr(), std::ptr::null::<c_char>()) };
        if !error.is_null() {
            return Err(self.failed("read the session", error));
        }
        if found.is_null() {
            return Ok(None);
        }
        // SAFETY: a NUL-terminated string libsecret allocated; secret_password_free wipes and frees it.
        let value = unsafe { Secret::new(CStr::from_ptr(found).to_string_lossy().into_owned()) };
        // SAFETY: as above.
        unsafe { (self.free_password)(found) };
        Ok(Some(value))
    }

    fn save(&self, entry: &str, value: &Secret) -> Result<(), Error> {
        let entry = CString::new(entry).map_err(|_| Error::invalid("entry name has a NUL"))?;
        let label = CString::new(format!("GameGate session ({})", entry.to_string_lossy().rsplit('/').next().unwrap_or(""))).unwrap_or_default();
        let password = zeroizing_cstring(value.expose())?;
        let mut error: *mut GError = std::ptr::null_mut();
        // SAFETY: libsecret's store into the default collection, attributes ended by NULL.
        let stored = unsafe {
            (self.store)(&*self.schema, std::ptr::null(), label.as_ptr(), password.as_ptr(), std::ptr::null_mut(), &mut error, ATTRIBUTE.as_ptr(), entry.as_ptr(), std::ptr::null::<c_char>())
        };
        wipe_cstring(password);
        if stored == 0 || !error.is_null() {
            return Err(self.failed("write the session", error));
        }
        Ok(())
    }

    fn erase(&self, entry: &str) -> Result<(), Error> {
        let entry = CString::new(entry).map_err(|_| Error::invalid("entry name has a NUL"))?;
        let mut error: *mut GError = std::ptr::null_mut();
        // SAFETY: libsecret's clear, attributes ended by NULL. Nothing to clear is not an error.
        unsafe { (self.clear)(&*self.schema, std::ptr::null_mut(), &mut error, ATTRIBUTE.as_ptr(), entry.as_ptr(), std::ptr::null::<c_char>()) };
        if !error.is_null() {
            return Err(self.failed("erase the session", error));
        }
        Ok(())
    }
}

fn zeroizing_cstring(text: &str) -> Result<CString, Error> {
    CString::new(text).map_err(|_| Error::invalid("the refresh token has a NUL"))
}

/// Wipes a C string that held a token before its memory is freed.
fn wipe_cstring(text: CString) {
    let mut bytes = text.into_bytes_with_nul();
    crate::secret::wipe(&mut bytes);
}
