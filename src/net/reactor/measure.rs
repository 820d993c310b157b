//! What an exchange's metrics are made of (`engine::metrics`), taken at the points where the
//! loop already is: the lookup, the connect, the TLS handshake, the request written, the first
//! byte of the answer. Only when the client has a metrics callback: otherwise each hook is one
//! branch, with no clock read and no allocation.

use super::*;
use crate::engine::metrics::ExchangeMetrics;

/// An exchange's numbers while it runs.
#[derive(Default)]
pub(super) struct Measuring {
    pub metrics: ExchangeMetrics,
    /// Waiting for the host name since then (`None`: no lookup for this attempt).
    lookup_started: Option<Instant>,
    /// The last attempt's request went on its connection then, and was fully written then.
    assigned: Option<Instant>,
    written: Option<Instant>,
    first_byte_seen: bool,
}

/// A connection's clock: when it started connecting and when it was up.
#[derive(Clone, Copy)]
pub(super) struct SlotClock {
    pub connect_started: Instant,
    pub connected: Option<Instant>,
    pub tls_done: bool,
}

impl Measuring {
    pub fn new(label: &str) -> Box<Measuring> {
        let (method, path) = label.split_once(' ').unwrap_or((label, ""));
        Box::new(Measuring { metrics: ExchangeMetrics { method: method.to_string(), path: path.to_string(), ..Default::default() }, ..Default::default() })
    }
}

impl Reactor {
    /// Exchange `id`'s numbers; without a metrics callback, no lookup at all (a hot path).
    fn measuring(&mut self, id: u64) -> Option<&mut Measuring> {
        if !self.settings.measure {
            return None;
        }
        self.exchanges.get_mut(&id).and_then(|live| live.measuring.as_deref_mut())
    }

    /// Exchange `id` waits for the service's addresses.
    pub(super) fn note_lookup_started(&mut self, id: u64) {
        if let Some(m) = self.measuring(id) {
            m.lookup_started.get_or_insert_with(Instant::now);
        }
    }

    /// Exchange `id` goes on connection `index` (a fresh one just connected, or a pooled one):
    /// one more attempt, whose connection numbers are this connection's.
    pub(super) fn note_attempt(&mut self, index: usize, id: u64, reused: bool, request_bytes: usize) {
        let clock = match self.slots.get(index) {
            Some(Some(slot)) => slot.clock,
            _ => None,
        };
        let Some(m) = self.measuring(id) else { return };
        let now = Instant::now();
        m.metrics.attempts += 1;
        m.metrics.connection_reused = reused;
        m.metrics.bytes_sent += request_bytes as u64;
        m.assigned = Some(now);
        m.written = None;
        m.first_byte_seen = false;
        m.metrics.first_byte = Duration::ZERO;
        m.metrics.tls = Duration::ZERO;
        if reused {
            m.metrics.dns = Duration::ZERO;
            m.metrics.connect = Duration::ZERO;
            return;
        }
        m.metrics.dns = m.lookup_started.take().map(|at| clock.map_or(now, |c| c.connect_started).saturating_duration_since(at)).unwrap_or_default();
        if let Some(clock) = clock {
            m.metrics.connect = clock.connected.unwrap_or(now).saturating_duration_since(clock.connect_started);
        }
    }

    /// After connection `index` of exchange `id` wrote or read: the TLS handshake's end, the
    /// request fully written, the answer's first byte, and `received` more bytes of it.
    pub(super) fn note_progress(&mut self, index: usize, id: u64, received: usize) {
        if !self.settings.measure {
            return;
        }
        let Some(Some(slot)) = self.slots.get_mut(index) else { return };
        let handshaking = slot.connection.is_handshaking();
        let written = !handshaking && !slot.connection.wants_write() && slot.connection.request_sent;
        let first_byte = matches!(&slot.state, ConnState::Busy { reader, .. } if reader.started());
        let now = Instant::now();
        let mut tls = None;
        if let Some(clock) = slot.clock.as_mut() {
            if !clock.tls_done && !handshaking && self.settings.tls.is_some() {
                clock.tls_done = true;
                tls = clock.connected.map(|at| now.saturating_duration_since(at));
            }
        }
        let Some(m) = self.measuring(id) else { return };
        m.metrics.bytes_received += received as u64;
        if let Some(tls) = tls {
            m.metrics.tls = tls;
        }
        if written && m.written.is_none() {
            m.written = Some(now);
        }
        if first_byte && !m.first_byte_seen {
            m.first_byte_seen = true;
            let from = m.written.or(m.assigned).unwrap_or(now);
            m.metrics.first_byte = now.saturating_duration_since(from);
        }
    }

    /// The last attempt's answer came with `status`.
    pub(super) fn note_status(&mut self, id: u64, status: u16) {
        if let Some(m) = self.measuring(id) {
            m.metrics.http_status = i32::from(status);
        }
    }
}
