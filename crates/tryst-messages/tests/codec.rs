//! Reader and Writer: exact sub-readers, trailing bytes, scoped length prefixes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use tryst_messages::{ErrorKind, Reader, Writer};

#[test]
fn sub_reader_must_be_consumed_exactly() {
    // u16 length 3, but the closure reads only two bytes.
    let input = [0, 3, 1, 2, 3];
    let err = Reader::read_all(&input, "outer", |r| {
        r.sub_u16("inner", 0, 10, |r| r.u16("value"))
    })
    .unwrap_err();
    assert_eq!(err.field(), "inner");
    assert_eq!(err.kind(), ErrorKind::TrailingBytes);

    let v = Reader::read_all(&input, "outer", |r| {
        r.sub_u16("inner", 0, 10, |r| Ok((r.u16("a")?, r.u8("b")?)))
    })
    .unwrap();
    assert_eq!(v, (0x0102, 3));
}

#[test]
fn read_all_rejects_trailing_bytes() {
    let err = Reader::read_all(&[1, 2], "x", |r| r.u8("x")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TrailingBytes);
}

#[test]
fn lengths_beyond_input_and_range() {
    let mut r = Reader::new(&[0, 5, 1, 2]);
    assert_eq!(
        r.bytes_u16("f", 0, 10).unwrap_err().kind(),
        ErrorKind::Truncated
    );
    let mut r = Reader::new(&[3, 1, 2, 3]);
    assert_eq!(
        r.bytes_u8("f", 0, 2).unwrap_err().kind(),
        ErrorKind::LengthOutOfRange {
            got: 3,
            min: 0,
            max: 2
        }
    );
    let mut r = Reader::new(&[0xff, 0xff, 0xff]);
    assert!(r.bytes_u24("f", 0, usize::MAX).is_err());
    let mut r = Reader::new(&[]);
    assert!(r.u8("f").is_err());
    assert!(r.u16("f").is_err());
    assert!(r.u24("f").is_err());
    assert!(r.u32("f").is_err());
    assert!(r.array::<32>("f").is_err());
}

#[test]
fn writer_fills_prefixes() {
    let mut w = Writer::new();
    w.u16_prefixed("outer", |w| {
        w.u8(1);
        w.u8_prefixed("inner", |w| w.bytes(b"abc"));
        w.u24_prefixed("big", |w| w.u32(0xdead_beef));
    });
    assert_eq!(
        w.finish().unwrap(),
        [
            0, 12, 1, 3, b'a', b'b', b'c', 0, 0, 4, 0xde, 0xad, 0xbe, 0xef
        ]
    );
}

#[test]
fn writer_overflow_reports_the_field() {
    let mut w = Writer::new();
    w.u8_prefixed("small", |w| w.bytes(&[0; 256]));
    let err = w.finish().unwrap_err();
    assert_eq!(err.field(), "small");
    assert_eq!(err.kind(), ErrorKind::EncodeOverflow { max: 255 });

    let mut w = Writer::new();
    w.u16_prefixed("medium", |w| w.bytes(&vec![0; 65_536]));
    assert!(w.finish().is_err());
    let mut w = Writer::new();
    w.u16_prefixed("medium", |w| w.bytes(&vec![0; 65_535]));
    assert_eq!(w.finish().unwrap().len(), 65_537);
}

#[test]
fn reader_debug_hides_bytes() {
    let r = Reader::new(b"secret");
    assert_eq!(format!("{r:?}"), "Reader { remaining: 6 }");
}
