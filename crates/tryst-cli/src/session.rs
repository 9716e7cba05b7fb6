//! What `tryst client --session`, `--early-data` and `--psk-*` need: tickets kept in a file
//! between runs, external PSKs from files, and the words for what became of 0-RTT.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use tryst::pki_types::ServerName;
use tryst::session::{ClientSessionStore, Tls13Ticket};
use tryst::{EarlyDataStatus, ExternalPsk};

use crate::{Failure, files};

/// The first line of a session file.
const HEADER: &str =
    "# tryst session file v1: TLS 1.3 tickets, one per line (SECRET: resumption keys)";

/// Tickets per server kept in the file (servers usually send two per connection).
const PER_SERVER: usize = 8;

/// A session store backed by a file (mode 0600): read before connecting, written after.
pub struct FileSessionStore {
    path: PathBuf,
    tickets: Mutex<Vec<(ServerName<'static>, Tls13Ticket)>>,
}

impl FileSessionStore {
    /// The tickets in `path` (none if it does not exist yet).
    pub fn load(path: &Path) -> Result<Arc<Self>, Failure> {
        let mut tickets = Vec::new();
        if path.exists() {
            let text = String::from_utf8(files::read(path, "session")?).map_err(|_| {
                Failure::usage(format!("'{}' is not a tryst session file", path.display()))
            })?;
            for (i, line) in text.lines().enumerate() {
                if line.starts_with('#') || line.trim().is_empty() {
                    continue;
                }
                tickets.push(parse_line(line).ok_or_else(|| {
                    Failure::usage(format!(
                        "'{}' line {}: not a saved ticket (delete the file to start afresh)",
                        path.display(),
                        i + 1
                    ))
                })?);
            }
        }
        Ok(Arc::new(FileSessionStore {
            path: path.to_path_buf(),
            tickets: Mutex::new(tickets),
        }))
    }

    /// Write the tickets not used (and the ones received) back, mode 0600.
    pub fn save(&self) -> Result<(), Failure> {
        let tickets = self.tickets.lock().unwrap_or_else(PoisonError::into_inner);
        let mut text = tryst::crypto::zeroize::Zeroizing::new(String::from(HEADER));
        text.push('\n');
        for (name, t) in tickets.iter() {
            let Ok(bytes) = t.to_bytes() else { continue };
            text.push_str(&name.to_str());
            text.push(' ');
            text.push_str(&hex(&bytes));
            text.push('\n');
        }
        files::write(&self.path, text.as_bytes(), true)
    }
}

fn hex(bytes: &[u8]) -> tryst::crypto::zeroize::Zeroizing<String> {
    let mut s = tryst::crypto::zeroize::Zeroizing::new(String::with_capacity(bytes.len() * 2));
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

fn unhex(s: &str) -> Option<tryst::crypto::zeroize::Zeroizing<Vec<u8>>> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let mut out = tryst::crypto::zeroize::Zeroizing::new(Vec::with_capacity(s.len() / 2));
    for pair in s.as_bytes().chunks(2) {
        let digits = std::str::from_utf8(pair).ok()?;
        out.push(u8::from_str_radix(digits, 16).ok()?);
    }
    Some(out)
}

fn parse_line(line: &str) -> Option<(ServerName<'static>, Tls13Ticket)> {
    let (name, hex) = line.split_once(' ')?;
    let name = ServerName::try_from(name.to_string()).ok()?;
    let ticket = Tls13Ticket::from_bytes(&unhex(hex)?).ok()?;
    Some((name, ticket))
}

impl ClientSessionStore for FileSessionStore {
    fn insert(&self, server_name: &ServerName<'static>, ticket: Tls13Ticket) {
        let mut t = self.tickets.lock().unwrap_or_else(PoisonError::into_inner);
        if t.iter().filter(|(n, _)| n == server_name).count() >= PER_SERVER
            && let Some(oldest) = t.iter().position(|(n, _)| n == server_name)
        {
            t.remove(oldest);
        }
        t.push((server_name.clone(), ticket));
    }

    fn take(&self, server_name: &ServerName<'static>) -> Option<Tls13Ticket> {
        let mut t = self.tickets.lock().unwrap_or_else(PoisonError::into_inner);
        // Newest first: it has the longest life left.
        let i = t.iter().rposition(|(n, _)| n == server_name)?;
        Some(t.remove(i).1)
    }
}

/// An external PSK named `identity` whose key is the hex text in `file` (what `openssl
/// s_server -psk` takes), used with SHA-256 suites (as OpenSSL does).
pub fn read_psk(identity: &str, file: &Path) -> Result<ExternalPsk, Failure> {
    let text = files::read(file, "PSK")?;
    let key = std::str::from_utf8(&text)
        .ok()
        .and_then(unhex)
        .ok_or_else(|| {
            Failure::usage(format!(
                "'{}' must hold the PSK as hex digits (for example the output of `openssl rand -hex 32`)",
                file.display()
            ))
        })?;
    ExternalPsk::new(
        identity.as_bytes(),
        &key,
        tryst::crypto::HashAlgorithm::Sha256,
    )
    .map_err(|e| Failure::usage(format!("--psk-file '{}': {e}", file.display())))
}

/// What became of 0-RTT, for humans.
pub fn describe(status: EarlyDataStatus) -> String {
    match status {
        EarlyDataStatus::NotOffered => "not offered".to_string(),
        EarlyDataStatus::Pending => "pending".to_string(),
        EarlyDataStatus::Accepted => "accepted".to_string(),
        EarlyDataStatus::Rejected(why) => format!("rejected ({why:?})"),
        _ => "unknown".to_string(),
    }
}

/// `--early-data`: when the saved ticket allows 0-RTT, wait for the first bytes of
/// standard input and send as much of them as the server takes as early data. Returns the
/// rest, to send after the handshake.
pub fn send_early_data(
    conn: &mut tryst::ClientConnection,
    stdin: &std::sync::mpsc::Receiver<Vec<u8>>,
) -> Vec<u8> {
    if conn.early_data_limit() == 0 {
        eprintln!("tryst: no 0-RTT: no saved ticket for this server allows early data");
        return Vec::new();
    }
    let Ok(first) = stdin.recv() else {
        return Vec::new();
    };
    let n = conn.write_early_data(&first).unwrap_or(0);
    first.get(n..).unwrap_or_default().to_vec()
}

/// After the handshake: say what became of the early data (--early-data) and return what
/// must now be sent: the rejected early data, then `held`.
pub fn after_handshake(conn: &mut tryst::ClientConnection, held: Vec<u8>, asked: bool) -> Vec<u8> {
    let status = conn.early_data_status();
    if !asked || status == EarlyDataStatus::NotOffered {
        return held;
    }
    let mut resend = conn.take_rejected_early_data();
    match status {
        EarlyDataStatus::Accepted => eprintln!("tryst: early data accepted by the server"),
        _ => eprintln!(
            "tryst: early data {}: {} bytes sent again after the handshake",
            describe(status),
            resend.len()
        ),
    }
    resend.extend_from_slice(&held);
    resend
}
