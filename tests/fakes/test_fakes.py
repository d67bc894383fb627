"""Tests of the fake mail servers themselves (certs.py, smtp_server.py, resend.py, postmark.py).

Run: cd /work/main && /usr/bin/python3 -m unittest discover -s tests/fakes -v

Each server runs as a subprocess on port 0, exactly as the Rust tests start it. For every rule a
fake enforces there is a request breaking it that must be refused with the documented status and
name/code, next to a good request that must be accepted: a fake that accepts too much would let
client bugs through, one that refuses too much would make the client tests lie.
"""

import http.client
import json
import os
import select
import shutil
import signal
import smtplib
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)  # so `import certs` works however unittest was invoked
import certs  # noqa: E402

PYTHON = "/usr/bin/python3"  # Debian's, which has aiosmtpd; never the pyenv one on PATH
TMP = None
CERTS = None


def setUpModule():
    global TMP, CERTS
    TMP = tempfile.mkdtemp(prefix="cachicamo-fakes-")
    CERTS = certs.generate(os.path.join(TMP, "certs"))


def tearDownModule():
    shutil.rmtree(TMP, ignore_errors=True)


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
    """Shared helpers for the two HTTP fakes: control API and reset between tests."""

    port = None

    def setUp(self):
        self.control("POST", "reset")

    def control(self, method: str, action: str, body=None):
        reply = call(self.port, method, f"/__control/{action}", body)
        self.assertEqual(reply.status, 200, reply.raw)
        return reply.json


# --- certificates ---------------------------------------------------------------------------
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


# --- SMTP -----------------------------------------------------------------------------------
USER, PASSWORD = "ana@example.com", "app-password-123"
MESSAGE = (b"From: Ana <ana@example.com>\r\nTo: luis@example.net\r\nSubject: Recordatorio\r\n"
           b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
           b"Content-Transfer-Encoding: 8bit\r\n\r\nFactura vencida: 1.500,50 Bs \xe2\x82\xac\r\n"
           b".a line starting with a dot\r\n")


class SmtpTests(ServerCase):
    @classmethod
    def setUpClass(cls):
        tls_args = ["--cert", CERTS["cert"], "--key", CERTS["key"]]
        common = ["--user", USER, "--password", PASSWORD]
        cls.dirs = {name: cls.state_dir(name)
                    for name in ("starttls", "implicit", "none", "flaky", "stally", "droppy",
                                 "ascii", "events")}
        cls.starttls = Server("smtp_server.py", "--security", "starttls", *common, *tls_args,
                              "--maildir", cls.dirs["starttls"])
        cls.implicit = Server("smtp_server.py", "--security", "implicit", *common, *tls_args,
                              "--maildir", cls.dirs["implicit"])
        cls.plain = Server("smtp_server.py", "--security", "none", *common,
                           "--maildir", cls.dirs["none"])
        cls.flaky = Server("smtp_server.py", "--security", "starttls", *common, *tls_args,
                           "--maildir", cls.dirs["flaky"], "--fail-first", "2")
        cls.stally = Server("smtp_server.py", "--security", "starttls", *common, *tls_args,
                            "--maildir", cls.dirs["stally"], "--stall-first", "1")
        cls.droppy = Server("smtp_server.py", "--security", "starttls", *common, *tls_args,
                            "--maildir", cls.dirs["droppy"], "--drop-first", "2")
        cls.ascii = Server("smtp_server.py", "--security", "none", *common,
                           "--maildir", cls.dirs["ascii"], "--no-smtputf8")
        cls.events = Server("smtp_server.py", "--security", "starttls", *common, *tls_args,
                            "--maildir", cls.dirs["events"])
        cls.servers = (cls.starttls, cls.implicit, cls.plain, cls.flaky, cls.stally, cls.droppy,
                       cls.ascii, cls.events)

    def client(self, server=None, timeout=5, login=True) -> smtplib.SMTP:
        """A STARTTLS client (the default server), verified against the test CA."""
        server = server or self.starttls
        smtp = smtplib.SMTP("localhost", server.port, timeout=timeout)
        smtp.starttls(context=trusting_context())
        if login:
            smtp.login(USER, PASSWORD)
        return smtp

    def stored(self, name: str) -> list:
        """(envelope, raw message) of every message in a maildir, oldest first."""
        directory = self.dirs[name]
        emls = sorted((f for f in os.listdir(directory) if f.endswith(".eml")),
                      key=lambda f: int(f.split("-")[0]))
        return [(json.loads(read(os.path.join(directory, eml[:-4] + ".json"))),
                 read(os.path.join(directory, eml), "rb")) for eml in emls]

    def send_one(self, smtp, rcpt: str):
        smtp.mail(USER)
        code, _ = smtp.rcpt(rcpt)
        self.assertEqual(code, 250)
        return smtp.data(MESSAGE)

    # STARTTLS mode
    def test_starttls_ehlo_hides_auth_until_tls(self):
        with smtplib.SMTP("localhost", self.starttls.port, timeout=5) as smtp:
            smtp.ehlo()
            for ext in ("starttls", "8bitmime", "smtputf8", "size"):
                self.assertTrue(smtp.has_extn(ext), ext)
            self.assertFalse(smtp.has_extn("auth"))
            smtp.starttls(context=trusting_context())
            smtp.ehlo()
            self.assertIn("PLAIN", smtp.esmtp_features["auth"])
            self.assertIn("LOGIN", smtp.esmtp_features["auth"])
            self.assertFalse(smtp.has_extn("starttls"))

    def test_starttls_required_before_auth_and_mail(self):
        with smtplib.SMTP("localhost", self.starttls.port, timeout=5) as smtp:
            smtp.ehlo()
            self.assertEqual(smtp.docmd("AUTH", "PLAIN AGFuYQBwdw=="),
                             (530, b"5.7.0 Must issue a STARTTLS command first"))
            self.assertEqual(smtp.docmd("MAIL", f"FROM:<{USER}>"),
                             (530, b"5.7.0 Must issue a STARTTLS command first"))

    def test_auth_required_before_mail(self):
        with self.client(login=False) as smtp:
            smtp.ehlo()
            self.assertEqual(smtp.mail(USER), (530, b"5.7.0 Authentication required"))

    def test_bad_password_rejected_like_gmail(self):
        for mechanism in ("PLAIN", "LOGIN"):
            with self.client(login=False) as smtp:
                smtp.user, smtp.password = USER, "wrong"
                smtp.ehlo()
                with self.assertRaises(smtplib.SMTPAuthenticationError) as caught:
                    smtp.auth(mechanism, getattr(smtp, "auth_" + mechanism.lower()))
                self.assertEqual(caught.exception.smtp_code, 535)
                self.assertEqual(caught.exception.smtp_error,
                                 b"5.7.8 Username and Password not accepted")

    def test_message_stored_with_sidecar(self):
        with self.client() as smtp:
            refused = smtp.sendmail(USER, ["luis@example.net"], MESSAGE,
                                    mail_options=["BODY=8BITMIME", f"SIZE={len(MESSAGE)}"])
            self.assertEqual(refused, {})
        envelope, raw = self.stored("starttls")[-1]
        self.assertIsInstance(envelope.pop("session"), int)
        self.assertEqual(envelope, {"mail_from": USER, "rcpt_tos": ["luis@example.net"],
                                    "auth_user": USER, "tls": True})
        self.assertEqual(raw, MESSAGE)  # byte for byte, dot-unstuffed, CRLF kept

    def test_smtputf8_addresses(self):
        with self.client() as smtp:
            refused = smtp.sendmail(USER, ["josé@example.net"], MESSAGE,
                                    mail_options=["SMTPUTF8", "BODY=8BITMIME"])
            self.assertEqual(refused, {})
        self.assertEqual(self.stored("starttls")[-1][0]["rcpt_tos"], ["josé@example.net"])

    def test_without_smtputf8_only_ascii_addresses_pass(self):
        with smtplib.SMTP("127.0.0.1", self.ascii.port, timeout=5) as smtp:
            smtp.ehlo()
            self.assertFalse(smtp.has_extn("smtputf8"))
            smtp.login(USER, PASSWORD)
            self.assertGreaterEqual(smtp.docmd(f"MAIL FROM:<{USER}> SMTPUTF8")[0], 500)
            smtp.rset()
            self.assertEqual(smtp.mail(USER)[0], 250)
            smtp.send("RCPT TO:<josé@example.net>\r\n".encode())
            self.assertGreaterEqual(smtp.getreply()[0], 500, "a non-ASCII mailbox is refused")
            smtp.send("RCPT TO:<ana@ferretería.com.ve>\r\n".encode())
            self.assertGreaterEqual(smtp.getreply()[0], 500, "a non-ASCII domain is refused")
            self.assertEqual(smtp.rcpt("ana@xn--ferretera-n5a.com.ve")[0], 250)
            self.assertEqual(smtp.data(MESSAGE)[0], 250)
        self.assertEqual(self.stored("ascii")[-1][0]["rcpt_tos"],
                         ["ana@xn--ferretera-n5a.com.ve"])

    def test_connections_and_auth_attempts_are_recorded_without_passwords(self):
        events_file = os.path.join(self.dirs["events"], "events.jsonl")
        with self.client(server=self.events):
            pass
        with self.client(server=self.events, login=False) as smtp:
            with self.assertRaises(smtplib.SMTPAuthenticationError):
                smtp.login(USER, "wrong-" + PASSWORD)
        events = [json.loads(line) for line in read(events_file).splitlines()]
        # smtplib tries each mechanism the server offers before giving up: one failed attempt
        # per mechanism on the second connection.
        self.assertEqual(events[:3], [{"event": "connect"},
                                      {"event": "auth", "user": USER, "ok": True},
                                      {"event": "connect"}])
        self.assertGreaterEqual(len(events), 4)
        self.assertTrue(all(e == {"event": "auth", "user": USER, "ok": False}
                            for e in events[3:]), events)
        self.assertNotIn(PASSWORD, read(events_file))

    def test_login_mechanism_and_ok_reply(self):
        with self.client(login=False) as smtp:
            smtp.ehlo()
            smtp.user, smtp.password = USER, PASSWORD
            self.assertEqual(smtp.auth("LOGIN", smtp.auth_login)[0], 235)
            code, reply = self.send_one(smtp, "login@example.net")
            self.assertEqual(code, 250)
            self.assertRegex(reply, rb"^2\.0\.0 OK queued as [0-9A-F]+$")

    def test_untrusted_certificate_is_refused_by_a_verifying_client(self):
        with smtplib.SMTP("localhost", self.starttls.port, timeout=5) as smtp:
            with self.assertRaises(ssl.SSLCertVerificationError):
                smtp.starttls(context=untrusting_context())

    def test_many_messages_on_one_connection(self):
        count, before = 300, len(self.stored("starttls"))
        start = time.monotonic()
        with self.client() as smtp:
            for i in range(count):
                self.send_one(smtp, f"bulk{i}@example.net")
                smtp.rset()
                smtp.noop()
        self.assertLess(time.monotonic() - start, 10)
        self.assertEqual(len(self.stored("starttls")) - before, count)

    # Implicit TLS and plain modes
    def test_implicit_tls(self):
        with smtplib.SMTP_SSL("127.0.0.1", self.implicit.port, timeout=5,
                              context=trusting_context()) as smtp:
            smtp.ehlo()
            self.assertFalse(smtp.has_extn("starttls"))
            smtp.login(USER, PASSWORD)
            self.assertEqual(self.send_one(smtp, "luis@example.net")[0], 250)
        envelope, raw = self.stored("implicit")[-1]
        self.assertEqual((envelope["tls"], envelope["auth_user"], raw), (True, USER, MESSAGE))

    def test_implicit_tls_talks_tls_from_the_first_byte(self):
        with self.assertRaises((smtplib.SMTPServerDisconnected, OSError)):
            smtplib.SMTP("127.0.0.1", self.implicit.port, timeout=3)  # expects a 220 in clear

    def test_plain_mode_allows_auth_without_tls(self):
        with smtplib.SMTP("127.0.0.1", self.plain.port, timeout=5) as smtp:
            smtp.ehlo()
            self.assertFalse(smtp.has_extn("starttls"))
            self.assertEqual(smtp.mail(USER)[0], 530)  # AUTH still required
            smtp.rset()
            smtp.login(USER, PASSWORD)
            self.assertEqual(self.send_one(smtp, "luis@example.net")[0], 250)
        self.assertFalse(self.stored("none")[-1][0]["tls"])

    # Faults chosen by recipient
    def test_rcpt_faults(self):
        expected = {
            "reject550@example.net":
                (550, b"5.1.1 The email account that you tried to reach does not exist"),
            "Reject550+Carol@Example.net":
                (550, b"5.1.1 The email account that you tried to reach does not exist"),
            "tempfail@example.net": (451, b"4.3.0 Temporary failure, try again later"),
            "tempfail+x@example.net": (451, b"4.3.0 Temporary failure, try again later"),
            "relaydenied@example.net": (550, b"5.7.1 Relaying denied"),
            "rejected550@example.net": (250, b"2.1.5 OK"),  # only the exact local part
        }
        with self.client() as smtp:
            for rcpt, reply in expected.items():
                smtp.mail(USER)
                self.assertEqual(smtp.rcpt(rcpt), reply, rcpt)
                smtp.rset()

    def test_drop_closes_after_data_without_answer(self):
        before = len(self.stored("starttls"))
        smtp = self.client()
        smtp.mail(USER)
        smtp.rcpt("drop@example.net")
        with self.assertRaises((smtplib.SMTPServerDisconnected, ConnectionError)):
            smtp.data(MESSAGE)
        smtp.close()
        self.assertEqual(len(self.stored("starttls")), before)

    def test_spam_is_refused_after_data_and_not_kept(self):
        before = len(self.stored("starttls"))
        with self.client() as smtp:
            self.assertEqual(self.send_one(smtp, "Spam+x@example.net"),
                             (554, b"5.7.1 Message rejected: it looks like spam"))
            smtp.rset()
            self.assertEqual(self.send_one(smtp, "luis@example.net")[0], 250)  # still usable
        self.assertEqual(len(self.stored("starttls")), before + 1)

    def test_stall_gives_no_answer_after_data(self):
        before = len(self.stored("starttls"))
        smtp = self.client(timeout=1.5)
        smtp.mail(USER)
        smtp.rcpt("stall@example.net")
        start = time.monotonic()
        with self.assertRaisesRegex(smtplib.SMTPServerDisconnected, "timed out"):
            smtp.data(MESSAGE)
        self.assertGreaterEqual(time.monotonic() - start, 1.4)
        smtp.close()
        self.assertEqual(len(self.stored("starttls")), before)

    def test_fail_first(self):
        for attempt in range(2):  # counted across connections
            with self.client(self.flaky) as smtp:
                code, reply = self.send_one(smtp, "luis@example.net")
                self.assertEqual(code, 421)
                self.assertTrue(reply.startswith(b"4.7.0 Try again later"), reply)
                # 421 means the server closes the connection.
                with self.assertRaises(smtplib.SMTPServerDisconnected):
                    smtp.noop()
        with self.client(self.flaky) as smtp:
            self.assertEqual(self.send_one(smtp, "luis@example.net")[0], 250)
        self.assertEqual(len(self.stored("flaky")), 1)

    def test_stall_first_holds_the_first_message_then_accepts(self):
        smtp = self.client(self.stally, timeout=1.5)
        smtp.mail(USER)
        smtp.rcpt("luis@example.net")
        start = time.monotonic()
        with self.assertRaisesRegex(smtplib.SMTPServerDisconnected, "timed out"):
            smtp.data(MESSAGE)
        self.assertGreaterEqual(time.monotonic() - start, 1.4)
        smtp.close()
        self.assertEqual(self.stored("stally"), [])
        with self.client(self.stally) as smtp:
            self.assertEqual(self.send_one(smtp, "luis@example.net")[0], 250)
        self.assertEqual(len(self.stored("stally")), 1)

    def test_drop_first_closes_the_first_messages_then_accepts(self):
        for attempt in range(2):  # counted across connections
            smtp = self.client(self.droppy)
            smtp.mail(USER)
            smtp.rcpt("luis@example.net")
            with self.assertRaises((smtplib.SMTPServerDisconnected, ConnectionError)):
                smtp.data(MESSAGE)
            smtp.close()
        self.assertEqual(self.stored("droppy"), [])
        with self.client(self.droppy) as smtp:
            self.assertEqual(self.send_one(smtp, "luis@example.net")[0], 250)
        self.assertEqual(len(self.stored("droppy")), 1)

    # The server takes the message, then the client hears nothing (in time)
    def test_store_then_drop_first_keeps_the_message_then_hangs_up(self):
        server = Server("smtp_server.py", "--security", "starttls", "--user", USER,
                        "--password", PASSWORD, "--cert", CERTS["cert"], "--key", CERTS["key"],
                        "--maildir", self.state_dir("storedrop"), "--store-then-drop-first", "1")
        try:
            smtp = self.client(server)
            smtp.mail(USER)
            smtp.rcpt("luis@example.net")
            with self.assertRaises((smtplib.SMTPServerDisconnected, ConnectionError)):
                smtp.data(MESSAGE)
            smtp.close()
            self.assertEqual(len(self.stored_in("storedrop")), 1, "kept before the hang-up")
            with self.client(server) as smtp:
                self.assertEqual(self.send_one(smtp, "luis@example.net")[0], 250)
            self.assertEqual(len(self.stored_in("storedrop")), 2, "then it behaves normally")
        finally:
            self.assertEqual(server.stop(), 0)

    def test_store_then_stall_first_keeps_the_message_then_answers_late(self):
        server = Server("smtp_server.py", "--security", "starttls", "--user", USER,
                        "--password", PASSWORD, "--cert", CERTS["cert"], "--key", CERTS["key"],
                        "--maildir", self.state_dir("storestall"),
                        "--store-then-stall-first", "2", "3")
        try:
            smtp = self.client(server, timeout=1)
            smtp.mail(USER)
            smtp.rcpt("luis@example.net")
            with self.assertRaisesRegex(smtplib.SMTPServerDisconnected, "timed out"):
                smtp.data(MESSAGE)
            smtp.close()
            self.assertEqual(len(self.stored_in("storestall")), 1, "kept, answer still pending")
            with self.client(server, timeout=10) as smtp:  # a patient client gets the late 250
                start = time.monotonic()
                self.assertEqual(self.send_one(smtp, "luis@example.net")[0], 250)
                self.assertGreaterEqual(time.monotonic() - start, 2.9)
            with self.client(server) as smtp:
                start = time.monotonic()
                self.assertEqual(self.send_one(smtp, "luis@example.net")[0], 250)
                self.assertLess(time.monotonic() - start, 1)
            self.assertEqual(len(self.stored_in("storestall")), 3)
        finally:
            self.assertEqual(server.stop(), 0)

    def test_storedrop_and_storestall_recipients(self):
        before = len(self.stored("starttls"))
        smtp = self.client()
        smtp.mail(USER)
        smtp.rcpt("StoreDrop+1@example.net")
        with self.assertRaises((smtplib.SMTPServerDisconnected, ConnectionError)):
            smtp.data(MESSAGE)
        smtp.close()
        self.assertEqual(len(self.stored("starttls")), before + 1)
        smtp = self.client(timeout=1)
        smtp.mail(USER)
        smtp.rcpt("storestall@example.net")
        with self.assertRaisesRegex(smtplib.SMTPServerDisconnected, "timed out"):
            smtp.data(MESSAGE)
        smtp.close()
        self.assertEqual(len(self.stored("starttls")), before + 2)
        self.assertEqual(self.stored("starttls")[-1][0]["rcpt_tos"], ["storestall@example.net"])

    def test_each_message_names_the_connection_that_brought_it(self):
        with self.client() as smtp:
            self.send_one(smtp, "uno@example.net")
            smtp.rset()
            self.send_one(smtp, "dos@example.net")
        with self.client() as smtp:
            self.send_one(smtp, "tres@example.net")
        sessions = [envelope["session"] for envelope, _ in self.stored("starttls")[-3:]]
        self.assertEqual(sessions[0], sessions[1])
        self.assertGreater(sessions[2], sessions[1])

    def stored_in(self, name: str) -> list:
        directory = self.state_dir(name)
        return [f for f in os.listdir(directory) if f.endswith(".eml")]


class SmtpPhaseFaultTests(unittest.TestCase):
    """--drop-at / --stall-at: every step before the phase works, the phase gets no answer."""

    STEPS = ("greeting", "auth", "mail", "rcpt", "data")

    def walk(self, port: int, timeout: float) -> str:
        """Runs a session step by step; the name of the step that failed (or "none")."""
        session = {}

        def greeting():
            session["smtp"] = smtplib.SMTP("localhost", port, timeout=timeout)

        steps = {
            "greeting": greeting,
            "auth": lambda: (session["smtp"].starttls(context=trusting_context()),
                             session["smtp"].login(USER, PASSWORD)),
            "mail": lambda: self.assertEqual(session["smtp"].mail(USER)[0], 250),
            "rcpt": lambda: self.assertEqual(session["smtp"].rcpt("luis@example.net")[0], 250),
            "data": lambda: self.assertEqual(session["smtp"].docmd("DATA")[0], 354),
        }
        try:
            for name in self.STEPS:
                try:
                    steps[name]()
                except (smtplib.SMTPServerDisconnected, OSError) as err:
                    self.last_error = str(err)
                    return name
            return "none"
        finally:
            if "smtp" in session:
                session["smtp"].close()

    def server(self, *fault: str) -> Server:
        return Server("smtp_server.py", "--security", "starttls", "--user", USER, "--password",
                      PASSWORD, "--cert", CERTS["cert"], "--key", CERTS["key"], "--maildir",
                      os.path.join(TMP, "phases-" + "-".join(fault)), *fault)

    def test_drop_at_each_phase(self):
        for phase in self.STEPS:
            server = self.server("--drop-at", phase)
            try:
                start = time.monotonic()
                self.assertEqual(self.walk(server.port, timeout=5), phase)
                self.assertNotIn("timed out", self.last_error, phase)
                self.assertLess(time.monotonic() - start, 2, phase)
            finally:
                self.assertEqual(server.stop(), 0)

    def test_stall_at_each_phase(self):
        for phase in self.STEPS:
            server = self.server("--stall-at", phase)
            try:
                self.assertEqual(self.walk(server.port, timeout=1), phase)
                self.assertIn("timed out", self.last_error, phase)
            finally:
                self.assertEqual(server.stop(), 0)

    def test_stall_at_connect_never_completes_the_tcp_handshake(self):
        server = self.server("--stall-at", "connect")
        try:
            start = time.monotonic()
            with self.assertRaises(TimeoutError):
                socket.create_connection(("127.0.0.1", server.port), timeout=1)
            self.assertGreaterEqual(time.monotonic() - start, 0.9)
        finally:
            self.assertEqual(server.stop(), 0)


# --- Resend ---------------------------------------------------------------------------------
FULL, RESTRICTED, OWNER = "re_full_123", "re_send_only_456", "owner@example.com"


def email(**overrides) -> dict:
    body = {"from": "Cobros <cobros@example.com>", "to": ["luis@example.net"],
            "subject": "Recordatorio", "html": "<p>Hola</p>", "text": "Hola"}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


class ResendTests(HttpFakeCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = cls.state_dir("resend")
        cls.server = Server("resend.py", "--state-dir", cls.dir, "--api-key", FULL,
                            "--restricted-key", RESTRICTED, "--domain", "example.com:verified",
                            "--domain", "pending.example:pending", "--account-email", OWNER)
        cls.servers = (cls.server,)
        cls.port = cls.server.port

    def post(self, body, path="/emails", key=FULL, **headers) -> Reply:
        base = {"Content-Type": "application/json", "User-Agent": "cachicamo-tests/1"}
        if key:
            base["Authorization"] = f"Bearer {key}"
        base.update({k.replace("_", "-"): v for k, v in headers.items()})
        return call(self.port, "POST", path, body, {k: v for k, v in base.items() if v is not None})

    def assertError(self, reply: Reply, status: int, name: str, message: str = None):
        self.assertEqual(reply.status, status, reply.raw)
        self.assertEqual(reply.json["statusCode"], status)
        self.assertEqual(reply.json["name"], name)
        if message is not None:
            self.assertEqual(reply.json["message"], message)

    def assertAccepted(self, reply: Reply) -> str:
        self.assertEqual(reply.status, 200, reply.raw)
        self.assertRegex(reply.json["id"], r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-")
        return reply.json["id"]

    def emails(self) -> list:
        return self.control("GET", "emails")

    def test_good_email_accepted_stored_and_persisted(self):
        reply = self.post(email(cc="a@example.org", reply_to=["b@example.org"],
                                headers={"X-Entity-Ref-ID": "r1"},
                                tags=[{"name": "kind", "value": "reminder_1"}]))
        email_id = self.assertAccepted(reply)
        for header in ("ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"):
            self.assertIn(header, reply.headers)
        self.assertEqual(reply.headers["content-length"], str(len(reply.raw)))
        [stored] = self.emails()
        self.assertEqual((stored["id"], stored["idempotency_key"]), (email_id, None))
        persisted = json.loads(read(os.path.join(self.dir, f"{email_id}.json")))
        self.assertEqual(persisted["payload"]["subject"], "Recordatorio")

    def test_auth(self):
        self.assertError(self.post(email(), key=None), 401, "missing_api_key",
                         "Missing API key in the authorization header")
        self.assertError(self.post(email(), key=None, Authorization="Basic abc"), 401,
                         "missing_api_key")
        self.assertError(self.post(email(), key="re_nope"), 401, "validation_error",
                         "API key is invalid")
        self.assertEqual(self.emails(), [])

    def test_user_agent_required_by_the_edge(self):
        reply = self.post(email(), User_Agent=None)
        self.assertEqual(reply.status, 403)
        self.assertTrue(reply.headers["content-type"].startswith("text/plain"))
        self.assertIn(b"1010", reply.raw)

    def test_json_content_type_and_body_required(self):
        self.assertError(self.post(email(), Content_Type="text/plain"), 400, "validation_error")
        self.assertError(self.post(b"{not json"), 400, "validation_error")
        self.assertAccepted(self.post(email(), Content_Type="application/json; charset=utf-8"))

    def test_required_fields(self):
        for field in ("from", "to", "subject"):
            self.assertError(self.post(email(**{field: None})), 422, "missing_required_field",
                             f"Missing `{field}` field.")
        self.assertError(self.post(email(to=[])), 422, "missing_required_field")
        self.assertError(self.post(email(html=None, text=None)), 422, "missing_required_field")
        self.assertAccepted(self.post(email(html=None)))  # text alone is enough
        self.assertAccepted(self.post(email(text=None)))  # and so is html

    def test_attachments_carry_a_filename_and_base64_content(self):
        pdf = {"filename": "Estado de cuenta – Ana Pérez.pdf", "content": "JVBERi0xLjc="}
        email_id = self.assertAccepted(self.post(email(attachments=[pdf])))
        stored = [e for e in self.emails() if e["id"] == email_id][0]
        self.assertEqual(stored["payload"]["attachments"], [pdf])
        self.assertError(self.post(email(attachments=[{"content": "JVBERi0xLjc="}])), 422,
                         "validation_error", "An attachment needs its `filename`.")
        self.assertError(self.post(email(attachments=[dict(pdf, content="not base64!")])), 422,
                         "validation_error")
        self.assertError(self.post(email(attachments=[dict(pdf, Name="x")])), 422,
                         "validation_error")
        self.assertError(self.post(email(attachments=[{"filename": "a.pdf"}])), 422,
                         "invalid_attachment")
        self.assertError(self.post([email(attachments=[pdf])], path="/emails/batch"), 422,
                         "validation_error")

    def test_field_shapes(self):
        self.assertError(self.post([email()]), 422, "validation_error")  # not an object
        self.assertError(self.post(email(sender="x")), 422, "validation_error")  # unknown field
        self.assertError(self.post(email(subject=5)), 422, "validation_error")
        self.assertError(self.post(email(cc=5)), 422, "validation_error")
        self.assertError(self.post(email(reply_to="nope")), 422, "validation_error")
        self.assertError(self.post(email(**{"from": "not an address"})), 422, "validation_error")
        self.assertError(self.post(email(to=["ok@example.net", "bad"])), 422, "validation_error")
        self.assertError(self.post(email(to=[f"r{i}@example.net" for i in range(51)])), 422,
                         "validation_error")
        self.assertAccepted(self.post(email(to=[f"r{i}@example.net" for i in range(50)])))
        self.assertAccepted(self.post(email(to="single@example.net")))
        self.assertError(self.post(email(headers={"X-N": 1})), 422, "validation_error")
        self.assertError(self.post(email(attachments=[{"filename": "a.pdf"}])), 422,
                         "invalid_attachment")

    def test_tags(self):
        for bad in ([{"name": "has space", "value": "x"}], [{"name": "ok", "value": "ñ"}],
                    [{"name": "x" * 257, "value": "v"}], [{"value": "v"}],
                    [{"name": "a", "value": "b", "extra": "c"}], {"name": "a"}):
            self.assertError(self.post(email(tags=bad)), 422, "validation_error")
        self.assertAccepted(self.post(email(tags=[{"name": "A-z_09", "value": "x" * 256}])))

    def test_sender_domain_must_be_verified(self):
        for domain in ("pending.example", "unknown.example", "sub.example.com"):
            self.assertError(
                self.post(email(**{"from": f"Cobros <cobros@{domain}>"})), 403, "validation_error",
                f"The {domain} domain is not verified. Please, add and verify your domain on "
                "https://resend.com/domains")
        self.assertAccepted(self.post(email(**{"from": "cobros@EXAMPLE.com"})))

    def test_sandbox_sender_only_reaches_owner_and_test_inboxes(self):
        sandbox = {"from": "Acme <onboarding@resend.dev>"}
        self.assertAccepted(self.post(email(**sandbox, to=[OWNER])))
        self.assertAccepted(self.post(email(**sandbox, to="delivered+abc@resend.dev")))
        self.assertAccepted(self.post(email(**sandbox, to="bounced@resend.dev")))
        reply = self.post(email(**sandbox, to=[OWNER, "luis@example.net"]))
        self.assertError(reply, 403, "validation_error")
        self.assertIn(f"({OWNER})", reply.json["message"])

    def test_idempotency_replay_and_conflict(self):
        first = self.post(email(), Idempotency_Key="outbox-7-1")
        email_id = self.assertAccepted(first)
        again = self.post(email(), Idempotency_Key="outbox-7-1")
        self.assertEqual(again.json, {"id": email_id})
        self.assertIn("ratelimit-remaining", again.headers)
        self.assertEqual(len(self.emails()), 1)  # nothing sent twice
        self.assertError(self.post(email(subject="Changed"), Idempotency_Key="outbox-7-1"), 409,
                         "invalid_idempotent_request")
        self.assertEqual(self.emails()[0]["idempotency_key"], "outbox-7-1")
        # The same key on another endpoint is another request.
        self.assertEqual(self.post([email()], path="/emails/batch",
                                   Idempotency_Key="outbox-7-1").status, 200)

    def test_idempotency_key_length(self):
        for key in ("", "k" * 257):
            self.assertError(self.post(email(), Idempotency_Key=key), 400,
                             "invalid_idempotency_key", "The key must be between 1-256 chars.")
        self.assertAccepted(self.post(email(), Idempotency_Key="k" * 256))

    def test_idempotency_errors_are_not_remembered(self):
        bad = self.post(email(**{"from": "x@unknown.example"}), Idempotency_Key="retry-me")
        self.assertError(bad, 403, "validation_error")
        self.assertAccepted(self.post(email(), Idempotency_Key="retry-me"))

    def test_idempotency_concurrent_request(self):
        self.control("POST", "stall", {"seconds": 1.0, "count": 1})
        results = {}
        first = threading.Thread(target=lambda: results.setdefault(
            "first", self.post(email(), Idempotency_Key="in-flight")))
        first.start()
        time.sleep(0.3)
        self.assertError(self.post(email(), Idempotency_Key="in-flight"), 409,
                         "concurrent_idempotent_requests")
        first.join()
        self.assertAccepted(results["first"])
        self.assertEqual(len(self.emails()), 1)

    def test_domains_needs_a_full_access_key(self):
        self.assertError(call(self.port, "GET", "/domains",
                              headers={"Authorization": f"Bearer {RESTRICTED}",
                                       "User-Agent": "t"}),
                         401, "restricted_api_key",
                         "This API key is restricted to only send emails")
        self.assertAccepted(self.post(email(), key=RESTRICTED))  # but it can send
        reply = call(self.port, "GET", "/domains",
                     headers={"Authorization": f"Bearer {FULL}", "User-Agent": "t"})
        self.assertEqual(reply.status, 200)
        self.assertEqual({(d["name"], d["status"], d["region"]) for d in reply.json["data"]},
                         {("example.com", "verified", "us-east-1"),
                          ("pending.example", "pending", "us-east-1")})

    def test_unknown_path_and_method(self):
        self.assertError(self.post(email(), path="/email"), 404, "not_found")
        self.assertError(call(self.port, "GET", "/emails",
                              headers={"Authorization": f"Bearer {FULL}", "User-Agent": "t"}),
                         405, "method_not_allowed")

    def test_batch_strict_is_all_or_nothing(self):
        reply = self.post([email(), email(to="two@example.net")], path="/emails/batch")
        self.assertEqual(reply.status, 200)
        self.assertEqual(len(reply.json["data"]), 2)
        self.assertNotIn("errors", reply.json)
        bad = self.post([email(), email(subject=None)], path="/emails/batch")
        self.assertError(bad, 422, "missing_required_field")
        self.assertIn("emails[1]", bad.json["message"])
        self.assertEqual(len(self.emails()), 2)  # nothing of the bad batch

    def test_batch_permissive_reports_errors(self):
        reply = self.post([email(), email(subject=None), email(**{"from": "x@unknown.example"})],
                          path="/emails/batch", x_batch_validation="permissive")
        self.assertEqual(reply.status, 200, reply.raw)
        self.assertEqual(len(reply.json["data"]), 1)
        self.assertEqual([e["index"] for e in reply.json["errors"]], [1, 2])
        self.assertEqual(len(self.emails()), 1)

    def test_batch_limits(self):
        self.assertError(self.post([email()] * 101, path="/emails/batch"), 422, "validation_error")
        self.assertEqual(self.post([email()] * 100, path="/emails/batch").status, 200)
        self.assertError(self.post([], path="/emails/batch"), 422, "validation_error")
        self.assertError(self.post(email(), path="/emails/batch"), 422, "validation_error")
        for field, value in (("attachments", [{"content": "aGk=", "filename": "a.txt"}]),
                             ("scheduled_at", "in 1 min")):
            self.assertError(self.post([email(**{field: value})], path="/emails/batch"), 422,
                             "validation_error")
            self.assertAccepted(self.post(email(**{field: value})))  # fine outside a batch
        self.assertError(self.post([email()], path="/emails/batch", x_batch_validation="lax"),
                         422, "validation_error")

    # Control API
    def test_control_fail(self):
        self.control("POST", "fail", {"status": 503, "count": 2})
        for _ in range(2):
            self.assertError(self.post(email()), 503, "service_unavailable")
        self.assertAccepted(self.post(email()))
        self.control("POST", "fail", {"status": 429, "name": "daily_quota_exceeded",
                                      "message": "quota", "headers": {"retry-after": "7"}})
        reply = self.post(email())
        self.assertError(reply, 429, "daily_quota_exceeded", "quota")
        self.assertEqual(reply.headers["retry-after"], "7")
        self.assertIn("ratelimit-limit", reply.headers)
        self.control("POST", "fail", {"status": 429})
        self.assertEqual(self.post(email()).headers["retry-after"], "1")  # always on 429
        self.assertEqual(len(self.emails()), 1)

    def test_control_fail_targets_paths(self):
        self.control("POST", "fail", {"status": 500, "paths": ["/domains"]})
        self.assertAccepted(self.post(email()))  # sending is not affected
        reply = call(self.port, "GET", "/domains",
                     headers={"Authorization": f"Bearer {FULL}", "User-Agent": "t"})
        self.assertError(reply, 500, "internal_server_error")

    def test_control_redirect_answers_unprocessed_with_a_location(self):
        target = "http://127.0.0.1:9/stolen"
        self.control("POST", "redirect", {"location": target})
        reply = self.post(email())
        self.assertEqual(reply.status, 302)
        self.assertEqual(reply.headers["location"], target)
        self.assertEqual(self.emails(), [], "a redirected request is not processed")
        self.control("POST", "redirect", {"status": 307, "location": target,
                                          "paths": ["/domains"]})
        self.assertAccepted(self.post(email()))  # sending is not affected
        reply = call(self.port, "GET", "/domains",
                     headers={"Authorization": f"Bearer {FULL}", "User-Agent": "t"})
        self.assertEqual((reply.status, reply.headers["location"]), (307, target))
        [first, _, third] = self.control("GET", "requests")
        self.assertEqual((first["status"], third["status"]), (302, 307))

    def test_control_rejects_malformed_specs(self):
        for action, spec in (("fail", {"status": 200}), ("stall", {"seconds": -1}),
                             ("drop", {"count": 0}), ("redirect", {"location": "/relative"}),
                             ("redirect", {"status": 200, "location": "http://127.0.0.1:9/"})):
            self.assertEqual(call(self.port, "POST", f"/__control/{action}", spec).status, 400)

    def test_control_stall(self):
        self.control("POST", "stall", {"seconds": 0.6, "count": 1})
        start = time.monotonic()
        self.assertAccepted(self.post(email()))
        self.assertGreaterEqual(time.monotonic() - start, 0.6)
        start = time.monotonic()
        self.assertAccepted(self.post(email()))
        self.assertLess(time.monotonic() - start, 0.5)

    def test_control_drop(self):
        self.control("POST", "drop", {"count": 1})
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            self.post(email())
        self.assertEqual(self.emails(), [])
        # "process": accepted by the provider, but the client never hears about it; a retry
        # with the same Idempotency-Key then gets the original answer.
        self.control("POST", "drop", {"count": 1, "process": True})
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            self.post(email(), Idempotency_Key="lost-answer")
        [stored] = self.emails()
        self.assertEqual(self.post(email(), Idempotency_Key="lost-answer").json,
                         {"id": stored["id"]})

    def test_control_request_log_and_reset(self):
        self.post(email(), key="re_nope", X_Custom="Yes")
        [logged] = self.control("GET", "requests")
        self.assertEqual((logged["method"], logged["path"], logged["status"]),
                         ("POST", "/emails", 401))
        self.assertEqual(logged["headers"]["x-custom"], "Yes")
        self.assertEqual(logged["body"]["subject"], "Recordatorio")
        email_id = self.assertAccepted(self.post(email()))
        self.control("POST", "reset")
        self.assertEqual(self.control("GET", "requests"), [])
        self.assertEqual(self.emails(), [])
        self.assertFalse(os.path.exists(os.path.join(self.dir, f"{email_id}.json")))

    def test_keep_alive(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        headers = {"Authorization": f"Bearer {FULL}", "User-Agent": "t",
                   "Content-Type": "application/json"}
        for _ in range(3):
            self.assertEqual(call(self.port, "POST", "/emails", email(), headers, conn=conn).status,
                             200)
        self.assertEqual(call(self.port, "POST", "/emails", email(), {}, conn=conn).status, 403)
        self.assertEqual(len(self.emails()), 3)
        conn.close()


class ResendRateLimitAndTlsTests(HttpFakeCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server("resend.py", "--state-dir", cls.state_dir("resend"), "--api-key",
                            FULL, "--domain", "example.com:verified", "--rate-limit", "2",
                            "--tls-cert", CERTS["cert"], "--tls-key", CERTS["key"])
        cls.servers = (cls.server,)
        cls.port = cls.server.port

    def control(self, method, action, body=None):
        reply = call(self.port, method, f"/__control/{action}", body, context=trusting_context())
        self.assertEqual(reply.status, 200)
        return reply.json

    def send(self, context=None, path="/emails", body=None) -> Reply:
        return call(self.port, "POST", path, body or email(),
                    {"Authorization": f"Bearer {FULL}", "User-Agent": "t",
                     "Content-Type": "application/json"}, context=context or trusting_context())

    def test_a_batch_is_one_request_under_the_limit(self):
        time.sleep(1.1)  # a fresh one-second window
        replies = [self.send(path="/emails/batch", body=[email(), email()]) for _ in range(5)]
        limited = [r for r in replies if r.status == 429]
        self.assertTrue(limited, [r.status for r in replies])
        self.assertEqual(limited[0].json["name"], "rate_limit_exceeded")
        accepted = [r for r in replies if r.status == 200]
        self.assertTrue(accepted)
        self.assertEqual(len(accepted[0].json["data"]), 2, "two emails, one request")

    def test_rate_limit(self):
        # Five quick requests span at most two one-second windows, so one of them holds three.
        replies = [self.send() for _ in range(5)]
        limited = [r for r in replies if r.status == 429]
        self.assertTrue(limited, [r.status for r in replies])
        self.assertEqual(limited[0].json["name"], "rate_limit_exceeded")
        self.assertEqual(limited[0].headers["retry-after"], "1")
        self.assertEqual(limited[0].headers["ratelimit-remaining"], "0")
        self.assertEqual(replies[0].headers["ratelimit-limit"], "2")

    def test_https_with_the_test_ca(self):
        time.sleep(1)  # a fresh rate-limit window
        self.assertEqual(self.send().status, 200)
        with self.assertRaises(ssl.SSLCertVerificationError):
            self.send(context=untrusting_context())


# --- Postmark -------------------------------------------------------------------------------
TOKEN = "pm-server-token-1"


def pm_email(**overrides) -> dict:
    body = {"From": "Cobros <cobros@example.com>", "To": "luis@example.net",
            "Subject": "Recordatorio", "HtmlBody": "<p>Hola</p>", "TextBody": "Hola",
            "MessageStream": "outbound"}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


class PostmarkTests(HttpFakeCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = cls.state_dir("postmark")
        cls.server = Server("postmark.py", "--state-dir", cls.dir, "--server-token", TOKEN,
                            "--sender", "cobros@example.com", "--sender", "@example.org",
                            "--unconfirmed-sender", "new@example.com",
                            "--inactive-recipient", "bounced@example.net")
        cls.sandbox = Server("postmark.py", "--state-dir", cls.state_dir("sandbox"),
                             "--server-token", TOKEN, "--sandbox")
        cls.servers = (cls.server, cls.sandbox)
        cls.port = cls.server.port

    def post(self, body, path="/email", token=TOKEN, **headers) -> Reply:
        base = {"Accept": "application/json", "Content-Type": "application/json",
                "X-Postmark-Server-Token": token}
        base.update({k.replace("_", "-"): v for k, v in headers.items()})
        return call(self.port, "POST", path, body, {k: v for k, v in base.items() if v is not None})

    def assertError(self, reply: Reply, code: int, status: int = 422):
        self.assertEqual(reply.status, status, reply.raw)
        self.assertEqual(reply.json["ErrorCode"], code, reply.raw)
        return reply.json["Message"]

    def assertAccepted(self, reply: Reply, message="OK") -> str:
        self.assertEqual(reply.status, 200, reply.raw)
        self.assertEqual((reply.json["ErrorCode"], reply.json["Message"]), (0, message))
        self.assertRegex(reply.json["MessageID"], r"^[0-9a-f]{8}-[0-9a-f]{4}-4")
        return reply.json["MessageID"]

    def emails(self):
        return self.control("GET", "emails")

    def test_good_email_accepted_and_persisted(self):
        reply = self.post(pm_email(Cc="a@example.org", ReplyTo="b@example.org", Tag="reminder",
                                   Headers=[{"Name": "X-Ref", "Value": "1"}], TrackOpens=True,
                                   TrackLinks="HtmlOnly", Metadata={"outbox": "7"}))
        message_id = self.assertAccepted(reply)
        self.assertEqual(reply.json["To"], "luis@example.net")
        self.assertIn("T", reply.json["SubmittedAt"])
        [stored] = self.emails()
        self.assertEqual(stored["id"], message_id)
        persisted = json.loads(read(os.path.join(self.dir, f"{message_id}.json")))
        self.assertEqual(persisted["payload"]["Tag"], "reminder")

    def test_headers_required(self):
        self.assertEqual(self.post(pm_email(), Accept=None).status, 415)
        self.assertEqual(self.post(pm_email(), Accept="*/*").status, 415)
        self.assertEqual(self.post(pm_email(), Content_Type=None).status, 415)
        self.assertEqual(self.emails(), [])

    def test_token(self):
        for token in (None, "wrong"):
            reply = self.post(pm_email(), token=token)
            self.assertEqual(self.assertError(reply, 10, status=401),
                             "Request does not contain a valid Server token.")
        self.assertEqual(self.emails(), [])

    def test_test_token_validates_without_storing(self):
        self.assertAccepted(self.post(pm_email(), token="POSTMARK_API_TEST"), "Test job accepted")
        self.assertError(self.post(pm_email(TextBody=None, HtmlBody=None),
                                   token="POSTMARK_API_TEST"), 300)
        self.assertEqual(self.emails(), [])

    def test_sender_signatures(self):
        self.assertError(self.post(pm_email(From=None)), 300)
        self.assertError(self.post(pm_email(From="not an address")), 300)
        message = self.assertError(self.post(pm_email(From="Otro <otro@example.com>")), 400)
        self.assertIn("(Otro <otro@example.com>) is not a Sender Signature", message)
        self.assertError(self.post(pm_email(From="new@example.com")), 401)
        self.assertAccepted(self.post(pm_email(From="anyone@example.org")))  # domain signature
        self.assertAccepted(self.post(pm_email(From="COBROS@example.com")))

    def test_recipients(self):
        self.assertEqual(self.assertError(self.post(pm_email(To=None)), 300),
                         "Zero recipients specified")
        self.assertError(self.post(pm_email(To="a@example.net, nope")), 300)
        many = ", ".join(f"r{i}@example.net" for i in range(51))
        self.assertError(self.post(pm_email(To=many)), 300)
        self.assertAccepted(self.post(pm_email(To=many.rsplit(",", 1)[0])))
        self.assertAccepted(self.post(pm_email(To='"Pérez, Luis" <luis@example.net>')))

    def test_inactive_recipient(self):
        for field in ("To", "Cc", "Bcc"):
            message = self.assertError(self.post(pm_email(**{field: "Bounced@example.net"})), 406)
            self.assertIn("marked as inactive", message)

    def test_body_and_subject_required(self):
        self.assertEqual(self.assertError(self.post(pm_email(HtmlBody=None, TextBody=None)), 300),
                         "Provide either email TextBody or HtmlBody or both.")
        self.assertError(self.post(pm_email(Subject=None)), 300)
        self.assertAccepted(self.post(pm_email(HtmlBody=None)))
        self.assertAccepted(self.post(pm_email(TextBody=None)))

    def test_field_shapes(self):
        self.assertError(self.post(pm_email(to="x@example.net")), 300)  # unknown (wrong case)
        self.assertError(self.post(pm_email(To=["luis@example.net"])), 300)  # not a string
        self.assertError(self.post(pm_email(ReplyTo="nope")), 300)
        self.assertError(self.post(pm_email(HtmlBody=5)), 300)
        self.assertError(self.post(pm_email(Tag=5)), 300)
        self.assertError(self.post(pm_email(Attachments=[{"Name": "a.pdf"}])), 300)
        self.assertAccepted(self.post(pm_email(Attachments=[
            {"Name": "a.txt", "Content": "aGk=", "ContentType": "text/plain"}])))
        self.assertError(self.post(pm_email(TrackLinks="Always")), 300)
        self.assertError(self.post(pm_email(TrackOpens="yes")), 300)
        self.assertError(self.post(pm_email(Headers={"X-A": "1"})), 300)
        self.assertError(self.post(pm_email(Metadata=["x"])), 300)
        self.assertError(self.post(b"{oops"), 402)

    def test_size_limit(self):
        self.assertEqual(self.post(pm_email(TextBody="x" * (10 * 1024 * 1024))).status, 413)

    def test_attachments_need_a_name_a_type_and_base64_content(self):
        pdf = {"Name": "Estado de cuenta – Ana Pérez.pdf", "Content": "JVBERi0xLjc=",
               "ContentType": "application/pdf"}
        message_id = self.assertAccepted(self.post(pm_email(Attachments=[pdf])))
        stored = [e for e in self.emails() if e["id"] == message_id][0]
        self.assertEqual(stored["payload"]["Attachments"], [pdf])
        self.assertError(self.post(pm_email(Attachments=[dict(pdf, Content="%%%")])), 300)
        self.assertError(self.post(pm_email(Attachments=[dict(pdf, Name=" ")])), 300)
        self.assertError(self.post(pm_email(Attachments=[dict(pdf, Disposition="x")])), 300)
        # A batch may carry attachments; each message is checked on its own.
        reply = self.post([pm_email(Attachments=[pdf]), pm_email(Attachments=[dict(pdf, Content="")])],
                          path="/email/batch")
        self.assertEqual(reply.status, 200, reply.raw)
        self.assertEqual([r["ErrorCode"] for r in reply.json], [0, 300])

    def test_unknown_path_and_method(self):
        self.assertEqual(self.post(pm_email(), path="/emails").status, 404)
        self.assertEqual(call(self.port, "GET", "/email",
                              headers={"Accept": "application/json",
                                       "X-Postmark-Server-Token": TOKEN}).status, 405)

    def test_message_stream(self):
        message = self.assertError(self.post(pm_email(MessageStream="marketing")), 1235)
        self.assertIn("does not exist", message)
        self.assertAccepted(self.post(pm_email(MessageStream="broadcast")))
        self.assertAccepted(self.post(pm_email(MessageStream=None)))  # defaults to outbound

    def test_batch_partial_failure(self):
        reply = self.post([pm_email(), pm_email(To="bounced@example.net"), pm_email(From=None),
                           "not a message"], path="/email/batch")
        self.assertEqual(reply.status, 200)
        self.assertEqual([r["ErrorCode"] for r in reply.json], [0, 406, 300, 402])
        self.assertEqual(len(self.emails()), 1)
        self.assertError(self.post([pm_email()] * 501, path="/email/batch"), 410)
        self.assertError(self.post(pm_email(), path="/email/batch"), 402)

    def test_server_endpoint(self):
        headers = {"Accept": "application/json", "X-Postmark-Server-Token": TOKEN}
        reply = call(self.port, "GET", "/server", headers=headers)
        self.assertEqual((reply.status, reply.json["DeliveryType"]), (200, "Live"))
        self.assertEqual(call(self.sandbox.port, "GET", "/server", headers=headers)
                         .json["DeliveryType"], "Sandbox")
        for token in ("wrong", "POSTMARK_API_TEST"):
            reply = call(self.port, "GET", "/server",
                         headers=dict(headers, **{"X-Postmark-Server-Token": token}))
            self.assertError(reply, 10, status=401)

    def test_control_fail_stall_drop(self):
        body = {"ErrorCode": 100, "Message": "Maintenance"}
        self.control("POST", "fail", {"status": 503, "body": body,
                                      "headers": {"Retry-After": "3"}, "count": 1})
        reply = self.post(pm_email())
        self.assertEqual((reply.status, reply.json, reply.headers["retry-after"]),
                         (503, body, "3"))
        self.control("POST", "fail", {"status": 500})
        self.assertError(self.post(pm_email()), 101, status=500)
        self.control("POST", "stall", {"seconds": 0.5})
        start = time.monotonic()
        self.assertAccepted(self.post(pm_email()))
        self.assertGreaterEqual(time.monotonic() - start, 0.5)
        self.control("POST", "drop", {})
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
            self.post(pm_email())
        self.assertEqual(len(self.emails()), 1)
        statuses = [r["status"] for r in self.control("GET", "requests")]
        self.assertEqual(statuses, [503, 500, 200, None])  # None: no response was sent

    def test_control_redirect(self):
        self.control("POST", "redirect", {"status": 308, "location": "https://evil.test/email"})
        reply = self.post(pm_email())
        self.assertEqual((reply.status, reply.headers["location"]),
                         (308, "https://evil.test/email"))
        self.assertEqual(self.emails(), [])
        self.assertAccepted(self.post(pm_email()))


if __name__ == "__main__":
    unittest.main()
