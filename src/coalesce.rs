//! One write per request: ureq hands a request's head and its body to the socket separately,
//! so every POST left as two TCP segments (or two TLS records), and the server woke twice to
//! read it. This transport holds what ureq transmits until ureq waits for the answer, then
//! sends it in one go.

use ureq::unversioned::transport::{Buffers, ConnectionDetails, Connector, NextTimeout, Transport};
use ureq::Error;

/// Chained after ureq's connectors: wraps every connection it makes.
#[derive(Debug, Default)]
pub struct CoalescingConnector;

impl<In: Transport> Connector<In> for CoalescingConnector {
    type Out = CoalescingTransport<In>;

    fn connect(&self, _: &ConnectionDetails, chained: Option<In>) -> Result<Option<Self::Out>, Error> {
        Ok(chained.map(|inner| CoalescingTransport { inner, held: Vec::new() }))
    }
}

#[derive(Debug)]
pub struct CoalescingTransport<T> {
    inner: T,
    /// Output transmitted by ureq but not yet sent.
    held: Vec<u8>,
}

impl<T: Transport> CoalescingTransport<T> {
    /// Sends what is held, as one write of the inner transport.
    fn flush(&mut self, timeout: NextTimeout) -> Result<(), Error> {
        if self.held.is_empty() {
            return Ok(());
        }
        let len = self.held.len();
        self.inner.buffers().output()[..len].copy_from_slice(&self.held);
        self.held.clear();
        self.inner.transmit_output(len, timeout)
    }
}

impl<T: Transport> Transport for CoalescingTransport<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), Error> {
        let capacity = self.inner.buffers().output().len();
        if self.held.len() + amount > capacity {
            // A large body: what is held goes first, then the new output directly (ureq wrote
            // it at the start of the output buffer, which `flush` would overwrite).
            let new: Vec<u8> = self.inner.buffers().output()[..amount].to_vec();
            self.flush(timeout)?;
            self.inner.buffers().output()[..amount].copy_from_slice(&new);
            return self.inner.transmit_output(amount, timeout);
        }
        let output = &self.inner.buffers().output()[..amount];
        self.held.extend_from_slice(output);
        Ok(())
    }

    fn maybe_await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        self.flush(timeout)?;
        self.inner.maybe_await_input(timeout)
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        self.flush(timeout)?;
        self.inner.await_input(timeout)
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ureq::unversioned::transport::time::Duration;
    use ureq::unversioned::transport::LazyBuffers;

    /// A transport that records each write it is asked to make.
    #[derive(Debug)]
    struct Recorder {
        buffers: LazyBuffers,
        writes: Vec<Vec<u8>>,
    }

    impl Transport for Recorder {
        fn buffers(&mut self) -> &mut dyn Buffers {
            &mut self.buffers
        }
        fn transmit_output(&mut self, amount: usize, _: NextTimeout) -> Result<(), Error> {
            self.writes.push(self.buffers.output()[..amount].to_vec());
            Ok(())
        }
        fn await_input(&mut self, _: NextTimeout) -> Result<bool, Error> {
            Ok(false)
        }
        fn is_open(&mut self) -> bool {
            true
        }
    }

    fn timeout() -> NextTimeout {
        NextTimeout {
            after: Duration::from(std::time::Duration::from_secs(5)),
            reason: ureq::Timeout::Global,
            per_read: None,
            per_write: None,
        }
    }

    fn write(t: &mut CoalescingTransport<Recorder>, bytes: &[u8]) {
        t.buffers().output()[..bytes.len()].copy_from_slice(bytes);
        t.transmit_output(bytes.len(), timeout()).unwrap();
    }

    #[test]
    fn head_and_body_leave_in_one_write_when_the_answer_is_awaited() {
        let mut t = CoalescingTransport { inner: Recorder { buffers: LazyBuffers::new(1024, 64), writes: vec![] }, held: vec![] };
        write(&mut t, b"POST / HTTP/1.1\r\n\r\n");
        write(&mut t, b"{\"user_id\":1}");
        assert!(t.inner.writes.is_empty(), "nothing is sent before the answer is awaited");
        t.await_input(timeout()).unwrap();
        assert_eq!(t.inner.writes, vec![b"POST / HTTP/1.1\r\n\r\n{\"user_id\":1}".to_vec()]);
    }

    #[test]
    fn output_larger_than_the_buffer_is_sent_in_order() {
        let mut t = CoalescingTransport { inner: Recorder { buffers: LazyBuffers::new(1024, 64), writes: vec![] }, held: vec![] };
        write(&mut t, &[b'h'; 40]);
        write(&mut t, &[b'b'; 60]); // 40 + 60 > 64: the head goes first, then the body
        t.await_input(timeout()).unwrap();
        assert_eq!(t.inner.writes, vec![vec![b'h'; 40], vec![b'b'; 60]]);
    }
}
