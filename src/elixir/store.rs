//! The session a client holds, and the single-flight refresh that guards it: concurrent
//! callers share one refresh, so a (rotating) refresh token is never sent twice.
//!
//! A refresh "lands" wherever its answer arrives (the I/O thread), not in the caller that
//! started it: a caller that stops waiting (its timeout) leaves the flight in the air, and an
//! answer that comes late is still stored and announced. Until it lands no other refresh
//! starts, since the token it carried may already have been used. Callers wait by leaving a
//! `Waiter`, which the landing calls: no thread is held while a refresh is in the air.

use super::session::Session;
use crate::error::{Error, GG_NETWORK, GG_NOT_SIGNED_IN, GG_TIMEOUT};
use crate::secret::Secret;
use std::sync::{Mutex, MutexGuard};

/// Hears how the refresh in the air ended.
pub type Waiter = Box<dyn FnOnce(Result<Session, Error>) + Send>;

pub(crate) const INVALID_REFRESH_TOKEN: &str = "INVALID_REFRESH_TOKEN";

/// Why the session changed, as the game hears it (`GG_SESSION_*` in C).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionEvent {
    SignedIn = 1,
    Refreshed = 2,
    SignedOut = 3,
    /// The service refused the refresh token: the player must sign in again.
    Revoked = 4,
}

/// What happened to the stored session, for the caller to announce.
pub enum Change {
    Stored(Session, SessionEvent),
    Cleared(SessionEvent),
    Unchanged,
}

#[derive(Default)]
struct State {
    session: Option<Session>,
    refreshing: bool,
    /// Everyone waiting for the refresh in the air, its leader included.
    waiters: Vec<Waiter>,
    /// Bumped whenever the session is replaced or cleared from outside a refresh, so a refresh
    /// that started before a new sign-in never overwrites it.
    epoch: u64,
    /// The last refresh got no answer (network failure or its listening window ended): the
    /// server may have rotated the token anyway, so a rejection next is explained as such.
    answer_lost: bool,
    /// The session was restored from the credential store and has not been refreshed yet:
    /// its first refresh signs the player in, as far as the game is told.
    restored: bool,
}

/// What a caller of `refresh` does: send the refresh, or wait for the one in the air.
pub enum Flight {
    /// Send it with this token; `land` it with `epoch` when its answer (or failure) arrives.
    Lead { refresh_token: Secret, epoch: u64 },
    /// A refresh is in the air: its landing calls the waiter.
    Joined,
}

#[derive(Default)]
pub struct Store {
    state: Mutex<State>,
}

impl Store {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn current(&self) -> Option<Session> {
        self.lock().session.clone()
    }

    /// Replaces the session (a sign-in or a restore).
    pub fn replace(&self, session: Session) {
        let mut state = self.lock();
        state.session = Some(session);
        state.epoch += 1;
        state.answer_lost = false;
        state.restored = false;
    }

    /// Restores a session from the credential store; its first refresh announces a sign-in.
    pub fn restore_kept(&self, session: Session) {
        self.replace(session);
        self.lock().restored = true;
    }

    /// Clears the session (sign-out). Returns whether there was one.
    pub fn clear(&self) -> bool {
        let mut state = self.lock();
        state.epoch += 1;
        state.session.take().is_some()
    }

    /// The access token if it is valid for longer than `margin_ms` at `now_ms`.
    pub fn fresh_token(&self, now_ms: i64, margin_ms: i64) -> Result<Option<Secret>, Error> {
        let state = self.lock();
        match &state.session {
            None => Err(not_signed_in()),
            Some(s) if !state.refreshing && !s.token.is_empty() && s.token_expiry_ms.saturating_sub(now_ms) > margin_ms => {
                Ok(Some(s.token.clone()))
            }
            Some(_) => Ok(None),
        }
    }

    /// Leads a refresh with the stored refresh token, or joins the one in the air; either
    /// way `waiter` hears how it ended. Without a session (and nothing in the air) the waiter
    /// is handed back with the error, uncalled.
    pub fn join_or_lead(&self, waiter: Waiter) -> Result<Flight, (Error, Waiter)> {
        let mut state = self.lock();
        if state.refreshing {
            state.waiters.push(waiter);
            return Ok(Flight::Joined);
        }
        let Some(refresh_token) = state.session.as_ref().map(|s| s.refresh_token.clone()) else {
            return Err((not_signed_in(), waiter));
        };
        state.refreshing = true;
        state.waiters.push(waiter);
        Ok(Flight::Lead { refresh_token, epoch: state.epoch })
    }

    /// The refresh's outcome, on whatever thread it arrived: stored if the session is still
    /// the one that was refreshed, announced through `announce` before any waiter hears it (so
    /// listeners hear of it before callbacks), and handed to the waiters.
    pub fn land(&self, epoch: u64, result: Result<Session, Error>, announce: impl FnOnce(Change)) {
        let mut state = self.lock();
        let still_ours = state.epoch == epoch;
        let result = match result {
            Err(e) if e.api_code == INVALID_REFRESH_TOKEN && state.answer_lost => Err(Error {
                message: "the refresh token was rejected: the previous refresh's answer was lost to the network after the \
                          server had likely rotated the token, so the session is gone; sign the player in again"
                    .into(),
                ..e
            }),
            other => other,
        };
        let change = match &result {
            Ok(session) if still_ours => {
                state.session = Some(session.clone());
                let event = if std::mem::take(&mut state.restored) { SessionEvent::SignedIn } else { SessionEvent::Refreshed };
                Change::Stored(session.clone(), event)
            }
            Err(e) if still_ours && e.api_code == INVALID_REFRESH_TOKEN => {
                state.session = None;
                state.epoch += 1;
                Change::Cleared(SessionEvent::Revoked)
            }
            _ => Change::Unchanged,
        };
        state.answer_lost = still_ours && matches!(&result, Err(e) if e.code == GG_NETWORK || e.code == GG_TIMEOUT);
        state.refreshing = false;
        let waiters = std::mem::take(&mut state.waiters);
        drop(state);
        announce(change);
        for waiter in waiters {
            waiter(result.clone());
        }
    }

    /// A whole refresh on this thread (`exchange` performs the HTTP call), waiting for its
    /// landing, for the tests of the single-flight rules.
    #[cfg(test)]
    pub fn refresh(
        &self,
        exchange: impl FnOnce(&Secret) -> Result<Session, Error>,
        on_change: impl FnOnce(Change),
    ) -> Result<Session, Error> {
        let (landed, outcome) = std::sync::mpsc::channel();
        let waiter: Waiter = Box::new(move |result| {
            let _ = landed.send(result);
        });
        match self.join_or_lead(waiter).map_err(|(error, _)| error)? {
            Flight::Joined => {}
            Flight::Lead { refresh_token, epoch } => {
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| exchange(&refresh_token)))
                    .unwrap_or_else(|_| Err(Error::internal("GameGate panicked while refreshing the session; please report this")));
                self.land(epoch, result, on_change);
            }
        }
        outcome.recv().unwrap_or_else(|_| Err(Error::shutdown()))
    }
}

pub fn not_signed_in() -> Error {
    Error::new(GG_NOT_SIGNED_IN, "no Elixir session: sign in or restore a refresh token first")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Barrier};

    fn session(token: &str, refresh: &str, expiry: i64) -> Session {
        let mut s = Session::restored(refresh);
        s.token = Secret::new(token);
        s.token_expiry_ms = expiry;
        s
    }

    #[test]
    fn fresh_token_respects_the_margin() {
        let store = Store::default();
        assert_eq!(store.fresh_token(0, 0).unwrap_err().code, GG_NOT_SIGNED_IN);
        store.replace(session("t", "r", 100_000));
        assert!(store.fresh_token(0, 60_000).unwrap().is_some());
        assert!(store.fresh_token(50_000, 60_000).unwrap().is_none());
        store.replace(Session::restored("r"));
        assert!(store.fresh_token(0, 0).unwrap().is_none());
    }

    #[test]
    fn concurrent_refreshes_never_send_a_refresh_token_twice() {
        let store = Arc::new(Store::default());
        store.replace(session("old", "rt-0", 0));
        let sent = Arc::new(Mutex::new(Vec::<String>::new()));
        let rotations = Arc::new(AtomicUsize::new(0));
        let start = Arc::new(Barrier::new(8));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (store, sent, rotations, start) = (store.clone(), sent.clone(), rotations.clone(), start.clone());
                std::thread::spawn(move || {
                    start.wait();
                    store.refresh(
                        |rt| {
                            sent.lock().unwrap().push(rt.expose().to_string());
                            let next = rotations.fetch_add(1, Ordering::SeqCst) + 1;
                            Ok(session("new", &format!("rt-{next}"), 1))
                        },
                        |_| {},
                    )
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap().unwrap_or_else(|e| panic!("{e}"));
        }
        let mut sent = sent.lock().unwrap().clone();
        let total = sent.len();
        sent.sort();
        sent.dedup();
        assert_eq!(sent.len(), total, "a refresh token was sent twice");
        assert!(total >= 1 && total <= 8);
        assert_eq!(store.current().unwrap().refresh_token.expose(), format!("rt-{total}"));
    }

    #[test]
    fn a_panicking_refresh_ends_the_flight_with_an_internal_error() {
        let store = Store::default();
        store.replace(session("t", "r", 0));
        let err = store.refresh(|_| panic!("boom"), |_| {}).unwrap_err();
        assert_eq!(err.code, crate::error::GG_INTERNAL);
        // The next caller performs a new refresh instead of waiting forever.
        assert!(store.refresh(|_| Ok(session("t2", "r2", 1)), |_| {}).is_ok());
    }

    #[test]
    fn rejected_refresh_token_clears_the_session() {
        let store = Store::default();
        store.replace(session("t", "dead", 0));
        let mut cleared = false;
        let err = store
            .refresh(
                |_| Err(Error::new(crate::error::GG_API_ERROR, "x").with_api_code(INVALID_REFRESH_TOKEN)),
                |c| cleared = matches!(c, Change::Cleared(SessionEvent::Revoked)),
            )
            .unwrap_err();
        assert_eq!(err.api_code, INVALID_REFRESH_TOKEN);
        assert!(cleared);
        assert!(store.current().is_none());
    }

    /// A waiter that records what it heard.
    fn recording(heard: &Arc<Mutex<Vec<Result<String, i32>>>>) -> Waiter {
        let heard = heard.clone();
        Box::new(move |r: Result<Session, Error>| heard.lock().unwrap().push(r.map(|s| s.token.expose().to_string()).map_err(|e| e.code)))
    }

    #[test]
    fn a_refresh_in_the_air_is_joined_not_sent_again_until_it_lands() {
        let store = Store::default();
        store.replace(session("t", "r", 0));
        let heard = Arc::new(Mutex::new(Vec::new()));
        let Ok(Flight::Lead { epoch, .. }) = store.join_or_lead(recording(&heard)) else { panic!("no flight to lead") };
        // Until it lands, everyone joins it: nobody sends the token again.
        assert!(matches!(store.join_or_lead(recording(&heard)), Ok(Flight::Joined)));
        assert!(matches!(store.join_or_lead(recording(&heard)), Ok(Flight::Joined)));
        assert!(heard.lock().unwrap().is_empty());
        // A late answer is stored and heard by every waiter, once.
        store.land(epoch, Ok(session("late", "r-2", 1)), |c| assert!(matches!(c, Change::Stored(_, SessionEvent::Refreshed))));
        assert_eq!(store.current().unwrap().refresh_token.expose(), "r-2");
        assert_eq!(*heard.lock().unwrap(), vec![Ok("late".to_string()); 3]);
        assert!(matches!(store.join_or_lead(recording(&heard)), Ok(Flight::Lead { .. })));
    }

    #[test]
    fn without_a_session_the_waiter_comes_back_uncalled() {
        let store = Store::default();
        let heard = Arc::new(Mutex::new(Vec::new()));
        let Err((error, waiter)) = store.join_or_lead(recording(&heard)) else { panic!("led a refresh without a session") };
        assert_eq!(error.code, GG_NOT_SIGNED_IN);
        assert!(heard.lock().unwrap().is_empty());
        waiter(Err(error));
        assert_eq!(*heard.lock().unwrap(), vec![Err(GG_NOT_SIGNED_IN)]);
    }

    #[test]
    fn a_rejection_right_after_a_lost_answer_says_the_network_lost_the_session() {
        let store = Store::default();
        store.replace(session("t", "r", 0));
        let lost = store.refresh(|_| Err(Error::new(GG_TIMEOUT, "no answer")), |_| {});
        assert_eq!(lost.unwrap_err().code, GG_TIMEOUT);
        let rejected = store
            .refresh(|_| Err(Error::new(crate::error::GG_API_ERROR, "x").with_api_code(INVALID_REFRESH_TOKEN)), |_| {})
            .unwrap_err();
        assert_eq!(rejected.api_code, INVALID_REFRESH_TOKEN);
        assert!(rejected.message.contains("lost to the network"), "{}", rejected.message);
    }

    #[test]
    fn a_sign_in_during_a_refresh_is_not_overwritten() {
        let store = Store::default();
        store.replace(session("t", "r", 0));
        let result = store.refresh(
            |_| {
                store.replace(session("signed-in", "r-new", 9));
                Ok(session("refreshed", "r-2", 1))
            },
            |c| assert!(matches!(c, Change::Unchanged)),
        );
        assert!(result.is_ok());
        assert_eq!(store.current().unwrap().token.expose(), "signed-in");
    }
}
