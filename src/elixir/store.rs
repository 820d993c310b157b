//! The session a client holds, and the single-flight refresh that guards it: concurrent
//! callers share one refresh, so a (rotating) refresh token is never sent twice.

use super::session::Session;
use crate::error::{Error, GG_NOT_SIGNED_IN};
use crate::secret::Secret;
use std::sync::{Condvar, Mutex, MutexGuard};

pub(crate) const INVALID_REFRESH_TOKEN: &str = "INVALID_REFRESH_TOKEN";

/// What a refresh did to the stored session, for the caller to announce.
pub enum Change {
    Stored(Session),
    Cleared,
    Unchanged,
}

#[derive(Default)]
struct State {
    session: Option<Session>,
    refreshing: bool,
    /// Bumped by every completed refresh; waiters watch it.
    refreshes_done: u64,
    last_refresh: Option<Result<Session, Error>>,
    /// Bumped whenever the session is replaced or cleared from outside a refresh, so a refresh
    /// that started before a new sign-in never overwrites it.
    epoch: u64,
}

#[derive(Default)]
pub struct Store {
    state: Mutex<State>,
    refreshed: Condvar,
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

    /// Refreshes with the stored refresh token, or joins the refresh already running and gets
    /// its result. `exchange` performs the HTTP call; `on_change` announces the outcome and is
    /// called only by the caller that performed the exchange.
    pub fn refresh(
        &self,
        exchange: impl FnOnce(&Secret) -> Result<Session, Error>,
        on_change: impl FnOnce(Change),
    ) -> Result<Session, Error> {
        let mut state = self.lock();
        if state.refreshing {
            let seen = state.refreshes_done;
            while state.refreshes_done == seen {
                state = self.refreshed.wait(state).unwrap_or_else(|p| p.into_inner());
            }
            return state.last_refresh.clone().unwrap_or_else(|| Err(not_signed_in()));
        }
        let Some(refresh_token) = state.session.as_ref().map(|s| s.refresh_token.clone()) else {
            return Err(not_signed_in());
        };
        state.refreshing = true;
        let epoch = state.epoch;
        drop(state);

        // A panic must still end the flight, or every later caller would wait forever.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| exchange(&refresh_token)))
            .unwrap_or_else(|_| Err(Error::internal("GameGate panicked while refreshing the session; please report this")));

        let mut state = self.lock();
        let still_ours = state.epoch == epoch;
        let change = match &result {
            Ok(session) if still_ours => {
                state.session = Some(session.clone());
                Change::Stored(session.clone())
            }
            Err(e) if still_ours && e.api_code == INVALID_REFRESH_TOKEN => {
                state.session = None;
                state.epoch += 1;
                Change::Cleared
            }
            _ => Change::Unchanged,
        };
        state.refreshing = false;
        state.refreshes_done += 1;
        state.last_refresh = Some(result.clone());
        drop(state);
        on_change(change);
        self.refreshed.notify_all();
        result
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
                |c| cleared = matches!(c, Change::Cleared),
            )
            .unwrap_err();
        assert_eq!(err.api_code, INVALID_REFRESH_TOKEN);
        assert!(cleared);
        assert!(store.current().is_none());
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
