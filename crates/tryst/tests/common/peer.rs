//! Real peers over loopback (openssl, gnutls): whether a tool is installed (the CI=true
//! rule), a guard that kills a child by its pid, a free port, and connecting to a peer
//! that is still starting. Shared by interop_early_psk.rs, openssl.rs and tls12_util.

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// Whether `tool arg` runs; when CI=true a missing tool fails the test, otherwise it
/// prints why it is skipped.
pub fn have(tool: &str, arg: &str) -> bool {
    let ok = Command::new(tool)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{tool} is required when CI=true (install it: .ci/run's need list)"
        );
        eprintln!("skipping: {tool} is not installed");
    }
    ok
}

/// A child process killed when the guard drops, so no test leaves one behind.
pub struct Guard(pub Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Guard {
    /// Wait up to `secs` for the process to exit on its own.
    pub fn wait_exit(&mut self, secs: u64) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Connect to a peer that is still starting, for up to 10 s (reads time out after 10 s).
pub fn connect_retry(port: u16) -> TcpStream {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(s) => {
                s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                return s;
            }
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => panic!("the peer server did not come up: {e}"),
        }
    }
}
