//! `tryst-tokio` over real tokio TCP sockets on loopback: both directions, large
//! transfers, KeyUpdate mid-stream, half-close, backpressure, peers that disappear or
//! fail, and no busy polling while the peer is quiet.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::as_conversions
)]

mod common;

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tryst::messages::AlertDescription;
use tryst::pki_types::ServerName;
use tryst_tokio::{TlsAcceptor, TlsConnector, client, server, tls_error};

use common::Pki;

/// A deadline for every test, so a hang is a failure rather than a stuck CI run.
const LIMIT: Duration = Duration::from_secs(60);

fn localhost() -> ServerName<'static> {
    ServerName::try_from("localhost").unwrap()
}

/// Deterministic test data that shows misordering or loss.
fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ ((i >> 8) as u8))
        .collect()
}

/// A listener, and a connected pair of TLS streams after both handshakes.
async fn pair(pki: &Pki) -> (client::TlsStream<TcpStream>, server::TlsStream<TcpStream>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let acceptor = pki.acceptor();
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        acceptor.accept(tcp).await
    });
    let tcp = TcpStream::connect(addr).await.unwrap();
    let client = pki.connector().connect(localhost(), tcp).await.unwrap();
    let server = server.await.unwrap().unwrap();
    (client, server)
}

#[tokio::test]
async fn echo_both_directions() {
    tokio::time::timeout(LIMIT, async {
        let pki = Pki::new();
        let (mut client, mut server) = pair(&pki).await;
        // Server speaks first, then the client, then the server answers.
        server.write_all(b"greetings").await.unwrap();
        server.flush().await.unwrap();
        let mut buf = [0u8; 9];
        client.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"greetings");
        client.write_all(b"ping").await.unwrap();
        client.flush().await.unwrap();
        let mut buf = [0u8; 4];
        server.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"ping");
        server.write_all(b"pong").await.unwrap();
        server.shutdown().await.unwrap();
        let mut rest = Vec::new();
        client.read_to_end(&mut rest).await.unwrap();
        assert_eq!(rest, b"pong");
        let (_, conn) = client.get_ref();
        assert!(conn.peer_has_closed());
        assert_eq!(
            conn.negotiated_cipher_suite().map(|s| s.suite.to_string()),
            Some("TLS_AES_128_GCM_SHA256".to_string())
        );
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn large_transfers_both_ways_at_once() {
    const LEN: usize = 1 << 20;
    const SOCKET_BUFFER: u32 = 16 * 1024;
    tokio::time::timeout(LIMIT, async {
        let pki = Pki::new();
        // Small socket buffers, so 1 MiB is far more than the kernel holds in flight.
        let small = |socket: &TcpSocket| {
            socket.set_send_buffer_size(SOCKET_BUFFER).unwrap();
            socket.set_recv_buffer_size(SOCKET_BUFFER).unwrap();
        };
        let listen = TcpSocket::new_v4().unwrap();
        small(&listen);
        listen.bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = listen.local_addr().unwrap();
        let listener = listen.listen(1).unwrap();
        let connect = TcpSocket::new_v4().unwrap();
        small(&connect);
        let (accepted, connected) = tokio::join!(listener.accept(), connect.connect(addr));
        let (client, server) = tokio::join!(
            pki.connector().connect(localhost(), connected.unwrap()),
            pki.acceptor().accept(accepted.unwrap().0)
        );
        let (client, server) = (client.unwrap(), server.unwrap());
        // Each side writes 1 MiB while reading the other's 1 MiB: neither may wait for
        // the other to read first, or both would stall with full buffers.
        let side = |stream: Box<dyn Duplex>, seed: u8, peer_seed: u8| async move {
            let (mut rd, mut wr) = tokio::io::split(stream);
            let send = async {
                wr.write_all(&pattern(LEN, seed)).await.unwrap();
                wr.shutdown().await.unwrap();
            };
            let recv = async {
                let mut got = Vec::with_capacity(LEN);
                rd.read_to_end(&mut got).await.unwrap();
                got
            };
            let ((), got) = tokio::join!(send, recv);
            assert_eq!(got.len(), LEN);
            assert!(got == pattern(LEN, peer_seed), "data corrupted in transit");
        };
        let c = tokio::spawn(side(Box::new(client), 1, 2));
        let s = tokio::spawn(side(Box::new(server), 2, 1));
        c.await.unwrap();
        s.await.unwrap();
    })
    .await
    .unwrap();
}

trait Duplex: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Duplex for T {}

#[tokio::test]
async fn key_update_mid_stream() {
    const HALF: usize = 100_000;
    tokio::time::timeout(LIMIT, async {
        let pki = Pki::new();
        let (mut client, mut server) = pair(&pki).await;
        let echo = tokio::spawn(async move {
            let mut buf = vec![0u8; 2 * HALF];
            server.read_exact(&mut buf).await.unwrap();
            server.write_all(&buf).await.unwrap();
            server.shutdown().await.unwrap();
            server.get_ref().1.key_generations()
        });
        let data = pattern(2 * HALF, 7);
        client.write_all(&data[..HALF]).await.unwrap();
        // Rotate our sending key and ask the server to rotate its own (RFC 8446 §4.6.3).
        client.get_mut().1.refresh_traffic_keys(true).unwrap();
        client.write_all(&data[HALF..]).await.unwrap();
        client.flush().await.unwrap();
        let mut back = Vec::new();
        client.read_to_end(&mut back).await.unwrap();
        assert!(back == data, "echo differs");
        // One update each way: ours, and the server's answer to our request.
        assert_eq!(client.get_ref().1.key_generations(), (1, 1));
        assert_eq!(echo.await.unwrap(), (1, 1));
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn half_close_then_answer() {
    tokio::time::timeout(LIMIT, async {
        let pki = Pki::new();
        let (mut client, mut server) = pair(&pki).await;
        // The client says everything, then shuts its side (close_notify + FIN).
        client.write_all(b"the whole request").await.unwrap();
        client.shutdown().await.unwrap();
        assert_eq!(
            client.write_all(b"more").await.unwrap_err().kind(),
            io::ErrorKind::BrokenPipe
        );
        // The server reads to the client's close_notify, then still answers.
        let mut request = Vec::new();
        server.read_to_end(&mut request).await.unwrap();
        assert_eq!(request, b"the whole request");
        // A KeyUpdate that asks for an answer the client, having closed, does not send:
        // the client still reads everything under the server's new key.
        server.get_mut().1.refresh_traffic_keys(true).unwrap();
        server.write_all(b"the answer").await.unwrap();
        server.shutdown().await.unwrap();
        let mut answer = Vec::new();
        client.read_to_end(&mut answer).await.unwrap();
        assert_eq!(answer, b"the answer");
        assert_eq!(
            client.get_ref().1.key_generations().1,
            1,
            "the server rotated its key"
        );
        // End of file stays end of file.
        let mut more = [0u8; 8];
        assert_eq!(client.read(&mut more).await.unwrap(), 0);
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn peer_that_disappears_is_unexpected_eof() {
    tokio::time::timeout(LIMIT, async {
        let pki = Pki::new();
        let (mut client, mut server) = pair(&pki).await;
        server.write_all(b"partial").await.unwrap();
        server.flush().await.unwrap();
        // Drop the TCP connection without close_notify: a crash, or a truncation attack.
        drop(server);
        let mut got = Vec::new();
        let err = client.read_to_end(&mut got).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        assert_eq!(got, b"partial", "data before the end is still delivered");
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn peer_that_disappears_during_the_handshake() {
    tokio::time::timeout(LIMIT, async {
        let pki = Pki::new();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            let (mut tcp, _) = listener.accept().await.unwrap();
            // Read the ClientHello, then vanish.
            let mut buf = [0u8; 1024];
            let _ = tcp.read(&mut buf).await.unwrap();
        });
        let tcp = TcpStream::connect(addr).await.unwrap();
        let err = pki.connector().connect(localhost(), tcp).await.unwrap_err();
        assert!(
            matches!(
                err.kind(),
                io::ErrorKind::UnexpectedEof | io::ErrorKind::ConnectionReset
            ),
            "{err:?}"
        );
        server.await.unwrap();

        // The same from the server's side: a client that sends half a ClientHello.
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let client = tokio::spawn(async move {
            let mut tcp = TcpStream::connect(addr).await.unwrap();
            tcp.write_all(&[22, 3, 1, 0, 200, 1, 0]).await.unwrap();
        });
        let (tcp, _) = listener.accept().await.unwrap();
        client.await.unwrap();
        let err = pki.acceptor().accept(tcp).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof, "{err:?}");
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn untrusted_certificate_fails_both_sides_with_the_alert() {
    tokio::time::timeout(LIMIT, async {
        let pki = Pki::new();
        let other = Pki::new(); // a client that trusts another CA
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let acceptor = pki.acceptor();
        let server = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            acceptor.accept(tcp).await.map(|_| ())
        });
        let tcp = TcpStream::connect(addr).await.unwrap();
        let err = other
            .connector()
            .connect(localhost(), tcp)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(
            matches!(tls_error(&err), Some(tryst::Error::Certificate(_))),
            "{err:?}"
        );
        // The client's alert reached the server.
        let err = server.await.unwrap().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(
            matches!(
                tls_error(&err),
                Some(tryst::Error::AlertReceived(
                    AlertDescription::UnknownCa | AlertDescription::BadCertificate
                ))
            ),
            "{err:?}"
        );
    })
    .await
    .unwrap();
}

#[tokio::test]
async fn writer_waits_for_a_reader_that_does_not_read() {
    // An in-memory pipe of known capacity instead of TCP, whose kernel buffers have no
    // fixed size: what a writer can get rid of without a reader is then known exactly.
    const PIPE: usize = 64 * 1024;
    const CHUNK: usize = 16 * 1024;
    tokio::time::timeout(LIMIT, async {
        let pki = Pki::new();
        let (a, b) = tokio::io::duplex(PIPE);
        let (client, server) = tokio::join!(
            pki.connector().connect(localhost(), a),
            pki.acceptor().accept(b)
        );
        let (mut client, mut server) = (client.unwrap(), server.unwrap());
        let data = pattern(1 << 20, 3);
        // Write until a write waits. A write that waits has taken nothing, so cancelling
        // it is safe.
        let mut sent = 0;
        while let Ok(n) = tokio::time::timeout(
            Duration::from_millis(200),
            client.write(&data[sent..sent + CHUNK]),
        )
        .await
        {
            sent += n.unwrap();
            assert!(sent < data.len() - CHUNK, "1 MiB taken with no reader");
        }
        // The pipe, plus the connection's send buffer (Limits::max_buffered_send), plus
        // one chunk and record overhead: the sender's memory stays bounded.
        let bound = PIPE + tryst::Limits::default().max_buffered_send + CHUNK + 4096;
        assert!(
            sent > 0 && sent <= bound,
            "{sent} bytes taken, bound {bound}"
        );
        // Once the reader reads, the rest goes through, in order.
        let rest = data[sent..].to_vec();
        let writer = tokio::spawn(async move {
            client.write_all(&rest).await.unwrap();
            client.shutdown().await.unwrap();
        });
        let mut got = Vec::new();
        server.read_to_end(&mut got).await.unwrap();
        writer.await.unwrap();
        assert!(got == data, "data corrupted in transit");
    })
    .await
    .unwrap();
}

/// A transport that counts how often it is polled for reading.
struct Counting {
    inner: TcpStream,
    reads: Arc<AtomicUsize>,
}

impl AsyncRead for Counting {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.reads.fetch_add(1, Ordering::Relaxed);
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counting {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[tokio::test]
async fn a_quiet_peer_costs_no_polling() {
    tokio::time::timeout(LIMIT, async {
        let pki = Pki::new();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let acceptor: TlsAcceptor = pki.acceptor();
        let server = tokio::spawn(async move {
            let (tcp, _) = listener.accept().await.unwrap();
            let mut tls = acceptor.accept(tcp).await.unwrap();
            // Quiet for a while, then one message.
            tokio::time::sleep(Duration::from_millis(400)).await;
            tls.write_all(b"late").await.unwrap();
            tls.shutdown().await.unwrap();
            tls
        });
        let reads = Arc::new(AtomicUsize::new(0));
        let tcp = Counting {
            inner: TcpStream::connect(addr).await.unwrap(),
            reads: Arc::clone(&reads),
        };
        let connector: TlsConnector = pki.connector();
        let mut client = connector.connect(localhost(), tcp).await.unwrap();
        let before = reads.load(Ordering::Relaxed);
        let mut got = Vec::new();
        client.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"late");
        // A busy loop would poll the socket thousands of times in 400 ms; waiting on the
        // reactor polls it once per wake-up (tickets, the data, close_notify, EOF).
        let polls = reads.load(Ordering::Relaxed) - before;
        eprintln!("{polls} socket reads while waiting");
        assert!(polls < 30, "{polls} socket reads while the peer was quiet");
        drop(server.await.unwrap());
    })
    .await
    .unwrap();
}
