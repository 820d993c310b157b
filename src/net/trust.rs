//! Whom a client's TLS connections trust, chosen once per client (`gg_options_set_trust`):
//!
//! - `GG_TRUST_DEFAULT`: the OS's verifier and trust store (rustls-platform-verifier: the
//!   CryptoAPI chain engine on Windows; the Security framework's trust evaluation on macOS and
//!   iOS; Android's TrustManager once `gg_android_init` found the verifier's Kotlin component
//!   in the app; OpenSSL's store on Linux, `SSL_CERT_FILE` and `SSL_CERT_DIR` included), or
//!   the bundled Mozilla roots where the OS cannot be asked (an Android app without that
//!   component, a Linux machine with no CA bundle);
//! - `GG_TRUST_BUNDLED`: the bundled Mozilla roots only;
//! - `GG_TRUST_OS`: the OS only (`GG_UNSUPPORTED` where it cannot be asked).
//!
//! Roots the game adds (`gg_options_add_root_certificates_pem`) are trusted in every mode. A
//! refusal names who refused and why (`describe`). Where the OS's check may go to the network,
//! it ends by the request's deadline (`check_by_deadline`).

use super::check_by_deadline::CheckTimedOut;
use crate::error::{Error, GG_TIMEOUT, GG_TLS, GG_UNSUPPORTED};
use once_cell::sync::Lazy;
use rustls::client::danger::ServerCertVerifier;
use rustls::pki_types::CertificateDer;
use rustls::{CertificateError, ClientConfig};
use std::sync::Arc;

/// The OS's verifier and trust store, with the bundled roots where the OS has none (the default).
pub const GG_TRUST_DEFAULT: u32 = 0;
/// Only the Mozilla roots bundled in the library.
pub const GG_TRUST_BUNDLED: u32 = 1;
/// Only the OS's verifier and trust store; `GG_UNSUPPORTED` where the OS has none GameGate can ask.
pub const GG_TRUST_OS: u32 = 2;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Trust {
    #[default]
    Default,
    Bundled,
    Os,
}

impl Trust {
    pub fn from_raw(mode: u32) -> Result<Trust, Error> {
        match mode {
            GG_TRUST_DEFAULT => Ok(Trust::Default),
            GG_TRUST_BUNDLED => Ok(Trust::Bundled),
            GG_TRUST_OS => Ok(Trust::Os),
            other => Err(Error::invalid(format!("unknown trust mode {other}: use GG_TRUST_DEFAULT (0), GG_TRUST_BUNDLED (1) or GG_TRUST_OS (2)"))),
        }
    }
}

/// The bundled Mozilla roots, parsed once per process (each client adds its own to a copy).
static BUNDLED_ROOTS: Lazy<rustls::RootCertStore> = Lazy::new(|| {
    let mut roots = rustls::RootCertStore::empty();
    roots.add_parsable_certificates(webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().cloned());
    roots
});

/// A client's TLS configuration, and who checks certificates for it (for error messages).
pub(crate) struct Trusted {
    pub config: Arc<ClientConfig>,
    pub checked_by: &'static str,
}

pub(crate) fn client_config(trust: Trust, extra_roots_der: &[Vec<u8>]) -> Result<Trusted, Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::internal(format!("TLS set-up failed: {e}")))?;
    let extra = || extra_roots_der.iter().map(|der| CertificateDer::from(der.clone()));
    if trust != Trust::Bundled {
        match os_verifier(provider.clone()) {
            Ok(os) => {
                // The game's own roots beside the OS: checked by webpki when the OS does not
                // know the issuer (no OS API needed for them: Windows' exclusive-root engines
                // are not everywhere, wine's for one).
                let verifier: Arc<dyn ServerCertVerifier> = match extra_roots_der.is_empty() {
                    true => os,
                    false => Arc::new(OsOrOwnRoots { os, own: webpki_verifier(rustls::RootCertStore::empty(), extra(), provider)? }),
                };
                let config = builder.dangerous().with_custom_certificate_verifier(verifier).with_no_client_auth();
                let checked_by = if extra_roots_der.is_empty() { "the OS trust store" } else { "the OS trust store (and the roots you added)" };
                return Ok(Trusted { config: Arc::new(config), checked_by });
            }
            Err(why) if trust == Trust::Os => return Err(Error::new(GG_UNSUPPORTED, format!("GG_TRUST_OS: {why}"))),
            Err(why) => crate::gg_log!(crate::log::GG_LOG_INFO, "TLS: the bundled Mozilla roots, since {why}"),
        }
    }
    let mut roots = BUNDLED_ROOTS.clone();
    for der in extra() {
        roots.add(der).map_err(|e| Error::invalid(format!("a root certificate could not be used: {e}")))?;
    }
    Ok(Trusted { config: Arc::new(builder.with_root_certificates(roots).with_no_client_auth()), checked_by: "the bundled Mozilla roots" })
}

#[cfg(any(target_os = "linux", windows, target_vendor = "apple", target_os = "android"))]
fn os_verifier(provider: Arc<rustls::crypto::CryptoProvider>) -> Result<Arc<dyn ServerCertVerifier>, String> {
    // Android's needs the JVM and the verifier's Kotlin part in the app (android_verifier).
    #[cfg(target_os = "android")]
    super::android_verifier::ready()?;
    let os: Arc<dyn ServerCertVerifier> = rustls_platform_verifier::Verifier::new(provider)
        .map(Arc::new)
        .map_err(|e| format!("the OS trust store cannot be used here ({e})"))?;
    Ok(by_deadline(os))
}

/// Where the OS verifier may fetch over the network while it checks (revocation lists,
/// intermediates), its check ends by the request's deadline (`check_by_deadline`). Linux's
/// reads files only, and is asked where it is.
fn by_deadline(os: Arc<dyn ServerCertVerifier>) -> Arc<dyn ServerCertVerifier> {
    if cfg!(target_os = "linux") {
        return os;
    }
    Arc::new(super::check_by_deadline::CheckByDeadline { inner: os })
}

#[cfg(not(any(target_os = "linux", windows, target_vendor = "apple", target_os = "android")))]
fn os_verifier(_provider: Arc<rustls::crypto::CryptoProvider>) -> Result<Arc<dyn ServerCertVerifier>, String> {
    Err("this build of GameGate does not ask this platform's verifier".to_string())
}

fn webpki_verifier(
    mut roots: rustls::RootCertStore,
    extra: impl Iterator<Item = CertificateDer<'static>>,
    provider: Arc<rustls::crypto::CryptoProvider>,
) -> Result<Arc<rustls::client::WebPkiServerVerifier>, Error> {
    for der in extra {
        roots.add(der).map_err(|e| Error::invalid(format!("a root certificate could not be used: {e}")))?;
    }
    rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
        .build()
        .map_err(|e| Error::internal(format!("TLS set-up failed: {e}")))
}

/// The OS's verifier, and the game's own roots for what the OS does not know.
#[derive(Debug)]
struct OsOrOwnRoots {
    os: Arc<dyn ServerCertVerifier>,
    own: Arc<rustls::client::WebPkiServerVerifier>,
}

impl ServerCertVerifier for OsOrOwnRoots {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &rustls::pki_types::ServerName<'_>,
        ocsp_response: &[u8],
        now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        let refused = match self.os.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Ok(verified) => return Ok(verified),
            Err(refused) => refused,
        };
        match self.own.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Ok(verified) => Ok(verified),
            // Signed by none of the game's roots either: the OS's reason stands.
            Err(rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)) => Err(refused),
            // One of the game's roots signed it, and says what else is wrong (a wrong name).
            Err(own) => Err(own),
        }
    }

    fn verify_tls12_signature(&self, message: &[u8], cert: &CertificateDer<'_>, dss: &rustls::DigitallySignedStruct) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.own.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(&self, message: &[u8], cert: &CertificateDer<'_>, dss: &rustls::DigitallySignedStruct) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        self.own.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.own.supported_verify_schemes()
    }
}

/// A TLS failure as the game reads it: for a refused certificate, who refused it and why.
pub(crate) fn describe(error: &rustls::Error, checked_by: &str) -> Error {
    let why = match error {
        rustls::Error::InvalidCertificate(CertificateError::Other(_)) if CheckTimedOut::is(error) => {
            return Error::new(
                GG_TIMEOUT,
                format!("TLS: {checked_by} did not finish checking the server's certificate by the request's deadline (it may be fetching revocation data or an intermediate certificate over a slow network)"),
            );
        }
        rustls::Error::InvalidCertificate(CertificateError::Other(other)) => match os_code(other) {
            Some(0x800B_010E | 0x8009_2012 | 0x8009_2013) => "its revocation could not be checked (the revocation server did not answer)".to_string(),
            Some(code) => windows_reason(code).map_or_else(|| other.to_string(), reason),
            None => other.to_string(),
        },
        rustls::Error::InvalidCertificate(why) => reason(why.clone()),
        other => return Error::new(GG_TLS, format!("TLS failure: {other}")),
    };
    Error::new(GG_TLS, format!("TLS failure: {checked_by} refused the server's certificate: {why}"))
}

/// Why a certificate was refused, in words.
fn reason(why: CertificateError) -> String {
    match why {
        CertificateError::UnknownIssuer => "unknown issuer (no trusted root signed it)".to_string(),
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => "expired".to_string(),
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => "not valid yet".to_string(),
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => "not valid for this host name".to_string(),
        CertificateError::Revoked => "revoked".to_string(),
        CertificateError::UnknownRevocationStatus | CertificateError::ExpiredRevocationList | CertificateError::ExpiredRevocationListContext { .. } => {
            "its revocation could not be checked".to_string()
        }
        CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => "not meant for TLS servers (its key usage)".to_string(),
        CertificateError::BadSignature => "its signature does not verify".to_string(),
        CertificateError::BadEncoding => "malformed".to_string(),
        CertificateError::UnhandledCriticalExtension => "it carries a critical extension the verifier does not know".to_string(),
        other => format!("{other:?}"),
    }
}

/// The OS error code an OS verifier's message ends with: rustls-platform-verifier passes the
/// Windows chain engine's HRESULTs on as an OS error's text, "... (os error N)" (where the OS
/// has no text for one, wine for instance, that text is a bare number).
fn os_code(other: &rustls::OtherError) -> Option<u32> {
    let text = other.0.to_string();
    let number = text.strip_suffix(')')?.rsplit_once("(os error ")?.1;
    Some(number.parse::<i32>().ok()? as u32)
}

/// The reason rustls names for a chain engine's code it left as a number.
fn windows_reason(code: u32) -> Option<CertificateError> {
    Some(match code {
        0x800B_0109 | 0x800B_010A => CertificateError::UnknownIssuer,
        0x800B_0101 => CertificateError::Expired,
        0x800B_010C => CertificateError::Revoked,
        0x800B_010F => CertificateError::NotValidForName,
        0x800B_0110 => CertificateError::InvalidPurpose,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_are_range_checked_and_refusals_name_the_store_and_the_reason() {
        assert_eq!(Trust::from_raw(2).unwrap(), Trust::Os);
        assert_eq!(Trust::from_raw(3).unwrap_err().code, crate::error::GG_INVALID_ARGUMENT);
        let e = describe(&rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer), "the OS trust store");
        assert_eq!(e.code, GG_TLS);
        assert!(e.message.contains("the OS trust store refused") && e.message.contains("unknown issuer"), "{}", e.message);
        assert!(describe(&rustls::Error::InvalidCertificate(CertificateError::NotValidForName), "x").message.contains("host name"));
        assert!(client_config(Trust::Bundled, &[]).unwrap().checked_by.contains("bundled"));
        // A chain engine's code without a text of the OS (wine's revocation failure).
        let text = std::io::Error::from_raw_os_error(0x800B_010E_u32 as i32).to_string(); // as the verifier passes it on
        let offline = rustls::Error::InvalidCertificate(CertificateError::Other(rustls::OtherError(Arc::from(Box::<dyn std::error::Error + Send + Sync>::from(text)))));
        let e = describe(&offline, "the OS trust store");
        assert!(e.message.ends_with("refused the server's certificate: its revocation could not be checked (the revocation server did not answer)"), "{}", e.message);
        let purpose = describe(&rustls::Error::InvalidCertificate(CertificateError::InvalidPurpose), "the OS trust store");
        assert!(purpose.message.contains("not meant for TLS servers"), "{}", purpose.message);
    }
}
