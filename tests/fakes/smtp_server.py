#!/usr/bin/python3
"""A real SMTP submission server (aiosmtpd) for Cachicamo's tests, behaving like Gmail's.

Security modes (docs/providers.md "SMTP"): `starttls` (port-587 style: STARTTLS offered and required
before AUTH/MAIL), `implicit` (port-465 style: TLS from the first byte), `none` (plain text, tests
only). AUTH PLAIN/LOGIN is always required before MAIL. Every accepted message is written to
MAILDIR as <n>-<unixnanos>.json (envelope, and `session`: the number of the connection that
brought it, so tests can tell a reused connection from a new one) then <n>-<unixnanos>.eml (the
DATA bytes), each atomically, so a reader that sees the .eml can read both. The .eml holds the
DATA bytes as the client meant them (CRLF kept, dot-stuffing undone).

Faults are chosen by the recipient's local part (case-insensitive, "+label" allowed), so tests
need no control channel:
  reject550@   RCPT -> 550 5.1.1 The email account that you tried to reach does not exist
  tempfail@    RCPT -> 451 4.3.0 Temporary failure, try again later
  relaydenied@ RCPT -> 550 5.7.1 Relaying denied
  stall@       no answer for 120 s after DATA's final dot, then 451 (message not kept)
  drop@        connection closed right after DATA's final dot, no answer (message not kept)
  spam@        554 5.7.1 after DATA's final dot: refused for its content (message not kept)
  storestall@  the message is kept, then no answer for 120 s, then 250 (a reply too late)
  storedrop@   the message is kept, then the connection is closed without an answer
--fail-first N: the first N messages (across connections) get 421 at the end of DATA and the
connection is closed, as a server that is shutting down would.
--stall-first N / --drop-first N: the first N messages (across connections) are treated like
stall@ / drop@ ones (not kept), then the server behaves normally, so a client's retry can succeed.
--store-then-drop-first N / --store-then-stall-first N SECONDS: the first N messages are kept and
then get no answer (the connection is closed / the answer, 250, comes after SECONDS): the server
took the message but the client cannot know.
--stall-at PHASE / --drop-at PHASE: every session gets no answer / a closed connection at PHASE:
`greeting` (before the 220), `auth`, `mail`, `rcpt` or `data` (the DATA command, before 354);
`--stall-at connect` leaves the listen queue full, so TCP connections never complete.
--no-smtputf8: SMTPUTF8 is not announced and non-ASCII bytes in a command are refused, as many
servers still do (RFC 6531 is optional): an internationalised domain must arrive as punycode.

Every connection and every AUTH attempt is appended to MAILDIR/events.jsonl
({"event": "connect"} / {"event": "auth", "user": ..., "ok": ...}; never the password), so a test
can prove a server was never contacted, or never given credentials.

It must never accept what a real submission server would refuse: no MAIL without AUTH, no AUTH or
MAIL in clear in starttls mode. Nothing per message is slow (no fsync), so a benchmark can push
thousands of messages through one pooled connection.

Usage:
  /usr/bin/python3 tests/fakes/smtp_server.py --security starttls|implicit|none --user USER
      --password PASS --maildir DIR [--cert server.pem --key server.key] [--port 0]
      [--host 127.0.0.1] [--fail-first N] [--stall-first N] [--drop-first N]
      [--store-then-drop-first N] [--store-then-stall-first N SECONDS]
      [--stall-at PHASE] [--drop-at PHASE]
      [--no-smtputf8]
"""

import argparse
import asyncio
import itertools
import json
import logging
import os
import signal
import ssl
import sys
import time
import warnings

import socket
import traceback

from aiosmtpd.smtp import SMTP, AuthResult, TLSSetupException

STALL_SECONDS = 120
PHASES = ("greeting", "auth", "mail", "rcpt", "data")
RCPT_FAULTS = {
    "reject550": "550 5.1.1 The email account that you tried to reach does not exist",
    "tempfail": "451 4.3.0 Temporary failure, try again later",
    "relaydenied": "550 5.7.1 Relaying denied",
}
SPAM = "554 5.7.1 Message rejected: it looks like spam"
BAD_CREDENTIALS = "535 5.7.8 Username and Password not accepted"
STARTTLS_FIRST = "530 5.7.0 Must issue a STARTTLS command first"


def fault_of(address: str) -> str:
    """The fault name selected by an address's local part ("Reject550+x@y" -> "reject550")."""
    return address.rpartition("@")[0].split("+", 1)[0].lower()


class Maildir:
    """Writes accepted messages; numbering is shared by all connections."""

    def __init__(self, path: str):
        self.path = path
        os.makedirs(path, exist_ok=True)
        self.numbers = itertools.count(1)

    def _write(self, name: str, data: bytes) -> None:
        tmp = os.path.join(self.path, "." + name + ".tmp")  # dot: invisible to *.eml globs
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, os.path.join(self.path, name))

    def event(self, record: dict) -> None:
        """One line per connection or AUTH attempt; appended whole (O_APPEND), flushed at once."""
        with open(os.path.join(self.path, "events.jsonl"), "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")

    def store(self, envelope, session, tls: bool, connection: int) -> int:
        n = next(self.numbers)
        stem = f"{n}-{time.time_ns()}"
        meta = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                "auth_user": session.auth_data, "tls": tls, "session": connection}
        self._write(stem + ".json", json.dumps(meta).encode())
        self._write(stem + ".eml", envelope.original_content)
        return n


class Handler:
    """aiosmtpd hooks: credentials, recipient faults, DATA faults and storage."""

    def __init__(self, args, maildir: Maildir):
        self.user, self.password = args.user, args.password
        self.implicit_tls = args.security == "implicit"
        self.maildir = maildir
        self.fail_first = args.fail_first
        self.stall_first = args.stall_first
        self.drop_first = args.drop_first
        self.store_drop_first = args.store_then_drop_first
        self.store_stall_first, self.store_stall_seconds = args.store_then_stall_first
        self.stall_at, self.drop_at = args.stall_at, args.drop_at
        self.connections = itertools.count(1)

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        login = auth_data.login.decode("utf-8", "replace")
        ok = login == self.user and auth_data.password.decode("utf-8", "replace") == self.password
        self.maildir.event({"event": "auth", "user": login, "ok": ok})
        if ok:
            return AuthResult(success=True, auth_data=self.user)
        return AuthResult(success=False, handled=False, message=BAD_CREDENTIALS)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        status = RCPT_FAULTS.get(fault_of(address))
        if status:
            return status
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.fail_first > 0:
            self.fail_first -= 1
            await server.push("421 4.7.0 Try again later, closing connection.")
            await close_and_wait(server, abort=False)
        faults = {fault_of(r) for r in envelope.rcpt_tos}
        if self.drop_first > 0:
            self.drop_first -= 1
            faults.add("drop")
        elif self.stall_first > 0:
            self.stall_first -= 1
            faults.add("stall")
        if "drop" in faults:
            await close_and_wait(server, abort=True)
        if "spam" in faults:
            return SPAM
        if "stall" in faults:
            await asyncio.sleep(STALL_SECONDS)
            return "451 4.4.2 Timeout while processing the message, it was not accepted"
        tls = self.implicit_tls or session.ssl is not None
        n = self.maildir.store(envelope, session, tls, server.connection)
        # Kept, and then the client hears nothing (in time): it cannot know the message arrived.
        late = STALL_SECONDS if "storestall" in faults else None
        if self.store_drop_first > 0:
            self.store_drop_first -= 1
            faults.add("storedrop")
        elif self.store_stall_first > 0:
            self.store_stall_first -= 1
            late = self.store_stall_seconds
        if "storedrop" in faults:
            await close_and_wait(server, abort=True)
        if late is not None:
            await asyncio.sleep(late)
        return f"250 2.0.0 OK queued as {n:08X}"

    async def phase_fault(self, server, phase: str) -> None:
        """Drops the session at `phase`, or stalls it (then 451 and close), when told to; a
        faulted session never gets past this (the command is never answered)."""
        if self.drop_at == phase:
            await close_and_wait(server, abort=True)
        if self.stall_at == phase:
            await asyncio.sleep(STALL_SECONDS)
            if phase != "greeting":
                await server.push("451 4.4.2 Timeout, closing connection")
            await close_and_wait(server, abort=False)

    async def handle_exception(self, error):
        # A client refusing our certificate is an expected test scenario (aiosmtpd then closes
        # the connection); anything else is a bug in this fake and must show on stderr.
        if not isinstance(error, TLSSetupException):
            traceback.print_exception(error)
        return "451 4.3.0 Internal error in the fake server"


async def close_and_wait(server, abort: bool):
    """Close the connection and never return: aiosmtpd cancels the session when it notices."""
    if abort:
        server.transport.abort()  # no FIN handshake, no answer: the client sees a reset/EOF
    else:
        server.transport.close()  # flushes what was pushed, then closes
    await asyncio.get_running_loop().create_future()


class FakeSMTP(SMTP):
    """aiosmtpd's SMTP with Gmail's wording for commands sent before STARTTLS (aiosmtpd's own
    require_starttls answers without the 5.7.0 enhanced code, and AUTH with 538)."""

    def __init__(self, handler, *, starttls_required: bool, **kwargs):
        super().__init__(handler, **kwargs)
        self.starttls_required = starttls_required
        self.connection = next(handler.connections)

    async def _handle_client(self):
        await self.event_handler.phase_fault(self, "greeting")
        await super()._handle_client()

    def connection_made(self, transport):
        if self._original_transport is None:  # not the STARTTLS upgrade of a connection
            self.event_handler.maildir.event({"event": "connect"})
        super().connection_made(transport)

    async def _starttls_missing(self) -> bool:
        if self.starttls_required and self.session.ssl is None:
            await self.push(STARTTLS_FIRST)
            return True
        return False

    async def smtp_AUTH(self, arg):
        if not await self._starttls_missing():
            await self.event_handler.phase_fault(self, "auth")
            await super().smtp_AUTH(arg)

    async def smtp_MAIL(self, arg):
        if not await self._starttls_missing():
            await self.event_handler.phase_fault(self, "mail")
            await super().smtp_MAIL(arg)

    async def smtp_RCPT(self, arg):
        if not await self._starttls_missing():
            await self.event_handler.phase_fault(self, "rcpt")
            await super().smtp_RCPT(arg)

    async def smtp_DATA(self, arg):
        if not await self._starttls_missing():
            await self.event_handler.phase_fault(self, "data")
            await super().smtp_DATA(arg)


def parse_args():
    parser = argparse.ArgumentParser(description="Fake SMTP submission server for tests.")
    parser.add_argument("--security", choices=("starttls", "implicit", "none"), required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--cert", help="server certificate (PEM), for starttls/implicit")
    parser.add_argument("--key", help="private key of --cert")
    parser.add_argument("--port", type=int, default=0, help="0 = pick a free port")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--fail-first", type=int, default=0, metavar="N",
                        help="answer 421 at the end of DATA to the first N messages")
    parser.add_argument("--stall-first", type=int, default=0, metavar="N",
                        help="give no answer after DATA to the first N messages (as stall@)")
    parser.add_argument("--drop-first", type=int, default=0, metavar="N",
                        help="close the connection after DATA for the first N messages (as drop@)")
    parser.add_argument("--store-then-drop-first", type=int, default=0, metavar="N",
                        help="keep the first N messages, then close without answering the dot")
    parser.add_argument("--store-then-stall-first", type=float, nargs=2, default=(0, 0),
                        metavar=("N", "SECONDS"),
                        help="keep the first N messages, then answer the dot after SECONDS")
    parser.add_argument("--stall-at", choices=("connect",) + PHASES,
                        help="every session gets no answer at this phase")
    parser.add_argument("--drop-at", choices=PHASES,
                        help="every session is closed without an answer at this phase")
    parser.add_argument("--no-smtputf8", action="store_true",
                        help="do not announce SMTPUTF8; refuse non-ASCII bytes in commands")
    args = parser.parse_args()
    count, seconds = args.store_then_stall_first
    if count != int(count) or count < 0 or seconds < 0:
        parser.error("--store-then-stall-first takes a whole count and a number of seconds")
    args.store_then_stall_first = (int(count), seconds)
    if args.security != "none" and not (args.cert and args.key):
        parser.error(f"--security {args.security} needs --cert and --key")
    return args


async def serve(args) -> None:
    tls = None
    if args.security != "none":
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.cert, args.key)
    handler = Handler(args, Maildir(args.maildir))

    def protocol():
        return FakeSMTP(
            handler,
            starttls_required=args.security == "starttls",
            tls_context=tls if args.security == "starttls" else None,  # offers STARTTLS
            # In starttls mode AUTH is only advertised once TLS is up; with implicit TLS the
            # whole connection is encrypted (aiosmtpd cannot tell), and `none` is plain on purpose.
            auth_require_tls=args.security == "starttls",
            auth_required=True,
            authenticator=handler.authenticate,
            enable_SMTPUTF8=not args.no_smtputf8,
            hostname="localhost",  # aiosmtpd would otherwise resolve the FQDN per connection
            ident="Cachicamo test ESMTP",
        )

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if args.stall_at == "connect":
        sockets = full_listen_queue(args.host, args.port)
        print(f"LISTENING {sockets[0].getsockname()[1]}", flush=True)
        await stop.wait()
        for sock in sockets:
            sock.close()
        return
    server = await loop.create_server(protocol, args.host, args.port,
                                      ssl=tls if args.security == "implicit" else None)
    print(f"LISTENING {server.sockets[0].getsockname()[1]}", flush=True)
    await stop.wait()
    server.close()
    # asyncio.run() then cancels the open sessions (including stalled ones).


def full_listen_queue(host: str, port: int) -> list:
    """A listening socket that never accepts, its queue (backlog 0) filled by connections of our
    own: the kernel then ignores new SYNs, and a client's connect waits until it gives up."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind((host, port))
    listener.listen(0)
    fillers = []
    for _ in range(3):
        filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        filler.setblocking(False)
        try:
            filler.connect(listener.getsockname())
        except BlockingIOError:
            pass
        fillers.append(filler)
    time.sleep(0.2)  # let the handshakes that can complete fill the queue
    return [listener, *fillers]


def main() -> int:
    args = parse_args()
    # aiosmtpd logs every connection and warns (per connection) that AUTH without TLS is unsafe,
    # which `none` mode does on purpose: keep stderr for real problems.
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
