//! The zero-copy ("unbuffered") path for application data, in the spirit of rustls's
//! unbuffered API: records are sealed straight into the caller's output buffer and opened
//! in place in the caller's receive buffer, so plaintext is never copied into or out of a
//! connection-owned queue.
//!
//! The buffered API (`send_plaintext` / `read_tls` / `read_plaintext`) and this one share
//! the same record layer and state machine; a connection usually runs its handshake
//! through the buffered API and then moves its application data through this one. Sending
//! and receiving are independent: either direction may use either API.

use core::fmt;

use tryst_messages::ContentType;
use tryst_record::{HEADER_LEN, Message};

use crate::Error;
use crate::conn::ConnectionCommon;

/// Why [`ConnectionCommon::encrypt_into`] wrote nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncryptError {
    /// The output buffer is too short: `needed` bytes are required. Nothing was written
    /// and no sequence number was used; call again with a buffer that large.
    InsufficientSize {
        /// The size of the output buffer this call needs.
        needed: usize,
    },
    /// The connection cannot send application data now (handshake not complete,
    /// close_notify sent, or the connection failed).
    Connection(Error),
}

impl fmt::Display for EncryptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncryptError::InsufficientSize { needed } => {
                write!(f, "output buffer too small: {needed} bytes needed")
            }
            EncryptError::Connection(e) => write!(f, "{e}"),
        }
    }
}

impl core::error::Error for EncryptError {}

impl From<Error> for EncryptError {
    fn from(e: Error) -> Self {
        EncryptError::Connection(e)
    }
}

/// What [`ConnectionCommon::process_in_place`] did with the front of the caller's buffer.
#[derive(Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct InPlaceRecord<'a> {
    /// How many bytes at the front of the buffer were used up (one record). 0 means the
    /// buffer does not hold a whole record yet: keep its bytes, append more from the
    /// transport and call again.
    pub consumed: usize,
    /// Application data, decrypted in place: a view into the caller's buffer (inside the
    /// `consumed` bytes). `None` for records that carry none (handshake messages such as
    /// NewSessionTicket or KeyUpdate, a warning alert, close_notify, or input after it).
    pub plaintext: Option<&'a [u8]>,
}

impl ConnectionCommon {
    /// Seal `plaintext` as application data records straight into `out`, once the
    /// handshake is complete: each record's header and content are written once into
    /// `out` and encrypted there in place (the zero-copy send path). Returns how many
    /// bytes of `out` are now TLS records to send, in order.
    ///
    /// TLS bytes the connection had queued (an answer to the peer's KeyUpdate, a
    /// KeyUpdate of our own when the key's usage limit is near) are written first, so they
    /// reach the peer before records under the next key. Nothing else is buffered:
    /// `out` shorter than needed is [`EncryptError::InsufficientSize`] with the size to
    /// offer, and nothing is written. Large plaintexts become several records (at most
    /// 2^14 bytes each, or the peer's record_size_limit); an empty one writes no record.
    ///
    /// A round trip through the zero-copy API on both sides, after a handshake run
    /// through the buffered one:
    ///
    /// ```
    /// # #[cfg(feature = "std")] {
    /// # use std::sync::Arc;
    /// # use tryst::cert::{CertificateBuilder, KeyUsage, TrustAnchors};
    /// # use tryst::crypto::{Ed25519SigningKey, OsRng, Signer};
    /// # use tryst::pki_types::{CertificateDer, ServerName};
    /// # use tryst::{CertifiedKey, ClientConfig, ClientConnection, ServerConfig, ServerConnection};
    /// # let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    /// # let (from, to) = (now.as_secs() as i64 - 60, now.as_secs() as i64 + 3600);
    /// # let ca_key = Ed25519SigningKey::generate(&mut OsRng);
    /// # let ca = CertificateBuilder::new("demo CA", from, to)
    /// #     .ca(None).key_usage(KeyUsage::KEY_CERT_SIGN).self_signed(&ca_key)?;
    /// # let leaf_key = Ed25519SigningKey::generate(&mut OsRng);
    /// # let leaf = CertificateBuilder::new("localhost", from, to)
    /// #     .dns_name("localhost").server_auth().issue(&leaf_key, &ca, &ca_key)?;
    /// # let signer: Arc<dyn Signer> = Arc::new(leaf_key);
    /// # let server_cfg = ServerConfig::builder(CertifiedKey::new(
    /// #     vec![CertificateDer::from(leaf)], signer)?).build()?;
    /// # let client_cfg = ClientConfig::builder()
    /// #     .with_root_certificates(TrustAnchors::from_der([ca.as_slice()])?).build()?;
    /// # let mut client = ClientConnection::new(client_cfg, ServerName::try_from("localhost")?)?;
    /// # let mut server = ServerConnection::new(server_cfg)?;
    /// # while client.wants_write() || server.wants_write() {
    /// #     let c2s = client.pending_tls().to_vec();
    /// #     client.consume_tls(c2s.len());
    /// #     server.read_tls_bytes(&c2s);
    /// #     server.process_new_packets()?;
    /// #     let s2c = server.pending_tls().to_vec();
    /// #     server.consume_tls(s2c.len());
    /// #     client.read_tls_bytes(&s2c);
    /// #     client.process_new_packets()?;
    /// # }
    /// use tryst::EncryptError;
    ///
    /// // `client` and `server` have completed their handshake.
    /// let mut wire = [0u8; 64];
    /// // Too small: the error says how much room the records need.
    /// let needed = match client.encrypt_into(b"hello, zero-copy", &mut wire[..8]) {
    ///     Err(EncryptError::InsufficientSize { needed }) => needed,
    ///     other => panic!("{other:?}"),
    /// };
    /// let n = client.encrypt_into(b"hello, zero-copy", &mut wire)?;
    /// assert_eq!(n, needed);
    ///
    /// // The transport delivers the record in two pieces: the first is not enough.
    /// let mut received = wire[..10].to_vec();
    /// assert_eq!(server.process_in_place(&mut received)?.consumed, 0);
    /// received.extend_from_slice(&wire[10..n]);
    /// let record = server.process_in_place(&mut received)?;
    /// assert_eq!(record.consumed, n);
    /// // Decrypted inside `received`, not copied out.
    /// assert_eq!(record.plaintext, Some(&b"hello, zero-copy"[..]));
    /// # }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn encrypt_into(
        &mut self,
        plaintext: &[u8],
        out: &mut [u8],
    ) -> Result<usize, EncryptError> {
        if let Some(e) = &self.error {
            return Err(e.clone().into());
        }
        if !self.core.handshake_complete {
            return Err(Error::NotReady("encrypt_into before the handshake completed").into());
        }
        if self.core.close.sent_close_notify {
            return Err(
                Error::NotReady("close_notify was sent; nothing more can be written").into(),
            );
        }
        let now = self.common.clock().now();
        self.core
            .liveness
            .check_timeouts(now)
            .map_err(|e| self.fail(e))?;
        // TLS 1.2 has no KeyUpdate: the record layer's usage limit ends the connection.
        if self.core.records.encrypter.needs_key_update() && !self.core.tls12 {
            self.core.send_key_update(false).map_err(|e| self.fail(e))?;
        }
        let records = &mut self.core.records;
        let queued = records.tls_out.len();
        let needed = queued.saturating_add(
            records
                .encrypter
                .write_len(ContentType::ApplicationData, plaintext.len()),
        );
        let Some((head, tail)) = out
            .get_mut(..needed)
            .and_then(|o| o.split_at_mut_checked(queued))
        else {
            return Err(EncryptError::InsufficientSize { needed });
        };
        head.copy_from_slice(records.tls_out.pending());
        records.tls_out.clear();
        let written = records
            .encrypter
            .write_into(ContentType::ApplicationData, plaintext, tail)
            .map_err(|e| self.fail(e.into()))?;
        if !plaintext.is_empty() {
            self.core.liveness.touch(now);
            self.core.event(crate::Event::ApplicationData {
                sent: true,
                len: plaintext.len(),
            });
        }
        Ok(queued.saturating_add(written))
    }

    /// Process the first record in `buf` (TLS bytes from the transport) in place: its
    /// application data is decrypted inside `buf` and handed out as a view, without a
    /// copy (the zero-copy receive path). Other records are handled as
    /// [`process_new_packets`](Self::process_new_packets) would (a KeyUpdate changes
    /// the receive key and may queue an answer: send [`pending_tls`](Self::pending_tls)
    /// or let the next [`encrypt_into`](Self::encrypt_into) carry it).
    ///
    /// Call it in a loop, dropping `consumed` bytes from the front of the buffer each
    /// time; `consumed == 0` means the buffer holds only part of a record (which may be
    /// split across transport reads anywhere): keep those bytes, append more and call
    /// again. After the peer's close_notify every byte is consumed unread
    /// ([`peer_has_closed`](Self::peer_has_closed) turns true).
    ///
    /// Errors are as for `process_new_packets` (a record that fails authentication is
    /// `bad_record_mac`); the alert is queued in `pending_tls` and the error is permanent.
    /// Bytes already given to [`read_tls`](Self::read_tls_bytes) must be processed with
    /// `process_new_packets` first: mixing the two on unread input is refused.
    pub fn process_in_place<'a>(&mut self, buf: &'a mut [u8]) -> Result<InPlaceRecord<'a>, Error> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        if self.deframer.buffered_len() > 0 {
            return Err(Error::NotReady(
                "TLS bytes given to read_tls are still buffered: process them first",
            ));
        }
        let now = self.common.clock().now();
        let result = self
            .core
            .liveness
            .check_timeouts(now)
            .and_then(|()| self.open_in_place(now, buf));
        result.map_err(|e| self.fail(e))
    }

    fn open_in_place<'a>(
        &mut self,
        now: core::time::Duration,
        buf: &'a mut [u8],
    ) -> Result<InPlaceRecord<'a>, Error> {
        let need_more = InPlaceRecord {
            consumed: 0,
            plaintext: None,
        };
        if self.core.close.peer_closed {
            // RFC 8446 §6.1: whatever follows close_notify is ignored.
            return Ok(InPlaceRecord {
                consumed: buf.len(),
                plaintext: None,
            });
        }
        let Some(header) = buf.get(..HEADER_LEN) else {
            return Ok(need_more);
        };
        let ccs_allowed = self.ccs_allowed();
        let decrypter = &mut self.core.records.decrypter;
        decrypter.set_change_cipher_spec_allowed(ccs_allowed);
        let len = decrypter.check_header(header)?;
        let consumed = HEADER_LEN.saturating_add(len);
        let Some(record) = buf.get_mut(..consumed) else {
            return Ok(need_more);
        };
        let opened = decrypter.open_in_place(record)?;
        self.core.liveness.touch(now);
        let plaintext = match opened {
            None => None,
            Some(Message::Handshake(fragment)) => {
                self.joiner.push(fragment)?;
                self.handle_messages()?;
                if self.core.handshake_complete {
                    // Tickets and KeyUpdates are rare: keep idle connections small.
                    self.release_joiner_if_empty();
                }
                None
            }
            Some(_) if !self.joiner.at_message_boundary() => {
                return Err(Error::unexpected(
                    "a handshake message is interleaved with another record type (RFC 8446 §5.1)",
                ));
            }
            Some(early @ Message::ApplicationData(_)) if self.core.early.receiving() => {
                // 0-RTT: kept apart, for `ServerConnection::read_early_data`.
                self.core.receive_record(early)?;
                None
            }
            Some(Message::ApplicationData(data)) => {
                self.core.accept_app_data(data.len())?;
                Some(data)
            }
            Some(Message::ChangeCipherSpec) => {
                self.handle_change_cipher_spec()?;
                None
            }
            Some(other) => {
                self.core.receive_record(other)?;
                None
            }
        };
        Ok(InPlaceRecord {
            consumed,
            plaintext,
        })
    }
}
