//! The session kept in a credential store (`crate::keep`): attaching one restores what it
//! holds and refreshes at once; from then on every change is written (a refresh token) or
//! erased (sign-out, revocation) before the game hears of it. A restore that fails on the
//! network keeps the entry: only a refusal of that very token erases it (as a revocation).

use super::flow::{Done, Flow};
use super::session::Session;
use super::Service;
use crate::error::{Error, GG_TIMEOUT};
use crate::keep::{self, CredentialStore};
use std::sync::{Arc, Mutex};

/// The store a client's session is kept in, once attached (at most once per client).
#[derive(Default)]
pub struct Keeper {
    attached: Mutex<Attachment>,
}

#[derive(Default)]
enum Attachment {
    #[default]
    None,
    /// Claimed by an attach call; no store in use (yet, or ever: its callback said why).
    Claimed,
    Store { store: Arc<dyn CredentialStore>, entry: String },
}

impl Service {
    /// The first step of an attach, on the caller's thread: a bad slot or a second attach is
    /// refused before anything starts.
    pub fn claim_store(&self, slot: &str) -> Result<(), Error> {
        keep::check_slot(slot)?;
        let mut attached = self.keeper.attached.lock().unwrap_or_else(|p| p.into_inner());
        if !matches!(*attached, Attachment::None) {
            return Err(Error::invalid("a credential store is already attached to this client"));
        }
        *attached = Attachment::Claimed;
        Ok(())
    }

    /// `done`, answered with `GG_TIMEOUT` if the attach has not answered within twice the
    /// request timeout: an OS store can block (a keyring waiting for an unlock prompt), and the
    /// game's launch question must still get an answer. A late answer is dropped; a restore
    /// that lands late still fires its session event.
    pub fn within_store_deadline(&self, done: Done<Option<Session>>) -> Done<Option<Session>> {
        self.answered_within(self.http.timeout() * 2, store_not_answered, done)
    }

    /// After `claim_store`: attaches `store` (`Err`: this platform has none) and answers whether a player is still signed in: the stored session
    /// refreshed (`Some`), nothing stored (`None`), or why not. Runs the load on the store
    /// thread and the refresh on the I/O thread.
    pub fn attach_store(&self, flow: &Flow, store: Result<Arc<dyn CredentialStore>, Error>, slot: &str, done: Done<Option<Session>>) {
        let store = match store {
            Ok(store) => store,
            Err(error) => return done(Err(error)),
        };
        let entry = keep::entry_name(self.api_key.expose(), &self.http.base().host_header(), slot);
        *self.keeper.attached.lock().unwrap_or_else(|p| p.into_inner()) = Attachment::Store { store: store.clone(), entry: entry.clone() };
        let me = self.me.clone();
        let flow = flow.clone();
        keep::run(move || {
            let Some(service) = me.upgrade() else { return };
            if flow.is_cancelled() {
                return done(Err(Error::cancelled()));
            }
            // Signed in before the store was attached: that session is what is kept.
            if let Some(current) = service.store.current() {
                let _ = store.save(&entry, &current.refresh_token).map_err(|e| log_store_failure(store.name(), &e));
                return done(Ok(Some(current)));
            }
            match store.load(&entry) {
                Err(error) => done(Err(error)),
                Ok(None) => done(Ok(None)),
                Ok(Some(refresh_token)) => {
                    service.store.restore_kept(Session::restored(refresh_token.expose()));
                    service.reschedule_background(false);
                    service.refresh(&flow, Box::new(move |refreshed| done(refreshed.map(Some))));
                }
            }
        });
    }

    /// Writes the session (or its absence) to the attached store, holding back the game's
    /// next deliveries until it is written. Without a store, nothing.
    pub(super) fn keep(&self, session: Option<&Session>) {
        let (store, entry) = match &*self.keeper.attached.lock().unwrap_or_else(|p| p.into_inner()) {
            Attachment::Store { store, entry } => (store.clone(), entry.clone()),
            _ => return,
        };
        let gate = self.emitter.gate();
        let refresh_token = session.map(|s| s.refresh_token.clone());
        keep::run(move || {
            let written = match &refresh_token {
                Some(token) => store.save(&entry, token),
                None => store.erase(&entry),
            };
            if let Err(error) = written {
                log_store_failure(store.name(), &error);
            }
            drop(gate);
        });
    }
}

fn store_not_answered() -> Error {
    Error::new(GG_TIMEOUT, "the credential store did not answer within twice the request timeout")
}

fn log_store_failure(store: &str, error: &Error) {
    crate::gg_log!(crate::log::GG_LOG_WARN, "{store}: the session could not be kept: {error}");
}
