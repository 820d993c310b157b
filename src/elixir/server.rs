//! Elixir's server-side calls (tournament scores, `POST /sdk/v2/game-stats`), signed with the
//! game's RSA private key: each request carries `x-api-key`, `x-api-token` (epoch
//! milliseconds, as text) and `x-api-signature`, the lowercase hex of an RSA-SHA256
//! (PKCS#1 v1.5) signature over `<body as sent> + "." + <timestamp>`. The request is written
//! and signed on the I/O thread right before each attempt goes out, so its timestamp is the
//! time it was sent and a retried request is signed again.
//!
//! The key is checked once (PKCS#8, RSA, 2048 to 4096 bits) and kept as wiped bytes; it is
//! parsed again for each signature, so ring's own copy lives only while it signs (ring does
//! not wipe it when freed). No error text or log line ever contains key material.

use super::envelope;
use crate::error::Error;
use crate::http::{Aborter, Http, Method, Prepared, Retry};
use crate::options::Options;
use crate::secret::{Secret, SecretBytes};
use ring::rand::SystemRandom;
use ring::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::PrivateKeyDer;
use std::sync::Arc;

/// What is signed when a request has no body: the service signs `JSON.stringify` of the body
/// it parsed, which is `{}` for none (*assumed*; nothing public says).
const EMPTY_BODY: &str = "{}";

/// A game's RSA private key, checked and kept as wiped PKCS#8 bytes.
pub struct SigningKey {
    pkcs8: SecretBytes,
}

impl SigningKey {
    /// Accepts one unencrypted PKCS#8 `PRIVATE KEY` holding RSA of 2048 to 4096 bits.
    pub fn from_pem(pem: &str) -> Result<SigningKey, Error> {
        let der = match PrivateKeyDer::from_pem_slice(pem.as_bytes()) {
            Ok(PrivateKeyDer::Pkcs8(der)) => SecretBytes::new(der.secret_pkcs8_der().to_vec()),
            Ok(PrivateKeyDer::Pkcs1(_)) => {
                return Err(Error::invalid(
                    "private_key_pem is a PKCS#1 RSA key (BEGIN RSA PRIVATE KEY): convert it to PKCS#8 with \
                     `openssl pkcs8 -topk8 -nocrypt`",
                ))
            }
            Ok(_) => return Err(Error::invalid("private_key_pem is not an RSA key: Elixir's signed calls need RSA (PKCS#8)")),
            Err(_) if pem.contains("ENCRYPTED PRIVATE KEY") => {
                return Err(Error::invalid("private_key_pem is encrypted: pass the unencrypted PKCS#8 key (keep it in your secret store)"))
            }
            Err(_) => {
                return Err(Error::invalid(
                    "private_key_pem holds no private key (a public key, a certificate, or a malformed PEM?): expected \
                     -----BEGIN PRIVATE KEY----- (PKCS#8)",
                ))
            }
        };
        let key = SigningKey { pkcs8: der };
        let bits = key.parse()?.public().modulus_len() * 8;
        if !(2048..=4096).contains(&bits) {
            return Err(Error::invalid(format!("the RSA key has {bits} bits: Elixir's signed calls take 2048 to 4096")));
        }
        Ok(key)
    }

    fn parse(&self) -> Result<RsaKeyPair, Error> {
        RsaKeyPair::from_pkcs8(self.pkcs8.as_slice())
            .map_err(|_| Error::invalid("private_key_pem is not a usable RSA private key (PKCS#8, 2048 to 4096 bits)"))
    }

    /// Lowercase hex of the RSA-SHA256 (PKCS#1 v1.5) signature of `message` (deterministic).
    pub fn sign_hex(&self, message: &[u8]) -> Result<String, Error> {
        let key = self.parse()?;
        let mut signature = vec![0; key.public().modulus_len()];
        key.sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), message, &mut signature)
            .map_err(|_| Error::internal("the request could not be signed"))?;
        Ok(signature.iter().map(|b| format!("{b:02x}")).collect())
    }
}

/// A game server's signed connection to Elixir.
pub struct Server {
    http: Arc<Http>,
    api_key: Arc<Secret>,
    key: Arc<SigningKey>,
}

impl Server {
    /// One connection made ready for the next call (`elixir_server_prepare`).
    pub fn prepare_connection(&self) {
        self.http.prepare_connection();
    }

    pub fn new(api_key: &str, private_key_pem: &str, options: &Options) -> Result<Server, Error> {
        super::check_api_key(api_key)?;
        let key = SigningKey::from_pem(private_key_pem)?;
        Ok(Server { http: Http::new("elixir-server", options, super::PRODUCTION_URL)?, api_key: Arc::new(Secret::new(api_key)), key: Arc::new(key) })
    }

    /// Sends a signed request; `done` gets the answer on the I/O thread (`data_from` reads the
    /// envelope's `data` out of it, on the callback thread in worker dispatch). `body` is the
    /// compact JSON that is signed and sent, byte for byte.
    pub fn request(&self, method: Method, path: &str, body: Option<String>, done: impl FnOnce(Result<crate::http::Response, Error>) + Send + 'static) -> Aborter {
        let (writer, api_key, key, path_sent) = (self.http.writer(), self.api_key.clone(), self.key.clone(), path.to_string());
        let body = body.map(|b| SecretBytes::new(b.into_bytes()));
        let rewrite = Box::new(move || {
            let timestamp = super::now_ms().to_string();
            let signed_body: &[u8] = body.as_ref().map_or(EMPTY_BODY.as_bytes(), |b| b.as_slice());
            let mut message = SecretBytes::with_capacity(signed_body.len() + 1 + timestamp.len());
            message.extend_from_slice(signed_body);
            message.extend_from_slice(b".");
            message.extend_from_slice(timestamp.as_bytes());
            let signature = key.sign_hex(message.as_slice())?;
            let headers = [("x-api-key", api_key.expose()), ("x-api-token", timestamp.as_str()), ("x-api-signature", signature.as_str())];
            Ok(writer.write(method, &path_sent, &headers, body.as_ref().map(|b| b.as_slice())))
        });
        let request = Prepared::written_at_send(method, path, Retry::for_method(method), rewrite);
        self.http.start(request, Box::new(done))
    }
}

/// A signed call's answer as the game gets it: the envelope's `data`, as JSON.
pub fn data_from(outcome: Result<crate::http::Response, Error>) -> Result<String, Error> {
    outcome.and_then(|response| envelope::open_response(&response)).map(|data| data.to_string())
}

/// `json` without the whitespace between its tokens; strings and numbers are kept byte for
/// byte (the service checks the signature against the body it received). `json` must be
/// valid JSON (checked by the caller).
pub fn compact(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            in_string = c == '"';
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::GG_INVALID_ARGUMENT;

    const TEST_KEY: &str = include_str!("../../emulator/keys/elixir-server-test-key.pem");
    const KNOWN_MESSAGE: &[u8] = include_bytes!("../../emulator/keys/known-answer-message.txt");
    const KNOWN_SIGNATURE: &str = include_str!("../../emulator/keys/known-answer-signature.hex");

    #[test]
    fn the_signature_equals_the_one_openssl_made() {
        let key = SigningKey::from_pem(TEST_KEY).unwrap();
        assert_eq!(key.sign_hex(KNOWN_MESSAGE).unwrap(), KNOWN_SIGNATURE.trim());
    }

    #[test]
    fn keys_that_are_not_pkcs8_rsa_of_a_usable_size_are_refused_without_their_material() {
        let public = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----\n";
        let pkcs1 = TEST_KEY.replace("BEGIN PRIVATE KEY", "BEGIN RSA PRIVATE KEY").replace("END PRIVATE KEY", "END RSA PRIVATE KEY");
        let broken = TEST_KEY.replace('A', "*");
        for bad in ["", "hello", public, &pkcs1, &broken] {
            let Err(error) = SigningKey::from_pem(bad) else { panic!("accepted {bad:.30}") };
            assert_eq!(error.code, GG_INVALID_ARGUMENT);
            for line in TEST_KEY.lines().filter(|l| !l.starts_with("-----")) {
                assert!(!error.message.contains(line), "the message carries key material");
            }
        }
    }

    #[test]
    fn compacting_removes_only_the_whitespace_between_tokens() {
        assert_eq!(compact("{ \"a\" : [1, 2.50 ,\n\"x y\"], \"b\\\" c\": \"\\\\\" }"), "{\"a\":[1,2.50,\"x y\"],\"b\\\" c\":\"\\\\\"}");
        assert_eq!(compact("{\"tournamentId\":\"t-1\",\"score\":4200}"), "{\"tournamentId\":\"t-1\",\"score\":4200}");
    }
}
