"""Shared plumbing for the fake HTTP mail providers (resend.py, postmark.py).

It knows nothing about either provider's contract. It gives them:
  * an HTTP/1.1 keep-alive server (threaded, optional TLS) that prints `LISTENING <port>` once it
    accepts connections and exits cleanly on SIGTERM/SIGINT;
  * a log of every API request and the list of accepted emails, each email also persisted as
    STATE_DIR/<id>.json so tests can read it after the server is gone;
  * the loopback-only control API under /__control/ for fault injection:
      POST /__control/fail     {"status": 503, ..., "headers": {...}, "count": N}
                               the next N matching requests get that error (the provider builds
                               the body from the spec, see Provider.control_error)
      POST /__control/stall    {"seconds": S, "count": N}  the next N are held S s, then processed
      POST /__control/drop     {"count": N, "process": false}  the next N get their connection
                               closed without a response ("process": true = processed first, so
                               the provider accepted it but the client never hears about it)
      POST /__control/redirect {"status": 302, "location": URL, "count": N}  the next N get a
                               redirect there, unprocessed (a hostile proxy or a hijacked
                               endpoint: a client must never follow it with its token)
      POST /__control/delivery {"to": ADDR, "events": [{"after": S, "event": E, "reason": R}]}
                               what happens to every email accepted for ADDR from now on, S
                               seconds after it was accepted: E in delivered|delayed|bounced|
                               complained (each fake words it in its provider's vocabulary)
      GET  /__control/requests every API request so far, in order
      GET  /__control/emails   every accepted email so far
      POST /__control/reset    forget requests, emails (and their files), faults, provider state
    Faults apply to the provider's sending endpoints unless the spec says "paths": [...].

What it must never do: answer an API request in a way the provider's contract does not (every
response on the API goes through the provider, except the injected faults), or let control
traffic show up in the request log.
"""

import argparse
import base64
import binascii
import ipaddress
import json
import os
import signal
import socket
import ssl
import sys
import threading
import time
from urllib.parse import parse_qs
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from deliveries import Deliveries

CONTROL_PREFIX = "/__control/"
FAULT_KINDS = ("fail", "stall", "drop", "redirect")
REDIRECT_STATUSES = (301, 302, 303, 307, 308)


class Response:
    """What a provider answers: status, body bytes and headers (Content-Length is added later)."""

    def __init__(self, status: int, body: bytes = b"", content_type: str = "application/json",
                 headers: dict = None):
        self.status = status
        self.body = body
        self.headers = {"Content-Type": content_type, **(headers or {})}

    @classmethod
    def json(cls, status: int, obj, headers: dict = None) -> "Response":
        return cls(status, json.dumps(obj).encode(), "application/json; charset=utf-8", headers)

    @classmethod
    def text(cls, status: int, text: str, headers: dict = None) -> "Response":
        return cls(status, text.encode(), "text/plain; charset=utf-8", headers)


class Request:
    """An API request as the provider sees it."""

    NO_JSON = object()  # body absent or not valid JSON: distinct from a JSON `null`

    def __init__(self, method: str, path: str, headers: dict, body: bytes, query: dict = None):
        self.method = method
        self.path = path
        self.query = query or {}  # name -> last value of the query string
        self.headers = headers  # lower-cased names
        self.body = body
        try:
            self.json = json.loads(body) if body else Request.NO_JSON
        except ValueError:
            self.json = Request.NO_JSON
        self.stall_seconds = 0.0  # set from a /__control/stall spec, consumed by hold()

    def header(self, name: str):
        return self.headers.get(name.lower())

    def media_type(self, name: str) -> str:
        """The bare media type of a Content-Type-like header ("" when absent)."""
        return (self.header(name) or "").split(";")[0].strip().lower()

    def hold(self) -> None:
        """Sleep for an injected stall, once. Providers call it where "in flight" should begin
        (e.g. after reserving an idempotency key); the server calls it again after the provider
        answers, so a request that returned early is still held."""
        seconds, self.stall_seconds = self.stall_seconds, 0.0
        if seconds > 0:
            time.sleep(seconds)

    def log_body(self):
        if self.json is not Request.NO_JSON:
            return self.json
        return self.body.decode("utf-8", errors="replace")


class Provider:
    """Base class of a fake provider; subclasses implement the contract."""

    # Paths that faults apply to when a /__control/ spec gives no "paths".
    send_paths = ()

    def __init__(self, state_dir: str):
        self.state = State(state_dir)
        self.deliveries = Deliveries()

    # --- to implement -------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        raise NotImplementedError

    def control_error(self, spec: dict) -> Response:
        """The response for a request hit by a /__control/fail spec."""
        raise NotImplementedError

    # --- optional hooks ----------------------------------------------------------------------
    def extra_headers(self, req: Request) -> dict:
        """Headers added to every API response (e.g. rate-limit headers)."""
        return {}

    def reset(self) -> None:
        """Forget provider-specific state (called by /__control/reset)."""


class State:
    """Everything the control API exposes, behind one lock (the server is multi-threaded)."""

    def __init__(self, state_dir: str):
        self.dir = state_dir
        os.makedirs(state_dir, exist_ok=True)
        self.lock = threading.Lock()
        self.requests = []
        self.emails = []
        self.faults = {kind: [] for kind in FAULT_KINDS}

    def add_email(self, record: dict) -> None:
        """Record an accepted email; persisted first so a test that sees it listed can read it."""
        path = os.path.join(self.dir, f"{record['id']}.json")
        tmp = os.path.join(self.dir, f".{record['id']}.json.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False, indent=1)
        os.replace(tmp, path)  # atomic: readers never see a partial file
        with self.lock:
            self.emails.append(record)

    def take_fault(self, kind: str, path: str, default_paths) -> dict:
        """Consume one use of the oldest pending fault of this kind that targets path."""
        with self.lock:
            for spec in self.faults[kind]:
                if path in spec.get("paths", default_paths):
                    spec["count"] -= 1
                    if spec["count"] <= 0:
                        self.faults[kind].remove(spec)
                    return spec
        return None

    def clear(self) -> None:
        with self.lock:
            for email in self.emails:
                try:
                    os.remove(os.path.join(self.dir, f"{email['id']}.json"))
                except FileNotFoundError:
                    pass
            self.requests.clear()
            self.emails.clear()
            for pending in self.faults.values():
                pending.clear()


class FakeHTTPServer(ThreadingHTTPServer):
    daemon_threads = True  # a stalled request must not keep the process alive after SIGTERM
    request_queue_size = 128  # concurrent clients (benchmarks) must not overflow the backlog

    def __init__(self, address, provider: Provider, tls: ssl.SSLContext = None):
        self.provider = provider
        self.tls = tls
        super().__init__(address, Handler)

    def get_request(self):
        sock, addr = super().get_request()
        if self.tls:
            # The handshake runs in the connection's own thread (finish_request), so a slow or
            # broken client cannot block accept() for everyone else.
            sock = self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr

    def finish_request(self, request, client_address):
        if self.tls:
            request.settimeout(Handler.timeout)
            try:
                request.do_handshake()
            except (ssl.SSLError, OSError):
                return  # e.g. the client does not trust our CA: nothing to answer
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        # Clients vanishing mid-request (timeouts, drops) are part of the tests, not errors.
        if not isinstance(sys.exc_info()[1], (ConnectionError, socket.timeout, ssl.SSLError)):
            super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real APIs (clients pool connections)
    # Idle keep-alive connections are eventually closed, as real servers do, but later than
    # reqwest's 90 s pool idle timeout so a test never races a server-side close.
    timeout = 300
    server: FakeHTTPServer

    def log_message(self, format, *args):
        pass  # the request log is available through GET /__control/requests

    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def do_PUT(self):
        self._dispatch()

    def do_PATCH(self):
        self._dispatch()

    def do_DELETE(self):
        self._dispatch()

    # --- plumbing -----------------------------------------------------------------------------
    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _send(self, resp: Response) -> None:
        self.send_response(resp.status)
        for name, value in resp.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(resp.body)))
        self.end_headers()
        self.wfile.write(resp.body)

    def _drop_connection(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _dispatch(self) -> None:
        path, _, raw_query = self.path.partition("?")
        query = {k: v[-1] for k, v in parse_qs(raw_query, keep_blank_values=True).items()}
        try:
            body = self._read_body()
        except (ValueError, OSError):
            self.close_connection = True
            self._send(Response.text(400, "Bad Request: unreadable body"))
            return
        headers = {}
        for name, value in self.headers.items():
            name = name.lower()
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        req = Request(self.command, path, headers, body, query)
        if path.startswith(CONTROL_PREFIX):
            self._send(self._control(req))
        else:
            self._api(req)

    def _api(self, req: Request) -> None:
        provider, state = self.server.provider, self.server.provider.state
        entry = {"method": req.method, "path": req.path, "headers": req.headers,
                 "body": req.log_body(), "received_at": time.time(), "status": None}
        with state.lock:
            state.requests.append(entry)

        redirect = state.take_fault("redirect", req.path, provider.send_paths)
        if redirect:
            entry["status"] = redirect["status"]
            self._send(Response(redirect["status"], b"", "text/plain",
                                {"Location": redirect["location"]}))
            return
        stall, drop, fail = (state.take_fault(kind, req.path, provider.send_paths)
                             for kind in ("stall", "drop", "fail"))
        if stall:
            req.stall_seconds = float(stall["seconds"])
        if fail or (drop and not drop.get("process")):
            req.hold()  # not processed: the stall happens before the fault
        if drop and not drop.get("process"):
            self._drop_connection()
            return

        resp = provider.control_error(fail) if fail else provider.handle(req)
        req.hold()  # no-op if the provider already held the request
        if drop:
            self._drop_connection()  # processed, but the client never hears about it
            return
        # Provider-wide headers first, so a /__control/fail spec can override them.
        resp.headers = _merge_headers(provider.extra_headers(req), resp.headers)
        entry["status"] = resp.status
        self._send(resp)

    def _control(self, req: Request) -> Response:
        if not ipaddress.ip_address(self.client_address[0]).is_loopback:
            return Response.json(403, {"error": "the control API is loopback-only"})
        state = self.server.provider.state
        action = req.path[len(CONTROL_PREFIX):]
        if req.method == "GET" and action in ("requests", "emails"):
            with state.lock:
                return Response.json(200, list(getattr(state, action)))
        if req.method != "POST":
            return Response.json(405, {"error": f"{req.method} {req.path} is not a control call"})
        if action == "delivery":
            error = self.server.provider.deliveries.script(req.json)
            if error:
                return Response.json(400, {"error": error})
            return Response.json(200, {"ok": True})
        if action == "reset":
            state.clear()
            self.server.provider.deliveries.clear()
            self.server.provider.reset()
            return Response.json(200, {"ok": True})
        if action not in FAULT_KINDS:
            return Response.json(404, {"error": f"unknown control call {req.path}"})
        spec = req.json if isinstance(req.json, dict) else {}
        error = _check_fault_spec(action, spec)
        if error:
            return Response.json(400, {"error": error})
        spec = dict(spec, count=spec.get("count", 1))
        if action == "redirect":
            spec.setdefault("status", 302)
        with state.lock:
            state.faults[action].append(spec)
        return Response.json(200, {"ok": True, "pending": spec})


def is_base64(text) -> bool:
    """Whether `text` is non-empty standard Base64 (padding included), as the providers take it."""
    if not isinstance(text, str) or not text:
        return False
    try:
        base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _merge_headers(*dicts) -> dict:
    """Merge header dicts case-insensitively, later ones winning."""
    merged = {}
    for headers in dicts:
        for name, value in headers.items():
            merged[name.lower()] = (name, value)
    return dict(merged.values())


def _check_fault_spec(kind: str, spec: dict):
    """Reject malformed fault specs loudly, so a typo in a test does not silently do nothing."""
    if not isinstance(spec.get("count", 1), int) or spec.get("count", 1) < 1:
        return "count must be a positive integer"
    if "paths" in spec and not (isinstance(spec["paths"], list)
                                and all(isinstance(p, str) for p in spec["paths"])):
        return "paths must be a list of strings"
    if kind == "fail" and not (isinstance(spec.get("status"), int)
                               and 400 <= spec["status"] <= 599):
        return "status must be an HTTP error status (400-599)"
    if kind == "fail" and not isinstance(spec.get("headers", {}), dict):
        return "headers must be an object"
    if kind == "stall" and not (isinstance(spec.get("seconds"), (int, float))
                                and spec["seconds"] >= 0):
        return "seconds must be a non-negative number"
    if kind == "drop" and not isinstance(spec.get("process", False), bool):
        return "process must be a boolean"
    if kind == "redirect" and spec.get("status", 302) not in REDIRECT_STATUSES:
        return f"status must be a redirect status {REDIRECT_STATUSES}"
    if kind == "redirect" and not (isinstance(spec.get("location"), str)
                                   and spec["location"].startswith(("http://", "https://"))):
        return "location must be an absolute http(s) URL"
    return None


def argument_parser(description: str) -> argparse.ArgumentParser:
    """The options every fake HTTP provider shares."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--port", type=int, default=0, help="0 = pick a free port")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--state-dir", required=True,
                        help="where accepted emails are written as <id>.json")
    parser.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM)")
    parser.add_argument("--tls-key", help="private key of --tls-cert")
    return parser


def serve(provider: Provider, args: argparse.Namespace) -> int:
    """Run until SIGTERM/SIGINT; print `LISTENING <port>` once connections are accepted."""
    if bool(args.tls_cert) != bool(args.tls_key):
        print("--tls-cert and --tls-key go together", file=sys.stderr)
        return 2
    tls = None
    if args.tls_cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.tls_cert, args.tls_key)
    server = FakeHTTPServer((args.host, args.port), provider, tls)

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    # The socket is already listening (bound in the constructor), so clients can connect now.
    print(f"LISTENING {server.server_address[1]}", flush=True)
    stop.wait()
    server.shutdown()
    server.server_close()
    return 0
