// echpeer is Go's crypto/tls as an Encrypted Client Hello (RFC 9849) peer for tryst's
// interop tests (crates/tryst/tests/go_ech.rs). Standard library only.
//
//	echpeer server -cert HEX -key SEEDHEX [-ech-config HEX -ech-key HEX] [-groups p256|x25519]
//	    prints "LISTEN host:port", serves one connection, prints
//	    "HANDSHAKE ech=<bool> sni=<name>", echoes one line back.
//	echpeer client -addr host:port -name NAME -ca HEX [-ech-configs HEX] [-groups ...]
//	    prints "OK ech=<bool>" and "READ <line>", or "REJECTED retry=<hex>", or "ERR <msg>".
//
// Certificates and keys are passed in hex: DER certificates, Ed25519 seeds, and ECH
// configs and keys as tryst serializes them.
package main

import (
	"bufio"
	"crypto/ed25519"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

func must(err error) {
	if err != nil {
		fmt.Printf("ERR %v\n", err)
		os.Exit(1)
	}
}

func unhex(s string) []byte {
	b, err := hex.DecodeString(s)
	must(err)
	return b
}

func groups(s string) []tls.CurveID {
	switch s {
	case "p256":
		return []tls.CurveID{tls.CurveP256}
	case "x25519":
		return []tls.CurveID{tls.X25519}
	}
	return nil
}

func server(args []string) {
	fs := flag.NewFlagSet("server", flag.ExitOnError)
	cert := fs.String("cert", "", "leaf certificate, DER hex")
	key := fs.String("key", "", "Ed25519 seed, hex")
	echConfig := fs.String("ech-config", "", "one ECHConfig, hex")
	echKey := fs.String("ech-key", "", "the ECH HPKE private key, hex")
	grp := fs.String("groups", "", "p256 or x25519")
	must(fs.Parse(args))
	config := &tls.Config{
		MinVersion: tls.VersionTLS13,
		Certificates: []tls.Certificate{{
			Certificate: [][]byte{unhex(*cert)},
			PrivateKey:  ed25519.NewKeyFromSeed(unhex(*key)),
		}},
		CurvePreferences: groups(*grp),
	}
	if *echConfig != "" {
		config.EncryptedClientHelloKeys = []tls.EncryptedClientHelloKey{{
			Config:      unhex(*echConfig),
			PrivateKey:  unhex(*echKey),
			SendAsRetry: true,
		}}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(err)
	fmt.Printf("LISTEN %s\n", ln.Addr())
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(20 * time.Second))
	raw, err := ln.Accept()
	must(err)
	raw.SetDeadline(time.Now().Add(20 * time.Second))
	conn := tls.Server(raw, config)
	must(conn.Handshake())
	st := conn.ConnectionState()
	fmt.Printf("HANDSHAKE ech=%v sni=%s\n", st.ECHAccepted, st.ServerName)
	line, err := bufio.NewReader(conn).ReadString('\n')
	must(err)
	_, err = conn.Write([]byte("echo: " + line))
	must(err)
	conn.Close()
}

func client(args []string) {
	fs := flag.NewFlagSet("client", flag.ExitOnError)
	addr := fs.String("addr", "", "host:port")
	name := fs.String("name", "", "server name")
	ca := fs.String("ca", "", "trust anchor, DER hex")
	echConfigs := fs.String("ech-configs", "", "ECHConfigList, hex")
	grp := fs.String("groups", "", "p256 or x25519")
	must(fs.Parse(args))
	anchor, err := x509.ParseCertificate(unhex(*ca))
	must(err)
	pool := x509.NewCertPool()
	pool.AddCert(anchor)
	config := &tls.Config{
		MinVersion:       tls.VersionTLS13,
		ServerName:       *name,
		RootCAs:          pool,
		CurvePreferences: groups(*grp),
	}
	if *echConfigs != "" {
		config.EncryptedClientHelloConfigList = unhex(*echConfigs)
	}
	raw, err := net.DialTimeout("tcp", *addr, 10*time.Second)
	must(err)
	raw.SetDeadline(time.Now().Add(20 * time.Second))
	conn := tls.Client(raw, config)
	if err := conn.Handshake(); err != nil {
		var rej *tls.ECHRejectionError
		if errors.As(err, &rej) {
			fmt.Printf("REJECTED retry=%x\n", rej.RetryConfigList)
			os.Exit(0)
		}
		must(err)
	}
	fmt.Printf("OK ech=%v\n", conn.ConnectionState().ECHAccepted)
	_, err = conn.Write([]byte("ping\n"))
	must(err)
	line, err := bufio.NewReader(conn).ReadString('\n')
	must(err)
	fmt.Printf("READ %s\n", strings.TrimSpace(line))
	conn.Close()
}

func main() {
	if len(os.Args) < 2 {
		must(errors.New("usage: echpeer server|client ..."))
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
