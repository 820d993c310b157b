//! The emulator's HTTPS side: a throw-away CA and a certificate for `localhost` only, made at
//! start-up, so GameGate's TLS is tested for real (trusted through the custom-root option;
//! untrusted without it; a wrong host name when reached as 127.0.0.1).

use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use std::sync::Arc;

pub struct TlsIdentity {
    pub config: Arc<rustls::ServerConfig>,
    /// The CA to trust (`gg_options_add_root_certificates_pem`).
    pub ca_pem: String,
}

pub fn make_identity() -> std::io::Result<TlsIdentity> {
    let fail = |e: rcgen::Error| std::io::Error::other(format!("certificate generation failed: {e}"));
    let ca_key = KeyPair::generate().map_err(fail)?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(fail)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    // A name of its own per start: a trust store that kept an earlier run's CA (wine's, say)
    // must not chain this run's certificate to that one.
    let started = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
    ca_params.distinguished_name.push(DnType::CommonName, format!("gamegate-emulator test CA {}-{started}", std::process::id()));
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    // A CA for TLS servers only; wine's CryptoAPI also reads no EKU on a root as "not for TLS".
    ca_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let ca = ca_params.self_signed(&ca_key).map_err(fail)?;

    let leaf_key = KeyPair::generate().map_err(fail)?;
    let mut leaf_params = CertificateParams::new(vec!["localhost".to_string()]).map_err(fail)?;
    leaf_params.distinguished_name.push(DnType::CommonName, "localhost");
    // As a real server certificate: OS verifiers (Windows' CryptoAPI) require serverAuth.
    leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf_params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
    // Said outright: without basic constraints wine's CryptoAPI takes the leaf for a CA.
    leaf_params.is_ca = IsCa::ExplicitNoCa;
    let leaf = leaf_params.signed_by(&leaf_key, &ca, &ca_key).map_err(fail)?;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| {
            b.with_no_client_auth().with_single_cert(
                vec![leaf.der().clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
            )
        })
        .map_err(|e| std::io::Error::other(format!("TLS configuration failed: {e}")))?;
    Ok(TlsIdentity { config: Arc::new(config), ca_pem: ca.pem() })
}
