"""Tests of the fake mail servers' certificates: certs.py, the throwaway CA and the server
certificate the fakes and the clients under test use.

Run from the repository root: /usr/bin/python3 -m unittest discover -s tests/fakes -v
"""

import os
import subprocess
import unittest

from fakecase import CERTS, TMP, read  # first: it puts certs.py on the path

import certs  # noqa: E402


class CertsTests(unittest.TestCase):
    def openssl_text(self, path: str) -> str:
        return subprocess.run(["openssl", "x509", "-in", path, "-noout", "-text"], check=True,
                              capture_output=True, text=True).stdout

    def test_ca_is_a_real_ca(self):
        text = self.openssl_text(CERTS["ca"])
        self.assertRegex(text, r"Basic Constraints: critical\s+CA:TRUE")
        self.assertRegex(text, r"Key Usage: critical\s+Certificate Sign")

    def test_leaf_is_a_server_certificate_for_localhost(self):
        text = self.openssl_text(CERTS["cert"])
        self.assertIn("DNS:localhost, IP Address:127.0.0.1", text)
        self.assertIn("TLS Web Server Authentication", text)
        self.assertRegex(text, r"Basic Constraints: critical\s+CA:FALSE")
        verify = subprocess.run(["openssl", "verify", "-CAfile", CERTS["ca"], "-purpose",
                                 "sslserver", CERTS["cert"]], capture_output=True, text=True)
        self.assertEqual(verify.returncode, 0, verify.stderr)
        # Valid for at least two more days.
        check = subprocess.run(["openssl", "x509", "-in", CERTS["cert"], "-noout",
                                "-checkend", str(2 * 86400)], capture_output=True)
        self.assertEqual(check.returncode, 0)

    def test_regenerating_overwrites(self):
        out = os.path.join(TMP, "certs-again")
        first = read(certs.generate(out)["ca"])
        second = read(certs.generate(out)["ca"])
        self.assertNotEqual(first, second)
        self.assertEqual(sorted(os.listdir(out)), ["ca.pem", "server.key", "server.pem"])


if __name__ == "__main__":
    unittest.main()
