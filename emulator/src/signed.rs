//! Elixir's server-side signed calls (`/sdk/v2/game-stats`): `x-api-token` must be epoch
//! milliseconds within 5 minutes of the emulator's clock, and `x-api-signature` the lowercase
//! hex of an RSA-SHA256 (PKCS#1 v1.5) signature over `<body as received> + "." + <token>`
//! (`{}` standing for an empty body), checked with the public half of the emulator's test key.
//! The error codes are the emulator's own (*assumed*: nothing public names the service's).

use crate::exchange::Exchange;
use ring::signature::{KeyPair, RsaKeyPair, UnparsedPublicKey, RSA_PKCS1_2048_8192_SHA256};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::PrivateKeyDer;

/// The key pair the emulator accepts, generated for GameGate's tests (`emulator/keys/`).
pub const TEST_KEY_PEM: &str = include_str!("../keys/elixir-server-test-key.pem");
/// A well-formed key the emulator does not know.
pub const OTHER_TEST_KEY_PEM: &str = include_str!("../keys/elixir-server-other-test-key.pem");
const ALLOWED_SKEW_MS: i64 = 5 * 60 * 1000;

pub struct Verifier {
    public_key: Vec<u8>,
    /// Added to the emulator's clock: a test makes the server's time differ from the caller's.
    pub clock_skew_ms: i64,
}

/// Why a signed call was refused: the error code and message of the envelope.
pub type Refusal = (&'static str, &'static str);

impl Verifier {
    pub fn new() -> Verifier {
        Verifier { public_key: public_key_of(TEST_KEY_PEM), clock_skew_ms: 0 }
    }

    pub fn check(&self, ex: &Exchange, now_ms: i64) -> Result<(), Refusal> {
        let (Some(token), Some(signature)) = (ex.header("x-api-token"), ex.header("x-api-signature")) else {
            return Err(("MISSING_SIGNATURE", "x-api-token and x-api-signature are required"));
        };
        let Ok(sent_ms) = token.parse::<i64>() else {
            return Err(("INVALID_TIMESTAMP", "x-api-token is not epoch milliseconds"));
        };
        if (now_ms + self.clock_skew_ms - sent_ms).abs() > ALLOWED_SKEW_MS {
            return Err(("INVALID_TIMESTAMP", "x-api-token is more than 5 minutes from the server's clock"));
        }
        let Some(signature) = from_hex(signature) else {
            return Err(("INVALID_SIGNATURE", "x-api-signature is not lowercase hex"));
        };
        let body: &[u8] = if ex.body.is_empty() { b"{}" } else { &ex.body };
        let message = [body, b".", token.as_bytes()].concat();
        UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &self.public_key)
            .verify(&message, &signature)
            .map_err(|_| ("INVALID_SIGNATURE", "the signature does not match the body and timestamp"))
    }
}

fn public_key_of(pem: &str) -> Vec<u8> {
    let Ok(PrivateKeyDer::Pkcs8(der)) = PrivateKeyDer::from_pem_slice(pem.as_bytes()) else { panic!("the emulator's test key is PKCS#8") };
    let pair = RsaKeyPair::from_pkcs8(der.secret_pkcs8_der()).expect("the emulator's test key is RSA");
    pair.public_key().as_ref().to_vec()
}

fn from_hex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 || !text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;
    use ring::signature::RSA_PKCS1_SHA256;

    const NOW: i64 = 1_767_225_600_000;

    fn signed(pem: &str, body: &str, token: &str) -> Exchange {
        let Ok(PrivateKeyDer::Pkcs8(der)) = PrivateKeyDer::from_pem_slice(pem.as_bytes()) else { panic!("PKCS#8") };
        let pair = RsaKeyPair::from_pkcs8(der.secret_pkcs8_der()).unwrap();
        let mut signature = vec![0; pair.public().modulus_len()];
        let message = format!("{}.{token}", if body.is_empty() { "{}" } else { body });
        pair.sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), message.as_bytes(), &mut signature).unwrap();
        let hex: String = signature.iter().map(|b| format!("{b:02x}")).collect();
        Exchange {
            method: "POST".into(),
            path: "/sdk/v2/game-stats".into(),
            query: String::new(),
            headers: vec![("x-api-token".into(), token.into()), ("x-api-signature".into(), hex)],
            body: body.as_bytes().to_vec(),
            on_connection: 1,
            idle_before: std::time::Duration::ZERO,
        }
    }

    #[test]
    fn a_call_signed_with_the_test_key_now_is_accepted() {
        let verifier = Verifier::new();
        assert_eq!(verifier.check(&signed(TEST_KEY_PEM, "{\"score\":1}", &NOW.to_string()), NOW), Ok(()));
        assert_eq!(verifier.check(&signed(TEST_KEY_PEM, "", &NOW.to_string()), NOW + 299_000), Ok(()));
    }

    #[test]
    fn a_wrong_key_a_changed_body_or_a_stale_timestamp_is_refused() {
        let verifier = Verifier::new();
        let token = NOW.to_string();
        let other = signed(OTHER_TEST_KEY_PEM, "{\"score\":1}", &token);
        assert_eq!(verifier.check(&other, NOW).unwrap_err().0, "INVALID_SIGNATURE");
        let mut changed = signed(TEST_KEY_PEM, "{\"score\":1}", &token);
        changed.body = b"{\"score\":9}".to_vec();
        assert_eq!(verifier.check(&changed, NOW).unwrap_err().0, "INVALID_SIGNATURE");
        let stale = signed(TEST_KEY_PEM, "{\"score\":1}", &(NOW - 301_000).to_string());
        assert_eq!(verifier.check(&stale, NOW).unwrap_err().0, "INVALID_TIMESTAMP");
        let ahead = signed(TEST_KEY_PEM, "{\"score\":1}", &(NOW + 301_000).to_string());
        assert_eq!(verifier.check(&ahead, NOW).unwrap_err().0, "INVALID_TIMESTAMP");
        let mut unsigned = signed(TEST_KEY_PEM, "{}", &token);
        unsigned.headers.retain(|(name, _)| name != "x-api-signature");
        assert_eq!(verifier.check(&unsigned, NOW).unwrap_err().0, "MISSING_SIGNATURE");
        let mut shouting = signed(TEST_KEY_PEM, "{}", &token);
        shouting.headers[1].1 = shouting.headers[1].1.to_uppercase();
        assert_eq!(verifier.check(&shouting, NOW).unwrap_err().0, "INVALID_SIGNATURE");
    }

    #[test]
    fn a_skewed_clock_refuses_a_call_made_now() {
        let mut verifier = Verifier::new();
        verifier.clock_skew_ms = 10 * 60 * 1000;
        assert_eq!(verifier.check(&signed(TEST_KEY_PEM, "{}", &NOW.to_string()), NOW).unwrap_err().0, "INVALID_TIMESTAMP");
    }
}
