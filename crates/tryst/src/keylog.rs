//! Key logging (opt-in): the [`KeyLog`] trait from `tryst-keyschedule` and, under `std`, an
//! NSS SSLKEYLOGFILE writer that Wireshark and tshark read.

pub use tryst_keyschedule::KeyLog;

/// Appends SSLKEYLOGFILE lines to a file. Secrets leave the process through this type only
/// when the caller installs it (for example when the `SSLKEYLOGFILE` variable is set).
#[cfg(feature = "std")]
pub struct KeyLogFile {
    file: std::sync::Mutex<std::fs::File>,
}

#[cfg(feature = "std")]
impl KeyLogFile {
    /// Open (append, create) `path`.
    pub fn create(path: impl AsRef<std::path::Path>) -> std::io::Result<Self> {
        let file = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(path)?;
        Ok(KeyLogFile {
            file: std::sync::Mutex::new(file),
        })
    }

    /// The file named by the `SSLKEYLOGFILE` environment variable, if it is set and can
    /// be opened.
    pub fn from_env() -> Option<Self> {
        let path = std::env::var_os("SSLKEYLOGFILE")?;
        if path.is_empty() {
            return None;
        }
        Self::create(path).ok()
    }
}

#[cfg(feature = "std")]
impl core::fmt::Debug for KeyLogFile {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("KeyLogFile(..)")
    }
}

#[cfg(feature = "std")]
impl KeyLog for KeyLogFile {
    fn log(&self, label: &str, client_random: &[u8; 32], secret: &[u8]) {
        use std::io::Write;
        let mut line = tryst_crypto::zeroize::Zeroizing::new(alloc::string::String::new());
        if tryst_keyschedule::keylog::write_line(&mut *line, label, client_random, secret).is_err()
        {
            return;
        }
        if let Ok(mut f) = self.file.lock() {
            // A key log is a debugging aid: failing to write it must not break the session.
            let _ = f.write_all(line.as_bytes());
        }
    }
}
