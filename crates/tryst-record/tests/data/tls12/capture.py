#!/usr/bin/env python3
"""Capture one TLS 1.2 connection between `openssl s_client` and `openssl s_server`
through a loopback relay, for tests/tls12_openssl.rs. Run from this directory:

    python3 capture.py ECDHE-RSA-AES128-GCM-SHA256 aes128gcm
    python3 capture.py ECDHE-RSA-AES256-GCM-SHA384 aes256gcm
    python3 capture.py ECDHE-RSA-CHACHA20-POLY1305 chacha20

It writes <name>.c2s / <name>.s2c (the raw bytes each side sent) and <name>.keylog
(SSLKEYLOGFILE format, from s_client -keylogfile). Needs key.pem / cert.pem:

    openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem \
        -days 3650 -subj /CN=localhost
"""
import os, socket, subprocess, sys, threading, time

cipher, name = sys.argv[1], sys.argv[2]
srv_port, relay_port = 47000 + os.getpid() % 1000, 48000 + os.getpid() % 1000
for f in (name + ".keylog",):
    if os.path.exists(f):
        os.remove(f)
server = subprocess.Popen(
    ["openssl", "s_server", "-tls1_2", "-cipher", cipher, "-key", "key.pem", "-cert",
     "cert.pem", "-accept", str(srv_port), "-no_ticket", "-quiet"],
    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
time.sleep(0.5)
lsock = socket.socket()
lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
lsock.bind(("127.0.0.1", relay_port))
lsock.listen(1)
bufs = {"c2s": bytearray(), "s2c": bytearray()}

def pump(src, dst, key):
    while True:
        try:
            data = src.recv(65536)
        except OSError:
            data = b""
        if not data:
            try:
                dst.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            return
        bufs[key] += data
        dst.sendall(data)

def relay():
    c, _ = lsock.accept()
    s = socket.create_connection(("127.0.0.1", srv_port))
    t1 = threading.Thread(target=pump, args=(c, s, "c2s"))
    t2 = threading.Thread(target=pump, args=(s, c, "s2c"))
    t1.start(); t2.start(); t1.join(); t2.join()

rt = threading.Thread(target=relay)
rt.start()
client = subprocess.Popen(
    ["openssl", "s_client", "-tls1_2", "-cipher", cipher, "-connect",
     "127.0.0.1:%d" % relay_port, "-keylogfile", name + ".keylog", "-quiet",
     "-no_ticket"],
    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
time.sleep(0.7)
client.stdin.write(b"ping from the client\n"); client.stdin.flush()
time.sleep(0.4)
server.stdin.write(b"pong from the server\n"); server.stdin.flush()
time.sleep(0.4)
client.stdin.close()
time.sleep(0.4)
client.kill(); server.kill()
rt.join(timeout=3)
for k, v in bufs.items():
    open("%s.%s" % (name, k), "wb").write(bytes(v))
print(name, {k: len(v) for k, v in bufs.items()})
