"""Tests of the fake mail servers themselves: smtp_server.py, a real SMTP server (STARTTLS or
implicit TLS, AUTH) and the faults it plays.

Run from the repository root: /usr/bin/python3 -m unittest discover -s tests/fakes -v

Each server runs as a subprocess on port 0, exactly as the Rust tests start it. For every rule a
fake enforces there is a request breaking it that must be refused with the documented status and
name/code, next to a good request that must be accepted: a fake that accepts too much would let
client bugs through, one that refuses too much would make the client tests lie.
"""

import json
import os
import smtplib
import socket
import ssl
import time
import unittest

from fakecase import CERTS, TMP, read, Server, ServerCase, trusting_context, untrusting_context


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


if __name__ == "__main__":
    unittest.main()
