//! The `tryst` command: a TLS 1.3 demo, a client and a server in the spirit of
//! `openssl s_client` / `s_server`, and certificate tools, built on the `tryst` crates.
//!
//! The binary (`src/main.rs`) only calls [`run`]. Everything lives in this library so that
//! the integration tests and the README's example share one code path.
//!
//! Exit codes, for every command:
//! - `0`: success (a valid chain, a session closed with close_notify, ...);
//! - `1`: the thing checked or attempted failed (an invalid chain, a refused handshake, a
//!   server that could not be reached, a peer that closed without close_notify);
//! - `2`: bad usage or unreadable input (an unknown flag, a missing or malformed file, a
//!   key that does not match its certificate).
//!
//! Errors are one line on standard error, `tryst: <what is wrong and what to do>`.
// Issue 14: no function over 80 lines (threshold in clippy.toml). Per crate, not in
// [workspace.lints]: there it would also fire on long integration tests.
#![warn(clippy::too_many_lines)]

mod args;
mod certcmd;
mod chart;
mod client;
mod demo;
mod demo12;
mod demo_ech;
mod echcmd;
mod escape;
mod files;
mod net;
mod server;
mod timefmt;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

pub use args::Cli;

/// A command's failure: the exit code and the one line to print.
#[derive(Debug)]
pub struct Failure {
    /// 1 (the check or the connection failed) or 2 (bad usage or input).
    pub code: u8,
    /// What went wrong and, where it helps, what to do.
    pub message: String,
}

impl Failure {
    /// Bad usage or unreadable input: exit code 2.
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: 2,
            message: message.into(),
        }
    }

    /// The check, the connection or the handshake failed: exit code 1.
    pub fn failed(message: impl Into<String>) -> Self {
        Failure {
            code: 1,
            message: message.into(),
        }
    }
}

/// Result of a command.
pub type CmdResult = Result<(), Failure>;

/// Parse `args` (program name first) and run the command. Returns the process exit code.
pub fn run<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    // A bug must still end in one line, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".to_string());
        eprintln!("tryst: internal error (a bug in tryst, please report it): {what}");
    }));

    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => return clap_error(&e),
    };
    match args::dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            // Messages may quote certificate names or other outside text: no control
            // character reaches the terminal.
            eprintln!("tryst: {}", escape::controls(&f.message));
            ExitCode::from(f.code)
        }
    }
}

/// Help and version go to stdout with code 0; usage errors become one line with code 2.
fn clap_error(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            }
        }
        _ => {
            let rendered = e.render().to_string();
            let first = rendered
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("invalid arguments")
                .trim();
            let first = first.strip_prefix("error: ").unwrap_or(first);
            eprintln!("tryst: {first}; run 'tryst --help' (or 'tryst <command> --help') for usage");
            ExitCode::from(2)
        }
    }
}

/// The README's Rust blocks run as doctests of this crate, so they cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
