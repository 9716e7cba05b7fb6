//! Running the built `tryst` binary (and openssl) from tests: every child is killed by
//! its pid when its guard drops, and every wait has a timeout, so no test can hang.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The binary under test.
pub const TRYST: &str = env!("CARGO_BIN_EXE_tryst");

/// The default wait for a command.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// A finished command.
#[derive(Debug)]
pub struct Output {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// Check the error contract: exactly one line on stderr, `tryst: ...`, no panic or
    /// backtrace, and the exit code.
    pub fn assert_one_line_error(&self, code: i32, contains: &str) {
        assert_eq!(self.code, Some(code), "{self:#?}");
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "want one line on stderr: {self:#?}");
        assert!(lines[0].starts_with("tryst: "), "{self:#?}");
        assert!(
            lines[0].to_lowercase().contains(&contains.to_lowercase()),
            "stderr should mention {contains:?}: {self:#?}"
        );
        for bad in ["panicked", "backtrace", "RUST_BACKTRACE", "internal error"] {
            assert!(!self.stderr.contains(bad), "{self:#?}");
        }
    }
}

/// Kills its child (by pid) when dropped.
pub struct Guard {
    pub child: Child,
    pub name: String,
}

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Guard {
    /// Wait for the child to exit, at most `timeout`.
    pub fn wait(&mut self, timeout: Duration) -> Option<i32> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("{} did not exit within {timeout:?}", self.name);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// Lines of a child's output stream, read on a thread.
pub fn lines_of(r: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(r).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Wait for a line containing `needle`; returns it. Panics after `timeout`.
pub fn wait_for_line(rx: &mpsc::Receiver<String>, needle: &str, timeout: Duration) -> String {
    let deadline = Instant::now() + timeout;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) if line.contains(needle) => return line,
            Ok(line) => seen.push(line),
            Err(_) => panic!("no line containing {needle:?} within {timeout:?}; saw {seen:#?}"),
        }
    }
}

/// Run `program args` with `stdin`, wait at most `timeout`.
pub fn run_program(
    program: &str,
    args: &[&str],
    dir: &Path,
    stdin: &[u8],
    timeout: Duration,
) -> Output {
    run_program_env(program, args, dir, stdin, timeout, &[])
}

/// [`run_program`] with extra environment variables.
pub fn run_program_env(
    program: &str,
    args: &[&str],
    dir: &Path,
    stdin: &[u8],
    timeout: Duration,
    env: &[(&str, &str)],
) -> Output {
    let child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env_remove("SSLKEYLOGFILE")
        .env_remove("SSL_CERT_FILE")
        .env_remove("SSL_CERT_DIR")
        .env_remove("RUST_BACKTRACE")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {program}: {e}"));
    let mut g = Guard {
        child,
        name: format!("{program} {}", args.join(" ")),
    };
    let mut stdin_pipe = g.child.stdin.take().unwrap();
    let input = stdin.to_vec();
    std::thread::spawn(move || {
        let _ = stdin_pipe.write_all(&input);
    });
    let mut out = g.child.stdout.take().unwrap();
    let mut err = g.child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = err.read_to_end(&mut s);
        s
    });
    let code = g.wait(timeout);
    Output {
        code,
        stdout: String::from_utf8_lossy(&out_t.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&err_t.join().unwrap()).into_owned(),
    }
}

/// Run `tryst args` in `dir`.
pub fn tryst(args: &[&str], dir: &Path, stdin: &[u8]) -> Output {
    run_program(TRYST, args, dir, stdin, TIMEOUT)
}

/// A fresh scratch directory for one test (under the system temp dir; removed on drop).
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Self {
        let p = std::env::temp_dir().join(format!("tryst-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        Scratch(p)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn file(&self, name: &str) -> String {
        self.0.join(name).display().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The key type of the certificates [`make_pki`] makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// What `tryst cert` makes without a key flag: ECDSA P-256.
    Default,
    /// `--ed25519`.
    Ed25519,
    /// `--rsa` (RSA-2048).
    Rsa,
}

/// Make ca.pem/ca.key and server.pem/server.key (localhost, 127.0.0.1) in `dir`.
pub fn make_pki(dir: &Path, key: Key) {
    let mut ca = vec![
        "cert",
        "new-ca",
        "--out-cert",
        "ca.pem",
        "--out-key",
        "ca.key",
    ];
    let mut leaf = vec![
        "cert",
        "new-leaf",
        "--ca",
        "ca.pem",
        "--ca-key",
        "ca.key",
        "--name",
        "localhost",
        "--name",
        "127.0.0.1",
        "--out-cert",
        "server.pem",
        "--out-key",
        "server.key",
    ];
    let flag = match key {
        Key::Default => None,
        Key::Ed25519 => Some("--ed25519"),
        Key::Rsa => Some("--rsa"),
    };
    if let Some(flag) = flag {
        ca.push(flag);
        leaf.push(flag);
    }
    let o = tryst(&ca, dir, b"");
    assert_eq!(o.code, Some(0), "{o:#?}");
    let o = tryst(&leaf, dir, b"");
    assert_eq!(o.code, Some(0), "{o:#?}");
}

/// A running `tryst server` and the port it listens on.
pub struct Server {
    pub guard: Guard,
    pub port: u16,
    pub log: mpsc::Receiver<String>,
}

/// Start `tryst server --listen 127.0.0.1:0 extra...` in `dir` and read its port from the
/// "listening on" line.
pub fn start_server(dir: &Path, extra: &[&str]) -> Server {
    start_server_env(dir, extra, &[])
}

/// [`start_server`] with extra environment variables.
pub fn start_server_env(dir: &Path, extra: &[&str], env: &[(&str, &str)]) -> Server {
    let mut args = vec!["server", "--listen", "127.0.0.1:0"];
    args.extend_from_slice(extra);
    let mut child = Command::new(TRYST)
        .args(&args)
        .current_dir(dir)
        .env_remove("SSLKEYLOGFILE")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = lines_of(child.stderr.take().unwrap());
    let guard = Guard {
        child,
        name: "tryst server".into(),
    };
    let line = wait_for_line(&log, "listening on", Duration::from_secs(20));
    let port = line
        .split("127.0.0.1:")
        .nth(1)
        .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {line:?}"));
    Server { guard, port, log }
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// Whether `openssl` can be run.
pub fn have_openssl() -> bool {
    Command::new("openssl")
        .arg("version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// PEM text of one block (`label` such as `CERTIFICATE` or `X509 CRL`).
pub fn pem_block(label: &str, der: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut b64 = String::new();
    for chunk in der.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                b64.push(char::from(
                    A[usize::try_from((n >> (18 - 6 * i)) & 63).unwrap()],
                ));
            } else {
                b64.push('=');
            }
        }
    }
    let mut s = format!("-----BEGIN {label}-----\n");
    for line in b64.as_bytes().chunks(64) {
        s.push_str(std::str::from_utf8(line).unwrap());
        s.push('\n');
    }
    s.push_str(&format!("-----END {label}-----\n"));
    s
}

/// Seconds since the Unix epoch, now.
pub fn unix_now() -> i64 {
    i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

/// Whether `program version_arg` runs and succeeds (the tool is installed).
pub fn have_program(program: &str, version_arg: &str) -> bool {
    Command::new(program)
        .arg(version_arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The rule for a test that needs an installed peer: when `have` is false it fails the
/// test with `install` under CI=true, and otherwise prints that `what` is skipped.
/// Returns `have`: run the test only when it is true.
pub fn need_tool(have: bool, what: &str, install: &str) -> bool {
    if !have {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{what} is required in CI ({install})"
        );
        eprintln!("skipped: {what} is not installed");
    }
    have
}

/// [`need_tool`] for `openssl`.
pub fn openssl_or_skip() -> bool {
    need_tool(have_openssl(), "openssl", "apt-get install openssl")
}

/// [`need_tool`] for `gnutls-cli` and `gnutls-serv`.
pub fn gnutls_or_skip() -> bool {
    need_tool(
        have_program("gnutls-cli", "--version") && have_program("gnutls-serv", "--version"),
        "gnutls-cli/gnutls-serv",
        "apt-get install gnutls-bin",
    )
}

/// A peer server (openssl s_server, gnutls-serv) started by [`start_peer`] on a free port.
pub struct Peer {
    pub guard: Guard,
    pub port: u16,
    /// Its standard input, when it was asked to be piped.
    pub stdin: Option<std::process::ChildStdin>,
    /// Its standard output lines, when it is ready at a line (otherwise its output went
    /// to a file or nowhere).
    pub out: Option<mpsc::Receiver<String>>,
    /// Its standard error lines.
    pub err: mpsc::Receiver<String>,
}

/// How [`start_peer`] runs a peer server.
#[derive(Default)]
pub struct PeerOptions<'a> {
    /// Ready once a standard output line contains this; `None`: once it accepts a TCP
    /// connection.
    pub ready_line: Option<&'a str>,
    /// Pipe standard input (otherwise it is empty).
    pub pipe_stdin: bool,
    /// Write standard output to this file in the directory (with `ready_line: None`).
    pub stdout_file: Option<&'a str>,
}

/// Start `program args(port)` in `dir` on a free port and wait (at most 10 s) until it is
/// ready; a port taken between our probe and its bind makes it exit, and another port is
/// tried (five in all).
pub fn start_peer(
    program: &str,
    dir: &Path,
    args: impl Fn(u16) -> Vec<String>,
    opts: &PeerOptions<'_>,
) -> Peer {
    for _ in 0..5 {
        let port = free_port();
        let stdout = match opts.stdout_file {
            Some(name) => Stdio::from(std::fs::File::create(dir.join(name)).unwrap()),
            None if opts.ready_line.is_some() => Stdio::piped(),
            None => Stdio::null(),
        };
        let mut child = Command::new(program)
            .args(args(port))
            .current_dir(dir)
            .stdin(if opts.pipe_stdin {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(stdout)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {program}: {e}"));
        let stdin = child.stdin.take();
        let out = child.stdout.take().map(lines_of);
        let err = lines_of(child.stderr.take().unwrap());
        let mut guard = Guard {
            child,
            name: program.into(),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let ready = match (opts.ready_line, &out) {
                (Some(needle), Some(out)) => out.try_recv().is_ok_and(|l| l.contains(needle)),
                _ => std::net::TcpStream::connect(("127.0.0.1", port)).is_ok(),
            };
            if ready {
                return Peer {
                    guard,
                    port,
                    stdin,
                    out,
                    err,
                };
            }
            if let Ok(Some(_)) = guard.child.try_wait() {
                let msgs: Vec<String> = err.try_iter().collect();
                eprintln!("{program} exited early: {msgs:?}; retrying on another port");
                break;
            }
            assert!(Instant::now() < deadline, "{program} did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    panic!("could not start {program}");
}

/// `openssl s_server -accept 127.0.0.1:PORT args...` in `dir`, ready at its ACCEPT line.
pub fn openssl_s_server(dir: &Path, args: &[&str], pipe_stdin: bool) -> Peer {
    start_peer(
        "openssl",
        dir,
        |port| {
            let mut v = vec!["s_server".to_string()];
            v.extend(args.iter().map(ToString::to_string));
            v.extend(["-accept".to_string(), format!("127.0.0.1:{port}")]);
            v
        },
        &PeerOptions {
            ready_line: Some("ACCEPT"),
            pipe_stdin,
            stdout_file: None,
        },
    )
}

/// `gnutls-serv --port PORT args...` in `dir`, ready once it accepts a connection; its
/// standard output goes to `stdout_file` when given.
pub fn gnutls_serv(dir: &Path, args: &[&str], stdout_file: Option<&str>) -> Peer {
    start_peer(
        "gnutls-serv",
        dir,
        |port| {
            let mut v = vec!["--port".to_string(), port.to_string()];
            v.extend(args.iter().map(ToString::to_string));
            v
        },
        &PeerOptions {
            ready_line: None,
            pipe_stdin: false,
            stdout_file,
        },
    )
}

/// [`start_server`] with `--cert server.pem --key server.key` (from [`make_pki`]) and
/// `extra`.
pub fn start_server_pki(dir: &Path, extra: &[&str]) -> Server {
    let mut args = vec!["--cert", "server.pem", "--key", "server.key"];
    args.extend_from_slice(extra);
    start_server(dir, &args)
}
