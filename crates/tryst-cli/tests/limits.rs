//! `tryst server`'s time and connection limits, attacked end to end against the real
//! binary: a slowloris handshake, an idle client, a client that stops reading, and more
//! clients than `--max-connections`. The timeouts are set in fractions of a second so the
//! tests are quick; every wait has a generous upper bound so a loaded machine cannot make
//! them fail.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::{ChildStdin, Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use common::*;
use tryst::pki_types::pem::PemObject;
use tryst::pki_types::{CertificateDer, ServerName};

/// The longest any test waits for something that must happen.
const BOUND: Duration = Duration::from_secs(30);

/// A `tryst client` whose standard input stays open until dropped (or `close_input`).
struct Client {
    guard: Guard,
    stdin: Option<ChildStdin>,
    out: Receiver<String>,
}

impl Client {
    fn start(dir: &std::path::Path, port: u16) -> Client {
        let mut child = Command::new(TRYST)
            .args(["client", &format!("127.0.0.1:{port}"), "--ca", "ca.pem"])
            .current_dir(dir)
            .env_remove("SSLKEYLOGFILE")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let out = lines_of(child.stdout.take().unwrap());
        Client {
            guard: Guard {
                child,
                name: "tryst client".into(),
            },
            stdin,
            out,
        }
    }

    fn send_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().unwrap();
        stdin.write_all(format!("{line}\n").as_bytes()).unwrap();
        stdin.flush().unwrap();
    }

    /// Send a line and wait for the server's echo of it.
    fn echo(&mut self, line: &str) {
        self.send_line(line);
        assert_eq!(self.out.recv_timeout(BOUND).unwrap(), line);
    }

    /// End of input: the client sends close_notify.
    fn close_input(&mut self) {
        self.stdin = None;
    }
}

/// A real ClientHello (from the tryst library), to dribble at a server.
fn client_hello() -> Vec<u8> {
    let config = tryst::ClientConfig::builder()
        .with_root_certificates(tryst::cert::TrustAnchors::new())
        .build()
        .unwrap();
    let name = ServerName::try_from("localhost").unwrap();
    let mut conn = tryst::ClientConnection::new(config, name).unwrap();
    let mut hello = Vec::new();
    while conn.wants_write() {
        conn.write_tls(&mut hello).unwrap();
    }
    assert!(hello.len() > 100, "{}", hello.len());
    hello
}

#[test]
fn handshake_deadline_cuts_off_a_slowloris_client() {
    let dir = Scratch::new("slowloris");
    make_pki(dir.path(), Key::Default);
    let server = start_server(
        dir.path(),
        &[
            "--cert",
            "server.pem",
            "--key",
            "server.key",
            "--handshake-timeout",
            "1",
        ],
    );
    // One byte of a real ClientHello every 200 ms: each read of the server gets a byte
    // long before any per-read timeout (even one of 1 s) could fire, and the hello never
    // completes. Only a deadline for the whole handshake stops this.
    let hello = client_hello();
    let start = Instant::now();
    let mut sock = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut sent = 0;
    let closed_after = loop {
        assert!(
            start.elapsed() < BOUND,
            "the server kept a dribbling handshake open for {BOUND:?} ({sent} bytes sent)"
        );
        if sock.write_all(&hello[sent..=sent]).is_err() {
            break start.elapsed();
        }
        sent += 1;
        assert!(
            sent < hello.len(),
            "the whole hello went out: dribble slower"
        );
        let mut buf = [0u8; 64];
        match sock.read(&mut buf) {
            Ok(0) => break start.elapsed(),
            Ok(n) => panic!("the server answered an incomplete ClientHello with {n} bytes"),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => break start.elapsed(),
        }
    };
    // Not before the deadline (the server measures from accept, after our connect).
    assert!(
        closed_after >= Duration::from_millis(900),
        "{closed_after:?}"
    );
    let line = wait_for_line(&server.log, "handshake failed", BOUND);
    assert!(
        line.contains("did not complete the handshake within 1 s"),
        "{line}"
    );

    // The server goes on serving.
    let o = tryst(
        &[
            "client",
            &format!("127.0.0.1:{}", server.port),
            "--ca",
            "ca.pem",
        ],
        dir.path(),
        b"after",
    );
    assert_eq!(o.code, Some(0), "{o:#?}");
    assert_eq!(o.stdout, "after");
}

#[test]
fn idle_connection_is_closed_with_close_notify() {
    let dir = Scratch::new("idle");
    make_pki(dir.path(), Key::Default);
    let server = start_server(
        dir.path(),
        &[
            "--cert",
            "server.pem",
            "--key",
            "server.key",
            "--idle-timeout",
            "0.5",
        ],
    );
    let mut client = Client::start(dir.path(), server.port);
    client.echo("ping");
    // Then nothing: the server closes with close_notify, which the client answers and
    // exits 0 on (it would exit 1 on a close without close_notify).
    let code = client.guard.wait(BOUND);
    assert_eq!(code, Some(0), "the client did not get close_notify");
    let line = wait_for_line(&server.log, "idle", BOUND);
    assert!(
        line.contains("nothing from the client for 0.5 s")
            && line.contains("5 bytes in, 5 out")
            && line.contains("closed with close_notify"),
        "{line}"
    );

    // A client that completes the handshake and never sends anything is closed too.
    let mut client = Client::start(dir.path(), server.port);
    assert_eq!(client.guard.wait(BOUND), Some(0));
    let line = wait_for_line(&server.log, "idle", BOUND);
    assert!(line.contains("0 bytes in, 0 out"), "{line}");
    client.close_input();
}

#[test]
fn client_that_stops_reading_is_closed() {
    let dir = Scratch::new("noread");
    make_pki(dir.path(), Key::Default);
    let server = start_server(
        dir.path(),
        &[
            "--cert",
            "server.pem",
            "--key",
            "server.key",
            "--idle-timeout",
            "0.5",
        ],
    );
    let ca = CertificateDer::from_pem_file(dir.path().join("ca.pem")).unwrap();
    let config = tryst::ClientConfig::builder()
        .with_root_certificates(tryst::cert::TrustAnchors::from_der([ca.as_ref()]).unwrap())
        .build()
        .unwrap();
    let name = ServerName::try_from("localhost").unwrap();
    let mut conn = tryst::ClientConnection::new(Arc::clone(&config), name).unwrap();
    let mut sock = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    sock.set_read_timeout(Some(BOUND)).unwrap();
    tryst::Stream::new(&mut conn, &mut sock)
        .complete_handshake()
        .unwrap();

    // Send echo fodder and never read: once the buffers between us are full, the server's
    // writes stall; after --idle-timeout of that it must give up and close.
    sock.set_write_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let chunk = vec![b'x'; 16 * 1024];
    let start = Instant::now();
    let (log_tx, log_rx) = mpsc::channel();
    let log = server.log;
    std::thread::spawn(move || {
        let line = wait_for_line(&log, "read nothing", Duration::from_secs(120));
        let _ = log_tx.send(line);
    });
    let line = loop {
        if let Ok(line) = log_rx.try_recv() {
            break line;
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the server still writes to a client that reads nothing"
        );
        if conn.wants_write() {
            match conn.write_tls(&mut sock) {
                Ok(_) => {}
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                // Closed by the server: its log line says why.
                Err(_) => break log_rx.recv_timeout(BOUND).unwrap(),
            }
        } else {
            conn.send_plaintext(&chunk).unwrap();
        }
    };
    assert!(line.contains("for 0.5 s (--idle-timeout)"), "{line}");
}

#[test]
fn connection_cap_holds_extra_clients_until_one_closes() {
    let dir = Scratch::new("cap");
    make_pki(dir.path(), Key::Default);
    let server = start_server(
        dir.path(),
        &[
            "--cert",
            "server.pem",
            "--key",
            "server.key",
            "--max-connections",
            "2",
        ],
    );
    let mut a = Client::start(dir.path(), server.port);
    a.echo("a");
    let mut b = Client::start(dir.path(), server.port);
    b.echo("b");
    wait_for_line(
        &server.log,
        "2 connections open, the most --max-connections allows",
        BOUND,
    );

    // A third client: its TCP connection waits in the listen queue, unserved.
    let mut c = Client::start(dir.path(), server.port);
    c.send_line("c");
    assert!(
        c.out.recv_timeout(Duration::from_millis(500)).is_err(),
        "a third connection was served with --max-connections 2"
    );
    assert!(c.guard.child.try_wait().unwrap().is_none(), "c gave up");

    // One closes: the third is served.
    a.close_input();
    assert_eq!(a.guard.wait(BOUND), Some(0));
    assert_eq!(c.out.recv_timeout(BOUND).unwrap(), "c");
    b.echo("b again");
    c.close_input();
    b.close_input();
    assert_eq!(c.guard.wait(BOUND), Some(0));
    assert_eq!(b.guard.wait(BOUND), Some(0));
}
