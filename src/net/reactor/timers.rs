//! Time on the I/O thread: deadlines that fail an exchange, retry backoffs that send it again,
//! Happy Eyeballs fallbacks, and alarms (a flow's next step, a waiter's deadline).

use super::*;

impl Reactor {
    /// Schedules another attempt after a backoff when the request may be repeated, attempts
    /// are left and the backoff ends before the deadline. Returns whether it did.
    pub(super) fn retry_later(&mut self, id: u64, outcome: &Result<Response, Error>) -> bool {
        let max_retries = self.settings.max_retries;
        let base = self.settings.retry_base_delay;
        let Some(live) = self.exchanges.get_mut(&id) else { return false };
        if live.exchange.retry == Retry::Never || live.attempt >= max_retries || !is_transient(outcome) {
            return false;
        }
        // The server's Retry-After is a floor under the backoff, never a shortcut.
        let asked = outcome.as_ref().ok().and_then(|response| response.retry_after);
        let delay = backoff_delay(base, live.attempt).max(asked.unwrap_or_default());
        let until = Instant::now() + delay;
        if live.deadline.is_some_and(|deadline| until >= deadline) {
            return false; // no time left for another attempt: the answer stands
        }
        live.attempt += 1;
        crate::gg_log!(
            crate::log::GG_LOG_DEBUG,
            "{}: transient failure ({}), retry {} of {} in {} ms",
            live.exchange.label,
            match outcome {
                Ok(r) => format!("HTTP {}", r.status),
                Err(e) => crate::error::result_name(e.code).to_string(),
            },
            live.attempt,
            max_retries,
            delay.as_millis()
        );
        live.stage = Stage::Backoff(until);
        self.timers.insert((until, id));
        true
    }

    /// Runs the alarms that are due. One set while these run waits for the next round (it
    /// comes through the inbox), so alarms that set alarms cannot keep this loop going.
    pub(super) fn ring_alarms(&mut self) {
        let now = Instant::now();
        while let Some(entry) = self.alarms.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let ((_, id), alarm) = entry.remove_entry();
            self.alarm_times.remove(&id);
            if catch_unwind(AssertUnwindSafe(alarm)).is_err() {
                crate::gg_log!(crate::log::GG_LOG_ERROR, "an I/O-thread alarm panicked; the panic was contained");
            }
        }
    }

    /// Deadlines that passed fail their exchange; backoffs that ended send it again.
    pub(super) fn fire_timers(&mut self) {
        let now = Instant::now();
        while let Some(&(at, id)) = self.timers.first() {
            if at > now {
                break;
            }
            self.timers.pop_first();
            let Some(live) = self.exchanges.get_mut(&id) else { continue };
            if live.deadline.is_some_and(|deadline| now >= deadline) {
                let proxied = self.settings.proxy.is_some();
                let message = match live.stage {
                    Stage::Queued if self.looking_up && proxied => "the HTTP proxy's host name was not resolved within the request timeout",
                    Stage::Queued if self.looking_up => "the service's host name was not resolved within the request timeout",
                    Stage::Connecting(_) if proxied => "the HTTP proxy could not be reached, or did not open the tunnel, within the request timeout",
                    Stage::Connecting(_) => "the service could not be reached within the request timeout",
                    _ => "the request timed out",
                };
                self.finish(id, Err(Error::new(GG_TIMEOUT, message)));
                self.serve_queue();
            } else if matches!(live.stage, Stage::Queued) && live.fallback_at.is_some_and(|at| now >= at) {
                // Waited for a prepared connection long enough: it takes its own now.
                live.fallback_at = None;
                self.warming_since = None;
                self.serve_queue();
            } else if live.fallback_at.is_some_and(|at| now >= at) {
                live.fallback_at = None;
                // Another address beside the pending connect; if none opens, those still
                // pending carry on.
                let _ = self.start_racer(id);
            } else if let Stage::Backoff(until) = live.stage {
                if now >= until {
                    live.stage = Stage::Queued;
                    self.queue.push_back(id);
                    self.serve_queue();
                }
            }
        }
    }
}
