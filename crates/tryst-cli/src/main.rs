//! The `tryst` binary: everything is in the `tryst_cli` library; see `tryst --help`.
// Issue 14: no function over 80 lines (threshold in clippy.toml). Per crate, not in
// [workspace.lints]: there it would also fire on long integration tests.
#![warn(clippy::too_many_lines)]

fn main() -> std::process::ExitCode {
    tryst_cli::run(std::env::args_os())
}
