//! Fuzz `Tls12HandshakeMessage::decode` (the framed TLS 1.2 dispatcher, every type): no panic
//! on any input, and whatever parses re-encodes to the same bytes, except that a hello
//! without an extensions block re-encodes with an empty one (`00 00`, two bytes longer).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tryst_messages::{Codec, Tls12HandshakeMessage};

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = Tls12HandshakeMessage::decode(data) {
        let enc = m.to_bytes().expect("re-encode");
        if enc != data {
            assert!(matches!(
                m,
                Tls12HandshakeMessage::ClientHello(_) | Tls12HandshakeMessage::ServerHello(_)
            ));
            assert_eq!(enc.len(), data.len() + 2);
            assert_eq!(enc.get(4..data.len()), data.get(4..));
            assert_eq!(enc.get(data.len()..), Some(&[0u8, 0][..]));
        }
        assert_eq!(Tls12HandshakeMessage::decode(&enc).expect("decode again"), m);
        let owned = m.clone().into_owned();
        assert_eq!(owned, m);
    }
});
