//! Read the ClientHello before choosing the server config (sans-IO), as a reverse proxy
//! does: [`Acceptor`] takes TLS bytes until a whole ClientHello has arrived, [`Accepted`]
//! shows it ([`ClientHello`](crate::resolve::ClientHello): SNI, ALPN, signature schemes,
//! groups, suites), and [`Accepted::into_connection`] starts the server connection with
//! the config picked for it. The ClientHello is handed to the connection as it arrived,
//! so its transcript is the one the client hashes; records that came after it stay
//! buffered for the connection. Nothing is read from the transport twice.
//!
//! Memory is bounded whatever the client sends: one record in the deframer and at most
//! [`Acceptor::with_max_client_hello_len`] bytes of ClientHello (a header declaring more
//! is refused as soon as it arrives, decode_error). Time is the caller's to bound (a
//! client that never finishes its hello is dropped by a deadline, as for a handshake).

use alloc::sync::Arc;
use alloc::vec::Vec;

use tryst_messages::{
    Alert, AlertDescription, AlertLevel, ClientHello, HandshakeJoiner, HandshakeType,
    ProtocolVersion,
};
use tryst_record::{Deframer, Message, RecordDecrypter, RecordEncrypter};

use crate::Error;
use crate::config::ServerConfig;
use crate::server::ServerConnection;

/// Waits for a ClientHello. Feed it TLS bytes with [`read_tls_bytes`](Self::read_tls_bytes)
/// (or `read_tls` under `std`) and call [`accept`](Self::accept) until it returns the hello.
pub struct Acceptor {
    deframer: Deframer,
    decrypter: RecordDecrypter,
    joiner: HandshakeJoiner,
    /// The alert of a failure, for the transport.
    alert: Vec<u8>,
    failed: Option<Error>,
}

impl core::fmt::Debug for Acceptor {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Acceptor")
            .field("buffered", &self.buffered_len())
            .finish_non_exhaustive()
    }
}

impl Default for Acceptor {
    fn default() -> Self {
        Self::new()
    }
}

/// The largest ClientHello an [`Acceptor`] takes by default: 16 KiB (a browser's is under
/// 2 KiB, with post-quantum key shares and ECH under 4 KiB).
pub const DEFAULT_MAX_CLIENT_HELLO_LEN: usize = 16 * 1024;

impl Acceptor {
    /// An acceptor taking ClientHellos of up to [`DEFAULT_MAX_CLIENT_HELLO_LEN`] bytes.
    pub fn new() -> Self {
        Self::with_max_client_hello_len(DEFAULT_MAX_CLIENT_HELLO_LEN)
    }

    /// An acceptor taking ClientHellos of up to `max` bytes (body length).
    pub fn with_max_client_hello_len(max: usize) -> Self {
        let mut decrypter = RecordDecrypter::new();
        // As a server connection before its first ClientHello (conn.rs `Core::new`).
        decrypter.set_change_cipher_spec_allowed(false);
        decrypter.set_application_data_allowed(false);
        decrypter.set_plaintext_alerts_allowed(true);
        Acceptor {
            deframer: Deframer::new(),
            decrypter,
            joiner: HandshakeJoiner::with_max_message_len(max),
            alert: Vec::new(),
            failed: None,
        }
    }

    /// Take TLS bytes; returns how many were taken (fewer when a record is waiting: call
    /// [`accept`](Self::accept), then offer the rest again).
    pub fn read_tls_bytes(&mut self, input: &[u8]) -> usize {
        if self.failed.is_some() {
            return 0;
        }
        self.deframer.push(input)
    }

    /// Bytes held: the deframer's record and the partial ClientHello.
    pub fn buffered_len(&self) -> usize {
        self.deframer
            .buffered_len()
            .saturating_add(self.joiner.buffered_len())
    }

    /// Process what arrived: `Ok(None)` until a whole ClientHello is here. On error the
    /// matching alert waits in [`pending_tls`](Self::pending_tls), and every later call
    /// returns the same error.
    pub fn accept(&mut self) -> Result<Option<Accepted>, Error> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let accepted = self.next_hello().and_then(|hello| match hello {
            Some(hello) => {
                let deframer = core::mem::take(&mut self.deframer);
                Accepted::new(hello, deframer).map(Some)
            }
            None => Ok(None),
        });
        accepted.map_err(|e| self.fail(e))
    }

    /// The alert of a failed accept, to write to the transport.
    pub fn pending_tls(&self) -> &[u8] {
        &self.alert
    }

    fn fail(&mut self, e: Error) -> Error {
        if let Some(description) = e.alert() {
            let alert = Alert {
                level: AlertLevel::Fatal,
                description,
            };
            let _ = RecordEncrypter::new().write_alert(alert, &mut self.alert);
        }
        self.failed = Some(e.clone());
        e
    }

    /// The encoded ClientHello once it is complete and alone at the end of its record
    /// (RFC 8446 §5.1: it may precede a key change).
    fn next_hello(&mut self) -> Result<Option<Vec<u8>>, Error> {
        while let Some(msg) = self.deframer.next_record(&mut self.decrypter)? {
            let fragment = match msg {
                Message::Handshake(fragment) => fragment,
                Message::Alert(a) => return Err(Error::AlertReceived(a.description)),
                Message::CloseNotify => {
                    return Err(Error::AlertReceived(AlertDescription::CloseNotify));
                }
                _ => return Err(Error::unexpected("a record other than a ClientHello first")),
            };
            self.joiner.push(fragment)?;
            let buffered = self.joiner.buffered_len();
            let Some(raw) = self.joiner.next_message()? else {
                continue;
            };
            if raw.typ != HandshakeType::ClientHello {
                return Err(Error::unexpected(
                    "the first handshake message is not a ClientHello",
                ));
            }
            if buffered > raw.encoded.len() {
                return Err(Error::unexpected(
                    "a message that can precede a key change must end its record (RFC 8446 §5.1)",
                ));
            }
            return Ok(Some(raw.encoded.to_vec()));
        }
        Ok(None)
    }
}

#[cfg(feature = "std")]
impl Acceptor {
    /// Read TLS bytes from `rd` (one read call). Returns the count, 0 at end of file.
    pub fn read_tls(&mut self, rd: &mut dyn std::io::Read) -> std::io::Result<usize> {
        let space = self.deframer.unfilled();
        if space.is_empty() {
            return Err(std::io::Error::other(
                "TLS receive buffer full: call accept",
            ));
        }
        let n = rd.read(space)?.min(space.len());
        self.deframer.commit(n);
        Ok(n)
    }

    /// Write the alert of a failed accept to `wr` (one write call).
    pub fn write_tls(&mut self, wr: &mut dyn std::io::Write) -> std::io::Result<usize> {
        let n = wr.write(&self.alert)?;
        self.alert.drain(..n.min(self.alert.len()));
        Ok(n)
    }
}

/// A whole ClientHello, waiting for the config of its connection.
pub struct Accepted {
    /// The message as it arrived, header included (what the transcript hashes).
    encoded: Vec<u8>,
    hello: ClientHello<'static>,
    version: ProtocolVersion,
    /// Records after the ClientHello, for the connection.
    deframer: Deframer,
}

impl core::fmt::Debug for Accepted {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Accepted")
            .field("client_hello", &self.client_hello())
            .finish_non_exhaustive()
    }
}

impl Accepted {
    fn new(encoded: Vec<u8>, deframer: Deframer) -> Result<Self, Error> {
        let body = encoded.get(4..).unwrap_or_default();
        let versions = ClientHello::peek_versions(body)?;
        let version = if versions.offers(ProtocolVersion::Tls13) {
            ProtocolVersion::Tls13
        } else {
            ProtocolVersion::Tls12
        };
        // TLS 1.2 hellos parse with 1.2's extension rules.
        let hello = match version {
            ProtocolVersion::Tls13 => <ClientHello<'_> as tryst_messages::Codec<'_>>::decode(body)?,
            _ => ClientHello::decode_tls12(body)?,
        }
        .into_owned();
        Ok(Accepted {
            encoded,
            hello,
            version,
            deframer,
        })
    }

    /// What the ClientHello says.
    pub fn client_hello(&self) -> crate::resolve::ClientHello<'_> {
        crate::resolve::ClientHello::new(&self.hello, self.version)
    }

    /// Start the server connection with `config` and give it the ClientHello (and any
    /// records that followed). On failure the connection's error and the alert to send
    /// are returned.
    pub fn into_connection(self, config: Arc<ServerConfig>) -> Result<ServerConnection, Rejected> {
        let mut conn = ServerConnection::new(config).map_err(|error| Rejected {
            error,
            alert: Vec::new(),
        })?;
        let result = conn.take_client_hello(&self.encoded, self.deframer);
        match result {
            Ok(()) => Ok(conn),
            Err(error) => {
                let alert = conn.pending_tls().to_vec();
                Err(Rejected { error, alert })
            }
        }
    }

    /// Refuse the connection with `alert` (for example unrecognized_name for a name this
    /// server does not serve): the bytes to write to the transport.
    pub fn refuse(self, description: AlertDescription) -> Vec<u8> {
        let mut out = Vec::new();
        let alert = Alert {
            level: AlertLevel::Fatal,
            description,
        };
        let _ = RecordEncrypter::new().write_alert(alert, &mut out);
        out
    }
}

/// A connection that failed as its ClientHello was handed over.
#[derive(Debug, Clone)]
pub struct Rejected {
    /// Why.
    pub error: Error,
    /// The alert to write to the transport (may be empty).
    pub alert: Vec<u8>,
}

impl ServerConnection {
    /// Handle a ClientHello an [`Acceptor`] read, then the records that followed it.
    fn take_client_hello(&mut self, encoded: &[u8], deframer: Deframer) -> Result<(), Error> {
        let inner = &mut **self;
        inner.deframer = deframer;
        let handled = inner
            .joiner
            .push(encoded)
            .map_err(Error::from)
            .and_then(|()| inner.handle_messages());
        if let Err(e) = handled {
            return Err(inner.fail(e));
        }
        inner.process_new_packets().map(|_| ())
    }
}
