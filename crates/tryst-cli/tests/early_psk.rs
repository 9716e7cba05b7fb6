//! `tryst client --session/--early-data` against `tryst server --early-data`, and the
//! external-PSK flags of both, over loopback.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::time::Duration;

use common::{Key, Scratch, make_pki, start_server, start_server_pki, tryst, wait_for_line};

#[test]
fn session_file_and_early_data_across_runs() {
    let dir = Scratch::new("early");
    make_pki(dir.path(), Key::Default);
    let server = start_server_pki(dir.path(), &["--early-data", "1024"]);
    let addr = format!("127.0.0.1:{}", server.port);
    let args = [
        "client",
        &addr,
        "--ca",
        "ca.pem",
        "--server-name",
        "localhost",
        "--session",
        "sess",
        "--early-data",
    ];
    // First run: no ticket yet, a full handshake; the tickets are saved, mode 0600.
    let o = tryst(&args, dir.path(), b"first\n");
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert_eq!(o.stdout, "first\n");
    assert!(o.stderr.contains("no 0-RTT"), "{}", o.stderr);
    let line = wait_for_line(&server.log, "full", Duration::from_secs(10));
    assert!(line.contains("0-rtt=not offered"), "{line}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("sess"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "session file holds secrets");
    }
    // Second run: the saved ticket resumes and the first bytes go as 0-RTT.
    let o = tryst(&args, dir.path(), b"GET /early\n");
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert_eq!(o.stdout, "GET /early\n");
    assert!(o.stderr.contains("early data accepted"), "{}", o.stderr);
    let line = wait_for_line(&server.log, "0-rtt=accepted", Duration::from_secs(10));
    assert!(line.contains("resumed"), "{line}");
    // A damaged session file is one line and exit 2.
    std::fs::write(dir.path().join("sess"), "localhost zz\n").unwrap();
    let o = tryst(&args, dir.path(), b"x\n");
    o.assert_one_line_error(2, "not a saved ticket");
    drop(server.guard);
}

#[test]
fn early_data_rejected_by_another_server_is_resent() {
    let dir = Scratch::new("early-rejected");
    make_pki(dir.path(), Key::Default);
    let args = |addr: &str| {
        vec![
            "client".to_string(),
            addr.to_string(),
            "--ca".into(),
            "ca.pem".into(),
            "--server-name".into(),
            "localhost".into(),
            "--session".into(),
            "sess".into(),
            "--early-data".into(),
        ]
    };
    let first = start_server_pki(dir.path(), &["--early-data", "1024"]);
    let addr = format!("127.0.0.1:{}", first.port);
    let a = args(&addr);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    assert_eq!(tryst(&a, dir.path(), b"one\n").code, Some(0));
    drop(first.guard);
    // Another server process (other ticket keys) cannot resume the ticket: the early data
    // is rejected, then sent again as ordinary data.
    let second = start_server_pki(dir.path(), &["--early-data", "1024"]);
    let addr = format!("127.0.0.1:{}", second.port);
    let a = args(&addr);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let o = tryst(&a, dir.path(), b"again\n");
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert_eq!(o.stdout, "again\n");
    assert!(o.stderr.contains("early data rejected"), "{}", o.stderr);
    drop(second.guard);
}

#[test]
fn external_psk_client_and_psk_only_server() {
    let dir = Scratch::new("psk");
    make_pki(dir.path(), Key::Default);
    std::fs::write(
        dir.path().join("psk.hex"),
        "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n",
    )
    .unwrap();
    let server = start_server(
        dir.path(),
        &["--psk-identity", "dev1", "--psk-file", "psk.hex"],
    );
    let addr = format!("127.0.0.1:{}", server.port);
    let o = tryst(
        &[
            "client",
            &addr,
            "--psk-identity",
            "dev1",
            "--psk-file",
            "psk.hex",
        ],
        dir.path(),
        b"over psk\n",
    );
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert_eq!(o.stdout, "over psk\n");
    let line = wait_for_line(&server.log, "closed cleanly", Duration::from_secs(10));
    assert!(line.contains(" psk "), "{line}");
    // Another identity: the PSK-only server refuses (handshake_failure), exit 1.
    let o = tryst(
        &[
            "client",
            &addr,
            "--psk-identity",
            "dev2",
            "--psk-file",
            "psk.hex",
            "--ca",
            "ca.pem",
        ],
        dir.path(),
        b"x\n",
    );
    assert_eq!(o.code, Some(1), "{}", o.stderr);
    // Bad PSK files and missing flags are usage errors.
    std::fs::write(dir.path().join("bad.hex"), "not hex\n").unwrap();
    let o = tryst(
        &[
            "client",
            &addr,
            "--psk-identity",
            "dev1",
            "--psk-file",
            "bad.hex",
        ],
        dir.path(),
        b"",
    );
    o.assert_one_line_error(2, "hex digits");
    let o = tryst(&["server", "--psk-identity", "dev1"], dir.path(), b"");
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    let o = tryst(&["client", &addr, "--early-data"], dir.path(), b"");
    assert_eq!(
        o.code,
        Some(2),
        "--early-data needs --session: {}",
        o.stderr
    );
    drop(server.guard);
}
