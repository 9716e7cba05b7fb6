//! Printing strings that came from a peer (SNI, ALPN, certificate names, anything in an
//! error) without letting them drive the terminal: control characters, escape sequences,
//! line breaks and bidirectional overrides become visible escapes.

use std::fmt::Write;

/// A peer's bytes for a log line: printable ASCII stays as it is, a backslash becomes `\\`
/// and every other byte (controls, DEL, anything non-ASCII) becomes `\xNN`. The result is
/// printable ASCII and cannot be mistaken for text that needed no escaping.
pub fn peer(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(char::from(b)),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out
}

/// The last line of defence for a whole line about to be printed: control characters
/// (C0, DEL, C1) and the invisible characters that reorder or hide text (bidirectional
/// marks, embeddings, overrides and isolates) become `\xNN` or `\u{NNNN}`. Everything else,
/// including backslashes, is left alone: peer strings inside were already escaped with
/// [`peer`].
pub fn controls(line: &str) -> String {
    if !line.chars().any(hidden) {
        return line.to_string();
    }
    let mut out = String::with_capacity(line.len() + 8);
    for c in line.chars() {
        let n = u32::from(c);
        if !hidden(c) {
            out.push(c);
        } else if n < 0x80 {
            let _ = write!(out, "\\x{n:02x}");
        } else {
            let _ = write!(out, "\\u{{{n:x}}}");
        }
    }
    out
}

fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{feff}'
        )
}

#[cfg(test)]
mod tests {
    use super::{controls, peer};

    #[test]
    fn peer_bytes_become_printable_ascii() {
        assert_eq!(peer(b"example.com"), "example.com");
        assert_eq!(peer(b"a\x1b[31mb\nc"), "a\\x1b[31mb\\x0ac");
        assert_eq!(peer(b"back\\slash"), "back\\\\slash");
        assert_eq!(
            peer(b"\\x1b"),
            "\\\\x1b",
            "a literal '\\x1b' stays distinguishable"
        );
        assert_eq!(peer("é\u{202e}".as_bytes()), "\\xc3\\xa9\\xe2\\x80\\xae");
        assert_eq!(peer(b"\x7f\x00\r\t"), "\\x7f\\x00\\x0d\\x09");
        assert!(
            peer(&(0..=255).collect::<Vec<u8>>())
                .bytes()
                .all(|b| (0x20..0x7f).contains(&b))
        );
    }

    #[test]
    fn whole_lines_lose_their_controls_only() {
        assert_eq!(controls("plain — text \\ here"), "plain — text \\ here");
        assert_eq!(controls("a\x1b[2Jb\r\nc"), "a\\x1b[2Jb\\x0d\\x0ac");
        assert_eq!(controls("x\u{202e}y\u{9b}z"), "x\\u{202e}y\\u{9b}z");
    }
}
