//! Stateful tickets through a `ServerSessionStore`: tickets are 32-byte names, each resumes
//! at most once, servers sharing the store and the ticket keys resume each other's
//! sessions, and a store that refuses means no ticket (never a ticket that cannot resume).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{client_builder, clock, handshake, pair, pki, server_builder};
use tryst::HandshakeKind;
use tryst::crypto::zeroize::Zeroizing;
use tryst::session::{
    ClientSessionStore, InMemoryServerSessionStore, InMemorySessionStore, ServerSessionStore,
    Tls13Ticket,
};

/// A client store that keeps a copy of every ticket's bytes, so a test can offer one twice.
struct Copies(Mutex<Vec<Vec<u8>>>, InMemorySessionStore);

impl ClientSessionStore for Copies {
    fn insert(&self, name: &tryst::pki_types::ServerName<'static>, t: Tls13Ticket) {
        self.0.lock().unwrap().push(t.to_bytes().unwrap().to_vec());
        self.1.insert(name, t);
    }
    fn take(&self, name: &tryst::pki_types::ServerName<'static>) -> Option<Tls13Ticket> {
        self.1.take(name)
    }
}

#[test]
fn stateful_tickets_resume_once_across_servers() {
    let p = pki();
    let clock = clock();
    let store = Arc::new(InMemoryServerSessionStore::new(16));
    let copies = Arc::new(Copies(Mutex::new(Vec::new()), InMemorySessionStore::new(4)));
    let cc = client_builder(&p, &clock, b"client")
        .with_session_store(Some(copies.clone()))
        .build()
        .unwrap();
    let server = |seed: &[u8]| {
        server_builder(&p, &clock, seed)
            .with_session_store(store.clone())
            .with_ticket_count(1)
            .build()
            .unwrap()
    };
    let (a, b) = (server(b"a"), server(b"b"));
    let (mut c, mut s) = pair(cc.clone(), a.clone());
    handshake(&mut c, &mut s);
    let saved = copies.0.lock().unwrap()[0].clone();
    // The other server resumes it (shared store and keys)...
    let (mut c, mut s) = pair(cc.clone(), b.clone());
    handshake(&mut c, &mut s);
    assert_eq!(s.handshake_kind(), Some(HandshakeKind::Resumed));
    // ...once: the same ticket offered again gets a full handshake.
    copies.1.insert(
        &common::localhost(),
        Tls13Ticket::from_bytes(&saved).unwrap(),
    );
    let (mut c, mut s) = pair(cc.clone(), a);
    handshake(&mut c, &mut s);
    assert_eq!(s.handshake_kind(), Some(HandshakeKind::Full));
    // The ticket is a 32-byte name: shorter than a stateless ticket (the sealed session,
    // over 100 bytes) by what the session takes.
    while copies.1.take(&common::localhost()).is_some() {}
    let stateless = server_builder(&p, &clock, b"c")
        .with_ticket_count(1)
        .build()
        .unwrap();
    let (mut c, mut s) = pair(cc, stateless);
    handshake(&mut c, &mut s);
    let sealed_len = copies.0.lock().unwrap().last().unwrap().len();
    assert!(
        saved.len() + 60 < sealed_len,
        "{} vs {sealed_len}",
        saved.len()
    );
}

/// A store that refuses everything: no tickets are sent.
struct Refuses;
impl ServerSessionStore for Refuses {
    fn put(&self, _: &[u8; 32], _: &[u8], _: Duration, _: Duration) -> bool {
        false
    }
    fn take(&self, _: &[u8; 32], _: Duration) -> Option<Zeroizing<Vec<u8>>> {
        None
    }
}

#[test]
fn a_store_that_refuses_means_no_ticket() {
    let p = pki();
    let clock = clock();
    let client_store = Arc::new(InMemorySessionStore::new(4));
    let cc = client_builder(&p, &clock, b"client")
        .with_session_store(Some(client_store.clone()))
        .build()
        .unwrap();
    let sc = server_builder(&p, &clock, b"s")
        .with_session_store(Arc::new(Refuses))
        .build()
        .unwrap();
    let (mut c, mut s) = pair(cc, sc);
    handshake(&mut c, &mut s);
    assert_eq!(client_store.count(&common::localhost()), 0);
}

#[test]
fn in_memory_store_is_bounded_and_expires() {
    let store = InMemoryServerSessionStore::new(2);
    let t0 = Duration::from_secs(100);
    let t1 = t0 + Duration::from_secs(10);
    assert!(store.put(&[1; 32], b"one", t0, t1));
    assert!(store.put(&[2; 32], b"two", t0, t1));
    assert!(
        !store.put(&[3; 32], b"three", t0, t1),
        "full of live sessions"
    );
    assert_eq!(&store.take(&[1; 32], t0).unwrap()[..], b"one");
    assert!(store.take(&[1; 32], t0).is_none(), "taken once");
    assert!(store.put(&[3; 32], b"three", t0, t1));
    assert!(store.take(&[2; 32], t1).is_none(), "expired");
}
