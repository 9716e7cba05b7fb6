#!/bin/sh
# Made once with OpenSSL 3.0 in an empty directory; the private keys were not kept.
# root.der: RSA-2048, self-signed with sha1WithRSAEncryption (an anchor's own signature is
# never checked, so it stays usable). leaf-{md5,sha1,sha256}.der: RSA-2048, SAN localhost,
# serverAuth, signed by the root with md5/sha1/sha256WithRSAEncryption. Valid 100 years.
set -e
openssl req -x509 -newkey rsa:2048 -nodes -keyout root.key -out root.pem -sha1 -days 36500 \
    -subj "/CN=weak-hash test root" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign"
openssl req -newkey rsa:2048 -nodes -keyout leaf.key -out leaf.csr -subj "/CN=localhost"
printf "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n" > ext.cnf
for h in md5 sha1 sha256; do
    openssl x509 -req -in leaf.csr -CA root.pem -CAkey root.key -set_serial 0x$(openssl rand -hex 8) \
        -out leaf-$h.pem -days 36500 -$h -extfile ext.cnf
    openssl x509 -in leaf-$h.pem -outform DER -out leaf-$h.der
done
openssl x509 -in root.pem -outform DER -out root.der
rm -f root.key root.pem leaf.key leaf.csr ext.cnf leaf-*.pem
