//! macOS and iOS: the Keychain (generic passwords, service "gamegate", account = the entry),
//! reachable only while the device is unlocked once after boot and never restored to another
//! device (`kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly`). Security.framework and
//! CoreFoundation are loaded at run time with `dlopen`, so the library links no Apple
//! framework and builds without an Apple SDK (the universal2 build made on Linux).
//!
//! Built and type-checked here (macOS universal2, `cargo check` for iOS); never run here.

use super::{unsupported, CredentialStore};
use crate::error::{Error, GG_INTERNAL};
use crate::secret::Secret;
use std::ffi::{c_void, CStr};

type CFTypeRef = *const c_void;
type OSStatus = i32;

const ERR_SEC_ITEM_NOT_FOUND: OSStatus = -25300;
const ERR_SEC_DUPLICATE_ITEM: OSStatus = -25299;
const UTF8: u32 = 0x0800_0100;

/// What is used of CoreFoundation and Security, looked up once.
pub struct Keychain {
    string_create: unsafe extern "C" fn(CFTypeRef, *const u8, isize, u32, u8) -> CFTypeRef,
    data_create: unsafe extern "C" fn(CFTypeRef, *const u8, isize) -> CFTypeRef,
    data_length: unsafe extern "C" fn(CFTypeRef) -> isize,
    data_bytes: unsafe extern "C" fn(CFTypeRef) -> *const u8,
    dictionary_create: unsafe extern "C" fn(CFTypeRef, *const CFTypeRef, *const CFTypeRef, isize, *const c_void, *const c_void) -> CFTypeRef,
    release: unsafe extern "C" fn(CFTypeRef),
    key_callbacks: *const c_void,
    value_callbacks: *const c_void,
    boolean_true: CFTypeRef,
    item_add: unsafe extern "C" fn(CFTypeRef, *mut CFTypeRef) -> OSStatus,
    item_update: unsafe extern "C" fn(CFTypeRef, CFTypeRef) -> OSStatus,
    item_copy_matching: unsafe extern "C" fn(CFTypeRef, *mut CFTypeRef) -> OSStatus,
    item_delete: unsafe extern "C" fn(CFTypeRef) -> OSStatus,
    keys: Keys,
}

/// The Security framework's constants (each a `CFStringRef` variable).
struct Keys {
    class: CFTypeRef,
    generic_password: CFTypeRef,
    service: CFTypeRef,
    account: CFTypeRef,
    value_data: CFTypeRef,
    return_data: CFTypeRef,
    match_limit: CFTypeRef,
    match_limit_one: CFTypeRef,
    accessible: CFTypeRef,
    after_first_unlock_this_device_only: CFTypeRef,
}

// SAFETY: CoreFoundation's immutable objects and the Security calls used are thread-safe;
// everything here is read-only after `open`.
unsafe impl Send for Keychain {}
unsafe impl Sync for Keychain {}

fn library(path: &CStr) -> Result<*mut c_void, Error> {
    // SAFETY: dlopen with a constant path; kept open for the process's life.
    let handle = unsafe { libc::dlopen(path.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
    if handle.is_null() {
        return Err(unsupported(&format!("the Keychain is unavailable: {} could not be loaded", path.to_string_lossy())));
    }
    Ok(handle)
}

fn symbol(handle: *mut c_void, name: &CStr) -> Result<*mut c_void, Error> {
    // SAFETY: a symbol of a loaded library.
    let found = unsafe { libc::dlsym(handle, name.as_ptr()) };
    if found.is_null() {
        return Err(unsupported(&format!("the Keychain is unavailable: {} is missing", name.to_string_lossy())));
    }
    Ok(found)
}

/// A framework constant: the value of a `CFStringRef` (or `CFBooleanRef`) variable.
fn constant(handle: *mut c_void, name: &CStr) -> Result<CFTypeRef, Error> {
    // SAFETY: the symbol is a variable holding a CoreFoundation object pointer.
    Ok(unsafe { *(symbol(handle, name)? as *const CFTypeRef) })
}

impl Keychain {
    pub fn open() -> Result<Keychain, Error> {
        let cf = library(c"/System/Library/Frameworks/CoreFoundation.framework/CoreFoundation")?;
        let sec = library(c"/System/Library/Frameworks/Security.framework/Security")?;
        // SAFETY: each symbol has the C signature its field names (CoreFoundation and
        // Security, macOS 10.6+ / iOS 2+).
        unsafe {
            Ok(Keychain {
                string_create: std::mem::transmute::<*mut c_void, _>(symbol(cf, c"CFStringCreateWithBytes")?),
                data_create: std::mem::transmute::<*mut c_void, _>(symbol(cf, c"CFDataCreate")?),
                data_length: std::mem::transmute::<*mut c_void, _>(symbol(cf, c"CFDataGetLength")?),
                data_bytes: std::mem::transmute::<*mut c_void, _>(symbol(cf, c"CFDataGetBytePtr")?),
                dictionary_create: std::mem::transmute::<*mut c_void, _>(symbol(cf, c"CFDictionaryCreate")?),
                release: std::mem::transmute::<*mut c_void, _>(symbol(cf, c"CFRelease")?),
                key_callbacks: symbol(cf, c"kCFTypeDictionaryKeyCallBacks")?,
                value_callbacks: symbol(cf, c"kCFTypeDictionaryValueCallBacks")?,
                boolean_true: constant(cf, c"kCFBooleanTrue")?,
                item_add: std::mem::transmute::<*mut c_void, _>(symbol(sec, c"SecItemAdd")?),
                item_update: std::mem::transmute::<*mut c_void, _>(symbol(sec, c"SecItemUpdate")?),
                item_copy_matching: std::mem::transmute::<*mut c_void, _>(symbol(sec, c"SecItemCopyMatching")?),
                item_delete: std::mem::transmute::<*mut c_void, _>(symbol(sec, c"SecItemDelete")?),
                keys: Keys {
                    class: constant(sec, c"kSecClass")?,
                    generic_password: constant(sec, c"kSecClassGenericPassword")?,
                    service: constant(sec, c"kSecAttrService")?,
                    account: constant(sec, c"kSecAttrAccount")?,
                    value_data: constant(sec, c"kSecValueData")?,
                    return_data: constant(sec, c"kSecReturnData")?,
                    match_limit: constant(sec, c"kSecMatchLimit")?,
                    match_limit_one: constant(sec, c"kSecMatchLimitOne")?,
                    accessible: constant(sec, c"kSecAttrAccessible")?,
                    after_first_unlock_this_device_only: constant(sec, c"kSecAttrAccessibleAfterFirstUnlockThisDeviceOnly")?,
                },
            })
        }
    }

    /// Owned CoreFoundation objects, released when dropped.
    fn string(&self, text: &str) -> Owned<'_> {
        // SAFETY: bytes and length of a live UTF-8 string.
        Owned(self, unsafe { (self.string_create)(std::ptr::null(), text.as_ptr(), text.len() as isize, UTF8, 0) })
    }

    fn data(&self, bytes: &[u8]) -> Owned<'_> {
        // SAFETY: bytes and length of a live slice (copied by CFDataCreate).
        Owned(self, unsafe { (self.data_create)(std::ptr::null(), bytes.as_ptr(), bytes.len() as isize) })
    }

    fn dictionary(&self, pairs: &[(CFTypeRef, CFTypeRef)]) -> Owned<'_> {
        let keys: Vec<CFTypeRef> = pairs.iter().map(|p| p.0).collect();
        let values: Vec<CFTypeRef> = pairs.iter().map(|p| p.1).collect();
        // SAFETY: equal-length arrays of live CF objects; the CFType callbacks retain them.
        Owned(self, unsafe { (self.dictionary_create)(std::ptr::null(), keys.as_ptr(), values.as_ptr(), pairs.len() as isize, self.key_callbacks, self.value_callbacks) })
    }

    /// The query naming one entry (plus `extra` pairs).
    fn query(&self, account: &Owned<'_>, service: &Owned<'_>, extra: &[(CFTypeRef, CFTypeRef)]) -> Owned<'_> {
        let k = &self.keys;
        let mut pairs = vec![(k.class, k.generic_password), (k.service, service.1), (k.account, account.1)];
        pairs.extend_from_slice(extra);
        self.dictionary(&pairs)
    }
}

struct Owned<'a>(&'a Keychain, CFTypeRef);

impl Drop for Owned<'_> {
    fn drop(&mut self) {
        if !self.1.is_null() {
            // SAFETY: an object this code created (or was handed with a +1 count).
            unsafe { (self.0.release)(self.1) };
        }
    }
}

fn failed(what: &str, status: OSStatus) -> Error {
    Error::new(GG_INTERNAL, format!("the Keychain could not {what} (OSStatus {status})"))
}

const SERVICE: &str = "gamegate";

impl CredentialStore for Keychain {
    fn name(&self) -> &str {
        "the Keychain"
    }

    fn load(&self, entry: &str) -> Result<Option<Secret>, Error> {
        let (account, service) = (self.string(entry), self.string(SERVICE));
        let query = self.query(&account, &service, &[(self.keys.return_data, self.boolean_true), (self.keys.match_limit, self.keys.match_limit_one)]);
        let mut found: CFTypeRef = std::ptr::null();
        // SAFETY: a live query; `found` is a +1 CFData on success, released by `Owned`.
        let status = unsafe { (self.item_copy_matching)(query.1, &mut found) };
        match status {
            ERR_SEC_ITEM_NOT_FOUND => Ok(None),
            0 => {
                let data = Owned(self, found);
                // SAFETY: a CFData's bytes, valid while `data` lives.
                let bytes = unsafe { std::slice::from_raw_parts((self.data_bytes)(data.1), (self.data_length)(data.1) as usize) };
                std::str::from_utf8(bytes).map(|s| Some(Secret::new(s))).map_err(|_| failed("read the session (not UTF-8)", 0))
            }
            other => Err(failed("read the session", other)),
        }
    }

    fn save(&self, entry: &str, value: &Secret) -> Result<(), Error> {
        let (account, service) = (self.string(entry), self.string(SERVICE));
        let data = self.data(value.expose().as_bytes());
        let k = &self.keys;
        let item = self.query(&account, &service, &[(k.value_data, data.1), (k.accessible, k.after_first_unlock_this_device_only)]);
        // SAFETY: a live attribute dictionary; no result asked for.
        let status = unsafe { (self.item_add)(item.1, std::ptr::null_mut()) };
        if status == ERR_SEC_DUPLICATE_ITEM {
            let query = self.query(&account, &service, &[]);
            let update = self.dictionary(&[(k.value_data, data.1)]);
            // SAFETY: live query and attribute dictionaries.
            let status = unsafe { (self.item_update)(query.1, update.1) };
            return if status == 0 { Ok(()) } else { Err(failed("update the session", status)) };
        }
        if status != 0 {
            return Err(failed("write the session", status));
        }
        Ok(())
    }

    fn erase(&self, entry: &str) -> Result<(), Error> {
        let (account, service) = (self.string(entry), self.string(SERVICE));
        let query = self.query(&account, &service, &[]);
        // SAFETY: a live query.
        match unsafe { (self.item_delete)(query.1) } {
            0 | ERR_SEC_ITEM_NOT_FOUND => Ok(()),
            other => Err(failed("erase the session", other)),
        }
    }
}
