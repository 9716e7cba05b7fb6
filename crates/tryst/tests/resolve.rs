//! Issue 21: certificates chosen per connection. One server with certificates for two
//! names and two key types (ECDSA P-256 and RSA); clients asking for each name, clients
//! that verify only one key type, unknown names, a ticket offered for another name, and
//! client certificates chosen from the server's certificate_authorities.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::sync::{Arc, Mutex};

use common::{NOW, Pki, clock, pki, transfer};
use tryst::cert::{CertificateBuilder, TrustAnchors};
use tryst::crypto::{RUSTCRYPTO, Signer};
use tryst::messages::{AlertDescription, SignatureScheme};
use tryst::pki_types::{CertificateDer, ServerName, UnixTime};
use tryst::resolve::{ClientHello, Reason, Refusal, Resolved};
use tryst::session::{ClientSessionStore, Tls13Ticket};
use tryst::verify::{
    CertificateVerified, ServerCertVerifier, WebPkiClientVerifier, WebPkiServerVerifier,
};
use tryst::{
    CertifiedKey, ClientCertResolver, ClientConfig, ClientConnection, Error, ManualClock,
    ResolvesServerCert, SeededRandom, ServerConfig, ServerConnection, SniCertResolver, TicketKeys,
};

const RSA: &[u8] = include_bytes!("data/rsa2048.pk8.der");

/// A leaf for `names` with the key `pk8`, issued by the test CA.
fn leaf(p: &Pki, names: &[&str], pk8: &[u8]) -> Arc<CertifiedKey> {
    let nb = i64::try_from(NOW).unwrap() - 86_400;
    let signer = RUSTCRYPTO.key_loader.load_pkcs8_der(pk8).unwrap();
    let mut b = CertificateBuilder::new(names[0], nb, nb + 365 * 86_400).server_auth();
    for n in names {
        b = b.dns_name(n);
    }
    let der = b.issue(&*signer, &p.ca_der, &p.ca_key).unwrap();
    Arc::new(CertifiedKey::from_der(vec![CertificateDer::from(der)], pk8).unwrap())
}

/// The certificates of the virtual-hosting server.
struct Hosts {
    p: Pki,
    a_ec: Arc<CertifiedKey>,
    a_rsa: Arc<CertifiedKey>,
    b_ec: Arc<CertifiedKey>,
    b_rsa: Arc<CertifiedKey>,
    wild: Arc<CertifiedKey>,
    fallback: Arc<CertifiedKey>,
}

fn hosts() -> Hosts {
    let p = pki();
    let p256 = || {
        let k = tryst::crypto::EcdsaP256SigningKey::generate(&mut tryst::crypto::OsRng);
        k.to_pkcs8_der().unwrap()
    };
    let p384 = tryst::crypto::EcdsaP384SigningKey::generate(&mut tryst::crypto::OsRng)
        .to_pkcs8_der()
        .unwrap();
    Hosts {
        a_ec: leaf(&p, &["a.example"], &p256()),
        a_rsa: leaf(&p, &["a.example"], RSA),
        b_ec: leaf(&p, &["b.example", "www.b.example"], &p384),
        b_rsa: leaf(&p, &["b.example"], RSA),
        wild: leaf(&p, &["*.c.example"], &p256()),
        fallback: leaf(&p, &["default.example"], &p256()),
        p,
    }
}

fn resolver(h: &Hosts) -> SniCertResolver {
    SniCertResolver::new()
        .with_cert(h.a_ec.clone())
        .unwrap()
        .with_cert(h.a_rsa.clone())
        .unwrap()
        .with_cert(h.b_ec.clone())
        .unwrap()
        .with_cert(h.b_rsa.clone())
        .unwrap()
        .with_cert(h.wild.clone())
        .unwrap()
        .with_default_cert(h.fallback.clone())
        .unwrap()
}

fn server_config(
    resolver: Arc<dyn ResolvesServerCert>,
    clock: &Arc<ManualClock>,
) -> Arc<ServerConfig> {
    ServerConfig::builder_with_cert_resolver(resolver)
        .with_clock(clock.clone())
        .with_rng(Arc::new(SeededRandom::new(b"server")))
        .with_ticket_keys(Arc::new(TicketKeys::new(
            tryst::crypto::Secret::from_slice(&[9; 32]).unwrap(),
            std::time::Duration::from_secs(3600),
        )))
        .build()
        .unwrap()
}

/// A verifier that accepts only `schemes` in CertificateVerify.
struct OnlySchemes(WebPkiServerVerifier, Vec<SignatureScheme>);

impl ServerCertVerifier for OnlySchemes {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        now: UnixTime,
    ) -> Result<CertificateVerified, Error> {
        self.0
            .verify_server_cert(end_entity, intermediates, server_name, now)
    }

    fn supported_schemes(&self) -> Vec<SignatureScheme> {
        self.1.clone()
    }
}

fn client_config(
    p: &Pki,
    clock: &Arc<ManualClock>,
    schemes: Option<&[SignatureScheme]>,
) -> Arc<ClientConfig> {
    // No resumption: every connection is a full handshake that chooses a certificate.
    let b = ClientConfig::builder()
        .with_clock(clock.clone())
        .with_rng(Arc::new(SeededRandom::new(b"client")))
        .with_session_store(None);
    let anchors = TrustAnchors::from_der([p.ca_der.as_slice()]).unwrap();
    let b = match schemes {
        None => b.with_root_certificates(anchors),
        Some(s) => b.with_verifier(Arc::new(OnlySchemes(
            WebPkiServerVerifier::new(anchors),
            s.to_vec(),
        ))),
    };
    b.build().unwrap()
}

/// Connect to `name`; returns both ends and the first error of each.
fn connect(
    cc: Arc<ClientConfig>,
    sc: Arc<ServerConfig>,
    name: &str,
) -> (
    ClientConnection,
    ServerConnection,
    Option<Error>,
    Option<Error>,
) {
    let mut c = ClientConnection::new(cc, ServerName::try_from(name.to_string()).unwrap()).unwrap();
    let mut s = ServerConnection::new(sc).unwrap();
    let (ce, se) = transfer(&mut c, &mut s);
    (c, s, ce, se)
}

/// The handshake completed with `key`'s chain, chosen for `reason`.
fn assert_served(
    c: &ClientConnection,
    s: &ServerConnection,
    key: &Arc<CertifiedKey>,
    reason: Reason,
) {
    assert!(!c.is_handshaking() && !s.is_handshaking());
    assert_eq!(
        c.peer_certificates(),
        key.chain(),
        "client saw another chain"
    );
    let chosen = s
        .chosen_certificate()
        .expect("a full handshake chose a certificate");
    assert!(Arc::ptr_eq(&chosen.key, key), "server reports another key");
    assert_eq!(chosen.reason, reason);
    assert_eq!(c.signature_scheme(), Some(chosen.scheme));
}

#[test]
fn each_name_gets_its_own_chain() {
    let h = hosts();
    let clock = clock();
    let sc = server_config(Arc::new(resolver(&h)), &clock);
    let cc = client_config(&h.p, &clock, None);
    for (name, key) in [
        ("a.example", &h.a_ec),
        ("b.example", &h.b_ec),
        ("B.Example", &h.b_ec),
        ("www.b.example", &h.b_ec),
    ] {
        let (c, s, ce, se) = connect(cc.clone(), sc.clone(), name);
        assert!(ce.is_none() && se.is_none(), "{name}: {ce:?} {se:?}");
        assert_served(&c, &s, key, Reason::ExactName);
    }
    let (c, s, ce, se) = connect(cc.clone(), sc.clone(), "x.c.example");
    assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
    assert_served(&c, &s, &h.wild, Reason::WildcardName);
    assert_eq!(
        s.chosen_certificate().unwrap().scheme,
        SignatureScheme::EcdsaSecp256r1Sha256
    );
    let (_, s, _, _) = connect(cc, sc, "b.example");
    assert_eq!(
        s.chosen_certificate().unwrap().scheme,
        SignatureScheme::EcdsaSecp384r1Sha384
    );
}

#[test]
fn a_client_that_verifies_only_rsa_gets_the_rsa_chain() {
    let h = hosts();
    let clock = clock();
    let sc = server_config(Arc::new(resolver(&h)), &clock);
    for (offer, scheme) in [
        (
            SignatureScheme::RsaPssRsaeSha256,
            SignatureScheme::RsaPssRsaeSha256,
        ),
        (
            SignatureScheme::RsaPssRsaeSha384,
            SignatureScheme::RsaPssRsaeSha384,
        ),
        (
            SignatureScheme::RsaPssRsaeSha512,
            SignatureScheme::RsaPssRsaeSha512,
        ),
    ] {
        let cc = client_config(&h.p, &clock, Some(&[offer]));
        for (name, key) in [("a.example", &h.a_rsa), ("b.example", &h.b_rsa)] {
            let (c, s, ce, se) = connect(cc.clone(), sc.clone(), name);
            assert!(ce.is_none() && se.is_none(), "{name}: {ce:?} {se:?}");
            assert_served(&c, &s, key, Reason::ExactName);
            assert_eq!(c.signature_scheme(), Some(scheme));
        }
    }
    // ECDSA P-256 only: a.example's ECDSA chain even though b's is listed too.
    let cc = client_config(&h.p, &clock, Some(&[SignatureScheme::EcdsaSecp256r1Sha256]));
    let (c, s, ce, se) = connect(cc, sc, "a.example");
    assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
    assert_served(&c, &s, &h.a_ec, Reason::ExactName);
}

#[test]
fn a_name_served_only_with_a_key_type_the_client_cannot_verify_is_handshake_failure() {
    let h = hosts();
    let clock = clock();
    let sc = server_config(Arc::new(resolver(&h)), &clock);
    // x.c.example has only an ECDSA P-256 certificate; the client verifies only RSA.
    let cc = client_config(&h.p, &clock, Some(&[SignatureScheme::RsaPssRsaeSha256]));
    let (_, _, ce, se) = connect(cc, sc, "x.c.example");
    assert_eq!(
        ce,
        Some(Error::AlertReceived(AlertDescription::HandshakeFailure))
    );
    let se = se.unwrap();
    assert_eq!(se.alert(), Some(AlertDescription::HandshakeFailure), "{se}");
}

#[test]
fn an_unknown_name_gets_the_default_certificate_or_unrecognized_name() {
    let h = hosts();
    let clock = clock();
    // A name nobody serves: the default certificate (the client then refuses it, as it
    // does not name what it asked for; the choice is what matters here).
    let sc = server_config(Arc::new(resolver(&h)), &clock);
    let cc = client_config(&h.p, &clock, None);
    let (_, s, ce, _) = connect(cc.clone(), sc, "unknown.example");
    assert!(matches!(ce, Some(Error::Certificate(_))), "{ce:?}");
    let chosen = s.chosen_certificate().unwrap();
    assert!(Arc::ptr_eq(&chosen.key, &h.fallback));
    assert_eq!(chosen.reason, Reason::UnknownName);

    // No SNI at all: the default, which names what the client checks.
    let cc_no_sni = ClientConfig::builder()
        .with_clock(clock.clone())
        .with_rng(Arc::new(SeededRandom::new(b"client")))
        .with_root_certificates(TrustAnchors::from_der([h.p.ca_der.as_slice()]).unwrap())
        .with_sni(false)
        .build()
        .unwrap();
    let sc = server_config(Arc::new(resolver(&h)), &clock);
    let (c, s, ce, se) = connect(cc_no_sni, sc, "default.example");
    assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
    assert_served(&c, &s, &h.fallback, Reason::NoServerName);

    // Refusing unknown names: unrecognized_name (RFC 6066 §3).
    let refusing = resolver(&h).refuse_unknown_names(true);
    let sc = server_config(Arc::new(refusing), &clock);
    let (_, s, ce, se) = connect(cc, sc, "unknown.example");
    assert_eq!(
        ce,
        Some(Error::AlertReceived(AlertDescription::UnrecognizedName))
    );
    assert_eq!(
        se.unwrap().alert(),
        Some(AlertDescription::UnrecognizedName)
    );
    assert!(s.chosen_certificate().is_none());
}

#[test]
fn a_custom_resolver_sees_the_client_hello_and_can_refuse() {
    /// SNI, ALPN and the number of signature schemes of each hello seen.
    type Log = Mutex<Vec<(Option<String>, Vec<Vec<u8>>, usize)>>;
    struct Seen(Log, Arc<CertifiedKey>);
    impl ResolvesServerCert for Seen {
        fn resolve(&self, hello: &ClientHello<'_>) -> Result<Resolved, Refusal> {
            self.0.lock().unwrap().push((
                hello.server_name().map(str::to_string),
                hello.alpn_protocols().map(<[u8]>::to_vec).collect(),
                hello.signature_schemes().len(),
            ));
            if hello.server_name() == Some("refused.example") {
                return Err(Refusal::unrecognized_name("not served here"));
            }
            Ok(Resolved {
                key: self.1.clone(),
                reason: Reason::Custom("the test's choice"),
            })
        }
    }
    let h = hosts();
    let clock = clock();
    let seen = Arc::new(Seen(Mutex::new(Vec::new()), h.a_ec.clone()));
    let sc = ServerConfig::builder_with_cert_resolver(seen.clone())
        .with_clock(clock.clone())
        .with_alpn_protocols(vec![b"h2".to_vec()])
        .build()
        .unwrap();
    let cc = ClientConfig::builder()
        .with_clock(clock.clone())
        .with_root_certificates(TrustAnchors::from_der([h.p.ca_der.as_slice()]).unwrap())
        .with_alpn_protocols(vec![b"h2".to_vec(), b"http/1.1".to_vec()])
        .build()
        .unwrap();
    let (c, s, ce, se) = connect(cc.clone(), sc.clone(), "a.example");
    assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
    assert_served(&c, &s, &h.a_ec, Reason::Custom("the test's choice"));
    let (_, _, ce, se) = connect(cc, sc, "refused.example");
    assert_eq!(
        ce,
        Some(Error::AlertReceived(AlertDescription::UnrecognizedName))
    );
    assert!(matches!(
        se,
        Some(Error::PeerIncompatible {
            what: "not served here",
            ..
        })
    ));
    let seen = seen.0.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].0.as_deref(), Some("a.example"));
    assert_eq!(seen[0].1, vec![b"h2".to_vec(), b"http/1.1".to_vec()]);
    assert!(seen[0].2 >= 4);
}

/// A store that hands out any ticket it has, whatever name it is asked for: a client
/// that offers one name's ticket to another.
#[derive(Default)]
struct AnyNameStore(Mutex<Vec<Tls13Ticket>>);

impl ClientSessionStore for AnyNameStore {
    fn insert(&self, _: &ServerName<'static>, ticket: Tls13Ticket) {
        self.0.lock().unwrap().push(ticket);
    }
    fn take(&self, _: &ServerName<'static>) -> Option<Tls13Ticket> {
        self.0.lock().unwrap().pop()
    }
}

#[test]
fn a_ticket_from_one_name_never_resumes_another() {
    let h = hosts();
    let clock = clock();
    let sc = server_config(Arc::new(resolver(&h)), &clock);
    let store = Arc::new(AnyNameStore::default());
    let cc = ClientConfig::builder()
        .with_clock(clock.clone())
        .with_rng(Arc::new(SeededRandom::new(b"client")))
        .with_root_certificates(TrustAnchors::from_der([h.p.ca_der.as_slice()]).unwrap())
        .with_session_store(Some(store.clone()))
        .build()
        .unwrap();
    let (mut c, mut s, ce, se) = connect(cc.clone(), sc.clone(), "a.example");
    assert!(ce.is_none() && se.is_none());
    transfer(&mut c, &mut s); // the tickets
    assert!(!store.0.lock().unwrap().is_empty(), "no ticket stored");
    // a.example's ticket offered for b.example: a full handshake with b's certificate.
    let (c, s, ce, se) = connect(cc.clone(), sc.clone(), "b.example");
    assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
    assert!(!s.is_resumed() && !c.is_resumed());
    assert_served(&c, &s, &h.b_ec, Reason::ExactName);
    // The same name resumes (no certificate chosen then).
    let store2 = Arc::new(AnyNameStore::default());
    let cc2 = ClientConfig::builder()
        .with_clock(clock.clone())
        .with_root_certificates(TrustAnchors::from_der([h.p.ca_der.as_slice()]).unwrap())
        .with_session_store(Some(store2))
        .build()
        .unwrap();
    let (mut c, mut s, _, _) = connect(cc2.clone(), sc.clone(), "a.example");
    transfer(&mut c, &mut s);
    let (c, s, ce, se) = connect(cc2, sc, "a.example");
    assert!(ce.is_none() && se.is_none());
    assert!(s.is_resumed() && c.is_resumed());
    assert!(s.chosen_certificate().is_none());
    assert_eq!(c.peer_certificates(), h.a_ec.chain());
}

/// A client certificate for `name` with `key` (Ed25519 seed), issued by `ca`.
fn client_cert(ca: &Pki, seed: u8) -> Arc<CertifiedKey> {
    let nb = i64::try_from(NOW).unwrap() - 86_400;
    let key = common::key(seed);
    let der = CertificateBuilder::new("client", nb, nb + 365 * 86_400)
        .client_auth()
        .issue(&key, &ca.ca_der, &ca.ca_key)
        .unwrap();
    let signer: Arc<dyn Signer> = Arc::new(key);
    Arc::new(CertifiedKey::new(vec![CertificateDer::from(der)], signer).unwrap())
}

/// Another CA than `pki()`'s (a different key and name).
fn other_ca() -> Pki {
    let mut p = pki();
    let nb = i64::try_from(NOW).unwrap() - 86_400;
    p.ca_key = common::key(40);
    p.ca_der = CertificateBuilder::new("another test CA", nb, nb + 365 * 86_400)
        .ca(None)
        .self_signed(&p.ca_key)
        .unwrap();
    p
}

#[test]
fn the_client_picks_the_certificate_the_servers_certificate_authorities_name() {
    let h = hosts();
    let other = other_ca();
    let clock = clock();
    let wrong = client_cert(&other, 41);
    let right = client_cert(&h.p, 42);
    let client = |resolver: ClientCertResolver| {
        ClientConfig::builder()
            .with_clock(clock.clone())
            .with_root_certificates(TrustAnchors::from_der([h.p.ca_der.as_slice()]).unwrap())
            .with_client_cert_resolver(Arc::new(resolver))
            .build()
            .unwrap()
    };
    let server = |names: bool| {
        let anchors = TrustAnchors::from_der([h.p.ca_der.as_slice()]).unwrap();
        ServerConfig::builder_with_cert_resolver(Arc::new(resolver(&h)))
            .with_clock(clock.clone())
            .with_client_cert_verifier(Arc::new(
                WebPkiClientVerifier::new(anchors).with_certificate_authorities(names),
            ))
            .build()
            .unwrap()
    };
    let both = || ClientCertResolver::new([wrong.clone(), right.clone()]);
    // The server names its CA: the client skips the certificate from the other CA.
    let (c, s, ce, se) = connect(client(both()), server(true), "a.example");
    assert!(ce.is_none() && se.is_none(), "{ce:?} {se:?}");
    assert!(!c.is_handshaking());
    assert_eq!(s.peer_certificates(), right.chain());
    // Without names the first key whose scheme fits is sent, and refused (unknown_ca).
    let (_, _, ce, se) = connect(client(both()), server(false), "a.example");
    assert_eq!(
        se.as_ref().and_then(Error::alert),
        Some(AlertDescription::UnknownCa),
        "{se:?}"
    );
    assert_eq!(ce, Some(Error::AlertReceived(AlertDescription::UnknownCa)));
    // A resolver with no certificate from a named CA sends none: certificate_required.
    let (_, _, _, se) = connect(
        client(ClientCertResolver::new([wrong.clone()])),
        server(true),
        "a.example",
    );
    assert_eq!(
        se.as_ref().and_then(Error::alert),
        Some(AlertDescription::CertificateRequired)
    );
}
