// tlspeer is Go's crypto/tls as a TLS 1.2 / TLS 1.3 peer for tryst's interop tests
// (crates/tryst/tests/go_tls.rs): several certificates chosen by SNI, session resumption
// (tickets) across connections, and client certificates. Standard library only.
//
//	tlspeer server -pair CERT.pem,KEY.pem [-pair ...] -ca CA.pem -max 1.2|1.3 -n N
//	        [-client-auth] [-suite HEX]
//	    prints "LISTEN host:port", then for each of N connections
//	    "HANDSHAKE version=HEX suite=HEX resumed=BOOL sni=NAME client=CN", reads one line
//	    and writes it back reversed (without its newline, then a newline).
//	tlspeer client -addr host:port -name NAME -ca CA.pem -max 1.2|1.3 -n N
//	        [-pair CERT.pem,KEY.pem] [-suite HEX]
//	    for each of N connections (sharing one session cache): prints
//	    "OK version=HEX suite=HEX resumed=BOOL peer=CN", writes "ping\n", prints
//	    "READ <line>"; "ERR <msg>" and exit 1 on failure.
//
// Keys are PKCS#8 PEM files (ECDSA, RSA or Ed25519), as tryst's tests write them.
package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

func must(err error) {
	if err != nil {
		fmt.Printf("ERR %v\n", err)
		os.Exit(1)
	}
}

// pairs collects repeated -pair flags.
type pairs []string

func (p *pairs) String() string     { return strings.Join(*p, " ") }
func (p *pairs) Set(s string) error { *p = append(*p, s); return nil }

func load(ps pairs) []tls.Certificate {
	var out []tls.Certificate
	for _, p := range ps {
		files := strings.SplitN(p, ",", 2)
		if len(files) != 2 {
			must(errors.New("-pair wants CERT.pem,KEY.pem"))
		}
		c, err := tls.LoadX509KeyPair(files[0], files[1])
		must(err)
		out = append(out, c)
	}
	return out
}

func pool(file string) *x509.CertPool {
	pem, err := os.ReadFile(file)
	must(err)
	p := x509.NewCertPool()
	if !p.AppendCertsFromPEM(pem) {
		must(errors.New("no certificate in " + file))
	}
	return p
}

func version(s string) uint16 {
	switch s {
	case "1.2":
		return tls.VersionTLS12
	case "1.3":
		return tls.VersionTLS13
	}
	must(errors.New("-max wants 1.2 or 1.3"))
	return 0
}

func suites(s string) []uint16 {
	if s == "" {
		return nil
	}
	v, err := strconv.ParseUint(s, 16, 16)
	must(err)
	return []uint16{uint16(v)}
}

func cn(st tls.ConnectionState) string {
	if len(st.PeerCertificates) == 0 {
		return "-"
	}
	return st.PeerCertificates[0].Subject.CommonName
}

func server(args []string) {
	fs := flag.NewFlagSet("server", flag.ExitOnError)
	var ps pairs
	fs.Var(&ps, "pair", "certificate and key PEM files, comma-separated (repeatable)")
	ca := fs.String("ca", "", "CA for client certificates, PEM")
	max := fs.String("max", "1.3", "highest version: 1.2 or 1.3")
	n := fs.Int("n", 1, "connections to serve")
	clientAuth := fs.Bool("client-auth", false, "require and verify a client certificate")
	suite := fs.String("suite", "", "the one TLS 1.2 cipher suite, hex")
	must(fs.Parse(args))
	config := &tls.Config{
		MinVersion:   tls.VersionTLS12,
		MaxVersion:   version(*max),
		Certificates: load(ps),
		CipherSuites: suites(*suite),
	}
	if *clientAuth {
		config.ClientAuth = tls.RequireAndVerifyClientCert
		config.ClientCAs = pool(*ca)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(err)
	fmt.Printf("LISTEN %s\n", ln.Addr())
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(30 * time.Second))
	for i := 0; i < *n; i++ {
		raw, err := ln.Accept()
		must(err)
		raw.SetDeadline(time.Now().Add(20 * time.Second))
		conn := tls.Server(raw, config)
		must(conn.Handshake())
		st := conn.ConnectionState()
		fmt.Printf("HANDSHAKE version=%04x suite=%04x resumed=%v sni=%s client=%s\n",
			st.Version, st.CipherSuite, st.DidResume, st.ServerName, cn(st))
		line, err := bufio.NewReader(conn).ReadString('\n')
		must(err)
		body := []rune(strings.TrimSuffix(line, "\n"))
		for a, b := 0, len(body)-1; a < b; a, b = a+1, b-1 {
			body[a], body[b] = body[b], body[a]
		}
		_, err = conn.Write([]byte(string(body) + "\n"))
		must(err)
		conn.Close()
	}
}

func client(args []string) {
	fs := flag.NewFlagSet("client", flag.ExitOnError)
	addr := fs.String("addr", "", "host:port")
	name := fs.String("name", "", "server name (SNI and verification)")
	ca := fs.String("ca", "", "trust anchor, PEM")
	max := fs.String("max", "1.3", "highest version: 1.2 or 1.3")
	n := fs.Int("n", 1, "connections, one after the other, sharing a session cache")
	var ps pairs
	fs.Var(&ps, "pair", "client certificate and key PEM files, comma-separated")
	suite := fs.String("suite", "", "the one TLS 1.2 cipher suite, hex")
	must(fs.Parse(args))
	config := &tls.Config{
		MinVersion:         tls.VersionTLS12,
		MaxVersion:         version(*max),
		ServerName:         *name,
		RootCAs:            pool(*ca),
		Certificates:       load(ps),
		CipherSuites:       suites(*suite),
		ClientSessionCache: tls.NewLRUClientSessionCache(8),
	}
	for i := 0; i < *n; i++ {
		raw, err := net.DialTimeout("tcp", *addr, 10*time.Second)
		must(err)
		raw.SetDeadline(time.Now().Add(20 * time.Second))
		conn := tls.Client(raw, config)
		must(conn.Handshake())
		_, err = conn.Write([]byte("ping\n"))
		must(err)
		// Read the answer before looking at the state: a TLS 1.3 ticket arrives after
		// the handshake, and the next connection's resumption needs it.
		line, err := bufio.NewReader(conn).ReadString('\n')
		must(err)
		st := conn.ConnectionState()
		fmt.Printf("OK version=%04x suite=%04x resumed=%v peer=%s\n",
			st.Version, st.CipherSuite, st.DidResume, cn(st))
		fmt.Printf("READ %s\n", strings.TrimSpace(line))
		conn.Close()
	}
}

func main() {
	if len(os.Args) < 2 {
		must(errors.New("usage: tlspeer server|client ..."))
	}
	switch os.Args[1] {
	case "server":
		server(os.Args[2:])
	case "client":
		client(os.Args[2:])
	default:
		must(errors.New("unknown mode " + os.Args[1]))
	}
}
