//! Fuzz full path validation against a fixed Ed25519 anchor: the input is a list of
//! length-prefixed certificates (end entity first, then intermediates; see
//! `tryst_cert::fuzzing`). Validation never panics, stays within its budget, and a path it
//! returns really chains to the anchor.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use tryst_cert::fuzzing::{NAME, NOW, anchor, split};
use tryst_cert::rustls_pki_types::{ServerName, UnixTime};
use tryst_cert::{Budget, Policy, TrustAnchors, verify_client_cert, verify_server_cert};

fn anchors() -> &'static TrustAnchors {
    static A: OnceLock<TrustAnchors> = OnceLock::new();
    A.get_or_init(|| {
        let root = anchor().expect("anchor");
        TrustAnchors::from_der([root.as_slice()]).expect("anchor parses")
    })
}

fuzz_target!(|data: &[u8]| {
    let certs = split(data, 9);
    let Some((leaf, inters)) = certs.split_first() else {
        return;
    };
    let now = UnixTime::since_unix_epoch(std::time::Duration::from_secs(NOW));
    let name = ServerName::try_from(NAME).expect("name");
    // A small budget keeps each run fast; exhausting it is an ordinary error.
    let policy = Policy::DEFAULT.with_budget(Budget::DEFAULT.with_signatures(16).with_build_calls(256));
    if let Ok(path) = verify_server_cert(leaf, inters, anchors(), &name, now, &policy) {
        assert_eq!(path.end_entity().der(), *leaf);
        assert!(path.intermediates().len() <= inters.len());
        assert_eq!(path.anchor(), anchors().iter().next().expect("one anchor").as_ref());
    }
    let _ = verify_client_cert(leaf, inters, anchors(), now, &policy);
});
