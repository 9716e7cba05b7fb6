set -e
# RSA test chain for tryst-cert: root (RSA-2048, PKCS#1 v1.5 SHA-256) -> intermediate
# (RSA-3072, signed with RSA-PSS SHA-256) -> leaf (RSA-2048, PKCS#1 v1.5 SHA-384 from the
# intermediate) for rsa.example.com; plus a leaf with a 1024-bit key.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out root.key
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:3072 -out inter.key
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out leaf.key
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out weak.key
cat > ext.cnf <<'CNF'
[root]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[inter]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[leaf]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:rsa.example.com
authorityKeyIdentifier = keyid
CNF
openssl req -x509 -new -key root.key -sha256 -days 3650 -subj "/CN=tryst RSA test root" -extensions root -config ext.cnf -out root.pem 2>/dev/null || openssl req -x509 -new -key root.key -sha256 -days 3650 -subj "/CN=tryst RSA test root" -addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign" -out root.pem
openssl req -new -key inter.key -subj "/CN=tryst RSA test intermediate" -out inter.csr
openssl x509 -req -in inter.csr -CA root.pem -CAkey root.key -set_serial 2 -days 3650 -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest -sigopt rsa_mgf1_md:sha256 -extfile ext.cnf -extensions inter -out inter.pem
openssl req -new -key leaf.key -subj "/CN=rsa.example.com" -out leaf.csr
openssl x509 -req -in leaf.csr -CA inter.pem -CAkey inter.key -set_serial 3 -days 3650 -sha384 -extfile ext.cnf -extensions leaf -out leaf.pem
openssl req -new -key weak.key -subj "/CN=rsa.example.com" -out weak.csr
openssl x509 -req -in weak.csr -CA inter.pem -CAkey inter.key -set_serial 4 -days 3650 -sha256 -extfile ext.cnf -extensions leaf -out weak-leaf.pem
for c in root inter leaf weak-leaf; do openssl x509 -in $c.pem -outform DER -out rsa-$c.der; done
