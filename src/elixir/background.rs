//! Opt-in background refresh: keeps a long-running game's access token fresh with no call.
//! An alarm on the client's I/O thread, set again after every session change, rings when
//! the token nears expiry and leads (or joins) the same single-flight refresh an authorized
//! call would, so listeners fire in dispatch context. No thread of its own.

use super::Service;
use crate::http::Aborter;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Longest wait between looks at the token: the monotonic clock alarms run on stops while a
/// device sleeps, so a long wait could ring after the token had expired.
const LONGEST_WAIT: Duration = Duration::from_secs(30);
/// After a failed background refresh, wait this long before trying again.
const RETRY_AFTER: Duration = Duration::from_secs(10);
/// Right after a refresh, never less than this before the next: a token that arrives
/// already due must not turn into a refresh loop.
const SHORTEST_GAP: Duration = Duration::from_secs(1);

/// The background refresh's alarm and what the last one led to.
#[derive(Default)]
pub struct Schedule {
    alarm: Mutex<Option<Aborter>>,
    last_failed: AtomicBool,
}

/// What the background refresh does next.
#[derive(Debug, PartialEq, Eq)]
enum Next {
    RefreshNow,
    Wait(Duration),
    /// No session: nothing until one arrives (a session change plans again).
    Idle,
}

/// `due_in_ms`: time until the token should be refreshed (`None`: no session);
/// `last_failed`: the previous background refresh failed, so wait longer before the next.
fn plan(due_in_ms: Option<i64>, last_failed: bool) -> Next {
    if last_failed {
        return Next::Wait(RETRY_AFTER);
    }
    match due_in_ms {
        None => Next::Idle,
        Some(ms) if ms > 0 => Next::Wait(Duration::from_millis(ms.unsigned_abs()).min(LONGEST_WAIT)),
        Some(_) => Next::RefreshNow,
    }
}

impl Service {
    /// Milliseconds until the token should be refreshed (<= 0: now), or `None` when there is
    /// no session. Tokens that live shorter than twice the margin are refreshed at half-life,
    /// so a short life never turns into a refresh loop.
    fn background_refresh_due_in_ms(&self) -> Option<i64> {
        let session = self.store.current()?;
        if session.token.is_empty() {
            return Some(0); // restored from a refresh token only
        }
        let lead = self.refresh_margin_ms.min(session.token_life_ms / 2).max(0);
        Some(session.token_expiry_ms.saturating_sub(lead).saturating_sub(super::now_ms()))
    }

    /// Sets the background refresh's alarm from the session as it is now (replacing the
    /// previous one). `just_refreshed`: called from a background refresh's landing.
    pub(super) fn reschedule_background(&self, just_refreshed: bool) {
        let Some(schedule) = &self.background else { return };
        let next = plan(self.background_refresh_due_in_ms(), schedule.last_failed.swap(false, Ordering::AcqRel));
        let wait = match next {
            Next::Idle => None,
            Next::RefreshNow if just_refreshed => Some(SHORTEST_GAP),
            Next::RefreshNow => Some(Duration::ZERO),
            Next::Wait(wait) => Some(wait),
        };
        let alarm = wait.map(|wait| {
            let me = self.me.clone();
            self.http.at(Instant::now() + wait, Box::new(move || {
                if let Some(service) = me.upgrade() {
                    service.background_alarm();
                }
            }))
        });
        let replaced = std::mem::replace(&mut *schedule.alarm.lock().unwrap_or_else(|p| p.into_inner()), alarm);
        if let Some(replaced) = replaced {
            replaced.abort();
        }
    }

    /// The alarm rang: refresh if the token is due, or look again later (a capped wait).
    /// Offline, nothing: the network's return plans again (`app_life`).
    fn background_alarm(&self) {
        if crate::app_life::offline() {
            return;
        }
        if plan(self.background_refresh_due_in_ms(), false) != Next::RefreshNow {
            self.reschedule_background(false);
            return;
        }
        let me = self.me.clone();
        self.join_refresh(
            None,
            Box::new(move |landed| {
                let Some(service) = me.upgrade() else { return };
                if let Err(e) = &landed {
                    crate::gg_log!(crate::log::GG_LOG_WARN, "background refresh failed: {}", e);
                    if let Some(schedule) = &service.background {
                        schedule.last_failed.store(true, Ordering::Release);
                    }
                }
                service.reschedule_background(true);
            }),
        );
    }
}

/// Back in the foreground, or on a network change, the token is looked at again at once: the
/// alarm's clock may have stood still while the device slept.
impl crate::app_life::LifeListener for Service {
    fn life_changed(&self, _change: crate::app_life::LifeChange) {
        self.reschedule_background(false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refreshes_when_due_waits_until_due_and_backs_off_after_a_failure() {
        assert_eq!(plan(Some(0), false), Next::RefreshNow);
        assert_eq!(plan(Some(-5_000), false), Next::RefreshNow);
        assert_eq!(plan(Some(300), false), Next::Wait(Duration::from_millis(300)));
        assert_eq!(plan(Some(3_600_000), false), Next::Wait(LONGEST_WAIT));
        assert_eq!(plan(None, false), Next::Idle);
        assert_eq!(plan(Some(-5_000), true), Next::Wait(RETRY_AFTER));
    }
}
