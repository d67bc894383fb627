"""What the tests of the fake mail servers share: a scratch directory and a test CA made once per
run, TLS client contexts that trust it or nothing, a fake started as a subprocess exactly as the
Rust tests start it, and HTTP calls to the HTTP fakes and their control API.

Not a test module itself (unittest discovers test_*.py); run the tests from the repository root:
/usr/bin/python3 -m unittest discover -s tests/fakes -v
"""

import atexit
import http.client
import json
import os
import select
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)  # so `import certs` works however unittest was invoked
import certs  # noqa: E402

PYTHON = "/usr/bin/python3"  # Debian's, which has aiosmtpd; never the pyenv one on PATH

# One scratch directory and one CA for the whole run, removed when it ends.
TMP = tempfile.mkdtemp(prefix="cachicamo-fakes-")
atexit.register(shutil.rmtree, TMP, ignore_errors=True)
CERTS = certs.generate(os.path.join(TMP, "certs"))


def read(path: str, mode: str = "r"):
    with open(path, mode) as f:
        return f.read()


def trusting_context() -> ssl.SSLContext:
    """A client context that trusts only the test CA, with full verification."""
    return ssl.create_default_context(cafile=CERTS["ca"])


def untrusting_context() -> ssl.SSLContext:
    """A verifying client context that trusts nothing (not even SSL_CERT_FILE, which a test run
    may point at the test CA)."""
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


class Server:
    """A fake started as a subprocess; `port` is read from its `LISTENING <port>` line."""

    def __init__(self, script: str, *args: str):
        self.proc = subprocess.Popen([PYTHON, os.path.join(HERE, script), *args],
                                     stdout=subprocess.PIPE)
        ready, _, _ = select.select([self.proc.stdout], [], [], 10)
        line = self.proc.stdout.readline().decode() if ready else ""
        if not line.startswith("LISTENING "):
            self.proc.kill()
            raise RuntimeError(f"{script} did not start (got {line!r})")
        self.port = int(line.split()[1])

    def stop(self) -> int:
        """SIGTERM, as the Rust tests do; the exit status (0 = clean shutdown)."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=5)
        finally:
            self.proc.stdout.close()
            if self.proc.poll() is None:
                self.proc.kill()


class ServerCase(unittest.TestCase):
    """Starts the servers listed by start_servers() once per class; checks they exit cleanly."""

    servers = ()

    @classmethod
    def tearDownClass(cls):
        codes = [server.stop() for server in cls.servers]
        assert codes == [0] * len(codes), f"unclean exit codes {codes}"

    @classmethod
    def state_dir(cls, name: str) -> str:
        return os.path.join(TMP, f"{cls.__name__}-{name}")


# --- HTTP helpers ---------------------------------------------------------------------------
class Reply:
    def __init__(self, resp: http.client.HTTPResponse):
        self.status = resp.status
        self.headers = {k.lower(): v for k, v in resp.getheaders()}
        self.raw = resp.read()

    @property
    def json(self):
        return json.loads(self.raw)


def call(port: int, method: str, path: str, body=None, headers: dict = None,
         context: ssl.SSLContext = None, conn=None) -> Reply:
    """One request, on `conn` if given (keep-alive), else on a connection of its own.
    `body` is JSON-encoded unless already bytes."""
    if body is not None and not isinstance(body, bytes):
        body = json.dumps(body).encode()
    if conn is not None:
        conn.request(method, path, body=body, headers=headers or {})
        return Reply(conn.getresponse())
    own = (http.client.HTTPSConnection("localhost", port, context=context, timeout=10)
           if context else http.client.HTTPConnection("127.0.0.1", port, timeout=10))
    try:
        return call(port, method, path, body, headers, conn=own)
    finally:
        own.close()


class HttpFakeCase(ServerCase):
    """Shared helpers for the two HTTP fakes: starting one, posting to it, its control API, and
    a reset between tests."""

    port = None

    @classmethod
    def serve(cls, script: str, *args: str) -> None:
        """Starts the fake `script` with `args` as this class's server, keeping its state in a
        directory of the class's own (`cls.dir`)."""
        cls.dir = cls.state_dir(os.path.splitext(script)[0])
        cls.server = Server(script, "--state-dir", cls.dir, *args)
        cls.servers = (cls.server,)
        cls.port = cls.server.port

    def setUp(self):
        self.control("POST", "reset")

    def post_with(self, path: str, body, headers: dict, changes: dict) -> Reply:
        """POSTs `body` to `path` with `headers` as a test changes them: `changes` are keyword
        arguments (`Content_Type` is Content-Type), and a header set to None is left out."""
        headers = dict(headers, **{k.replace("_", "-"): v for k, v in changes.items()})
        return call(self.port, "POST", path, body, {k: v for k, v in headers.items() if v is not None})

    def control(self, method: str, action: str, body=None):
        reply = call(self.port, method, f"/__control/{action}", body)
        self.assertEqual(reply.status, 200, reply.raw)
        return reply.json

    def emails(self) -> list:
        """The emails the fake holds, as its control API lists them."""
        return self.control("GET", "emails")


def payload(defaults: dict, overrides: dict) -> dict:
    """A request body: `defaults` with `overrides` applied; a field overridden with None is left
    out (to test a missing field)."""
    body = dict(defaults, **overrides)
    return {k: v for k, v in body.items() if v is not None}
