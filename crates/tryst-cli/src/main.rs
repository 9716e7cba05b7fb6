//! The `tryst` binary: everything is in the `tryst_cli` library; see `tryst --help`.

fn main() -> std::process::ExitCode {
    tryst_cli::run(std::env::args_os())
}
