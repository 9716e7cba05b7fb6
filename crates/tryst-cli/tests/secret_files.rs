//! Files that hold secrets: private keys written by `tryst cert new-ca/new-leaf` and key
//! logs (`--keylog`, SSLKEYLOGFILE). An existing world-readable file ends up 0600, and a
//! symbolic link planted at the destination is refused (one line, exit 2) with its target
//! left as it was.
#![cfg(unix)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;

use common::*;

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

fn world_readable(p: &Path, contents: &str) {
    std::fs::write(p, contents).unwrap();
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o644)).unwrap();
}

fn new_ca(dir: &Path, key: &str) -> Output {
    tryst(
        &["cert", "new-ca", "--out-cert", "ca.pem", "--out-key", key],
        dir,
        b"",
    )
}

fn new_leaf(dir: &Path, key: &str) -> Output {
    tryst(
        &[
            "cert",
            "new-leaf",
            "--ca",
            "ca.pem",
            "--ca-key",
            "ca.key",
            "--name",
            "localhost",
            "--out-cert",
            "leaf.pem",
            "--out-key",
            key,
        ],
        dir,
        b"",
    )
}

#[test]
fn generated_keys_are_0600_even_over_an_existing_0644_file() {
    let dir = Scratch::new("keymode");
    let d = dir.path();
    world_readable(&d.join("ca.key"), "old world-readable contents\n");
    world_readable(&d.join("leaf.key"), "old world-readable contents\n");

    let o = new_ca(d, "ca.key");
    assert_eq!(o.code, Some(0), "{o:#?}");
    assert_eq!(mode(&d.join("ca.key")), 0o600);
    let o = new_leaf(d, "leaf.key");
    assert_eq!(o.code, Some(0), "{o:#?}");
    assert_eq!(mode(&d.join("leaf.key")), 0o600);
    for key in ["ca.key", "leaf.key"] {
        let text = std::fs::read_to_string(d.join(key)).unwrap();
        assert!(text.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{text}");
        assert!(!text.contains("old"), "{text}");
    }
    // Under a umask that would leave no owner bits either, the key is still 0600, and no
    // temporary file is left behind.
    let o = run_program(
        "sh",
        &[
            "-c",
            &format!("umask 0777 && '{TRYST}' cert new-ca --out-cert ca2.pem --out-key ca2.key"),
        ],
        d,
        b"",
        TIMEOUT,
    );
    assert_eq!(o.code, Some(0), "{o:#?}");
    assert_eq!(mode(&d.join("ca2.key")), 0o600);
    let names: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.ends_with(".tmp")), "{names:?}");
}

#[test]
fn a_symlink_at_a_key_destination_is_refused() {
    let dir = Scratch::new("keylink");
    let d = dir.path();
    let o = new_ca(d, "ca.key");
    assert_eq!(o.code, Some(0), "{o:#?}");
    world_readable(&d.join("victim"), "victim contents\n");

    // A link to an existing file, and a dangling link (which would otherwise create its
    // target).
    symlink(d.join("victim"), d.join("evil.key")).unwrap();
    symlink(d.join("created-through-link"), d.join("dangling.key")).unwrap();
    for key in ["evil.key", "dangling.key"] {
        new_ca(d, key).assert_one_line_error(2, "is a symbolic link");
        new_leaf(d, key).assert_one_line_error(2, "is a symbolic link");
    }
    assert_eq!(
        std::fs::read_to_string(d.join("victim")).unwrap(),
        "victim contents\n"
    );
    assert_eq!(mode(&d.join("victim")), 0o644);
    assert!(!d.join("created-through-link").exists());
    assert!(
        std::fs::symlink_metadata(d.join("evil.key"))
            .unwrap()
            .file_type()
            .is_symlink()
    );

    // A directory is not a key file either.
    std::fs::create_dir(d.join("adir")).unwrap();
    new_ca(d, "adir").assert_one_line_error(2, "not a regular file");
}

#[test]
fn key_logs_are_0600_and_never_opened_through_a_symlink() {
    let dir = Scratch::new("keylogmode");
    let d = dir.path();
    make_pki(d, Key::Default);

    // --keylog on an existing 0644 file: narrowed to 0600, then appended to.
    world_readable(&d.join("keys.log"), "# kept\n");
    let o = tryst(&["demo", "--keylog", "keys.log"], d, b"");
    assert_eq!(o.code, Some(0), "{o:#?}");
    assert_eq!(mode(&d.join("keys.log")), 0o600);
    let log = std::fs::read_to_string(d.join("keys.log")).unwrap();
    assert!(log.starts_with("# kept\n"), "{log}");
    assert!(log.contains("CLIENT_TRAFFIC_SECRET_0 "), "{log}");

    // SSLKEYLOGFILE on an existing 0644 file, for the server (opened before it listens:
    // the server's config is built first, so a refused key log stops it at once).
    world_readable(&d.join("env.log"), "");
    let mut server = start_server_env(
        d,
        &["--cert", "server.pem", "--key", "server.key", "--once"],
        &[("SSLKEYLOGFILE", "env.log")],
    );
    assert_eq!(mode(&d.join("env.log")), 0o600);
    let o = tryst(
        &[
            "client",
            &format!("127.0.0.1:{}", server.port),
            "--ca",
            "ca.pem",
        ],
        d,
        b"x",
    );
    assert_eq!(o.code, Some(0), "{o:#?}");
    assert_eq!(server.guard.wait(TIMEOUT), Some(0));
    assert!(
        std::fs::read_to_string(d.join("env.log"))
            .unwrap()
            .contains("SERVER_TRAFFIC_SECRET_0 ")
    );

    // A symlink: refused by every command, through the flag and through the variable.
    world_readable(&d.join("victim"), "victim contents\n");
    symlink(d.join("victim"), d.join("link.log")).unwrap();
    let port = free_port().to_string();
    let addr = format!("127.0.0.1:{port}");
    let server_args = [
        "server",
        "--cert",
        "server.pem",
        "--key",
        "server.key",
        "--listen",
        &addr,
    ];
    let client_args = ["client", &addr, "--ca", "ca.pem"];
    // (arguments, environment)
    type Run<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>);
    let mut runs: Vec<Run> = vec![
        (vec!["demo", "--keylog", "link.log"], vec![]),
        (
            [&server_args[..], &["--keylog", "link.log"]].concat(),
            vec![],
        ),
        (
            [&client_args[..], &["--keylog", "link.log"]].concat(),
            vec![],
        ),
    ];
    runs.push((server_args.to_vec(), vec![("SSLKEYLOGFILE", "link.log")]));
    runs.push((client_args.to_vec(), vec![("SSLKEYLOGFILE", "link.log")]));
    for (args, env) in runs {
        let o = run_program_env(TRYST, &args, d, b"", TIMEOUT, &env);
        o.assert_one_line_error(2, "symbolic link");
        assert!(o.stderr.contains("link.log"), "{o:#?}");
        if !env.is_empty() {
            assert!(o.stderr.contains("SSLKEYLOGFILE"), "{o:#?}");
        }
    }
    assert_eq!(
        std::fs::read_to_string(d.join("victim")).unwrap(),
        "victim contents\n"
    );
    assert_eq!(mode(&d.join("victim")), 0o644);
}
