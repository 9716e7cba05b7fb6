//! The command line (clap derive) and the dispatch to each command.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::CmdResult;

/// tryst: a TLS 1.3 client, server, demo and certificate tools.
///
/// Exit codes: 0 success; 1 the check, connection or handshake failed; 2 bad usage or
/// unreadable input. The SSLKEYLOGFILE environment variable is honoured by `client` and
/// `server` (it writes session secrets: for debugging with Wireshark only).
#[derive(Debug, Parser)]
#[command(name = "tryst", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show TLS 1.3 at work: a client and a server in this process, three sessions over
    /// 127.0.0.1, each drawn as a message sequence chart with its secrets.
    Demo(DemoArgs),
    /// Serve TLS 1.3: echo what clients send, or answer HTTP/1.1 with --http.
    Server(ServerArgs),
    /// Connect to a TLS 1.3 server: standard input goes to the server, what it sends goes
    /// to standard output.
    Client(ClientArgs),
    /// Certificate tools: verify a chain, make a test CA and leaf certificates.
    #[command(subcommand)]
    Cert(CertCommand),
    /// Encrypted Client Hello (RFC 9849) tools: make a server's ECH key and config.
    #[command(subcommand)]
    Ech(EchCommand),
}

#[derive(Debug, Subcommand)]
enum EchCommand {
    /// Make an ECH key (X25519) and its config for a public name: the config (an
    /// ECHConfigList in base64 on one line, as a DNS HTTPS record's ech= carries it) goes
    /// to clients, the key (PKCS#8 PEM, mode 0600) to `tryst server --ech-key`.
    NewConfig(EchNewConfigArgs),
}

/// `tryst ech new-config`.
#[derive(Debug, Args)]
pub struct EchNewConfigArgs {
    /// The public name: what the outer ClientHello (seen by the network) names. The
    /// server's certificate must be valid for it too.
    #[arg(long, value_name = "NAME")]
    pub public_name: String,
    /// Where to write the config (base64 ECHConfigList, one line).
    #[arg(long, value_name = "CONFIG")]
    pub out_config: PathBuf,
    /// Where to write the private key (PKCS#8 PEM, mode 0600).
    #[arg(long, value_name = "KEY")]
    pub out_key: PathBuf,
    /// The config id (0-255; random by default). Give each key a server holds at once
    /// its own id.
    #[arg(long, value_name = "N")]
    pub config_id: Option<u8>,
}

/// `tryst demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Also append the sessions' secrets to FILE in SSLKEYLOGFILE format (for Wireshark).
    #[arg(long, value_name = "FILE")]
    pub keylog: Option<PathBuf>,
    /// Never use colour (colour is used only when stdout is a terminal and NO_COLOR is
    /// unset).
    #[arg(long)]
    pub no_color: bool,
    /// Show a TLS 1.2 handshake instead: two sessions with their randoms, ECDHE premaster
    /// secret, session hash, extended master secret and key block.
    #[arg(long)]
    pub tls12: bool,
}

/// `tryst server`.
#[derive(Debug, Args)]
pub struct ServerArgs {
    /// The certificate chain to present (PEM, end entity first; needed unless
    /// --psk-identity makes a PSK-only server). Repeat --cert/--key for
    /// several names or key types: each client gets a certificate naming its SNI (DNS
    /// names and wildcards in subjectAltName) with a key type it accepts, else the first
    /// whose key type it accepts.
    #[arg(
        long,
        value_name = "CHAIN.pem",
        required_unless_present = "psk_identity"
    )]
    pub cert: Vec<PathBuf>,
    /// The private key of the --cert at the same position (PKCS#8 PEM: Ed25519, ECDSA or
    /// RSA).
    #[arg(long, value_name = "KEY.pem", required_unless_present = "psk_identity")]
    pub key: Vec<PathBuf>,
    /// Staple this OCSP response (DER, as `openssl ocsp -respout` writes it) to the --cert
    /// at the same position, for clients that send status_request (TLS 1.3: RFC 8446
    /// §4.4.2.1; TLS 1.2: CertificateStatus, RFC 6066 §8). Repeat for several --cert; at
    /// most one per --cert.
    #[arg(long, value_name = "RESP.der")]
    pub ocsp: Vec<PathBuf>,
    /// Refuse a client whose SNI no --cert names (alert unrecognized_name) instead of
    /// serving it the first certificate it accepts.
    #[arg(long)]
    pub strict_sni: bool,
    /// Accept up to N bytes of 0-RTT early data from clients resuming a ticket (0: off).
    /// Early data is echoed like other data; it can be replayed by an attacker, so only
    /// single-use claims of tickets (in memory, this process) stand between a replay and
    /// a second echo.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub early_data: u32,
    /// Accept clients that hold the external PSK named ID (RFC 8446 §4.2.11; SHA-256
    /// suites, psk_dhe_ke). Needs --psk-file.
    #[arg(long, value_name = "ID", requires = "psk_file")]
    pub psk_identity: Option<String>,
    /// The key of --psk-identity, as hex text (what `openssl s_server -psk` takes).
    #[arg(long, value_name = "FILE", requires = "psk_identity")]
    pub psk_file: Option<PathBuf>,
    /// Address to listen on (port 0 picks a free port; the chosen address is printed).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:4433")]
    pub listen: String,
    /// An ALPN protocol to accept, in preference order (repeat the flag for more). With
    /// --http, http/1.1 is always accepted (first, unless listed here) and h2 is refused.
    #[arg(long = "alpn", value_name = "PROTOCOL")]
    pub alpn: Vec<String>,
    /// Require client certificates issued by the CAs in this PEM file.
    #[arg(long, value_name = "CA.pem")]
    pub client_ca: Option<PathBuf>,
    /// With --client-ca: name its CAs in the certificate request (certificate_authorities),
    /// so a client with several certificates can pick one they accept. Off by default: it
    /// tells every client which CAs the server trusts.
    #[arg(long, requires = "client_ca")]
    pub client_ca_names: bool,
    /// Send the --cert's public key instead of the certificate to clients that ask for a
    /// raw public key (RFC 7250 server_certificate_type, TLS 1.3 and 1.2, as `gnutls-cli
    /// --priority NORMAL:+CTYPE-SRV-RAWPK` does).
    #[arg(long)]
    pub raw_public_key: bool,
    /// Require clients to authenticate with a raw public key (RFC 7250
    /// client_certificate_type, TLS 1.3 and 1.2, as `gnutls-cli --priority
    /// NORMAL:+CTYPE-CLI-RAWPK --rawpkkeyfile ...` does): it must be the key in this file
    /// (PEM 'PUBLIC KEY' or DER SubjectPublicKeyInfo; repeat to accept several). A client
    /// that cannot send one is refused (unsupported_certificate); the connection's log
    /// line says `client-cert=raw-key`.
    #[arg(long, value_name = "KEY.pub.pem", conflicts_with = "client_ca")]
    pub client_raw_public_key: Vec<PathBuf>,
    /// With --client-raw-public-key: let clients without a raw key in, unauthenticated.
    #[arg(long, requires = "client_raw_public_key")]
    pub client_raw_optional: bool,
    /// After the handshake, ask clients that offered post_handshake_auth (RFC 8446
    /// §4.6.2; `openssl s_client -enable_pha`) for a certificate issued by the CAs in this
    /// PEM file; the connection's log line says `pha=authenticated` or why not.
    #[arg(long, value_name = "CA.pem")]
    pub pha_client_ca: Option<PathBuf>,
    /// Check client certificates against these CRLs (DER or PEM 'X509 CRL'; repeat the
    /// flag or list several files): see `tryst cert verify --crl`. Needs --client-ca.
    #[arg(long = "crl", value_name = "CRL", num_args = 1.., requires = "client_ca")]
    pub crls: Vec<PathBuf>,
    /// With --crl: which certificates must be covered by a CRL.
    #[arg(long, value_enum, default_value = "chain", requires = "crls")]
    pub crl_depth: CrlDepth,
    /// With --crl: what to do with a certificate that no CRL covers.
    #[arg(long, value_enum, default_value = "deny", requires = "crls")]
    pub crl_unknown: CrlUnknown,
    /// Append session secrets to FILE in SSLKEYLOGFILE format (debugging only).
    #[arg(long, value_name = "FILE")]
    pub keylog: Option<PathBuf>,
    /// Exit after one connection (code 0 when it ended cleanly, 1 otherwise).
    #[arg(long)]
    pub once: bool,
    /// Answer HTTP/1.1 requests with a small page about the connection instead of echoing;
    /// ALPN http/1.1 is selected when the client offers it (as browsers do).
    #[arg(long)]
    pub http: bool,
    /// The whole handshake must complete within SECS of the connection being accepted
    /// (one deadline for all its reads and writes; fractions such as 0.5 allowed).
    #[arg(long, value_name = "SECS", default_value = "30", value_parser = parse_secs)]
    pub handshake_timeout: Duration,
    /// After the handshake, close a connection (with close_notify) when the client sends
    /// nothing for SECS, or does not read what the server sends for SECS; with --http, the
    /// request must arrive within SECS of the handshake.
    #[arg(long, value_name = "SECS", default_value = "300", value_parser = parse_secs)]
    pub idle_timeout: Duration,
    /// Serve at most N connections at once; further clients wait (they are not accepted)
    /// until one closes.
    #[arg(long, value_name = "N", default_value_t = 256,
          value_parser = clap::value_parser!(u32).range(1..=65_536))]
    pub max_connections: u32,
    /// Refuse TLS 1.2 clients (TLS 1.3 only; by default the server speaks both).
    #[arg(long, conflicts_with = "tls12_only")]
    pub no_tls12: bool,
    /// Speak TLS 1.2 only (for testing TLS 1.2 clients).
    #[arg(long)]
    pub tls12_only: bool,
    /// Accept Encrypted Client Hello with this key (from `tryst ech new-config`; repeat
    /// with --ech-config, in the same order, to hold several keys at once). The
    /// certificate must also cover the config's public name.
    #[arg(long = "ech-key", value_name = "KEY")]
    pub ech_keys: Vec<PathBuf>,
    /// The ECH config (base64 ECHConfigList) of the --ech-key at the same place.
    #[arg(long = "ech-config", value_name = "CONFIG")]
    pub ech_configs: Vec<PathBuf>,
}

/// The longest timeout a flag takes: one day.
const MAX_SECS: u64 = 86_400;

/// Seconds with up to three decimals (millisecond precision): `30`, `0.5`, `1.25`.
pub fn parse_secs(s: &str) -> Result<Duration, String> {
    let bad = || {
        format!("'{s}' is not a time in seconds: give for example 30 or 0.5 (at most {MAX_SECS})")
    };
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() && frac.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 3
    {
        return Err(bad());
    }
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let ms: u64 = format!("{frac:0<3}").parse().map_err(|_| bad())?;
    let d = Duration::from_secs(whole.min(MAX_SECS + 1)) + Duration::from_millis(ms);
    if d.is_zero() {
        return Err(format!("'{s}': the time must be more than 0 seconds"));
    }
    if d > Duration::from_secs(MAX_SECS) {
        return Err(bad());
    }
    Ok(d)
}

/// `tryst client`.
#[derive(Debug, Args)]
pub struct ClientArgs {
    /// The server, as HOST:PORT (for example example.com:443 or 127.0.0.1:4433).
    #[arg(value_name = "HOST:PORT")]
    pub address: String,
    /// Trust the CAs in this PEM file instead of the platform's root store (without it:
    /// SSL_CERT_FILE / SSL_CERT_DIR if set, else the operating system's store).
    #[arg(long, value_name = "CA.pem")]
    pub ca: Option<PathBuf>,
    /// The name to check the server's certificate against (and send as SNI); HOST by
    /// default.
    #[arg(long, value_name = "NAME")]
    pub server_name: Option<String>,
    /// An ALPN protocol to offer, in preference order (repeat the flag for more).
    #[arg(long = "alpn", value_name = "PROTOCOL")]
    pub alpn: Vec<String>,
    /// Ask the server to staple an OCSP response (status_request, TLS 1.3 or 1.2) and
    /// write what it stapled to FILE (DER; nothing is written when it stapled none). The
    /// response is not checked.
    #[arg(long, value_name = "FILE")]
    pub ocsp_out: Option<PathBuf>,
    /// Refuse a server certificate these CRLs revoke (DER or PEM; repeat the flag for
    /// several files): see `tryst cert verify --crl`. Checked against --ca or the platform
    /// roots.
    #[arg(long = "crl", value_name = "CRL")]
    pub crls: Vec<PathBuf>,
    /// With --crl: which certificates must be covered by a CRL.
    #[arg(long, value_enum, default_value = "chain", requires = "crls")]
    pub crl_depth: CrlDepth,
    /// With --crl: what to do with a certificate that no CRL covers.
    #[arg(long, value_enum, default_value = "deny", requires = "crls")]
    pub crl_unknown: CrlUnknown,
    /// Authenticate the server by its raw public key (RFC 7250) instead of a certificate: it
    /// must be the key in this file (PEM 'PUBLIC KEY' or DER SubjectPublicKeyInfo, as
    /// `openssl pkey -pubout` writes it; repeat to accept several). --ca is not used.
    #[arg(long, value_name = "KEY.pub.pem")]
    pub raw_public_key: Vec<PathBuf>,
    /// Authenticate to servers that accept raw public keys (RFC 7250
    /// client_certificate_type) with this private key (PKCS#8 PEM): its public key is sent
    /// instead of a certificate (TLS 1.3 and 1.2). With --cert too, the certificate is
    /// offered second, for servers that want X.509.
    #[arg(long, value_name = "KEY.pem")]
    pub client_raw_key: Option<PathBuf>,
    /// Offer post-handshake authentication (post_handshake_auth, RFC 8446 §4.6.2): the
    /// server may ask for --cert after the handshake. Needs --cert.
    #[arg(long, requires = "cert")]
    pub post_handshake_auth: bool,
    /// A client certificate chain (PEM) for servers that ask for one; needs --key. Repeat
    /// --cert/--key for several (say, for servers of different CAs or key types): the first
    /// whose key signs a scheme the server accepts and, when the server names certificate
    /// authorities, whose chain one of them issued, is sent.
    #[arg(long, value_name = "CHAIN.pem", requires = "key")]
    pub cert: Vec<PathBuf>,
    /// The private key of the --cert at the same position (PKCS#8 PEM).
    #[arg(long, value_name = "KEY.pem", requires = "cert")]
    pub key: Vec<PathBuf>,
    /// Append session secrets to FILE in SSLKEYLOGFILE format (debugging only).
    #[arg(long, value_name = "FILE")]
    pub keylog: Option<PathBuf>,
    /// Print the handshake as a message sequence chart, and what was negotiated, on
    /// standard error.
    #[arg(long)]
    pub trace: bool,
    /// Offer TLS 1.3 only (by default the client offers TLS 1.3 and 1.2 and the server
    /// picks).
    #[arg(long)]
    pub no_tls12: bool,
    /// Encrypt the ClientHello (Encrypted Client Hello, RFC 9849) with the server's config
    /// (base64 ECHConfigList, as `tryst ech new-config` writes it or a DNS HTTPS record's
    /// ech= gives it): the network then sees only the config's public name.
    #[arg(long, value_name = "CONFIG")]
    pub ech_config: Option<PathBuf>,
    /// Without --ech-config, send no GREASE ECH extension (sent by default).
    #[arg(long, conflicts_with = "ech_config")]
    pub no_ech_grease: bool,
    /// Keep TLS 1.3 tickets in FILE between runs: read before connecting, written after
    /// (mode 0600: it holds resumption secrets).
    #[arg(long, value_name = "FILE")]
    pub session: Option<PathBuf>,
    /// With --session: send the first bytes of standard input as 0-RTT early data when a
    /// saved ticket allows it, and say on standard error whether the server accepted them
    /// (rejected bytes are sent again after the handshake). Early data can be replayed by
    /// an attacker: use it only for requests that are safe to repeat.
    #[arg(long, requires = "session")]
    pub early_data: bool,
    /// Authenticate with the external PSK named ID (RFC 8446 §4.2.11; SHA-256 suites,
    /// psk_dhe_ke); a server that does not know it must present a certificate that --ca
    /// (or the platform roots) trusts. Needs --psk-file.
    #[arg(long, value_name = "ID", requires = "psk_file")]
    pub psk_identity: Option<String>,
    /// The key of --psk-identity, as hex text (what `openssl s_client -psk` takes).
    #[arg(long, value_name = "FILE", requires = "psk_identity")]
    pub psk_file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum CertCommand {
    /// Check that a certificate chains to trusted roots (exit 0 valid, 1 invalid, 2 bad
    /// input).
    Verify(VerifyArgs),
    /// Make a self-signed test CA (ECDSA P-256 unless --ed25519 or --rsa).
    NewCa(NewCaArgs),
    /// Issue a test certificate from a CA made with new-ca (a server certificate unless
    /// --client).
    NewLeaf(NewLeafArgs),
}

/// `tryst cert verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Trusted root certificates (PEM). Certificates that cannot be trust anchors are
    /// skipped with a warning each.
    #[arg(long, value_name = "ROOTS.pem")]
    pub roots: PathBuf,
    /// The certificate to check (PEM; further certificates in the file count as
    /// intermediates).
    #[arg(long, value_name = "LEAF.pem")]
    pub leaf: PathBuf,
    /// Intermediate certificates (PEM). Certificates that do not parse are skipped with a
    /// warning each.
    #[arg(long, value_name = "I.pem")]
    pub intermediates: Option<PathBuf>,
    /// The server name (DNS name or IP address) the certificate must be valid for.
    #[arg(long, value_name = "NAME", conflicts_with = "client")]
    pub name: Option<String>,
    /// Check at this time instead of now: RFC 3339 (2026-01-31T12:00:00Z) or Unix seconds.
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Check for client authentication (clientAuth) instead of a server certificate.
    #[arg(long)]
    pub client: bool,
    /// Check revocation against these CRLs (DER or PEM 'X509 CRL'; repeat the flag or list
    /// several files). A revoked certificate is invalid (exit 1, certificate_revoked).
    #[arg(long = "crl", value_name = "CRL", num_args = 1..)]
    pub crls: Vec<PathBuf>,
    /// With --crl: which certificates must be covered by a CRL (the trust anchor never is).
    #[arg(long, value_enum, default_value = "chain", requires = "crls")]
    pub crl_depth: CrlDepth,
    /// With --crl: what to do with a certificate that no CRL covers.
    #[arg(long, value_enum, default_value = "deny", requires = "crls")]
    pub crl_unknown: CrlUnknown,
}

/// `--crl-depth`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CrlDepth {
    /// The end-entity certificate only.
    EndEntity,
    /// The end entity and every intermediate.
    Chain,
}

/// `--crl-unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CrlUnknown {
    /// Accept it.
    Allow,
    /// Refuse it (revocation status unknown).
    Deny,
}

/// `tryst cert new-ca`.
#[derive(Debug, Args)]
pub struct NewCaArgs {
    /// Where to write the CA certificate (PEM).
    #[arg(long, value_name = "CA.pem")]
    pub out_cert: PathBuf,
    /// Where to write the CA private key (PKCS#8 PEM, mode 0600).
    #[arg(long, value_name = "CA.key")]
    pub out_key: PathBuf,
    /// The CA's common name.
    #[arg(long, value_name = "CN", default_value = "tryst test CA")]
    pub name: String,
    /// An Ed25519 key instead of ECDSA P-256 (browsers do not accept Ed25519 server
    /// certificates).
    #[arg(long, conflicts_with = "ecdsa")]
    pub ed25519: bool,
    /// ECDSA P-256, the default (accepted for compatibility; it changes nothing).
    #[arg(long)]
    pub ecdsa: bool,
    /// An RSA key (for tests of RSA certificates; RSA-2048 unless --rsa-bits), signed
    /// sha256WithRSAEncryption when it issues.
    #[arg(long, conflicts_with_all = ["ed25519", "ecdsa"])]
    pub rsa: bool,
    /// The RSA key size in bits, 2048 (the default) to 4096; only with --rsa.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(2048..=4096))]
    pub rsa_bits: Option<u16>,
}

/// `tryst cert new-leaf`.
#[derive(Debug, Args)]
pub struct NewLeafArgs {
    /// The issuing CA's certificate (PEM).
    #[arg(long, value_name = "CA.pem")]
    pub ca: PathBuf,
    /// The issuing CA's private key (PKCS#8 PEM).
    #[arg(long, value_name = "CA.key")]
    pub ca_key: PathBuf,
    /// A DNS name or IP address for subjectAltName (repeat for more; the first is also the
    /// common name).
    #[arg(long, value_name = "NAME", required = true)]
    pub name: Vec<String>,
    /// Where to write the certificate chain (PEM: the leaf, then the CA).
    #[arg(long, value_name = "CERT.pem")]
    pub out_cert: PathBuf,
    /// Where to write the private key (PKCS#8 PEM, mode 0600).
    #[arg(long, value_name = "KEY.pem")]
    pub out_key: PathBuf,
    /// An Ed25519 key instead of ECDSA P-256 (browsers do not accept Ed25519 server
    /// certificates). Independent of the CA's key type.
    #[arg(long, conflicts_with = "ecdsa")]
    pub ed25519: bool,
    /// ECDSA P-256, the default (accepted for compatibility; it changes nothing).
    #[arg(long)]
    pub ecdsa: bool,
    /// An RSA key (for tests of RSA certificates; RSA-2048 unless --rsa-bits), signed
    /// sha256WithRSAEncryption when it issues.
    #[arg(long, conflicts_with_all = ["ed25519", "ecdsa"])]
    pub rsa: bool,
    /// The RSA key size in bits, 2048 (the default) to 4096; only with --rsa.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(2048..=4096))]
    pub rsa_bits: Option<u16>,
    /// A client certificate (clientAuth) instead of a server certificate (serverAuth).
    #[arg(long)]
    pub client: bool,
}

/// Run the parsed command.
pub fn dispatch(cli: Cli) -> CmdResult {
    match cli.command {
        Command::Demo(a) => crate::demo::run(&a),
        Command::Server(a) => crate::server::run(&a),
        Command::Client(a) => crate::client::run(&a),
        Command::Cert(CertCommand::Verify(a)) => crate::certcmd::verify(&a),
        Command::Cert(CertCommand::NewCa(a)) => crate::certcmd::new_ca(&a),
        Command::Cert(CertCommand::NewLeaf(a)) => crate::certcmd::new_leaf(&a),
        Command::Ech(EchCommand::NewConfig(a)) => crate::echcmd::new_config(&a),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_secs;
    use std::time::Duration;

    #[test]
    fn seconds_with_millisecond_fractions() {
        assert_eq!(parse_secs("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_secs("0.5"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_secs(".25"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_secs("1.125"), Ok(Duration::from_millis(1125)));
        assert_eq!(parse_secs("2."), Ok(Duration::from_secs(2)));
        assert_eq!(parse_secs("86400"), Ok(Duration::from_secs(86_400)));
        for bad in [
            "",
            ".",
            "0",
            "0.000",
            "-1",
            "1e3",
            "0.0001",
            "abc",
            "1.5s",
            "86400.001",
            "99999999999999999999999",
        ] {
            assert!(parse_secs(bad).is_err(), "{bad:?}");
        }
    }
}
