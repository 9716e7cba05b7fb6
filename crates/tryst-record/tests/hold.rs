//! `Deframer::hold`: the last application data record's plaintext stays in the buffer for
//! the reader; nothing moves it or overwrites it until it is taken, and the next record
//! is refused until then.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use tryst_crypto::{AES_128_GCM, AeadKey, Iv};
use tryst_messages::ContentType;
use tryst_record::{Deframer, Error, Message, RecordDecrypter, RecordEncrypter};

fn pair() -> (RecordEncrypter, RecordDecrypter) {
    let k = AeadKey::from_slice(&[4; 16]).unwrap();
    let mut e = RecordEncrypter::new();
    e.set_key(AES_128_GCM, &k, Iv::from_slice(&[5; 12]).unwrap())
        .unwrap();
    let mut d = RecordDecrypter::new();
    d.set_key(AES_128_GCM, &k, Iv::from_slice(&[5; 12]).unwrap())
        .unwrap();
    d.set_application_data_allowed(true);
    (e, d)
}

fn data(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| u8::try_from(i % 241).unwrap() ^ seed)
        .collect()
}

#[test]
fn held_plaintext_survives_pushes_until_taken() {
    let (mut e, mut d) = pair();
    let (a, b) = (data(16_384, 1), data(3_000, 2));
    let mut wire = Vec::new();
    e.write(ContentType::ApplicationData, &a, &mut wire)
        .unwrap();
    let first_len = wire.len();
    e.write(ContentType::ApplicationData, &b, &mut wire)
        .unwrap();

    let mut f = Deframer::new();
    // The first record and the start of the second.
    let mut at = f.push(&wire[..first_len + 10]);
    assert_eq!(at, first_len + 10);
    match f.next_record(&mut d).unwrap() {
        Some(Message::ApplicationData(p)) => assert!(p == &a[..]),
        other => panic!("{other:?}"),
    }
    assert_eq!(f.hold(), a.len());
    assert!(f.held() == &a[..]);
    assert!(!f.record_ready(), "only 10 bytes of the next record");
    // The next record cannot be opened while plaintext is held.
    assert!(matches!(f.next_record(&mut d), Err(Error::Misuse(_))));
    // Part of it taken; then more input, which compacts the buffer: the rest of the held
    // plaintext is untouched.
    f.take_held(1000);
    assert!(f.held() == &a[1000..]);
    while at < wire.len() {
        let n = f.push(&wire[at..]);
        if n == 0 {
            break;
        }
        at += n;
    }
    assert!(
        f.held() == &a[1000..],
        "held plaintext moved or overwritten"
    );
    // A whole record may not fit after the held one: take the rest, then it does.
    f.take_held(a.len());
    assert!(f.held().is_empty());
    while at < wire.len() {
        at += f.push(&wire[at..]);
    }
    assert!(f.record_ready());
    match f.next_record(&mut d).unwrap() {
        Some(Message::ApplicationData(p)) => assert!(p == &b[..]),
        other => panic!("{other:?}"),
    }
    assert_eq!(f.next_record(&mut d).unwrap(), None);
    assert_eq!(f.buffered_len(), 0);
}

#[test]
fn only_application_data_just_returned_can_be_held() {
    let (mut e, mut d) = pair();
    let mut wire = Vec::new();
    e.write(ContentType::Handshake, &[20, 0, 0, 1, 9], &mut wire)
        .unwrap();
    e.write(ContentType::ApplicationData, b"hello", &mut wire)
        .unwrap();
    let mut f = Deframer::new();
    assert_eq!(f.hold(), 0, "nothing returned yet");
    f.push(&wire);
    assert!(matches!(
        f.next_record(&mut d).unwrap(),
        Some(Message::Handshake(_))
    ));
    assert_eq!(f.hold(), 0, "a handshake record is not held");
    assert!(f.record_ready());
    assert!(matches!(
        f.next_record(&mut d).unwrap(),
        Some(Message::ApplicationData(b"hello"))
    ));
    // Another call in between (a push of nothing) ends the chance to hold it.
    f.push(&[]);
    assert_eq!(f.hold(), 0);
    assert!(f.held().is_empty());
    // The buffer can be given back: nothing is held or buffered.
    f.release_if_empty();
    assert_eq!(f.buffered_len(), 0);
}
