//! TLS 1.2 record protection against records OpenSSL 3.0 sent: one connection per AEAD
//! (ECDHE-RSA with AES-128-GCM, AES-256-GCM, ChaCha20-Poly1305), captured once through a
//! loopback relay by `tests/data/tls12/capture.py` (the command is in that file), with
//! the client's SSLKEYLOGFILE. Keys come from the master secret through the TLS 1.2 PRF
//! (tryst-keyschedule); tryst must open every protected record, find the Finished
//! verify_data the PRF predicts, and seal the same plaintexts to the same bytes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use tryst_crypto::{AES_128_GCM, AES_256_GCM, Aead, AeadKey, CHACHA20_POLY1305, Hash, Iv};
use tryst_crypto::{SHA256, SHA384, Secret};
use tryst_keyschedule::tls12::{Side, key_block, verify_data};
use tryst_messages::{
    CipherSuite, ContentType, HandshakeJoiner, HandshakeType, Tls12HandshakeMessage,
};
use tryst_record::{Message, RecordDecrypter, RecordEncrypter};

struct Capture {
    c2s: &'static [u8],
    s2c: &'static [u8],
    keylog: &'static str,
    suite: CipherSuite,
}

const CAPTURES: [Capture; 3] = [
    Capture {
        c2s: include_bytes!("data/tls12/aes128gcm.c2s"),
        s2c: include_bytes!("data/tls12/aes128gcm.s2c"),
        keylog: include_str!("data/tls12/aes128gcm.keylog"),
        suite: CipherSuite::TlsEcdheRsaWithAes128GcmSha256,
    },
    Capture {
        c2s: include_bytes!("data/tls12/aes256gcm.c2s"),
        s2c: include_bytes!("data/tls12/aes256gcm.s2c"),
        keylog: include_str!("data/tls12/aes256gcm.keylog"),
        suite: CipherSuite::TlsEcdheRsaWithAes256GcmSha384,
    },
    Capture {
        c2s: include_bytes!("data/tls12/chacha20.c2s"),
        s2c: include_bytes!("data/tls12/chacha20.s2c"),
        keylog: include_str!("data/tls12/chacha20.keylog"),
        suite: CipherSuite::TlsEcdheRsaWithChacha20Poly1305Sha256,
    },
];

/// Split a byte stream into whole records.
fn records(mut stream: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while !stream.is_empty() {
        let len = usize::from(u16::from_be_bytes([stream[3], stream[4]]));
        let (rec, rest) = stream.split_at(5 + len);
        out.push(rec);
        stream = rest;
    }
    out
}

/// What one direction carried: plaintext handshake messages, then (after
/// ChangeCipherSpec) the protected records and what they opened to.
struct Direction<'a> {
    handshake: Vec<Vec<u8>>,
    protected: Vec<(&'a [u8], ContentType, Vec<u8>)>,
}

fn open_direction<'a>(stream: &'a [u8], aead: &dyn Aead, key: &[u8], iv: &[u8]) -> Direction<'a> {
    let mut d = RecordDecrypter::new();
    d.set_tls12();
    d.expect_change_cipher_spec();
    let mut joiner = HandshakeJoiner::new();
    let mut dir = Direction {
        handshake: Vec::new(),
        protected: Vec::new(),
    };
    for rec in records(stream) {
        let protected = d.is_protected();
        let mut buf = rec.to_vec();
        let msg = match d.open_in_place(&mut buf) {
            Ok(m) => m,
            // OpenSSL's server ends with a fatal alert when the client disappears.
            Err(tryst_record::Error::AlertReceived(a)) if protected => {
                let body = vec![a.level.into(), a.description.into()];
                dir.protected.push((rec, ContentType::Alert, body));
                continue;
            }
            Err(e) => panic!("{e:?}"),
        };
        match msg {
            Some(Message::ChangeCipherSpec) => {
                assert!(joiner.at_message_boundary());
                d.set_key_tls12_at_boundary(
                    &joiner,
                    aead,
                    &AeadKey::from_slice(key).unwrap(),
                    Iv::from_slice(iv).unwrap(),
                )
                .unwrap();
            }
            Some(Message::Handshake(b)) if !protected => {
                joiner.push(b).unwrap();
                while let Some(raw) = joiner.next_message().unwrap() {
                    // Every message OpenSSL sent parses with the TLS 1.2 codec.
                    raw.parse_tls12().unwrap();
                    dir.handshake.push(raw.encoded.to_vec());
                }
            }
            Some(m) => {
                assert!(protected, "{m:?} in the clear");
                let (typ, body) = match m {
                    Message::Handshake(b) => (ContentType::Handshake, b.to_vec()),
                    Message::ApplicationData(b) => (ContentType::ApplicationData, b.to_vec()),
                    Message::CloseNotify => (ContentType::Alert, vec![1, 0]),
                    Message::Alert(a) => (
                        ContentType::Alert,
                        vec![a.level.into(), a.description.into()],
                    ),
                    other => panic!("{other:?}"),
                };
                dir.protected.push((rec, typ, body));
            }
            None => panic!("nothing from a record"),
        }
    }
    dir
}

fn hash_of(hash: &dyn Hash, parts: &[&Vec<u8>]) -> tryst_crypto::Output {
    let mut ctx = hash.start();
    for p in parts {
        ctx.update(p);
    }
    ctx.finish()
}

#[test]
fn openssl_tls12_records_open_and_reseal() {
    for cap in &CAPTURES {
        let c2s = records(cap.c2s);
        let s2c = records(cap.s2c);
        // ClientHello and ServerHello are the first records; their randoms start at
        // offset 5 (record header) + 4 (handshake header) + 2 (version).
        let client_random: [u8; 32] = c2s[0][11..43].try_into().unwrap();
        let server_random: [u8; 32] = s2c[0][11..43].try_into().unwrap();
        let Tls12HandshakeMessage::ServerHello(sh) =
            Tls12HandshakeMessage::parse_body(HandshakeType::ServerHello, &s2c[0][9..]).unwrap()
        else {
            panic!()
        };
        assert_eq!(sh.cipher_suite, cap.suite);
        assert!(sh.extended_master_secret());

        let line = cap
            .keylog
            .lines()
            .find(|l| l.starts_with("CLIENT_RANDOM "))
            .unwrap();
        let fields: Vec<&str> = line.split(' ').collect();
        assert_eq!(hex::decode(fields[1]).unwrap(), client_random);
        let master = Secret::from_slice(&hex::decode(fields[2]).unwrap()).unwrap();

        let (aead, hash, iv_len): (&dyn Aead, &dyn Hash, usize) = match cap.suite {
            CipherSuite::TlsEcdheRsaWithAes128GcmSha256 => (AES_128_GCM, SHA256, 4),
            CipherSuite::TlsEcdheRsaWithAes256GcmSha384 => (AES_256_GCM, SHA384, 4),
            _ => (CHACHA20_POLY1305, SHA256, 12),
        };
        let k = aead.key_len();
        // RFC 5246 §6.3: client_write_key, server_write_key, client_write_IV,
        // server_write_IV (AEAD suites have no MAC keys).
        let block = key_block(
            hash,
            &master,
            &client_random,
            &server_random,
            2 * k + 2 * iv_len,
        )
        .unwrap();
        let (ck, rest) = block.split_at(k);
        let (sk, rest) = rest.split_at(k);
        let (civ, siv) = rest.split_at(iv_len);

        let client = open_direction(cap.c2s, aead, ck, civ);
        let server = open_direction(cap.s2c, aead, sk, siv);

        // The first protected record of each side is its Finished, 12 bytes of PRF output
        // over the transcript (RFC 5246 §7.4.9). Transcript order: ClientHello, the
        // server's flight, ClientKeyExchange, client Finished, server Finished.
        let mut transcript: Vec<&Vec<u8>> = vec![&client.handshake[0]];
        transcript.extend(server.handshake.iter());
        transcript.extend(client.handshake[1..].iter());
        let (_, typ, client_finished) = &client.protected[0];
        assert_eq!(*typ, ContentType::Handshake);
        assert_eq!(client_finished[..4], [20, 0, 0, 12]);
        let expect = verify_data(hash, &master, Side::Client, &hash_of(hash, &transcript)).unwrap();
        assert_eq!(&client_finished[4..], expect.expose_secret());
        transcript.push(client_finished);
        let (_, _, server_finished) = &server.protected[0];
        let expect = verify_data(hash, &master, Side::Server, &hash_of(hash, &transcript)).unwrap();
        assert_eq!(&server_finished[4..], expect.expose_secret());

        assert_eq!(client.protected[1].2, b"ping from the client\n");
        assert_eq!(client.protected[1].1, ContentType::ApplicationData);
        assert_eq!(server.protected[1].2, b"pong from the server\n");

        // Seal the same plaintexts: the same bytes. OpenSSL's explicit nonce is a
        // counter from a random start (RFC 5288 allows any unique value), so tryst is
        // told that start; ChaCha20-Poly1305 has none (RFC 7905).
        for (dir, key, iv) in [(&client, ck, civ), (&server, sk, siv)] {
            let mut e = RecordEncrypter::new();
            e.set_key_tls12(
                aead,
                &AeadKey::from_slice(key).unwrap(),
                Iv::from_slice(iv).unwrap(),
            )
            .unwrap();
            if iv_len == 4 {
                let first: [u8; 8] = dir.protected[0].0[5..13].try_into().unwrap();
                e.set_tls12_explicit_nonce_offset(u64::from_be_bytes(first));
            }
            for (rec, typ, body) in &dir.protected {
                let mut out = Vec::new();
                e.write(*typ, body, &mut out).unwrap();
                assert_eq!(&out[..], *rec, "{:?} {typ:?}", cap.suite);
            }
        }
    }
}

/// A bit flipped anywhere in a captured protected record (header, explicit nonce,
/// ciphertext, tag) is refused with bad_record_mac (or record_overflow / an unexpected
/// type when the header's own fields change).
#[test]
fn openssl_tls12_records_reject_bit_flips() {
    let cap = &CAPTURES[0];
    let c2s = records(cap.c2s);
    let s2c = records(cap.s2c);
    let client_random: [u8; 32] = c2s[0][11..43].try_into().unwrap();
    let server_random: [u8; 32] = s2c[0][11..43].try_into().unwrap();
    let line = cap.keylog.lines().nth(1).unwrap();
    let master = Secret::from_slice(&hex::decode(&line[79..]).unwrap()).unwrap();
    let block = key_block(SHA256, &master, &client_random, &server_random, 40).unwrap();
    // The client's application data record (after its Finished).
    let ccs_at = c2s.iter().position(|r| r[0] == 20).unwrap();
    let app = c2s[ccs_at + 2];
    for bit in 0..app.len() * 8 {
        let mut d = RecordDecrypter::new();
        d.set_key_tls12(
            AES_128_GCM,
            &AeadKey::from_slice(&block[..16]).unwrap(),
            Iv::from_slice(&block[32..36]).unwrap(),
        )
        .unwrap();
        // Skip the Finished: sequence number 1 for the application data.
        let mut fin = c2s[ccs_at + 1].to_vec();
        d.open_in_place(&mut fin).unwrap();
        let mut rec = app.to_vec();
        rec[bit / 8] ^= 1 << (bit % 8);
        if bit / 8 == 3 || bit / 8 == 4 {
            continue; // the length: no longer one whole record
        }
        assert!(d.open_in_place(&mut rec).is_err(), "bit {bit}");
    }
}
