#!/usr/bin/python3
"""Throwaway TLS material for the fake mail servers.

Usage: /usr/bin/python3 tests/fakes/certs.py OUT_DIR

Creates, with the `openssl` command line tool only:
  OUT_DIR/ca.pem      a test CA (give it to clients through SSL_CERT_FILE)
  OUT_DIR/server.pem  a server certificate for DNS:localhost and IP:127.0.0.1 signed by that CA
  OUT_DIR/server.key  its private key (PKCS#8, unencrypted)

The certificates follow the rules rustls/webpki enforces (it is stricter than OpenSSL): the CA is
a real v3 CA (critical basicConstraints CA:TRUE, keyUsage keyCertSign), the leaf is not a CA and
carries subjectAltName (webpki ignores the CN) and extendedKeyUsage serverAuth. This must never
produce anything a real client would only accept with verification turned off: tests that pass
against these certificates have to pass against a real provider's chain too.

Running it again overwrites the three files; the CA key is deleted so nothing else can be signed.
"""

import os
import secrets
import shutil
import subprocess
import sys
import tempfile

# Validity well above the 2 days the tests need, so a certificate generated at the start of a
# long CI run (or cached between runs on the same day) cannot expire half-way.
VALIDITY_DAYS = "90"

# One config file for both certificates: written by us rather than taken from the system
# openssl.cnf, whose default sections differ between distributions and would add extensions.
OPENSSL_CONFIG = """\
[req]
distinguished_name = dn
prompt = no

[dn]
CN = Cachicamo Test CA

[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash

[v3_leaf]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
"""

# P-256 keys: supported by rustls, Python's ssl module and every TLS stack, and fast to generate.
EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)


def _serial() -> str:
    # A positive serial of at most 20 octets, as RFC 5280 (and webpki) require.
    return hex(secrets.randbits(120) | 1)


def generate(out_dir: str) -> dict:
    """Create ca.pem, server.pem and server.key in out_dir; return their paths."""
    os.makedirs(out_dir, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cachicamo-certs-") as work:
        config = os.path.join(work, "openssl.cnf")
        with open(config, "w", encoding="ascii") as f:
            f.write(OPENSSL_CONFIG)
        ca_key, ca_pem = os.path.join(work, "ca.key"), os.path.join(work, "ca.pem")
        key, csr, pem = (os.path.join(work, n) for n in ("server.key", "server.csr", "server.pem"))

        _openssl("req", "-config", config, "-x509", *EC_KEY, "-keyout", ca_key, "-out", ca_pem,
                 "-days", VALIDITY_DAYS, "-sha256", "-extensions", "v3_ca",
                 "-set_serial", _serial())
        _openssl("req", "-config", config, "-new", *EC_KEY, "-keyout", key, "-out", csr,
                 "-subj", "/CN=localhost")
        _openssl("x509", "-req", "-in", csr, "-CA", ca_pem, "-CAkey", ca_key,
                 "-set_serial", _serial(), "-days", VALIDITY_DAYS, "-sha256",
                 "-extfile", config, "-extensions", "v3_leaf", "-out", pem)

        paths = {}
        for name, src in (("ca", ca_pem), ("cert", pem), ("key", key)):
            dest = os.path.join(out_dir, os.path.basename(src))
            # Copy next to the destination, then rename: a reader never sees half a file.
            tmp = dest + ".tmp"
            shutil.copyfile(src, tmp)
            os.chmod(tmp, 0o600 if name == "key" else 0o644)
            os.replace(tmp, dest)
            paths[name] = dest
    return paths


def main(argv: list) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    try:
        paths = generate(argv[1])
    except subprocess.CalledProcessError as e:
        print(f"openssl failed: {e.stderr.decode(errors='replace')}", file=sys.stderr)
        return 1
    for path in paths.values():
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
