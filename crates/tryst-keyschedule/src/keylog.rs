//! Key logging in the NSS SSLKEYLOGFILE format, for debugging with Wireshark and friends.
//!
//! Logging a secret is the one place where this crate lets a secret leave its type on
//! purpose: [`KeyLogHook::emit`]. The key schedule calls it for every secret with an
//! SSLKEYLOGFILE label, if (and only if) the caller installed a [`KeyLog`].

use alloc::sync::Arc;
use core::fmt;

use tryst_crypto::Secret;

/// `CLIENT_EARLY_TRAFFIC_SECRET`: client_early_traffic_secret (0-RTT).
pub const CLIENT_EARLY_TRAFFIC_SECRET: &str = "CLIENT_EARLY_TRAFFIC_SECRET";
/// `CLIENT_HANDSHAKE_TRAFFIC_SECRET`: client_handshake_traffic_secret.
pub const CLIENT_HANDSHAKE_TRAFFIC_SECRET: &str = "CLIENT_HANDSHAKE_TRAFFIC_SECRET";
/// `SERVER_HANDSHAKE_TRAFFIC_SECRET`: server_handshake_traffic_secret.
pub const SERVER_HANDSHAKE_TRAFFIC_SECRET: &str = "SERVER_HANDSHAKE_TRAFFIC_SECRET";
/// `CLIENT_TRAFFIC_SECRET_0`: client_application_traffic_secret_0.
pub const CLIENT_TRAFFIC_SECRET_0: &str = "CLIENT_TRAFFIC_SECRET_0";
/// `SERVER_TRAFFIC_SECRET_0`: server_application_traffic_secret_0.
pub const SERVER_TRAFFIC_SECRET_0: &str = "SERVER_TRAFFIC_SECRET_0";
/// `EXPORTER_SECRET`: exporter_master_secret.
pub const EXPORTER_SECRET: &str = "EXPORTER_SECRET";
/// `EARLY_EXPORTER_SECRET`: early_exporter_master_secret.
pub const EARLY_EXPORTER_SECRET: &str = "EARLY_EXPORTER_SECRET";

/// Receives secrets as they are derived, with their SSLKEYLOGFILE label and the
/// ClientHello random that identifies the connection.
///
/// Implementations usually append [`write_line`] output to a file named by the
/// `SSLKEYLOGFILE` environment variable. Never install one in production by default.
pub trait KeyLog: Send + Sync {
    /// Called with one secret. `secret` is the raw secret: this is where it leaves.
    fn log(&self, label: &str, client_random: &[u8; 32], secret: &[u8]);

    /// Whether [`log`](KeyLog::log) wants secrets with `label`; when false the secret is
    /// never exposed. Defaults to true.
    fn will_log(&self, label: &str) -> bool {
        let _ = label;
        true
    }
}

/// Writes one SSLKEYLOGFILE line, `LABEL <client_random hex> <secret hex>`, followed by a
/// newline. No allocation, so it also works in `no_std`.
pub fn write_line(
    out: &mut impl fmt::Write,
    label: &str,
    client_random: &[u8; 32],
    secret: &[u8],
) -> fmt::Result {
    out.write_str(label)?;
    out.write_char(' ')?;
    write_hex(out, client_random)?;
    out.write_char(' ')?;
    write_hex(out, secret)?;
    out.write_char('\n')
}

fn write_hex(out: &mut impl fmt::Write, bytes: &[u8]) -> fmt::Result {
    for b in bytes {
        write!(out, "{b:02x}")?;
    }
    Ok(())
}

/// A [`KeyLog`] plus the client random of the connection: what the key schedule stages
/// carry so they can report each secret as they derive it.
#[derive(Clone)]
pub struct KeyLogHook {
    log: Arc<dyn KeyLog>,
    client_random: [u8; 32],
}

impl KeyLogHook {
    /// Reports secrets to `log` under `client_random` (the ClientHello.random).
    pub fn new(log: Arc<dyn KeyLog>, client_random: [u8; 32]) -> Self {
        KeyLogHook { log, client_random }
    }

    /// **The secret leaves here.** Hands `secret` to the key log under `label`, unless the
    /// log declines that label.
    pub fn emit(&self, label: &str, secret: &Secret) {
        if self.log.will_log(label) {
            self.log
                .log(label, &self.client_random, secret.expose_secret());
        }
    }
}

impl fmt::Debug for KeyLogHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyLogHook(..)")
    }
}

/// Calls `hook.emit` when a hook is installed.
pub(crate) fn emit(hook: Option<&KeyLogHook>, label: &str, secret: &Secret) {
    if let Some(h) = hook {
        h.emit(label, secret);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;

    #[test]
    fn line_format() {
        let mut s = String::new();
        write_line(&mut s, CLIENT_TRAFFIC_SECRET_0, &[0xab; 32], &[0x01, 0xff]).unwrap();
        let mut expect = String::from("CLIENT_TRAFFIC_SECRET_0 ");
        for _ in 0..32 {
            expect.push_str("ab");
        }
        expect.push_str(" 01ff\n");
        assert_eq!(s, expect);
    }
}
