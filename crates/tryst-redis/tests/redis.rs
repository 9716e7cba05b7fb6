//! Against a real `redis-server` that each test starts on a free loopback port, in a
//! temporary directory, and kills by pid: claims are single-use and expire; two server
//! configs sharing ticket keys and the store accept a ticket's early data once across both;
//! an unreachable Redis refuses 0-RTT (never accepts it) and says why. Without
//! redis-server the tests skip, except under CI=true, where they fail.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tryst::cert::{CertificateBuilder, TrustAnchors};
use tryst::crypto::{Ed25519SigningKey, Secret};
use tryst::pki_types::{CertificateDer, ServerName};
use tryst::session::{ClientSessionStore, InMemorySessionStore, ServerSessionStore, Tls13Ticket};
use tryst::{
    ClientConfig, ClientConnection, EarlyDataRejection, EarlyDataStatus, ManualClock, ServerConfig,
    ServerConnection, TicketKeys,
};
use tryst_redis::{AntiReplay, Claim, Error, RedisAntiReplay, RedisSessionStore};

/// A redis-server child: killed (by pid) and its directory removed on drop.
struct Redis {
    child: Child,
    dir: PathBuf,
    port: u16,
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_redis(name: &str) -> Option<Redis> {
    if Command::new("redis-server")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "redis-server is required under CI=true (apt-get install redis-server)"
        );
        eprintln!("skipping: no redis-server");
        return None;
    }
    let dir = std::env::temp_dir().join(format!("tryst-redis-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let port = free_port();
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .arg("--dir")
        .arg(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let redis = Redis { child, dir, port };
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "redis-server did not come up");
        std::thread::sleep(Duration::from_millis(20));
    }
    Some(redis)
}

fn url(r: &Redis) -> String {
    format!("redis://127.0.0.1:{}/", r.port)
}

#[test]
fn claims_are_single_use_and_expire() {
    let Some(r) = start_redis("claims") else {
        return;
    };
    let a = RedisAntiReplay::new(&url(&r)).unwrap();
    let b = RedisAntiReplay::new(&url(&r)).unwrap();
    let now = Duration::from_secs(1_000);
    let until = now + Duration::from_millis(300);
    assert_eq!(a.claim(&[1; 32], now, until), Claim::Fresh);
    assert_eq!(b.claim(&[1; 32], now, until), Claim::Replayed, "shared");
    assert_eq!(a.claim(&[1; 32], now, until), Claim::Replayed);
    assert_eq!(b.claim(&[2; 32], now, until), Claim::Fresh);
    assert_eq!(a.last_error(), None);
    // Redis expires the claim with the ticket.
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(a.claim(&[1; 32], now, until), Claim::Fresh);
    // Another prefix is another namespace.
    let c = RedisAntiReplay::new(&url(&r))
        .unwrap()
        .with_prefix("other:")
        .unwrap();
    assert_eq!(c.claim(&[2; 32], now, until), Claim::Fresh);
}

#[test]
fn bad_settings_are_refused() {
    assert!(matches!(
        RedisAntiReplay::new("http://example/"),
        Err(Error::InvalidUrl(_))
    ));
    let long = "x".repeat(tryst_redis::MAX_PREFIX_LEN + 1);
    assert_eq!(
        RedisAntiReplay::new("redis://127.0.0.1:1/")
            .unwrap()
            .with_prefix(&long)
            .unwrap_err(),
        Error::PrefixTooLong
    );
}

struct Fleet {
    client: Arc<ClientConfig>,
    servers: [Arc<ServerConfig>; 2],
}

/// 2026-01-01T00:00:00Z.
const NOW: u64 = 1_767_225_600;

fn key(seed: u8) -> Ed25519SigningKey {
    Ed25519SigningKey::from_seed(&Secret::from_slice(&[seed; 32]).unwrap()).unwrap()
}

/// A client and two servers that share ticket keys, each with its own store objects (and
/// a session store when `sessions` gives one).
fn fleet(
    store: &dyn Fn() -> Arc<dyn AntiReplay>,
    sessions: &dyn Fn() -> Option<Arc<dyn ServerSessionStore>>,
    client_store: Arc<dyn ClientSessionStore>,
) -> Fleet {
    let clock = Arc::new(ManualClock::new(Duration::from_secs(NOW)));
    let now = i64::try_from(NOW).unwrap();
    let (nb, na) = (now - 86_400, now + 86_400);
    let ca = CertificateBuilder::new("redis test CA", nb, na)
        .ca(None)
        .self_signed(&key(1))
        .unwrap();
    let leaf = CertificateBuilder::new("localhost", nb, na)
        .dns_name("localhost")
        .server_auth()
        .issue(&key(2), &ca, &key(1))
        .unwrap();
    let tickets = Arc::new(TicketKeys::new(
        Secret::from_slice(&[7; 32]).unwrap(),
        Duration::from_secs(3600),
    ));
    let server = || {
        let ck =
            tryst::CertifiedKey::new(vec![CertificateDer::from(leaf.clone())], Arc::new(key(2)))
                .unwrap();
        let b = ServerConfig::builder(ck)
            .with_clock(clock.clone())
            .with_ticket_keys(tickets.clone())
            .with_max_early_data_size(1024)
            .with_anti_replay(store());
        match sessions() {
            Some(s) => b.with_session_store(s),
            None => b,
        }
        .build()
        .unwrap()
    };
    let client = ClientConfig::builder()
        .with_root_certificates(TrustAnchors::from_der([ca.as_slice()]).unwrap())
        .with_clock(clock.clone())
        .with_early_data(true)
        .with_session_store(Some(client_store))
        .build()
        .unwrap();
    Fleet {
        client,
        servers: [server(), server()],
    }
}

/// Move what `from` has queued into `to`; whether anything moved. Panics on an error.
fn pump(from: &mut tryst::ConnectionCommon, to: &mut tryst::ConnectionCommon) -> bool {
    let out = from.pending_tls().to_vec();
    from.consume_tls(out.len());
    let mut off = 0;
    while off < out.len() {
        off += to.read_tls_bytes(&out[off..]);
        to.process_new_packets().unwrap();
    }
    !out.is_empty()
}

/// Move bytes until quiet.
fn run(c: &mut ClientConnection, s: &mut ServerConnection) {
    for _ in 0..32 {
        let moved = pump(c, s) | pump(s, c);
        if !moved {
            return;
        }
    }
}

fn name() -> ServerName<'static> {
    ServerName::try_from("localhost").unwrap()
}

fn early(s: &mut ServerConnection) -> Vec<u8> {
    let mut b = vec![0u8; 2048];
    let n = s.read_early_data(&mut b);
    b.truncate(n);
    b
}

/// The same first flight (a replay) to both servers of the fleet: the early data is
/// accepted by one, refused by the other.
#[test]
fn fleet_accepts_a_tickets_early_data_once() {
    let Some(r) = start_redis("fleet") else {
        return;
    };
    let u = url(&r);
    let f = fleet(
        &|| Arc::new(RedisAntiReplay::new(&u).unwrap()),
        &|| None,
        Arc::new(InMemorySessionStore::new(4)),
    );
    let (mut c, mut s) = (
        ClientConnection::new(f.client.clone(), name()).unwrap(),
        ServerConnection::new(f.servers[0].clone()).unwrap(),
    );
    run(&mut c, &mut s);
    let mut c = ClientConnection::new(f.client.clone(), name()).unwrap();
    assert_eq!(c.write_early_data(b"charge once").unwrap(), 11);
    let flight = c.pending_tls().to_vec();
    let mut a = ServerConnection::new(f.servers[0].clone()).unwrap();
    a.read_tls_bytes(&flight);
    a.process_new_packets().unwrap();
    assert_eq!(a.early_data_status(), EarlyDataStatus::Accepted);
    assert_eq!(early(&mut a), b"charge once");
    let mut b = ServerConnection::new(f.servers[1].clone()).unwrap();
    run(&mut c, &mut b);
    assert!(!b.is_handshaking(), "the connection completes as 1-RTT");
    assert_eq!(
        b.early_data_status(),
        EarlyDataStatus::Rejected(EarlyDataRejection::Replayed)
    );
    assert!(early(&mut b).is_empty());
    assert_eq!(c.take_rejected_early_data(), b"charge once");
}

/// Redis down: the claim fails, 0-RTT is refused (never accepted), the handshake completes,
/// and the store says why.
#[test]
fn unreachable_redis_refuses_early_data() {
    let port = free_port();
    let store = Arc::new(
        RedisAntiReplay::new(&format!("redis://127.0.0.1:{port}/"))
            .unwrap()
            .with_timeout(Duration::from_millis(200)),
    );
    let s2 = store.clone();
    let f = fleet(
        &|| s2.clone(),
        &|| None,
        Arc::new(InMemorySessionStore::new(4)),
    );
    let (mut c, mut s) = (
        ClientConnection::new(f.client.clone(), name()).unwrap(),
        ServerConnection::new(f.servers[0].clone()).unwrap(),
    );
    run(&mut c, &mut s);
    let mut c = ClientConnection::new(f.client.clone(), name()).unwrap();
    c.write_early_data(b"maybe").unwrap();
    let mut s = ServerConnection::new(f.servers[0].clone()).unwrap();
    run(&mut c, &mut s);
    assert!(!s.is_handshaking());
    assert_eq!(
        s.early_data_status(),
        EarlyDataStatus::Rejected(EarlyDataRejection::StoreUnavailable)
    );
    assert!(early(&mut s).is_empty());
    let err = store.last_error().expect("the failure is kept");
    assert!(matches!(err, Error::Unreachable(_)), "{err:?}");
    assert!(err.to_string().starts_with("Redis unreachable"), "{err}");
}

/// A client store that also keeps every ticket's bytes, so a test can offer one twice.
struct Copies(std::sync::Mutex<Vec<Vec<u8>>>, InMemorySessionStore);

impl ClientSessionStore for Copies {
    fn insert(&self, n: &ServerName<'static>, t: Tls13Ticket) {
        self.0.lock().unwrap().push(t.to_bytes().unwrap().to_vec());
        self.1.insert(n, t);
    }
    fn take(&self, n: &ServerName<'static>) -> Option<Tls13Ticket> {
        self.1.take(n)
    }
}

/// Stateful tickets in Redis: a ticket issued by one server resumes at the other (shared
/// ticket keys and Redis), once; offered again, it gets a full handshake.
#[test]
fn sessions_in_redis_resume_once_across_servers() {
    let Some(r) = start_redis("sessions") else {
        return;
    };
    let u = url(&r);
    let copies = Arc::new(Copies(Default::default(), InMemorySessionStore::new(8)));
    let f = fleet(
        &|| Arc::new(RedisAntiReplay::new(&u).unwrap()),
        &|| Some(Arc::new(RedisSessionStore::new(&u).unwrap())),
        copies.clone(),
    );
    let mut c = ClientConnection::new(f.client.clone(), name()).unwrap();
    let mut s = ServerConnection::new(f.servers[0].clone()).unwrap();
    run(&mut c, &mut s);
    assert_eq!(
        copies.0.lock().unwrap().len(),
        2,
        "two tickets stored in Redis"
    );
    let first = copies.0.lock().unwrap()[1].clone();
    let mut c = ClientConnection::new(f.client.clone(), name()).unwrap();
    let mut s = ServerConnection::new(f.servers[1].clone()).unwrap();
    run(&mut c, &mut s);
    assert_eq!(s.handshake_kind(), Some(tryst::HandshakeKind::Resumed));
    while copies.1.take(&name()).is_some() {}
    copies
        .1
        .insert(&name(), Tls13Ticket::from_bytes(&first).unwrap());
    let mut c = ClientConnection::new(f.client.clone(), name()).unwrap();
    let mut s = ServerConnection::new(f.servers[0].clone()).unwrap();
    run(&mut c, &mut s);
    assert_eq!(s.handshake_kind(), Some(tryst::HandshakeKind::Full));
}

/// Redis down: no ticket is issued (never one that cannot resume), and the store says why.
#[test]
fn unreachable_redis_issues_no_tickets() {
    let port = free_port();
    let u = format!("redis://127.0.0.1:{port}/");
    let sessions = Arc::new(
        RedisSessionStore::new(&u)
            .unwrap()
            .with_timeout(Duration::from_millis(200)),
    );
    let s2 = sessions.clone();
    let client_store = Arc::new(InMemorySessionStore::new(4));
    let f = fleet(
        &|| Arc::new(RedisAntiReplay::new(&u).unwrap()),
        &|| Some(s2.clone()),
        client_store.clone(),
    );
    let mut c = ClientConnection::new(f.client.clone(), name()).unwrap();
    let mut s = ServerConnection::new(f.servers[0].clone()).unwrap();
    run(&mut c, &mut s);
    assert!(!c.is_handshaking());
    assert_eq!(client_store.count(&name()), 0);
    assert!(matches!(sessions.last_error(), Some(Error::Unreachable(_))));
}
