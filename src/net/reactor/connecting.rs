//! How an exchange gets a connection: the service's addresses (looked up off the I/O thread,
//! remembered for a while), Happy Eyeballs (RFC 8305: a connect still pending after 250 ms
//! gets the next address started beside it, the first up wins) and, through an HTTP proxy,
//! the CONNECT tunnel opened before the request goes out.

use super::*;

impl Reactor {
    pub(super) fn fresh_addresses(&self) -> Option<Result<Vec<SocketAddr>, Error>> {
        match &self.addresses {
            Some((list, None)) => Some(list.clone()),
            Some((list, Some(until))) if Instant::now() < *until => Some(list.clone()),
            _ => None,
        }
    }

    /// `getaddrinfo` blocks, so it runs on a short-lived thread of its own, once a minute
    /// at most, and reports back through the inbox.
    pub(super) fn look_up_addresses(&mut self) {
        if self.looking_up {
            return;
        }
        self.looking_up = true;
        let inbox = self.inbox.clone();
        let host = self.settings.host.clone();
        let port = self.settings.port;
        let resolver = self.settings.resolver.clone();
        let live = LiveGuard::thread(); // counted from the spawn (see ReactorHandle::spawn)
        let spawned = thread::Builder::new().name("gamegate-dns".into()).spawn(move || {
            let _live = live;
            inbox.post(Command::Addresses(resolver.resolve(&host, port)));
        });
        if spawned.is_err() {
            self.looking_up = false;
            self.fail_queued(Error::internal("could not start a thread to look up the host name"));
        }
    }

    /// Starts connecting for exchange `id`: the first address now, the next ones beside it
    /// while it is still pending (Happy Eyeballs); the request is sent on the first one up.
    pub(super) fn connect(&mut self, addresses: Vec<SocketAddr>, id: u64) {
        self.start_clock(id);
        let Some(live) = self.exchanges.get_mut(&id) else { return };
        live.untried = in_connect_order(addresses);
        live.untried.reverse(); // popped from the end
        live.stage = Stage::Connecting(Vec::new());
        if let Err(error) = self.start_racer(id) {
            self.attempt_failed(id, error);
        }
    }

    /// Opens a connection to the next untried address of exchange `id`, beside any already
    /// connecting for it, and schedules the one after. Fails when no address is left to try.
    pub(super) fn start_racer(&mut self, id: u64) -> Result<(), Error> {
        let mut last_error = Error::new(GG_NETWORK, "could not connect to any of the service's addresses");
        loop {
            let Some(live) = self.exchanges.get_mut(&id) else { return Ok(()) };
            if let Some(at) = live.fallback_at.take() {
                self.timers.remove(&(at, id));
            }
            let Some(address) = live.untried.pop() else { return Err(last_error) };
            let connect_request = self.settings.proxy.as_ref().and_then(Option::as_ref);
            match Connection::open(address, self.settings.tls.as_ref(), connect_request) {
                Ok(connection) => {
                    let index = self.insert_connecting(connection, id);
                    let Some(live) = self.exchanges.get_mut(&id) else { return Ok(()) };
                    if let Stage::Connecting(racers) = &mut live.stage {
                        racers.push(index);
                    }
                    if !live.untried.is_empty() {
                        let at = Instant::now() + CONNECT_FALLBACK_DELAY;
                        live.fallback_at = Some(at);
                        self.timers.insert((at, id));
                    }
                    return Ok(());
                }
                Err(error) => last_error = self.through_proxy(error),
            }
        }
    }

    /// A connect failure names the proxy when there is one: that is where the game must look.
    pub(super) fn through_proxy(&self, error: Error) -> Error {
        match self.settings.proxy {
            Some(_) => Error { message: format!("could not reach the HTTP proxy: {}", error.message), ..error },
            None => error,
        }
    }

    /// Connection `index` is up: it carries exchange `id`, and the others racing for it close.
    pub(super) fn won_race(&mut self, index: usize, id: u64) {
        let Some(live) = self.exchanges.get_mut(&id) else { return };
        let racers = match &mut live.stage {
            Stage::Connecting(racers) => std::mem::take(racers),
            _ => Vec::new(),
        };
        live.untried.clear();
        if let Some(at) = live.fallback_at.take() {
            self.timers.remove(&(at, id));
        }
        for other in racers.into_iter().filter(|&other| other != index) {
            self.close_slot(other);
        }
        let Some(Some(slot)) = self.slots.get_mut(index) else { return };
        if let Some(clock) = slot.clock.as_mut() {
            clock.connected = Some(Instant::now());
        }
        if slot.connection.tunnelling() {
            slot.state = ConnState::Tunnelling { exchange: id };
            if let Some(live) = self.exchanges.get_mut(&id) {
                live.stage = Stage::Connecting(vec![index]);
            }
            self.advance_tunnel(index, id);
            return;
        }
        slot.state = ConnState::Idle;
        self.assign(index, id);
    }

    /// Connection `index` talks to the proxy for exchange `id`: once the tunnel is open the
    /// request goes out through it (TLS first); a refusal fails the attempt.
    pub(super) fn advance_tunnel(&mut self, index: usize, id: u64) {
        let Some(Some(slot)) = self.slots.get_mut(index) else { return };
        match slot.connection.advance_tunnel(&mut self.read_buffer) {
            Ok(false) => self.update_interest(index),
            Ok(true) => {
                crate::gg_log!(crate::log::GG_LOG_DEBUG, "the HTTP proxy opened a tunnel to the service");
                slot.state = ConnState::Idle;
                self.assign(index, id);
            }
            Err(error) => self.connection_failed(index, error),
        }
    }

    /// Connection `index`, connecting for exchange `id`, failed: the next address starts at
    /// once (RFC 8305); the attempt fails only when nothing is left trying.
    pub(super) fn racer_failed(&mut self, index: usize, id: u64, mut error: Error) {
        self.close_slot(index);
        let Some(live) = self.exchanges.get_mut(&id) else { return };
        let Stage::Connecting(racers) = &mut live.stage else { return };
        racers.retain(|&racer| racer != index);
        let others_trying = !racers.is_empty();
        if !live.untried.is_empty() {
            match self.start_racer(id) {
                Ok(()) => return,
                Err(last) => error = last,
            }
        }
        if !others_trying {
            self.attempt_failed(id, error);
        }
    }

    /// Takes a connection that is connecting for exchange `id` into a free slot, watched for
    /// both directions: writability says the connect finished (`update_interest` narrows it
    /// to reading once the request is out).
    pub(super) fn insert_connecting(&mut self, connection: Connection, id: u64) -> usize {
        self.insert_slot(connection, ConnState::Connecting { exchange: id })
    }

    /// Takes a connection that is connecting into a free slot (see `insert_connecting`).
    pub(super) fn insert_slot(&mut self, mut connection: Connection, state: ConnState) -> usize {
        self.open_connections += 1;
        crate::engine::stats::connection_opened();
        let index = self.free_slots.pop().unwrap_or_else(|| {
            self.slots.push(None);
            self.slots.len() - 1
        });
        let interest = Interest::READABLE | Interest::WRITABLE;
        if let Err(e) = self.poll.registry().register(&mut connection.socket, Token(index), interest) {
            crate::gg_log!(crate::log::GG_LOG_ERROR, "could not watch a connection: {e}");
        }
        let clock = self.settings.measure.then(|| measure::SlotClock { connect_started: Instant::now(), connected: None, tls_done: false });
        self.slots[index] = Some(Slot { connection, state, interest, one_shot: OneShot::default(), rearm: true, reused: false, idle_since: Instant::now(), clock });
        index
    }
}
