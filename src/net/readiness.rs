//! Readiness the way Windows reports it, enforced on every platform in debug builds.
//!
//! mio's rule: once a socket is reported ready, read (or write) until the operation returns
//! `WouldBlock`, and watch for writability only while there is something to write. On Windows
//! (IOCP/AFD) the rule is literal: a direction that was reported is disarmed until an
//! operation on the socket returns `WouldBlock`, which re-arms every registered direction,
//! and a socket that is still ready then reports again at once. Linux's epoll forgives both
//! mistakes (it reports new data whether or not the last read drained the socket, and a
//! writable socket only once), so breaking the rule would go unnoticed in tests here and hang
//! a game on Windows.
//!
//! Debug builds on Unix therefore pass epoll's events through the same one-shot rule
//! (`OneShot`): every test on Linux then fails the way Windows would. Release builds trust
//! epoll and kqueue as they are.

use mio::Interest;

/// Whether the I/O thread filters readiness through `OneShot`.
pub(crate) const ONE_SHOT_CHECKED: bool = cfg!(all(unix, debug_assertions));

/// The directions an event reports, or a connection is armed for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Directions {
    pub readable: bool,
    pub writable: bool,
}

impl Directions {
    pub fn of(interest: Interest) -> Directions {
        Directions { readable: interest.is_readable(), writable: interest.is_writable() }
    }

    /// What a poller's event says; errors and hang-ups wake both directions, as on Windows.
    pub fn of_event(event: &mio::event::Event) -> Directions {
        let broken = event.is_error() || event.is_read_closed() || event.is_write_closed();
        Directions { readable: event.is_readable() || broken, writable: event.is_writable() || broken }
    }

    fn any(self) -> bool {
        self.readable || self.writable
    }
}

/// One connection's armed directions under the one-shot rule.
#[derive(Debug, Default)]
pub(crate) struct OneShot {
    armed: Directions,
}

impl OneShot {
    /// An event from the poller: whether it reaches the I/O thread. The directions it
    /// reports are disarmed until the next `rearm`.
    pub fn admit(&mut self, reported: Directions) -> bool {
        let delivered = Directions {
            readable: reported.readable && self.armed.readable,
            writable: reported.writable && self.armed.writable,
        };
        self.armed.readable &= !delivered.readable;
        self.armed.writable &= !delivered.writable;
        delivered.any()
    }

    /// An operation returned `WouldBlock`, or the socket was (re)registered: every direction
    /// of `interest` is armed again, and if the socket is ready for one of them now it reports
    /// at once, as a fresh AFD poll does. Returns whether it did (the caller then treats the
    /// connection as ready).
    pub fn rearm(&mut self, interest: Interest, socket: &mio::net::TcpStream) -> bool {
        self.armed = Directions::of(interest);
        let ready = ready_now(self.armed, socket);
        self.admit(ready)
    }
}

/// Which of `wanted` the socket is ready for at this moment (a poll with no wait).
#[cfg(unix)]
fn ready_now(wanted: Directions, socket: &mio::net::TcpStream) -> Directions {
    use std::os::unix::io::AsRawFd;
    let mut events = 0;
    if wanted.readable {
        events |= libc::POLLIN;
    }
    if wanted.writable {
        events |= libc::POLLOUT;
    }
    let mut fd = libc::pollfd { fd: socket.as_raw_fd(), events, revents: 0 };
    // SAFETY: one valid pollfd, no wait.
    let n = unsafe { libc::poll(&mut fd, 1, 0) };
    if n <= 0 {
        return Directions::default();
    }
    let broken = fd.revents & (libc::POLLERR | libc::POLLHUP) != 0;
    Directions {
        readable: wanted.readable && (fd.revents & libc::POLLIN != 0 || broken),
        writable: wanted.writable && (fd.revents & libc::POLLOUT != 0 || broken),
    }
}

#[cfg(not(unix))]
fn ready_now(_: Directions, _: &mio::net::TcpStream) -> Directions {
    Directions::default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reported_direction_stays_disarmed_until_rearmed() {
        let mut one_shot = OneShot { armed: Directions { readable: true, writable: true } };
        let readable = Directions { readable: true, writable: false };
        assert!(one_shot.admit(readable));
        assert!(!one_shot.admit(readable), "a second read edge before WouldBlock is not reported");
        assert!(one_shot.admit(Directions { readable: false, writable: true }), "the other direction is still armed");
        assert!(!one_shot.admit(Directions { readable: true, writable: true }));
    }
}
