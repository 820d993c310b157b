//! When a failed request goes out again, and after how long.

use super::response::Response;
use crate::error::{Error, GG_NETWORK};
use std::time::Duration;

/// Whether a request may be sent again after a transient failure. Only requests that are
/// safe to repeat are: KGeN session creation (create-or-retrieve) and GETs, but never a
/// sign-in flow whose credential works once (an OTP, a QR value, a rei-key).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retry {
    Never,
    IfTransient,
}

impl Retry {
    pub fn for_method(method: super::Method) -> Retry {
        if method == super::Method::GET {
            Retry::IfTransient
        } else {
            Retry::Never
        }
    }
}

/// Worth another attempt: the connection failed (nothing was answered), a gateway said the
/// service is briefly unavailable, or the service limited the rate (429, after its
/// `Retry-After`). A timeout is not: it has used up the time.
pub(crate) fn is_transient(outcome: &Result<Response, Error>) -> bool {
    match outcome {
        Ok(response) => matches!(response.status, 429 | 502..=504),
        Err(error) => error.code == GG_NETWORK,
    }
}

/// Exponential backoff with full jitter: a uniformly random wait in [0, base * 2^attempt].
pub(crate) fn backoff_delay(base: Duration, attempt: u32) -> Duration {
    let ceiling = base.saturating_mul(1u32 << attempt.min(16));
    let ceiling_ms = ceiling.as_millis().min(u128::from(u64::MAX)) as u64;
    Duration::from_millis(random_u64() % (ceiling_ms + 1))
}

/// A random number from std's per-process randomly keyed hasher: jitter, not cryptography.
fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u8(0);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{GG_BAD_RESPONSE, GG_TIMEOUT, GG_TLS};
    use crate::secret::SecretBytes;

    #[test]
    fn backoff_is_full_jitter_under_a_doubling_ceiling() {
        let base = Duration::from_millis(100);
        for attempt in 0..5u32 {
            let ceiling = 100u64 << attempt;
            let delays: Vec<u64> = (0..200).map(|_| backoff_delay(base, attempt).as_millis() as u64).collect();
            assert!(delays.iter().all(|&d| d <= ceiling), "attempt {attempt}: {delays:?}");
            // Full jitter spreads over the whole range, not just near the ceiling.
            assert!(delays.iter().any(|&d| d < ceiling / 2) && delays.iter().any(|&d| d >= ceiling / 2), "attempt {attempt}");
        }
        assert!(backoff_delay(Duration::from_secs(60), 40) <= Duration::from_secs(60) * (1 << 16));
    }

    #[test]
    fn only_gateway_errors_and_failed_connections_are_transient() {
        let status = |s| Ok(Response { status: s, body: SecretBytes::default(), retry_after: None });
        for transient in [429, 502, 503, 504] {
            assert!(is_transient(&status(transient)), "{transient}");
        }
        for not in [200, 301, 400, 401, 404, 500] {
            assert!(!is_transient(&status(not)), "{not}");
        }
        assert!(is_transient(&Err(Error::new(GG_NETWORK, "refused"))));
        assert!(!is_transient(&Err(Error::new(GG_TIMEOUT, "slow"))));
        assert!(!is_transient(&Err(Error::new(GG_TLS, "bad cert"))));
        assert!(!is_transient(&Err(Error::new(GG_BAD_RESPONSE, "garbage"))));
    }

    #[test]
    fn sign_in_flows_never_retry_but_gets_may() {
        use super::super::Method;
        assert_eq!(Retry::for_method(Method::GET), Retry::IfTransient);
        for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            assert_eq!(Retry::for_method(method), Retry::Never);
        }
    }
}
