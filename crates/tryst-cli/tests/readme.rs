//! The top-level README's commands, run as written, so they cannot go stale: the two
//! set-up commands are the documented ones (and the demo runs), and the block under
//! "Using the `tryst` command" runs line by line in a scratch directory. The README's Rust
//! example runs as a doctest of this crate (`ReadmeDoctests` in src/lib.rs).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::time::Duration;

use common::*;

const README: &str = include_str!("../../../README.md");

/// The fenced block of `lang` that follows the first line containing `heading`.
fn block_after(heading: &str, lang: &str) -> Vec<String> {
    let start = README
        .find(heading)
        .unwrap_or_else(|| panic!("README has no {heading:?}"));
    let rest = &README[start..];
    let fence = format!("```{lang}\n");
    let open = rest.find(&fence).expect("no code block") + fence.len();
    let close = rest[open..].find("```").expect("unclosed code block") + open;
    rest[open..close].lines().map(str::to_string).collect()
}

/// Split a command line into words (no quoting is used in the README's commands).
fn words(line: &str) -> Vec<String> {
    let line = match line.find("  #") {
        Some(i) => &line[..i],
        None => line,
    };
    line.split_whitespace().map(str::to_string).collect()
}

#[test]
fn setup_commands_are_the_documented_ones_and_the_demo_runs() {
    let lines = block_after("## Set up", "sh");
    let cmds: Vec<Vec<String>> = lines
        .iter()
        .map(|l| words(l))
        .filter(|w| !w.is_empty())
        .collect();
    assert_eq!(cmds.len(), 2, "exactly two set-up commands: {lines:?}");
    assert_eq!(
        cmds[0].join(" "),
        "cargo run --release -p tryst-cli -- demo"
    );
    // .ci/run runs exactly this command.
    assert_eq!(cmds[1].join(" "), "cargo xtask ci");
    let ci = include_str!("../../../.ci/run");
    assert!(ci.lines().any(|l| l.trim() == "cargo xtask ci"), "{ci}");

    // What `cargo run ... -- demo` runs: the binary with the arguments after `--`.
    let dash = cmds[0].iter().position(|w| w == "--").unwrap();
    let args: Vec<&str> = cmds[0][dash + 1..].iter().map(String::as_str).collect();
    let dir = Scratch::new("readme-demo");
    let o = tryst(&args, dir.path(), b"");
    assert_eq!(o.code, Some(0), "{o:#?}");
    assert!(o.stdout.contains("all different: yes"), "{}", o.stdout);
}

#[test]
fn usage_block_runs_as_written() {
    let lines = block_after("## Using the `tryst` command", "sh");
    let dir = Scratch::new("readme-usage");
    let port = free_port().to_string();
    let mut server: Option<Server> = None;
    let mut ran = 0;
    for line in &lines {
        // The README uses the conventional port; the test uses a free one.
        let line = line.replace("127.0.0.1:4433", &format!("127.0.0.1:{port}"));
        let mut w = words(&line);
        if w.is_empty() {
            continue;
        }
        let mut stdin = Vec::new();
        if w[0] == "echo" {
            let bar = w
                .iter()
                .position(|x| x == "|")
                .expect("echo ... | tryst ...");
            stdin = format!("{}\n", w[1..bar].join(" ")).into_bytes();
            w.drain(..=bar);
        }
        assert_eq!(
            w[0], "tryst",
            "every command in the block is a tryst command: {line}"
        );
        let args: Vec<&str> = w[1..].iter().map(String::as_str).collect();
        if args.last() == Some(&"&") {
            // A background server: start it and wait until it listens.
            assert_eq!(args[0], "server", "{line}");
            let listen = args.iter().position(|a| *a == "--listen").unwrap();
            let mut rest: Vec<&str> = args[1..args.len() - 1].to_vec();
            let at = listen - 1;
            rest.drain(at..at + 2); // start_server supplies --listen 127.0.0.1:0
            server = Some(start_server(dir.path(), &rest));
            ran += 1;
            continue;
        }
        let mut args = args;
        let real_port;
        if let Some(s) = &server {
            // Point the client at the port the server really got.
            real_port = format!("127.0.0.1:{}", s.port);
            for a in args.iter_mut() {
                if a.starts_with("127.0.0.1:") {
                    *a = &real_port;
                }
            }
        }
        let o = tryst(&args, dir.path(), &stdin);
        assert_eq!(o.code, Some(0), "README command failed: {line}\n{o:#?}");
        if !stdin.is_empty() {
            assert_eq!(o.stdout.as_bytes(), stdin.as_slice(), "{line}: {o:#?}");
        }
        ran += 1;
    }
    assert_eq!(ran, 5, "{lines:?}");
    let server = server.expect("the block starts a server");
    let l = wait_for_line(&server.log, "closed cleanly", Duration::from_secs(10));
    assert!(l.contains("TLS 1.3"), "{l}");
}
