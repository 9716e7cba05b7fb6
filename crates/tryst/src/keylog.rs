//! Key logging (opt-in): the [`KeyLog`] trait from `tryst-keyschedule` and, under `std`, an
//! NSS SSLKEYLOGFILE writer that Wireshark and tshark read.

pub use tryst_keyschedule::keylog::KeyLog;

/// Appends SSLKEYLOGFILE lines to a file. Secrets leave the process through this type only
/// when the caller installs it (for example when the `SSLKEYLOGFILE` variable is set).
#[cfg(feature = "std")]
pub struct KeyLogFile {
    file: std::sync::Mutex<std::fs::File>,
}

#[cfg(feature = "std")]
impl KeyLogFile {
    /// Open `path` for appending, creating it if it does not exist.
    ///
    /// On Unix the file is kept private to its owner, since anyone who can read it can
    /// decrypt the sessions it covers:
    /// - a new file is created with mode 0600 (`O_CREAT`, mode 0600);
    /// - an existing file with any other mode is set to 0600 on the open file (`fchmod`),
    ///   so a key log left world-readable is narrowed before a secret is written (a reader
    ///   that opened it before keeps its access: delete a key log that was ever readable
    ///   by others);
    /// - a symbolic link at `path` is refused (`O_NOFOLLOW`, so there is no window between
    ///   a check and the open), as is anything but a regular file (a FIFO, a device: opened
    ///   with `O_NONBLOCK` so that checking it never hangs) and a file owned by another
    ///   user.
    pub fn create(path: impl AsRef<std::path::Path>) -> std::io::Result<Self> {
        let file = open_private_append(path.as_ref())?;
        Ok(KeyLogFile {
            file: std::sync::Mutex::new(file),
        })
    }

    /// The file named by the `SSLKEYLOGFILE` environment variable, if it is set and can
    /// be opened by [`create`](Self::create) (a path it refuses gives `None`; call
    /// `create` with the variable's value to learn why).
    pub fn from_env() -> Option<Self> {
        let path = std::env::var_os("SSLKEYLOGFILE")?;
        if path.is_empty() {
            return None;
        }
        Self::create(path).ok()
    }
}

/// `O_APPEND | O_CREAT | O_NOFOLLOW`, mode 0600, then the checks and the `fchmod` that
/// [`KeyLogFile::create`] describes.
#[cfg(all(feature = "std", unix))]
fn open_private_append(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    use rustix::fs::{Mode, OFlags};
    use std::io::{Error, ErrorKind};
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    const PRIVATE: u32 = 0o600;
    let flags = OFlags::WRONLY
        | OFlags::APPEND
        | OFlags::CREATE
        | OFlags::NOFOLLOW
        | OFlags::NONBLOCK
        | OFlags::CLOEXEC;
    let fd = rustix::fs::open(path, flags, Mode::RUSR | Mode::WUSR).map_err(|e| {
        if e == rustix::io::Errno::LOOP {
            Error::new(
                ErrorKind::InvalidInput,
                "it is a symbolic link (a key log is never opened through a link: give the real path)",
            )
        } else {
            Error::from(e)
        }
    })?;
    let file = std::fs::File::from(fd);
    let meta = file.metadata()?;
    if !meta.file_type().is_file() {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            "it is not a regular file",
        ));
    }
    if meta.uid() != rustix::process::geteuid().as_raw() {
        return Err(Error::new(
            ErrorKind::PermissionDenied,
            "it belongs to another user (remove it or choose another path)",
        ));
    }
    if meta.mode() & 0o7777 != PRIVATE {
        file.set_permissions(std::fs::Permissions::from_mode(PRIVATE))?;
    }
    Ok(file)
}

/// Append and create (there is no portable notion of a private file here).
#[cfg(all(feature = "std", not(unix)))]
fn open_private_append(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
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

#[cfg(all(test, feature = "std", unix))]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::KeyLogFile;
    use crate::KeyLog;
    use alloc::format;
    use alloc::string::ToString;
    use std::os::unix::fs::PermissionsExt;
    use std::path::PathBuf;

    /// A fresh directory under the system temp dir, removed on drop.
    struct Dir(PathBuf);

    impl Dir {
        fn new(name: &str) -> Self {
            let p =
                std::env::temp_dir().join(format!("tryst-keylog-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&p);
            std::fs::create_dir_all(&p).unwrap();
            Dir(p)
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn mode(p: &std::path::Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn new_key_log_is_private() {
        let d = Dir::new("new");
        let p = d.0.join("keys.log");
        let log = KeyLogFile::create(&p).unwrap();
        log.log("CLIENT_RANDOM", &[1; 32], &[2; 48]);
        assert_eq!(mode(&p), 0o600);
        assert!(
            std::fs::read_to_string(&p)
                .unwrap()
                .starts_with("CLIENT_RANDOM 0101")
        );
    }

    #[test]
    fn existing_world_readable_key_log_is_narrowed_and_appended() {
        let d = Dir::new("existing");
        let p = d.0.join("keys.log");
        std::fs::write(&p, "# old\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        let log = KeyLogFile::create(&p).unwrap();
        assert_eq!(mode(&p), 0o600);
        log.log("CLIENT_RANDOM", &[1; 32], &[2; 48]);
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.starts_with("# old\nCLIENT_RANDOM "), "{text}");
    }

    #[test]
    fn symlink_and_non_regular_key_logs_are_refused() {
        let d = Dir::new("link");
        let target = d.0.join("target");
        std::fs::write(&target, "untouched").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).unwrap();
        let link = d.0.join("keys.log");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let e = KeyLogFile::create(&link).unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        // A dangling link is refused too (O_CREAT would otherwise create its target).
        let dangling = d.0.join("dangling.log");
        std::os::unix::fs::symlink(d.0.join("nowhere"), &dangling).unwrap();
        assert!(KeyLogFile::create(&dangling).is_err());
        assert!(!d.0.join("nowhere").exists());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "untouched");
        assert_eq!(mode(&target), 0o644);
        // A directory is not a key log.
        assert!(KeyLogFile::create(&d.0).is_err());
    }
}
