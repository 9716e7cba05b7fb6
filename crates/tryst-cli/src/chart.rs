//! The handshake as a message sequence chart, drawn from a client's [`tryst::Event`]s.
//!
//! Notation as in RFC 8446 §2: `{Message}` is protected with handshake keys, `[Message]`
//! with application traffic keys, a bare name is plaintext.

use std::fmt::Write as _;

use tryst::Event;
use tryst::messages::{AlertDescription, HandshakeType};

/// ANSI styles, or nothing.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Whether to emit escape codes.
    pub color: bool,
}

impl Style {
    /// Colour when stdout is a terminal, NO_COLOR is unset and the user did not opt out.
    pub fn for_stdout(no_color: bool) -> Self {
        use std::io::IsTerminal;
        let color = !no_color
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            && std::io::stdout().is_terminal();
        Style { color }
    }

    /// Plain text.
    pub fn plain() -> Self {
        Style { color: false }
    }

    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    /// Client-side text.
    pub fn client(&self, s: &str) -> String {
        self.paint("36", s)
    }
    /// Server-side text.
    pub fn server(&self, s: &str) -> String {
        self.paint("33", s)
    }
    /// Key-schedule notes.
    pub fn secret(&self, s: &str) -> String {
        self.paint("32", s)
    }
    /// Headings.
    pub fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
    /// Secondary text.
    pub fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
    /// Secret values.
    pub fn value(&self, s: &str) -> String {
        self.paint("35", s)
    }
}

/// Width of the client column.
const LEFT: usize = 30;
const RIGHT_ARROW: &str = "-------->";
const LEFT_ARROW: &str = "<--------";

/// Draws events as they come (a connection is drawn in several calls).
#[derive(Debug)]
pub struct Chart {
    style: Style,
    /// Our messages after our Finished are under traffic keys.
    sent_finished: bool,
    /// The server's messages after its Finished are under traffic keys.
    received_finished: bool,
}

impl Chart {
    /// A chart for a client connection.
    pub fn new(style: Style) -> Self {
        Chart {
            style,
            sent_finished: false,
            received_finished: false,
        }
    }

    /// The two column headings.
    pub fn header(&self) -> String {
        format!(
            "    {}{}{}\n",
            self.style.client(&format!("{:<LEFT$}", "client")),
            " ".repeat(RIGHT_ARROW.len() + 2),
            self.style.server("server")
        )
    }

    fn wrap(&self, name: &str, encrypted: bool, app_keys: bool) -> String {
        match (encrypted, app_keys) {
            (false, _) => name.to_string(),
            (true, false) => format!("{{{name}}}"),
            (true, true) => format!("[{name}]"),
        }
    }

    fn sent(&self, out: &mut String, label: &str) {
        let _ = writeln!(
            out,
            "    {} {RIGHT_ARROW}",
            self.style.client(&format!("{label:<LEFT$}"))
        );
    }

    fn received(&self, out: &mut String, label: &str) {
        let _ = writeln!(
            out,
            "    {} {LEFT_ARROW}  {}",
            " ".repeat(LEFT),
            self.style.server(label)
        );
    }

    fn note(&self, out: &mut String, text: &str) {
        let _ = writeln!(out, "      {}", self.style.secret(&format!("~ {text}")));
    }

    /// Append the drawing of `events` to `out`.
    pub fn draw(&mut self, events: &[Event], out: &mut String) {
        let mut derived: Vec<&str> = Vec::new();
        for e in events {
            if let Event::SecretDerived(name) = e {
                // TLS 1.2's one secret is logged as CLIENT_RANDOM (the master secret).
                derived.push(if *name == "CLIENT_RANDOM" {
                    "the master secret (key log: CLIENT_RANDOM)"
                } else {
                    name
                });
                continue;
            }
            if !derived.is_empty() {
                self.note(out, &format!("derived {}", derived.join(", ")));
                derived.clear();
            }
            self.draw_event(e, out);
        }
        if !derived.is_empty() {
            self.note(out, &format!("derived {}", derived.join(", ")));
        }
    }

    /// One event that is not a derived secret.
    fn draw_event(&mut self, e: &Event, out: &mut String) {
        match e {
            Event::Sent { message, encrypted } => {
                if *message == HandshakeType::KeyUpdate {
                    return; // drawn from SentKeyUpdate, which says more
                }
                let label = self.wrap(&message_name(*message), *encrypted, self.sent_finished);
                self.sent(out, &label);
                if *message == HandshakeType::Finished {
                    self.sent_finished = true;
                }
            }
            Event::Received { message, encrypted } => {
                if *message == HandshakeType::KeyUpdate {
                    return; // drawn from ReceivedKeyUpdate, which says more
                }
                let label = self.wrap(&message_name(*message), *encrypted, self.received_finished);
                self.received(out, &label);
                if *message == HandshakeType::Finished {
                    self.received_finished = true;
                }
            }
            Event::SentChangeCipherSpec => self.sent(out, "ChangeCipherSpec"),
            Event::ReceivedChangeCipherSpec => self.received(out, "ChangeCipherSpec"),
            Event::SentKeyUpdate { requested } => {
                let label = if *requested {
                    "[KeyUpdate(update_requested)]"
                } else {
                    "[KeyUpdate]"
                };
                self.sent(out, label);
                self.note(out, "client now sends under its next traffic secret");
            }
            Event::ReceivedKeyUpdate { requested } => {
                let label = if *requested {
                    "[KeyUpdate(update_requested)]"
                } else {
                    "[KeyUpdate]"
                };
                self.received(out, label);
                self.note(out, "server now sends under its next traffic secret");
            }
            Event::ApplicationData { sent, len } => {
                let label = format!("[application data, {len} B]");
                if *sent {
                    self.sent(out, &label);
                } else {
                    self.received(out, &label);
                }
            }
            Event::Alert { sent, description } => {
                let protected = if *sent {
                    self.sent_finished
                } else {
                    self.received_finished
                };
                let name = if *description == AlertDescription::CloseNotify {
                    "Alert(close_notify)".to_string()
                } else {
                    format!("Alert({description})")
                };
                let label = self.wrap(&name, protected, true);
                if *sent {
                    self.sent(out, &label);
                } else {
                    self.received(out, &label);
                }
            }
            _ => {}
        }
    }
}

/// `ClientHello`, `EncryptedExtensions`, ... (RFC 8446's spelling).
pub fn message_name(t: HandshakeType) -> String {
    let known = match t {
        HandshakeType::ClientHello => "ClientHello",
        HandshakeType::ServerHello => "ServerHello",
        HandshakeType::NewSessionTicket => "NewSessionTicket",
        HandshakeType::EndOfEarlyData => "EndOfEarlyData",
        HandshakeType::EncryptedExtensions => "EncryptedExtensions",
        HandshakeType::Certificate => "Certificate",
        HandshakeType::CertificateRequest => "CertificateRequest",
        HandshakeType::CertificateVerify => "CertificateVerify",
        HandshakeType::Finished => "Finished",
        HandshakeType::KeyUpdate => "KeyUpdate",
        HandshakeType::ServerKeyExchange => "ServerKeyExchange",
        HandshakeType::ServerHelloDone => "ServerHelloDone",
        HandshakeType::ClientKeyExchange => "ClientKeyExchange",
        other => return other.to_string(),
    };
    known.to_string()
}

/// What was negotiated, one `name: value` per line.
pub fn negotiated(conn: &tryst::ConnectionCommon) -> Vec<(&'static str, String)> {
    let tls12 = conn.protocol_version().map(|v| v.to_raw()) == Some(0x0303);
    let kind = match conn.handshake_kind() {
        Some(tryst::HandshakeKind::Full) => "full handshake (certificate authentication)",
        Some(tryst::HandshakeKind::FullWithHelloRetryRequest) => {
            "full handshake after a HelloRetryRequest"
        }
        Some(tryst::HandshakeKind::Resumed) if tls12 => {
            "resumed (TLS 1.2: the session's master secret with new randoms)"
        }
        Some(tryst::HandshakeKind::Resumed) => "resumed from a ticket (psk_dhe_ke: fresh X25519)",
        Some(tryst::HandshakeKind::ResumedWithHelloRetryRequest) => {
            "resumed from a ticket after a HelloRetryRequest"
        }
        None => "unknown",
    };
    let or_none = |s: Option<String>| s.unwrap_or_else(|| "none".to_string());
    vec![
        (
            "version",
            conn.protocol_version()
                .map(|v| {
                    if v.to_raw() == 0x0304 {
                        "TLS 1.3".to_string()
                    } else if v.to_raw() == 0x0303 {
                        "TLS 1.2".to_string()
                    } else {
                        v.to_string()
                    }
                })
                .unwrap_or_else(|| "none".to_string()),
        ),
        (
            "cipher suite",
            or_none(conn.negotiated_cipher_suite().map(|s| s.suite.to_string())),
        ),
        (
            "key exchange",
            or_none(conn.negotiated_group().map(|g| g.to_string())),
        ),
        (
            "signature",
            or_none(conn.signature_scheme().map(|s| s.to_string())),
        ),
        (
            "ALPN",
            or_none(conn.alpn_protocol().map(crate::escape::peer)),
        ),
        ("handshake", kind.to_string()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_braces_for_handshake_keys_and_brackets_for_traffic_keys() {
        let mut chart = Chart::new(Style::plain());
        let mut out = String::new();
        chart.draw(
            &[
                Event::Sent {
                    message: HandshakeType::ClientHello,
                    encrypted: false,
                },
                Event::Received {
                    message: HandshakeType::ServerHello,
                    encrypted: false,
                },
                Event::SecretDerived("CLIENT_HANDSHAKE_TRAFFIC_SECRET"),
                Event::Received {
                    message: HandshakeType::EncryptedExtensions,
                    encrypted: true,
                },
                Event::Received {
                    message: HandshakeType::Finished,
                    encrypted: true,
                },
                Event::Received {
                    message: HandshakeType::NewSessionTicket,
                    encrypted: true,
                },
                Event::Sent {
                    message: HandshakeType::Finished,
                    encrypted: true,
                },
            ],
            &mut out,
        );
        assert!(out.contains("ClientHello"), "{out}");
        assert!(out.contains("<--------  ServerHello"), "{out}");
        assert!(
            out.contains("~ derived CLIENT_HANDSHAKE_TRAFFIC_SECRET"),
            "{out}"
        );
        assert!(out.contains("{EncryptedExtensions}"), "{out}");
        assert!(out.contains("[NewSessionTicket]"), "{out}");
        assert!(out.contains("{Finished}"), "{out}");
        assert!(!out.contains('\x1b'));
    }
}
