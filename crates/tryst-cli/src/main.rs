//! The `tryst` command-line tool. Its commands (demo, client, server, cert) land with the
//! CLI issue; until then it says so instead of pretending.

fn main() {
    eprintln!("tryst: no commands yet; the CLI (demo, client, server, cert) is not built yet");
    std::process::exit(2);
}
