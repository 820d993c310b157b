//! Android: the session encrypted with an AES-GCM key that lives in the Android Keystore (it
//! never leaves the device's secure hardware where there is one), and the ciphertext in the
//! app's private SharedPreferences ("gamegate_sessions"). Reached through the JVM and the
//! application context that `gg_android_init` hands over; without them, `GG_UNSUPPORTED`.
//!
//! Built and type-checked here (`cargo check --target aarch64-linux-android`); never run here.

use super::base64::{base64_decode, base64_encode};
use super::{unsupported, CredentialStore};
use crate::error::{Error, GG_INTERNAL};
use crate::secret::Secret;
use jni::objects::{GlobalRef, JByteArray, JObject, JString, JValue};
use jni::{JNIEnv, JavaVM};
use std::sync::Mutex;

const KEY_ALIAS: &str = "gamegate-session-key";
const PREFERENCES: &str = "gamegate_sessions";
/// GCM's nonce and tag, in bytes.
const TAG_BITS: i32 = 128;

/// The JVM and the application context, from `gg_android_init`.
static RUNTIME: Mutex<Option<(JavaVM, GlobalRef)>> = Mutex::new(None);

/// Keeps the JVM and a global reference to the context for the Keystore.
pub fn init(java_vm: *mut std::ffi::c_void, context: *mut std::ffi::c_void) -> Result<(), Error> {
    // SAFETY: the caller hands a live JavaVM* and an android.content.Context reference.
    let vm = unsafe { JavaVM::from_raw(java_vm.cast()) }.map_err(|e| Error::invalid(format!("java_vm is not a JavaVM: {e}")))?;
    let global = {
        let env = vm.attach_current_thread().map_err(jni_failed)?;
        // SAFETY: `context` is a live jobject of the caller's, per the contract.
        let context = unsafe { JObject::from_raw(context.cast()) };
        env.new_global_ref(context).map_err(jni_failed)?
    };
    *RUNTIME.lock().unwrap_or_else(|p| p.into_inner()) = Some((vm, global));
    Ok(())
}

fn jni_failed(error: jni::errors::Error) -> Error {
    Error::new(GG_INTERNAL, format!("the Android Keystore could not be used: {error}"))
}

pub struct Keystore;

impl Keystore {
    pub fn open() -> Result<Keystore, Error> {
        match &*RUNTIME.lock().unwrap_or_else(|p| p.into_inner()) {
            Some(_) => Ok(Keystore),
            None => Err(unsupported("the Android Keystore needs gg_android_init(java_vm, context) first")),
        }
    }

    /// Runs `work` with a JNI environment of this thread, clearing any Java exception it left.
    fn with_env<T>(&self, work: impl FnOnce(&mut JNIEnv, &JObject) -> jni::errors::Result<T>) -> Result<T, Error> {
        let runtime = RUNTIME.lock().unwrap_or_else(|p| p.into_inner());
        let Some((vm, context)) = runtime.as_ref() else { return Err(unsupported("the Android Keystore needs gg_android_init first")) };
        let mut env = vm.attach_current_thread().map_err(jni_failed)?;
        let result = work(&mut env, context.as_obj());
        if env.exception_check().unwrap_or(false) {
            let _ = env.exception_clear();
        }
        result.map_err(jni_failed)
    }
}

/// The Keystore's AES key for sessions, made on first use.
fn session_key<'local>(env: &mut JNIEnv<'local>) -> jni::errors::Result<JObject<'local>> {
    let provider = env.new_string("AndroidKeyStore")?;
    let alias = env.new_string(KEY_ALIAS)?;
    let store = env
        .call_static_method("java/security/KeyStore", "getInstance", "(Ljava/lang/String;)Ljava/security/KeyStore;", &[JValue::Object(&provider)])?
        .l()?;
    env.call_method(&store, "load", "(Ljava/security/KeyStore$LoadStoreParameter;)V", &[JValue::Object(&JObject::null())])?;
    let key = env.call_method(&store, "getKey", "(Ljava/lang/String;[C)Ljava/security/Key;", &[JValue::Object(&alias), JValue::Object(&JObject::null())])?.l()?;
    if !key.is_null() {
        return Ok(key);
    }
    // KeyGenParameterSpec.Builder(alias, PURPOSE_ENCRYPT | PURPOSE_DECRYPT): GCM, no padding.
    let builder = env.new_object("android/security/keystore/KeyGenParameterSpec$Builder", "(Ljava/lang/String;I)V", &[JValue::Object(&alias), JValue::Int(3)])?;
    let string_class = env.find_class("java/lang/String")?;
    let gcm = env.new_string("GCM")?;
    let modes = env.new_object_array(1, &string_class, &gcm)?;
    env.call_method(&builder, "setBlockModes", "([Ljava/lang/String;)Landroid/security/keystore/KeyGenParameterSpec$Builder;", &[JValue::Object(&modes)])?;
    let none = env.new_string("NoPadding")?;
    let paddings = env.new_object_array(1, &string_class, &none)?;
    env.call_method(&builder, "setEncryptionPaddings", "([Ljava/lang/String;)Landroid/security/keystore/KeyGenParameterSpec$Builder;", &[JValue::Object(&paddings)])?;
    let spec = env.call_method(&builder, "build", "()Landroid/security/keystore/KeyGenParameterSpec;", &[])?.l()?;
    let aes = env.new_string("AES")?;
    let generator = env
        .call_static_method(
            "javax/crypto/KeyGenerator",
            "getInstance",
            "(Ljava/lang/String;Ljava/lang/String;)Ljavax/crypto/KeyGenerator;",
            &[JValue::Object(&aes), JValue::Object(&provider)],
        )?
        .l()?;
    env.call_method(&generator, "init", "(Ljava/security/spec/AlgorithmParameterSpec;)V", &[JValue::Object(&spec)])?;
    env.call_method(&generator, "generateKey", "()Ljavax/crypto/SecretKey;", &[])?.l()
}

fn cipher<'local>(env: &mut JNIEnv<'local>) -> jni::errors::Result<JObject<'local>> {
    let name = env.new_string("AES/GCM/NoPadding")?;
    env.call_static_method("javax/crypto/Cipher", "getInstance", "(Ljava/lang/String;)Ljavax/crypto/Cipher;", &[JValue::Object(&name)])?.l()
}

fn preferences<'local>(env: &mut JNIEnv<'local>, context: &JObject) -> jni::errors::Result<JObject<'local>> {
    let name = env.new_string(PREFERENCES)?;
    env.call_method(context, "getSharedPreferences", "(Ljava/lang/String;I)Landroid/content/SharedPreferences;", &[JValue::Object(&name), JValue::Int(0)])?.l()
}

/// Commits one edit of the preferences (`put`: Some value, or None to remove).
fn commit(env: &mut JNIEnv, context: &JObject, entry: &str, put: Option<&str>) -> jni::errors::Result<bool> {
    let prefs = preferences(env, context)?;
    let editor = env.call_method(&prefs, "edit", "()Landroid/content/SharedPreferences$Editor;", &[])?.l()?;
    let key = env.new_string(entry)?;
    match put {
        Some(value) => {
            let value = env.new_string(value)?;
            env.call_method(&editor, "putString", "(Ljava/lang/String;Ljava/lang/String;)Landroid/content/SharedPreferences$Editor;", &[JValue::Object(&key), JValue::Object(&value)])?;
        }
        None => {
            env.call_method(&editor, "remove", "(Ljava/lang/String;)Landroid/content/SharedPreferences$Editor;", &[JValue::Object(&key)])?;
        }
    }
    env.call_method(&editor, "commit", "()Z", &[])?.z()
}

impl CredentialStore for Keystore {
    fn name(&self) -> &str {
        "the Android Keystore"
    }

    fn load(&self, entry: &str) -> Result<Option<Secret>, Error> {
        let sealed = self.with_env(|env, context| {
            let prefs = preferences(env, context)?;
            let key = env.new_string(entry)?;
            let value = env.call_method(&prefs, "getString", "(Ljava/lang/String;Ljava/lang/String;)Ljava/lang/String;", &[JValue::Object(&key), JValue::Object(&JObject::null())])?.l()?;
            if value.is_null() {
                return Ok(None);
            }
            let text: String = env.get_string(&JString::from(value))?.into();
            Ok(Some(text))
        })?;
        let Some(sealed) = sealed else { return Ok(None) };
        let bytes = base64_decode(&sealed).ok_or_else(|| Error::new(GG_INTERNAL, "the stored session is not readable"))?;
        if bytes.len() < 12 {
            return Err(Error::new(GG_INTERNAL, "the stored session is not readable"));
        }
        let (iv, ciphertext) = bytes.split_at(12);
        let mut plain = self.with_env(|env, _| {
            let key = session_key(env)?;
            let cipher = cipher(env)?;
            let iv = env.byte_array_from_slice(iv)?;
            let spec = env.new_object("javax/crypto/spec/GCMParameterSpec", "(I[B)V", &[JValue::Int(TAG_BITS), JValue::Object(&iv)])?;
            env.call_method(&cipher, "init", "(ILjava/security/Key;Ljava/security/spec/AlgorithmParameterSpec;)V", &[JValue::Int(2), JValue::Object(&key), JValue::Object(&spec)])?;
            let input = env.byte_array_from_slice(ciphertext)?;
            let output = env.call_method(&cipher, "doFinal", "([B)[B", &[JValue::Object(&input)])?.l()?;
            env.convert_byte_array(JByteArray::from(output))
        })?;
        let text = std::str::from_utf8(&plain).map(Secret::new).map_err(|_| Error::new(GG_INTERNAL, "the stored session is not readable"));
        crate::secret::wipe(&mut plain);
        text.map(Some)
    }

    fn save(&self, entry: &str, value: &Secret) -> Result<(), Error> {
        let (iv, mut sealed) = self.with_env(|env, _| {
            let key = session_key(env)?;
            let cipher = cipher(env)?;
            env.call_method(&cipher, "init", "(ILjava/security/Key;)V", &[JValue::Int(1), JValue::Object(&key)])?;
            let iv = env.call_method(&cipher, "getIV", "()[B", &[])?.l()?;
            let iv = env.convert_byte_array(JByteArray::from(iv))?;
            let input = env.byte_array_from_slice(value.expose().as_bytes())?;
            let output = env.call_method(&cipher, "doFinal", "([B)[B", &[JValue::Object(&input)])?.l()?;
            Ok((iv, env.convert_byte_array(JByteArray::from(output))?))
        })?;
        let mut bytes = iv;
        bytes.append(&mut sealed);
        let text = base64_encode(&bytes);
        let written = self.with_env(|env, context| commit(env, context, entry, Some(&text)))?;
        if !written {
            return Err(Error::new(GG_INTERNAL, "the Android preferences could not be written"));
        }
        Ok(())
    }

    fn erase(&self, entry: &str) -> Result<(), Error> {
        let written = self.with_env(|env, context| commit(env, context, entry, None))?;
        if !written {
            return Err(Error::new(GG_INTERNAL, "the Android preferences could not be written"));
        }
        Ok(())
    }
}
