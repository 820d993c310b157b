//! Android: the OS's verifier (rustls-platform-verifier asks the system's TrustManager, so the
//! device's roots, user-added CAs where the app's network security config allows them, and
//! revocation from API 24) needs the JVM, the application context, and a small Kotlin class of
//! the verifier's own that the app must bundle (docs/security.md says how). `gg_android_init`
//! hands over the JVM and context; the verifier is used only if that class is found through the
//! app's class loader. Otherwise `GG_TRUST_DEFAULT` keeps to the bundled roots and
//! `GG_TRUST_OS` is `GG_UNSUPPORTED`, saying why.
//!
//! Type-checked here (`cargo xtask typecheck`); never run here.

use jni_verifier::objects::JObject;
use jni_verifier::refs::LoaderContext;
use jni_verifier::strings::JNIString;
use jni_verifier::JavaVM;
use std::sync::Mutex;

/// The Kotlin class the verifier calls (rustls-platform-verifier's Android component).
const VERIFIER_CLASS: &str = "org.rustls.platformverifier.CertificateVerifier";

/// What `gg_android_init` found: `None` before it is called, then whether the platform
/// verifier can be asked (and if not, why).
static READY: Mutex<Option<Result<(), String>>> = Mutex::new(None);

/// Hands the JVM and the context to the platform verifier, if the app bundles its Kotlin class.
pub(crate) fn init(java_vm: *mut std::ffi::c_void, context: *mut std::ffi::c_void) {
    // SAFETY: the caller hands a live, non-NULL JavaVM* (checked by gg_android_init).
    let vm = unsafe { JavaVM::from_raw(java_vm.cast()) };
    let outcome = vm.attach_current_thread(|env| -> Result<Result<(), String>, jni_verifier::errors::Error> {
        // SAFETY: `context` is a live android.content.Context reference of the caller's.
        let context = unsafe { JObject::from_raw(env, context.cast()) };
        let found = LoaderContext::FromObject(&context).load_class(env, JNIString::from(VERIFIER_CLASS), false);
        if env.exception_check() {
            env.exception_clear();
        }
        if found.is_err() {
            return Ok(Err(format!("the app does not bundle the verifier's Android component ({VERIFIER_CLASS}; see docs/security.md)")));
        }
        rustls_platform_verifier::android::init_with_env(env, context)?;
        Ok(Ok(()))
    });
    let ready = outcome.unwrap_or_else(|e| Err(format!("the Android verifier could not be set up ({e})")));
    if let Err(why) = &ready {
        crate::gg_log!(crate::log::GG_LOG_INFO, "TLS: {why}; the bundled Mozilla roots serve GG_TRUST_DEFAULT");
    }
    *READY.lock().unwrap_or_else(|p| p.into_inner()) = Some(ready);
}

/// Whether the platform verifier can be asked, and if not, why.
pub(crate) fn ready() -> Result<(), String> {
    match &*READY.lock().unwrap_or_else(|p| p.into_inner()) {
        None => Err("the Android verifier needs gg_android_init(java_vm, context) first".to_string()),
        Some(ready) => ready.clone(),
    }
}
