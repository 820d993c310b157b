//! Preparing the next call (`*_client_prepare`): one connection to the service resolved,
//! connected and through its TLS handshake before any request needs it, then pooled like any
//! other (the idle limit included). A request that comes while it warms waits for it up to
//! the Happy Eyeballs delay, then opens its own.

use super::*;

impl Reactor {
    /// Warms one connection unless one is idle or warming already, the in-flight limit is
    /// reached, the device is offline, or a proxy stands between (its tunnel belongs to a request).
    pub(super) fn prepare(&mut self) {
        self.prepare_pending = false;
        let busy = !self.idle.is_empty() || self.warming > 0 || self.open_connections >= self.settings.max_in_flight;
        if busy || crate::app_life::offline() || self.settings.proxy.is_some() {
            return;
        }
        let addresses = match self.fresh_addresses() {
            Some(Ok(addresses)) => addresses,
            Some(Err(_)) => return,
            None => {
                self.prepare_pending = true;
                self.look_up_addresses();
                return;
            }
        };
        let Some(&address) = in_connect_order(addresses).first() else { return };
        match Connection::open(address, self.settings.tls.as_ref(), None) {
            Ok(connection) => {
                let index = self.insert_slot(connection, ConnState::Warming { connected: false });
                self.warming += 1;
                self.warming_since = Some(Instant::now());
                crate::gg_log!(crate::log::GG_LOG_DEBUG, "preparing a connection to the service (slot {index})");
            }
            Err(error) => crate::gg_log!(crate::log::GG_LOG_DEBUG, "could not prepare a connection: {}", error.message),
        }
    }

    /// A readiness event on warming connection `index`: connect, then the TLS handshake, then
    /// into the pool.
    pub(super) fn warm(&mut self, index: usize) {
        let Some(Some(slot)) = self.slots.get_mut(index) else { return };
        let ConnState::Warming { connected } = &mut slot.state else { return };
        if !*connected {
            match slot.connection.check_connected() {
                Ok(false) => return,
                Ok(true) => *connected = true,
                Err(error) => return self.warm_failed(index, error),
            }
        }
        // TLS: the ClientHello goes out with the first flush; answers are read as they come.
        let progress = slot.connection.flush().and_then(|()| {
            let mut unexpected = false;
            let read = slot.connection.read(&mut self.read_buffer, &mut |_| {
                unexpected = true; // no request yet: the server has nothing to say
                Ok(())
            });
            match read {
                Ok(ReadEnd::WouldBlock) if !unexpected => Ok(()),
                Ok(_) | Err(_) if unexpected => Err(Error::new(GG_NETWORK, "the server spoke before any request")),
                Ok(_) => Err(Error::new(GG_NETWORK, "the server closed the prepared connection")),
                Err(error) => Err(error),
            }
        });
        if let Err(error) = progress {
            return self.warm_failed(index, error);
        }
        if slot.connection.is_handshaking() {
            self.update_interest(index);
            return;
        }
        slot.state = ConnState::Idle;
        slot.idle_since = Instant::now();
        self.warming -= 1;
        self.idle.push(index);
        self.update_interest(index);
        crate::gg_log!(crate::log::GG_LOG_DEBUG, "a prepared connection is ready");
        self.serve_queue();
    }

    fn warm_failed(&mut self, index: usize, error: Error) {
        crate::gg_log!(crate::log::GG_LOG_DEBUG, "the prepared connection failed: {}", error.message);
        self.close_slot(index);
        self.serve_queue();
    }

    /// Whether exchange `id`, finding no idle connection, waits for the one warming: only
    /// within the Happy Eyeballs delay of its start, and only as many as are warming.
    pub(super) fn waits_for_warm(&mut self, id: u64, waiting_before: usize) -> bool {
        let Some(since) = self.warming_since else { return false };
        if self.warming == 0 || waiting_before >= self.warming {
            return false;
        }
        let until = since + CONNECT_FALLBACK_DELAY;
        if Instant::now() >= until {
            return false;
        }
        self.start_clock(id);
        if let Some(live) = self.exchanges.get_mut(&id) {
            if live.fallback_at.is_none() {
                live.fallback_at = Some(until);
                self.timers.insert((until, id));
            }
        }
        true
    }
}
