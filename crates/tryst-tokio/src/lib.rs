//! `tryst-tokio`: TLS 1.3 for tokio, over the sans-IO connections of [`tryst`].
//!
//! What it is: a [`TlsConnector`] and a [`TlsAcceptor`], built from an
//! `Arc<ClientConfig>` / `Arc<ServerConfig>`, that run the handshake over any transport
//! implementing tokio's [`AsyncRead`] + [`AsyncWrite`] (a `TcpStream`, a `UnixStream`, an
//! in-memory `duplex`) and hand back a [`TlsStream`] that is itself `AsyncRead` +
//! `AsyncWrite`. The shape follows `tokio-rustls`, so code written against it ports by
//! changing the imports.
//!
//! What it is not: a runtime (it uses only tokio's I/O traits, so any tokio runtime
//! drives it), and not `no_std`: tokio's traits need `std`, so this crate is std-only and
//! turns on `tryst`'s `std` feature.
//!
//! How a stream behaves:
//! - **Reads** return plaintext as records arrive. The peer's close_notify is end of file
//!   (`Ok(())` with nothing read). A transport that ends without close_notify is an
//!   [`io::ErrorKind::UnexpectedEof`] error: the data may have been truncated by an
//!   attacker, so do not treat it as a clean end.
//! - **Writes** encrypt into the connection's buffer and push records to the transport
//!   as far as it accepts without waiting. When the buffer holds
//!   [`Limits::max_buffered_send`](tryst::Limits) bytes a write waits for the transport
//!   (backpressure); `flush` waits until everything is on the transport. Received data
//!   the application has not read is capped by `Limits::max_received_plaintext`: past it
//!   the stream stops reading the transport, so a fast peer cannot grow our memory.
//! - **`shutdown`** sends close_notify, flushes it, then shuts the transport's write
//!   half. Reading still works afterwards (half-close) until the peer's close_notify.
//!   Dropping a stream without `shutdown` sends no close_notify: the peer sees a
//!   truncation.
//! - KeyUpdate requests from the peer are answered as part of reading; call
//!   [`ConnectionCommon::refresh_traffic_keys`](tryst::ConnectionCommon::refresh_traffic_keys)
//!   through [`TlsStream::get_mut`] to rotate our own keys.
//! - Nothing spins: every poll either makes progress or returns `Pending` with the
//!   transport holding the waker.
//!
//! Errors are [`io::Error`]s (the traits require it). A protocol failure — a bad
//! certificate, an alert from the peer, a malformed record — is
//! [`io::ErrorKind::InvalidData`] carrying the [`tryst::Error`]; [`tls_error`] gets it
//! back. After one, the stream has queued the matching alert and fails every later call.
//!
//! A client and a server over loopback TCP:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use tokio::io::{AsyncReadExt, AsyncWriteExt};
//! use tokio::net::{TcpListener, TcpStream};
//! use tryst::cert::{CertificateBuilder, TrustAnchors};
//! use tryst::crypto::{Ed25519SigningKey, OsRng};
//! use tryst::pki_types::{CertificateDer, ServerName};
//! use tryst::{CertifiedKey, ClientConfig, ServerConfig};
//! use tryst_tokio::{TlsAcceptor, TlsConnector};
//!
//! // A throwaway CA and a certificate for localhost.
//! let ca_key = Ed25519SigningKey::generate(&mut OsRng);
//! let ca = CertificateBuilder::new("Example CA", 1_700_000_000, 4_000_000_000)
//!     .ca(None)
//!     .self_signed(&ca_key)?;
//! let key = Ed25519SigningKey::generate(&mut OsRng);
//! let leaf = CertificateBuilder::new("localhost", 1_700_000_000, 4_000_000_000)
//!     .dns_name("localhost")
//!     .server_auth()
//!     .issue(&key, &ca, &ca_key)?;
//! let certified = CertifiedKey::from_der(vec![CertificateDer::from(leaf)], &key.to_pkcs8_der())?;
//! let acceptor = TlsAcceptor::from(ServerConfig::builder(certified).build()?);
//! let connector = TlsConnector::from(
//!     ClientConfig::builder()
//!         .with_root_certificates(TrustAnchors::from_der([ca.as_slice()])?)
//!         .build()?,
//! );
//!
//! let listener = TcpListener::bind("127.0.0.1:0").await?;
//! let addr = listener.local_addr()?;
//! let server = tokio::spawn(async move {
//!     let (tcp, _) = listener.accept().await?;
//!     let mut tls = acceptor.accept(tcp).await?;
//!     let mut line = [0u8; 5];
//!     tls.read_exact(&mut line).await?;
//!     tls.write_all(&line).await?;
//!     tls.shutdown().await // close_notify
//! });
//!
//! let tcp = TcpStream::connect(addr).await?;
//! let mut tls = connector.connect(ServerName::try_from("localhost")?, tcp).await?;
//! tls.write_all(b"hello").await?;
//! let mut reply = Vec::new();
//! tls.read_to_end(&mut reply).await?; // ends at the server's close_notify
//! assert_eq!(reply, b"hello");
//! server.await??;
//! # Ok(())
//! # }
//! ```
// Issue 14: no function over 80 lines (threshold in clippy.toml). Per crate, not in
// [workspace.lints]: there it would also fire on long integration tests.
#![warn(clippy::too_many_lines)]

use std::future::Future;
use std::io::{self, Read, Write};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tryst::pki_types::ServerName;
use tryst::{
    Accepted, Acceptor, ClientConfig, ClientConnection, ConnectionCommon, ServerConfig,
    ServerConnection,
};

pub use tryst;

/// The client side of a TLS stream.
pub mod client {
    /// A client TLS stream over `IO`.
    pub type TlsStream<IO> = crate::TlsStream<IO, tryst::ClientConnection>;
}

/// The server side of a TLS stream.
pub mod server {
    /// A server TLS stream over `IO`.
    pub type TlsStream<IO> = crate::TlsStream<IO, tryst::ServerConnection>;
}

/// The [`tryst::Error`] inside an [`io::Error`] returned by this crate, if it came from
/// the TLS protocol (rather than from the transport).
pub fn tls_error(e: &io::Error) -> Option<&tryst::Error> {
    e.get_ref().and_then(|inner| inner.downcast_ref())
}

fn protocol_error(e: tryst::Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

/// Makes client connections from one shared config.
#[derive(Clone)]
pub struct TlsConnector {
    config: Arc<ClientConfig>,
}

impl From<Arc<ClientConfig>> for TlsConnector {
    fn from(config: Arc<ClientConfig>) -> Self {
        TlsConnector { config }
    }
}

impl core::fmt::Debug for TlsConnector {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TlsConnector").finish_non_exhaustive()
    }
}

impl TlsConnector {
    /// Run a client handshake with `server_name` over `io`. The future resolves once the
    /// handshake is complete and our last flight is on the transport.
    pub fn connect<IO>(&self, server_name: ServerName<'static>, io: IO) -> Connect<IO>
    where
        IO: AsyncRead + AsyncWrite + Unpin,
    {
        Connect(
            match ClientConnection::new(Arc::clone(&self.config), server_name) {
                Ok(conn) => MidHandshake::Handshaking(TlsStream::new(io, conn)),
                Err(e) => MidHandshake::Failed(protocol_error(e)),
            },
        )
    }

    /// The config this connector uses.
    pub fn config(&self) -> &Arc<ClientConfig> {
        &self.config
    }
}

/// Accepts server connections with one shared config.
#[derive(Clone)]
pub struct TlsAcceptor {
    config: Arc<ServerConfig>,
}

impl From<Arc<ServerConfig>> for TlsAcceptor {
    fn from(config: Arc<ServerConfig>) -> Self {
        TlsAcceptor { config }
    }
}

impl core::fmt::Debug for TlsAcceptor {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TlsAcceptor").finish_non_exhaustive()
    }
}

impl TlsAcceptor {
    /// Run a server handshake over `io`. The future resolves once the handshake is
    /// complete and our last flight (the session tickets) is on the transport.
    pub fn accept<IO>(&self, io: IO) -> Accept<IO>
    where
        IO: AsyncRead + AsyncWrite + Unpin,
    {
        Accept(match ServerConnection::new(Arc::clone(&self.config)) {
            Ok(conn) => MidHandshake::Handshaking(TlsStream::new(io, conn)),
            Err(e) => MidHandshake::Failed(protocol_error(e)),
        })
    }

    /// The config this acceptor uses.
    pub fn config(&self) -> &Arc<ServerConfig> {
        &self.config
    }
}

/// A connection whose ClientHello has arrived and whose config is not chosen yet: read it
/// with [`StartHandshake::read`], look at [`client_hello`](StartHandshake::client_hello)
/// (SNI, ALPN, signature schemes), look up the config (asynchronously if need be), then
/// finish with [`into_stream`](StartHandshake::into_stream). Like tokio-rustls's
/// `LazyConfigAcceptor`; the sans-IO half is [`tryst::Acceptor`].
pub struct StartHandshake<IO> {
    io: IO,
    accepted: Accepted,
}

impl<IO> core::fmt::Debug for StartHandshake<IO> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("StartHandshake")
            .field("accepted", &self.accepted)
            .finish_non_exhaustive()
    }
}

impl<IO: AsyncRead + AsyncWrite + Unpin> StartHandshake<IO> {
    /// Read from `io` until a whole ClientHello is here (at most `acceptor`'s limit; give
    /// `Acceptor::new()` for the default). A bad first flight gets its alert and fails.
    pub async fn read(mut io: IO, mut acceptor: Acceptor) -> io::Result<Self> {
        loop {
            match acceptor.accept() {
                Ok(Some(accepted)) => return Ok(StartHandshake { io, accepted }),
                Ok(None) => {}
                Err(e) => {
                    let alert = acceptor.pending_tls().to_vec();
                    let _ = write_all(&mut io, &alert).await;
                    return Err(protocol_error(e));
                }
            }
            let n = std::future::poll_fn(|cx| {
                let mut rd = SyncRead { io: &mut io, cx };
                to_poll(acceptor.read_tls(&mut rd))
            })
            .await?;
            if n == 0 {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "peer closed the connection before its ClientHello was complete",
                ));
            }
        }
    }

    /// What the ClientHello says.
    pub fn client_hello(&self) -> tryst::resolve::ClientHello<'_> {
        self.accepted.client_hello()
    }

    /// Finish the handshake with `config`. A config that cannot serve this hello sends
    /// its alert and fails.
    pub async fn into_stream(self, config: Arc<ServerConfig>) -> io::Result<server::TlsStream<IO>> {
        let StartHandshake { mut io, accepted } = self;
        match accepted.into_connection(config) {
            Ok(conn) => Accept(MidHandshake::Handshaking(TlsStream::new(io, conn))).await,
            Err(rejected) => {
                let _ = write_all(&mut io, &rejected.alert).await;
                Err(protocol_error(rejected.error))
            }
        }
    }

    /// Refuse the connection with `alert` (for example unrecognized_name).
    pub async fn refuse(self, alert: tryst::messages::AlertDescription) -> io::Result<()> {
        let StartHandshake { mut io, accepted } = self;
        write_all(&mut io, &accepted.refuse(alert)).await
    }
}

/// Write all of `bytes` to `io` and flush (for alerts before a stream exists).
async fn write_all<IO: AsyncWrite + Unpin>(io: &mut IO, mut bytes: &[u8]) -> io::Result<()> {
    while !bytes.is_empty() {
        let n = std::future::poll_fn(|cx| Pin::new(&mut *io).poll_write(cx, bytes)).await?;
        if n == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        bytes = bytes.get(n..).unwrap_or_default();
    }
    std::future::poll_fn(|cx| Pin::new(&mut *io).poll_flush(cx)).await
}

enum MidHandshake<S> {
    Handshaking(S),
    Failed(io::Error),
    Done,
}

impl<IO, C> MidHandshake<TlsStream<IO, C>>
where
    IO: AsyncRead + AsyncWrite + Unpin,
    C: core::ops::DerefMut<Target = ConnectionCommon> + Unpin,
{
    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<TlsStream<IO, C>>> {
        let stream = match self {
            MidHandshake::Handshaking(stream) => stream,
            MidHandshake::Failed(_) | MidHandshake::Done => {
                return Poll::Ready(match core::mem::replace(self, MidHandshake::Done) {
                    MidHandshake::Failed(e) => Err(e),
                    _ => Err(io::Error::other("handshake future polled after completion")),
                });
            }
        };
        ready!(stream.poll_handshake(cx))?;
        ready!(stream.poll_flush_tls(cx))?;
        match core::mem::replace(self, MidHandshake::Done) {
            MidHandshake::Handshaking(stream) => Poll::Ready(Ok(stream)),
            _ => Poll::Ready(Err(io::Error::other("handshake state lost"))),
        }
    }
}

/// The future of [`TlsConnector::connect`].
#[must_use = "futures do nothing unless polled"]
pub struct Connect<IO>(MidHandshake<client::TlsStream<IO>>);

impl<IO: AsyncRead + AsyncWrite + Unpin> Future for Connect<IO> {
    type Output = io::Result<client::TlsStream<IO>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.0.poll(cx)
    }
}

/// The future of [`TlsAcceptor::accept`].
#[must_use = "futures do nothing unless polled"]
pub struct Accept<IO>(MidHandshake<server::TlsStream<IO>>);

impl<IO: AsyncRead + AsyncWrite + Unpin> Future for Accept<IO> {
    type Output = io::Result<server::TlsStream<IO>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.0.poll(cx)
    }
}

/// A TLS connection `C` over a transport `IO`, itself [`AsyncRead`] + [`AsyncWrite`].
/// Usually named as [`client::TlsStream`] or [`server::TlsStream`].
pub struct TlsStream<IO, C> {
    io: IO,
    conn: C,
    /// We queued close_notify (shutdown started); writes are refused from then on.
    closing: bool,
    /// The transport's write half is shut down: nothing more can be written to it.
    write_shut: bool,
}

impl<IO, C> core::fmt::Debug for TlsStream<IO, C>
where
    C: core::fmt::Debug,
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TlsStream")
            .field("conn", &self.conn)
            .field("closing", &self.closing)
            .finish_non_exhaustive()
    }
}

/// `std::io::Read` over a tokio transport for one poll: `Pending` becomes `WouldBlock`
/// (the transport keeps the waker), so the connection's std-based `read_tls` can use it.
struct SyncRead<'a, 'b, IO> {
    io: &'a mut IO,
    cx: &'a mut Context<'b>,
}

impl<IO: AsyncRead + Unpin> Read for SyncRead<'_, '_, IO> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut buf = ReadBuf::new(buf);
        match Pin::new(&mut *self.io).poll_read(self.cx, &mut buf) {
            Poll::Ready(Ok(())) => Ok(buf.filled().len()),
            Poll::Ready(Err(e)) => Err(e),
            Poll::Pending => Err(io::ErrorKind::WouldBlock.into()),
        }
    }
}

/// `std::io::Write` over a tokio transport for one poll (see [`SyncRead`]).
struct SyncWrite<'a, 'b, IO> {
    io: &'a mut IO,
    cx: &'a mut Context<'b>,
}

impl<IO: AsyncWrite + Unpin> Write for SyncWrite<'_, '_, IO> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match Pin::new(&mut *self.io).poll_write(self.cx, buf) {
            Poll::Ready(result) => result,
            Poll::Pending => Err(io::ErrorKind::WouldBlock.into()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match Pin::new(&mut *self.io).poll_flush(self.cx) {
            Poll::Ready(result) => result,
            Poll::Pending => Err(io::ErrorKind::WouldBlock.into()),
        }
    }
}

/// `WouldBlock` back to `Pending`.
fn to_poll<T>(result: io::Result<T>) -> Poll<io::Result<T>> {
    match result {
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => Poll::Pending,
        other => Poll::Ready(other),
    }
}

impl<IO, C> TlsStream<IO, C> {
    fn new(io: IO, conn: C) -> Self {
        TlsStream {
            io,
            conn,
            closing: false,
            write_shut: false,
        }
    }

    /// The transport and the connection.
    pub fn get_ref(&self) -> (&IO, &C) {
        (&self.io, &self.conn)
    }

    /// The transport and the connection, mutably (for example to send a KeyUpdate with
    /// `refresh_traffic_keys`, or to read exporters). Reading or writing the transport
    /// directly corrupts the TLS stream.
    pub fn get_mut(&mut self) -> (&mut IO, &mut C) {
        (&mut self.io, &mut self.conn)
    }

    /// Take the stream apart. TLS bytes the connection still holds are lost.
    pub fn into_inner(self) -> (IO, C) {
        (self.io, self.conn)
    }
}

impl<IO, C> TlsStream<IO, C>
where
    IO: AsyncRead + AsyncWrite + Unpin,
    C: core::ops::DerefMut<Target = ConnectionCommon> + Unpin,
{
    /// One write of queued TLS bytes to the transport.
    fn poll_write_tls(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let mut wr = SyncWrite {
            io: &mut self.io,
            cx,
        };
        match ready!(to_poll(self.conn.write_tls(&mut wr)))? {
            0 if self.conn.wants_write() => Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
            n => Poll::Ready(Ok(n)),
        }
    }

    /// Write every queued TLS byte, then flush the transport.
    fn poll_flush_tls(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.conn.wants_write() {
            ready!(self.poll_write_tls(cx))?;
        }
        Pin::new(&mut self.io).poll_flush(cx)
    }

    /// Write what the transport takes now, without waiting: answers to KeyUpdates and
    /// alerts go out while the application only reads. A transport that is full keeps
    /// the waker, so the task comes back when it drains. A failed write is not reported
    /// here (the bytes stay queued and the next write or flush reports it): a reader must
    /// still get the data and the close_notify that already arrived.
    fn write_tls_opportunistically(&mut self, cx: &mut Context<'_>) {
        if self.write_shut {
            return; // after our shutdown the transport's write half is gone
        }
        while self.conn.wants_write() {
            match self.poll_write_tls(cx) {
                Poll::Ready(Ok(_)) => {}
                Poll::Ready(Err(_)) | Poll::Pending => return,
            }
        }
    }

    /// One read from the transport, then processing of what came. `Ok(0)` at end of file.
    fn poll_read_tls(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let mut rd = SyncRead {
            io: &mut self.io,
            cx: &mut *cx,
        };
        let n = ready!(to_poll(self.conn.read_tls(&mut rd)))?;
        let processed = self.conn.process_new_packets();
        // Whatever happened, send what the connection queued (answers, alerts).
        self.write_tls_opportunistically(cx);
        processed.map_err(protocol_error)?;
        if n == 0 && self.conn.is_handshaking() {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "peer closed the connection during the handshake",
            )));
        }
        Poll::Ready(Ok(n))
    }

    /// Drive the handshake to its end: send each flight, read the peer's.
    fn poll_handshake(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.conn.is_handshaking() {
            if let Some(e) = self.conn.error() {
                return Poll::Ready(Err(protocol_error(e.clone())));
            }
            ready!(self.poll_flush_tls(cx))?;
            ready!(self.poll_read_tls(cx))?;
        }
        Poll::Ready(Ok(()))
    }
}

impl<IO, C> AsyncRead for TlsStream<IO, C>
where
    IO: AsyncRead + AsyncWrite + Unpin,
    C: core::ops::DerefMut<Target = ConnectionCommon> + Unpin,
{
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.conn.is_handshaking() {
            ready!(this.poll_handshake(cx))?;
        }
        if buf.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        loop {
            // Reader: plaintext if any; Ok(0) after close_notify; UnexpectedEof after a
            // bare end of file; the connection's error; otherwise WouldBlock.
            match this.conn.reader().read(buf.initialize_unfilled()) {
                Ok(n) => {
                    buf.advance(n);
                    return Poll::Ready(Ok(()));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Poll::Ready(Err(e)),
            }
            // Records held back while the application's unread data was at its cap
            // may still sit in the connection: decrypt them before waiting on the
            // transport, which may have nothing more to say.
            let state = this.conn.process_new_packets();
            this.write_tls_opportunistically(cx);
            let state = state.map_err(protocol_error)?;
            if state.plaintext_bytes_to_read > 0 || state.peer_has_closed {
                continue;
            }
            if !this.conn.wants_read() {
                // Cannot happen while the reader says WouldBlock; never spin if it does.
                return Poll::Ready(Err(io::Error::other(
                    "TLS connection wants no input but has nothing to read",
                )));
            }
            // Each turn reads bytes or end of file from the transport, or returns Pending.
            ready!(this.poll_read_tls(cx))?;
        }
    }
}

impl<IO, C> AsyncWrite for TlsStream<IO, C>
where
    IO: AsyncRead + AsyncWrite + Unpin,
    C: core::ops::DerefMut<Target = ConnectionCommon> + Unpin,
{
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.closing {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "write after shutdown: close_notify was sent",
            )));
        }
        if this.conn.is_handshaking() {
            ready!(this.poll_handshake(cx))?;
        }
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        loop {
            let n = this.conn.send_plaintext(buf).map_err(protocol_error)?;
            if n > 0 {
                this.write_tls_opportunistically(cx);
                return Poll::Ready(Ok(n));
            }
            // The send buffer is full (backpressure): the transport must take some first.
            if !this.conn.wants_write() {
                return Poll::Ready(Err(io::Error::other(
                    "TLS connection refused data with nothing queued to send",
                )));
            }
            ready!(this.poll_write_tls(cx))?;
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.write_shut {
            return Poll::Ready(Ok(())); // everything we could send went before shutdown
        }
        this.poll_flush_tls(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if !this.closing {
            // RFC 8446 §6.1: close_notify says we send nothing more; the peer may go on.
            this.conn.send_close_notify();
            this.closing = true;
        }
        if !this.write_shut {
            ready!(this.poll_flush_tls(cx))?;
        }
        ready!(Pin::new(&mut this.io).poll_shutdown(cx))?;
        this.write_shut = true;
        Poll::Ready(Ok(()))
    }
}

/// The README's example runs as a doctest so it cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
