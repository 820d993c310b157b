//! The OS's certificate check, ended by the request's deadline.
//!
//! An OS verifier may go to the network while it checks a certificate: Windows' chain engine
//! fetches revocation lists and missing intermediates (rustls-platform-verifier gives each
//! fetch 10 s, and wine's waits longer), and Apple's and Android's may too. rustls asks the
//! verifier on the I/O thread in the middle of a read, so a slow fetch would hold every
//! request of the client and let the deadline pass unseen. Here the check runs on a thread of
//! its own and the I/O thread waits for it until the deadline of the request the handshake
//! is for (`checks_end_by`, set around each read of a handshaking connection): past it the
//! handshake ends with `GG_TIMEOUT` (`trust::describe`). The check's thread finishes the OS
//! call on its own and ends; it is counted in `gg_stats.live_threads` until the OS answers.
//!
//! Without a deadline (none was set on this thread) the check runs where it is asked.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, OtherError, SignatureScheme};
use std::cell::Cell;
use std::sync::{mpsc, Arc};
use std::time::Instant;

thread_local! {
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Certificate checks made on this thread while the guard lives end by `deadline`.
pub(crate) fn checks_end_by(deadline: Instant) -> DeadlineSet {
    DeadlineSet(DEADLINE.with(|cell| cell.replace(Some(deadline))))
}

/// Puts back the deadline that was set before (`checks_end_by`).
pub(crate) struct DeadlineSet(Option<Instant>);

impl Drop for DeadlineSet {
    fn drop(&mut self) {
        let before = self.0;
        let _ = DEADLINE.try_with(|cell| cell.set(before));
    }
}

/// The check did not finish by the deadline; `trust::describe` makes it a `GG_TIMEOUT`.
#[derive(Debug)]
pub(crate) struct CheckTimedOut;

impl std::fmt::Display for CheckTimedOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the certificate check did not finish by the request's deadline")
    }
}

impl std::error::Error for CheckTimedOut {}

impl CheckTimedOut {
    pub(crate) fn is(error: &rustls::Error) -> bool {
        matches!(error, rustls::Error::InvalidCertificate(CertificateError::Other(other)) if other.0.downcast_ref::<CheckTimedOut>().is_some())
    }
}

/// A verifier whose certificate check ends by the deadline set on the asking thread.
#[derive(Debug)]
pub(crate) struct CheckByDeadline {
    pub inner: Arc<dyn ServerCertVerifier>,
}

impl ServerCertVerifier for CheckByDeadline {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let Some(deadline) = DEADLINE.with(Cell::get) else {
            return self.inner.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now);
        };
        let (inner, end_entity_owned) = (self.inner.clone(), end_entity.clone().into_owned());
        let intermediates_owned: Vec<CertificateDer<'static>> = intermediates.iter().map(|c| c.clone().into_owned()).collect();
        let (name, ocsp) = (server_name.to_owned(), ocsp_response.to_vec());
        let (verdict_tx, verdict_rx) = mpsc::sync_channel(1);
        let live = crate::engine::stats::LiveGuard::thread(); // counted from the spawn
        let spawned = std::thread::Builder::new().name("gamegate-cert-check".into()).spawn(move || {
            let verdict = inner.verify_server_cert(&end_entity_owned, &intermediates_owned, &name, &ocsp, now);
            drop(live); // done with the library's work: only the hand-over is left
            let _ = verdict_tx.send(verdict);
        });
        if spawned.is_err() {
            // No thread to be had: checked here, as the verifier would be without this.
            return self.inner.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now);
        }
        match verdict_rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(verdict) => verdict,
            Err(_) => Err(rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(CheckTimedOut))))),
        }
    }

    fn verify_tls12_signature(&self, message: &[u8], cert: &CertificateDer<'_>, dss: &DigitallySignedStruct) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(&self, message: &[u8], cert: &CertificateDer<'_>, dss: &DigitallySignedStruct) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }

    fn requires_raw_public_keys(&self) -> bool {
        self.inner.requires_raw_public_keys()
    }

    fn root_hint_subjects(&self) -> Option<&[rustls::DistinguishedName]> {
        self.inner.root_hint_subjects()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::time::Duration;

    /// A verifier that answers when the test lets it (an OS verifier fetching over a network).
    #[derive(Debug)]
    struct AnswersWhenLet {
        let_go: Mutex<Option<mpsc::Receiver<()>>>,
        asked_on: Mutex<Option<std::thread::ThreadId>>,
    }

    impl ServerCertVerifier for AnswersWhenLet {
        fn verify_server_cert(&self, _: &CertificateDer<'_>, _: &[CertificateDer<'_>], _: &ServerName<'_>, _: &[u8], _: UnixTime) -> Result<ServerCertVerified, rustls::Error> {
            *self.asked_on.lock().unwrap() = Some(std::thread::current().id());
            if let Some(let_go) = self.let_go.lock().unwrap().take() {
                let _ = let_go.recv();
            }
            Ok(ServerCertVerified::assertion())
        }
        fn verify_tls12_signature(&self, _: &[u8], _: &CertificateDer<'_>, _: &DigitallySignedStruct) -> Result<HandshakeSignatureValid, rustls::Error> {
            Ok(HandshakeSignatureValid::assertion())
        }
        fn verify_tls13_signature(&self, _: &[u8], _: &CertificateDer<'_>, _: &DigitallySignedStruct) -> Result<HandshakeSignatureValid, rustls::Error> {
            Ok(HandshakeSignatureValid::assertion())
        }
        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            vec![SignatureScheme::ED25519]
        }
    }

    fn check(verifier: &CheckByDeadline) -> Result<ServerCertVerified, rustls::Error> {
        let name = ServerName::try_from("localhost").unwrap();
        verifier.verify_server_cert(&CertificateDer::from(vec![1u8, 2, 3]), &[], &name, &[], UnixTime::now())
    }

    #[test]
    fn a_check_past_the_deadline_ends_with_a_timeout_and_its_thread_ends_when_the_os_answers() {
        let (let_go, held) = mpsc::channel();
        let slow = Arc::new(AnswersWhenLet { let_go: Mutex::new(Some(held)), asked_on: Mutex::new(None) });
        let verifier = CheckByDeadline { inner: slow.clone() };
        let verdict = {
            let _set = checks_end_by(Instant::now() + Duration::from_millis(50));
            check(&verifier)
        };
        let error = verdict.unwrap_err();
        assert!(CheckTimedOut::is(&error), "{error:?}");
        assert_ne!(*slow.asked_on.lock().unwrap(), Some(std::thread::current().id()), "checked on a thread of its own");
        let_go.send(()).unwrap(); // the OS answers late: its thread hands over to nobody and ends
        // The deadline was put back: the next check runs here, answered at once.
        assert!(check(&verifier).is_ok());
        assert_eq!(*slow.asked_on.lock().unwrap(), Some(std::thread::current().id()));
    }

    #[test]
    fn a_check_within_the_deadline_gives_the_os_verdict() {
        let quick = Arc::new(AnswersWhenLet { let_go: Mutex::new(None), asked_on: Mutex::new(None) });
        let verifier = CheckByDeadline { inner: quick };
        let _set = checks_end_by(Instant::now() + Duration::from_secs(30));
        assert!(check(&verifier).is_ok());
    }
}
