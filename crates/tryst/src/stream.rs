//! A blocking adapter: a connection plus any `Read + Write` transport, itself `Read + Write`.

use std::io::{self, Read, Write};

use crate::conn::ConnectionCommon;

/// Drives `conn` over `sock` on demand: reads run the handshake first, writes flush.
pub struct Stream<'a, C, T>
where
    C: core::ops::DerefMut<Target = ConnectionCommon>,
    T: Read + Write,
{
    /// The TLS connection.
    pub conn: &'a mut C,
    /// The transport.
    pub sock: &'a mut T,
}

impl<'a, C, T> Stream<'a, C, T>
where
    C: core::ops::DerefMut<Target = ConnectionCommon>,
    T: Read + Write,
{
    /// Wrap `conn` and `sock`.
    pub fn new(conn: &'a mut C, sock: &'a mut T) -> Self {
        Stream { conn, sock }
    }

    /// Run the handshake to completion (or failure), flushing what we must send.
    pub fn complete_handshake(&mut self) -> io::Result<()> {
        while self.conn.is_handshaking() {
            self.flush_tls()?;
            self.read_some()?;
        }
        self.flush_tls()
    }

    fn flush_tls(&mut self) -> io::Result<()> {
        while self.conn.wants_write() {
            self.conn.write_tls(self.sock)?;
        }
        self.sock.flush()
    }

    /// One read from the transport and processing of what came. Returns false at EOF.
    fn read_some(&mut self) -> io::Result<bool> {
        let n = self.conn.read_tls(self.sock)?;
        if n == 0 && self.conn.is_handshaking() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "peer closed the connection during the handshake",
            ));
        }
        let result = self.conn.process_new_packets();
        // Whatever happened, send what the connection queued (answers, alerts).
        let flushed = self.flush_tls();
        result.map_err(io::Error::other)?;
        flushed?;
        Ok(n > 0)
    }

    /// Send close_notify and flush it.
    pub fn close(&mut self) -> io::Result<()> {
        self.conn.send_close_notify();
        self.flush_tls()
    }
}

impl<C, T> Read for Stream<'_, C, T>
where
    C: core::ops::DerefMut<Target = ConnectionCommon>,
    T: Read + Write,
{
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.complete_handshake()?;
        loop {
            match self.conn.reader().read(buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.read_some()?;
                }
                other => return other,
            }
        }
    }
}

impl<C, T> Write for Stream<'_, C, T>
where
    C: core::ops::DerefMut<Target = ConnectionCommon>,
    T: Read + Write,
{
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.complete_handshake()?;
        let n = self.conn.writer().write(buf)?;
        self.flush_tls()?;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flush_tls()
    }
}
