#!/usr/bin/env bash
# Makes the TLS material of the example security setup (README, "Security: a setup to copy"), with the JDK's
# keytool only:
#   tls/ca.p12, tls/ca.pem        a throw-away certificate authority (CN=Herald Example CA)
#   tls/node.p12                  the brokers' key store, CN=herald-node, valid for localhost and 127.0.0.1, signed
#                                 by the CA (one for every node of a local cluster; real hosts each get their own)
#   tls/truststore.p12            the CA alone, for brokers checking each other's certificates
# Passwords: "herald-secret" throughout (change them, and the properties files, for anything real).
#
#   config/security/make-certs.sh [DIR]     default DIR: ./tls (relative to where you run it)
set -euo pipefail

HERALD_HOME=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
# shellcheck source=../../bin/lib/java.sh
source "$HERALD_HOME/bin/lib/java.sh"
herald_find_java
keytool="$JAVA_HOME/bin/keytool"

dir=${1:-tls}
password=herald-secret
mkdir -p "$dir"
cd "$dir"
rm -f ca.p12 ca.pem node.p12 node.csr node.pem truststore.p12

"$keytool" -genkeypair -alias ca -dname "CN=Herald Example CA" -keyalg RSA -keysize 2048 -validity 825 \
  -ext bc:c -keystore ca.p12 -storetype PKCS12 -storepass "$password" 2>/dev/null
"$keytool" -exportcert -alias ca -keystore ca.p12 -storepass "$password" -rfc -file ca.pem 2>/dev/null

"$keytool" -genkeypair -alias node -dname "CN=herald-node" -keyalg RSA -keysize 2048 -validity 825 \
  -keystore node.p12 -storetype PKCS12 -storepass "$password" 2>/dev/null
"$keytool" -certreq -alias node -keystore node.p12 -storepass "$password" -file node.csr 2>/dev/null
"$keytool" -gencert -alias ca -keystore ca.p12 -storepass "$password" -infile node.csr -outfile node.pem -rfc \
  -validity 825 -ext "SAN=dns:localhost,ip:127.0.0.1" -ext "EKU=serverAuth,clientAuth" 2>/dev/null
"$keytool" -importcert -alias ca -file ca.pem -keystore node.p12 -storepass "$password" -noprompt 2>/dev/null
"$keytool" -importcert -alias node -file node.pem -keystore node.p12 -storepass "$password" 2>/dev/null
"$keytool" -importcert -alias ca -file ca.pem -keystore truststore.p12 -storetype PKCS12 -storepass "$password" \
  -noprompt 2>/dev/null
rm -f node.csr node.pem

echo "make-certs: wrote ca.pem, ca.p12, node.p12 and truststore.p12 to $(pwd -P)"
