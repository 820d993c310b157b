//! The emulator's HTTPS side: a throw-away CA and certificates for `localhost` only, made at
//! start-up, so GameGate's TLS is tested for real (trusted through the custom-root option;
//! untrusted without it; a wrong host name when reached as 127.0.0.1).
//!
//! Each certificate names a revocation list the emulator serves, as a public CA's do: an OS
//! verifier that checks revocation (Windows') fetches it. `/_emulator/crl` answers at once with
//! an empty list the CA signed, so a chain engine that trusts the CA finds the certificate
//! good; a second server's certificate names `/_emulator/crl-held`, answered only after 3 s,
//! and that server sends the CA along (so the engine finds the issuer and goes to fetch).

use rcgen::{BasicConstraints, Certificate, CertificateParams, CrlDistributionPoint, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use std::sync::Arc;

fn fail(e: rcgen::Error) -> std::io::Error {
    std::io::Error::other(format!("certificate generation failed: {e}"))
}

/// A CA made for this run, which signs the servers' certificates.
pub struct TestCa {
    cert: Certificate,
    key: KeyPair,
}

impl TestCa {
    pub fn new() -> std::io::Result<TestCa> {
        let key = KeyPair::generate().map_err(fail)?;
        let mut params = CertificateParams::new(Vec::<String>::new()).map_err(fail)?;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        // A name of its own per start: a trust store that kept an earlier run's CA (wine's, say)
        // must not chain this run's certificate to that one.
        let started = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
        params.distinguished_name.push(DnType::CommonName, format!("gamegate-emulator test CA {}-{started}", std::process::id()));
        // No key usage extension: wine's chain engine reads keyCertSign from the last byte of
        // the usage bits, which rcgen writes in two, and refuses the CA in its ROOT store; a CA
        // without the extension is accepted by every verifier (Windows' too, for CAs like Certum).
        // A CA for TLS servers only; wine's CryptoAPI also reads no EKU on a root as "not for TLS".
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let cert = params.self_signed(&key).map_err(fail)?;
        Ok(TestCa { cert, key })
    }

    /// The CA to trust (`gg_options_add_root_certificates_pem`).
    pub fn pem(&self) -> String {
        self.cert.pem()
    }

    /// The CA's revocation list, revoking nothing, valid for a week (DER).
    pub fn revocation_list(&self) -> std::io::Result<Vec<u8>> {
        let now = time::OffsetDateTime::now_utc();
        let params = rcgen::CertificateRevocationListParams {
            this_update: now - time::Duration::hours(1),
            next_update: now + time::Duration::days(7),
            crl_number: rcgen::SerialNumber::from(1u64),
            issuing_distribution_point: None,
            revoked_certs: Vec::new(),
            key_identifier_method: rcgen::KeyIdMethod::Sha256,
        };
        Ok(params.signed_by(&self.cert, &self.key).map_err(fail)?.der().to_vec())
    }

    /// A server configuration for `localhost` whose certificate names `revocation_list` as
    /// its CRL distribution point; with `send_ca` the CA goes along in the chain.
    pub fn server_config(&self, revocation_list: String, send_ca: bool) -> std::io::Result<Arc<rustls::ServerConfig>> {
        let leaf_key = KeyPair::generate().map_err(fail)?;
        let mut params = CertificateParams::new(vec!["localhost".to_string()]).map_err(fail)?;
        params.distinguished_name.push(DnType::CommonName, "localhost");
        // As a real server certificate: OS verifiers (Windows' CryptoAPI) require serverAuth.
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature, KeyUsagePurpose::KeyEncipherment];
        // Said outright: without basic constraints wine's CryptoAPI takes the leaf for a CA.
        params.is_ca = IsCa::ExplicitNoCa;
        params.crl_distribution_points = vec![CrlDistributionPoint { uris: vec![revocation_list] }];
        let leaf = params.signed_by(&leaf_key, &self.cert, &self.key).map_err(fail)?;
        let mut chain = vec![leaf.der().clone()];
        if send_ca {
            chain.push(self.cert.der().clone());
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .and_then(|b| b.with_no_client_auth().with_single_cert(chain, PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()))))
            .map_err(|e| std::io::Error::other(format!("TLS configuration failed: {e}")))?;
        Ok(Arc::new(config))
    }
}
