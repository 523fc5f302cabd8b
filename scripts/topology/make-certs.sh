#!/usr/bin/env bash
# A local certificate authority for development and the topology test: Temporal's frontend and
# internode certificate, and one client certificate per party (the engine, an admin). Production uses
# its own PKI; the files have the same names. Usage: make-certs.sh DIR [HOSTNAME...]
set -euo pipefail
dir=${1:?usage: make-certs.sh DIR [HOSTNAME...]}
shift
hosts=("localhost" "temporal" "$@")
mkdir -p "$dir"
chmod 700 "$dir"
cd "$dir"
umask 077
[ -f ca.pem ] && { echo "$dir already holds a CA: kept" >&2; exit 0; }

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 \
  -subj "/O=sons-engine/CN=sons-engine local CA" -keyout ca.key -out ca.pem 2>/dev/null

san="IP:127.0.0.1"
for h in "${hosts[@]}"; do san="$san,DNS:$h"; done

# name, subject CN, extended key usage, subjectAltName
issue() {
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/O=sons-engine/CN=$2" -keyout "$1.key" -out "$1.csr" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=%s\n%s\n' "$3" "${4:+subjectAltName=$4}" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 -extfile "$1.ext" -out "$1.pem" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}
# the server's certificate serves the frontend and internode traffic, and is the client certificate
# its own services (history, matching, its internal worker) present to each other
issue server "temporal" "serverAuth,clientAuth" "$san"
issue engine "sons-engine" "clientAuth"
issue admin "sons-admin" "clientAuth"
issue ui "temporal-ui" "clientAuth"
chmod 600 ./*.key
echo "$dir: ca.pem, server.pem/.key, engine.pem/.key, admin.pem/.key, ui.pem/.key" >&2
