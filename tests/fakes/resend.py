#!/usr/bin/python3
"""Fake Resend HTTP API (https://api.resend.com) for Cachicamo's tests.

Speaks the contract in docs/providers.md ("Resend"): POST /emails,
POST /emails/batch, GET /domains, GET /emails/{id} and GET /emails (delivery status as
`last_event`, scripted through /__control/delivery), Bearer API keys, the User-Agent requirement, Idempotency-Key,
rate-limit headers and the {"statusCode","message","name"} error shape. Plus the shared
/__control/ fault-injection API (see fakehttp.py).

It must never accept a request the real Resend would refuse: where the real rule is unknown it is
at least as strict (unknown fields, Content-Type, byte-exact idempotent replays). It keeps no
state beyond the run except the accepted emails written to STATE_DIR/<id>.json.

Usage:
  /usr/bin/python3 tests/fakes/resend.py --port 0 --state-dir DIR --api-key KEY [--api-key KEY2]
      [--restricted-key KEY] [--domain NAME:STATUS ...] [--account-email ADDR]
      [--rate-limit N] [--tls-cert server.pem --tls-key server.key] [--host 127.0.0.1]
"""

import re
import sys
import threading
import uuid
from datetime import datetime, timezone

import fakehttp
import ratelimit
import resend_body
from fakehttp import Request, Response
from resend_body import Reject, error, parse_address

DOMAIN_STATUSES = ("pending", "verified", "failed", "not_started", "partially_verified",
                   "partially_failed")
SANDBOX_SENDER = "onboarding@resend.dev"
# Resend's test inboxes (docs/providers.md): the sandbox sender may send to them, "+label" allowed.
TEST_RECIPIENT = re.compile(r"^(delivered|bounced)(\+[^@]*)?@resend\.dev$", re.IGNORECASE)

MAX_BATCH = 100
MAX_LIST = 100
# The neutral words of /__control/delivery in Resend's `last_event` vocabulary.
LAST_EVENT = {"delivered": "delivered", "delayed": "delivery_delayed", "bounced": "bounced",
              "complained": "complained"}
# Resend's test inboxes behave as their names say when nothing else is scripted.
TEST_INBOX_EVENTS = {"delivered": [(0.0, "delivered", "")], "bounced": [(0.0, "bounced", "")]}

DEFAULT_FAIL_NAMES = {400: "validation_error", 401: "missing_api_key", 403: "validation_error",
                      404: "not_found", 409: "concurrent_idempotent_requests",
                      422: "validation_error", 429: "rate_limit_exceeded",
                      500: "internal_server_error", 503: "service_unavailable"}


class Resend(fakehttp.Provider):
    send_paths = ("/emails", "/emails/batch")

    def __init__(self, args):
        super().__init__(args.state_dir)
        self.full_keys = set(args.api_key)
        self.restricted_keys = set(args.restricted_key)
        self.account_email = args.account_email.lower() if args.account_email else None
        self.rate = ratelimit.RequestRate(args.rate_limit)
        created = datetime.now(timezone.utc).isoformat()
        self.domains = [{"id": str(uuid.uuid4()), "name": name.lower(), "status": status,
                         "created_at": created, "region": "us-east-1"}
                        for name, status in args.domain]
        self.verified = {d["name"] for d in self.domains if d["status"] == "verified"}
        self.lock = threading.Lock()
        # (path, key) -> {"request": body bytes, "answer": (status, body bytes) or None}
        self.idempotency = {}

    # --- the API ------------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        # Resend's edge blocks requests without a User-Agent before they reach the API: plain
        # text, not the API's JSON error shape (Cloudflare "error code: 1010").
        if not (req.header("user-agent") or "").strip():
            return Response.text(403, "error code: 1010")
        routes = {"/emails": {"POST": self.send_one, "GET": self.list_emails},
                  "/emails/batch": {"POST": self.send_batch},
                  "/domains": {"GET": self.list_domains}}
        if req.path.startswith("/domains/") and req.path.count("/") == 2:
            domain_id = req.path[len("/domains/"):]
            routes[req.path] = {"GET": lambda r, k: self.retrieve_domain(k, domain_id)}
        email_id = None
        if req.path.startswith("/emails/") and req.path.count("/") == 2 \
                and req.path != "/emails/batch":
            email_id = req.path[len("/emails/"):]
            routes[req.path] = {"GET": lambda r, k: self.retrieve_email(r, k, email_id)}
        if req.path not in routes:
            return error(404, "not_found", "The requested endpoint does not exist.")
        handler = routes[req.path].get(req.method)
        if handler is None:
            return error(405, "method_not_allowed", "Method is not allowed for the requested path.")
        try:
            key = self.authenticate(req)
            self.count_request()
            return handler(req, key)
        except Reject as e:
            return e.response()

    def authenticate(self, req: Request) -> str:
        scheme, _, key = (req.header("authorization") or "").strip().partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            raise Reject(401, "missing_api_key", "Missing API key in the authorization header")
        key = key.strip()
        if key not in self.full_keys and key not in self.restricted_keys:
            raise Reject(401, "validation_error", "API key is invalid")
        return key

    def count_request(self) -> None:
        """Per-team rate limit over one-second windows, like Resend's (default 2-5 req/s)."""
        if self.rate.count():
            raise Reject(429, "rate_limit_exceeded",
                         "Too many requests. You can only make "
                         f"{self.rate.limit} requests per second. See rate limit response "
                         "headers for more information.", {"retry-after": "1"})

    def extra_headers(self, req: Request) -> dict:
        # Windows are one second long, so the current one always resets within a second.
        return {"ratelimit-limit": str(self.rate.limit),
                "ratelimit-remaining": str(self.rate.remaining()),
                "ratelimit-reset": "1"}

    def list_domains(self, req: Request, key: str) -> Response:
        if key in self.restricted_keys:
            raise Reject(401, "restricted_api_key",
                         "This API key is restricted to only send emails")
        return Response.json(200, {"object": "list", "has_more": False, "data": self.domains})

    # --- what happened after sending ---------------------------------------------------------
    def readable(self, key: str) -> None:
        """Reading emails needs a full-access key, as listing domains does."""
        if key in self.restricted_keys:
            raise Reject(401, "restricted_api_key",
                         "This API key is restricted to only send emails")

    def email_view(self, record: dict, full: bool) -> dict:
        payload = record["payload"]
        happened = self.deliveries.happened(record["id"]) or []
        view = {"object": "email", "id": record["id"],
                "to": [parse_address(t) for t in self.address_values(payload.get("to"))],
                "from": payload["from"], "subject": payload["subject"],
                "created_at": datetime.fromtimestamp(self.deliveries.accepted_at(record["id"]),
                                                     timezone.utc).isoformat(),
                "cc": self.address_values(payload.get("cc")) or None,
                "bcc": self.address_values(payload.get("bcc")) or None,
                "reply_to": self.address_values(payload.get("reply_to")) or None,
                "last_event": LAST_EVENT[happened[-1][1]] if happened else "sent",
                "scheduled_at": None}
        if full:
            view.update(html=payload.get("html"), text=payload.get("text"))
        return view

    @staticmethod
    def address_values(value) -> list:
        return [] if value is None else [value] if isinstance(value, str) else list(value)

    def sent_records(self) -> list:
        """Accepted emails, newest first (the order of Resend's list)."""
        with self.state.lock:
            return list(reversed(self.state.emails))

    def retrieve_email(self, req: Request, key: str, email_id: str) -> Response:
        self.readable(key)
        for record in self.sent_records():
            if record["id"] == email_id:
                return Response.json(200, self.email_view(record, full=True))
        return error(404, "not_found", "Email not found")

    def list_emails(self, req: Request, key: str) -> Response:
        self.readable(key)
        raw = req.query.get("limit", "20")
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIST:
            raise Reject(422, "validation_error",
                         f"The `limit` parameter must be between 1 and {MAX_LIST}.")
        if "after" in req.query and "before" in req.query:
            raise Reject(422, "validation_error",
                         "You can only use `after` or `before`, not both.")
        records = self.sent_records()
        cursor = req.query.get("after") or req.query.get("before")
        if cursor is not None:
            ids = [r["id"] for r in records]
            if cursor not in ids:
                raise Reject(422, "validation_error", "The cursor does not exist.")
            at = ids.index(cursor)
            records = records[at + 1:] if "after" in req.query else records[:at]
        limit = int(raw)
        page = records[:limit] if "before" not in req.query else records[-limit:]
        return Response.json(200, {"object": "list", "has_more": len(records) > len(page),
                                   "data": [self.email_view(r, full=False) for r in page]})

    def retrieve_domain(self, key: str, domain_id: str) -> Response:
        """A domain with its DNS records, each as far along as the domain (a verified domain has
        every record verified; a partially verified one its SPF only)."""
        self.readable(key)
        for domain in self.domains:
            if domain["id"] == domain_id:
                status = domain["status"]
                spf = "verified" if status in ("verified", "partially_verified") else (
                    "failed" if status in ("failed", "partially_failed") else status)
                dkim = "verified" if status == "verified" else (
                    "failed" if status in ("failed", "partially_failed") else
                    "not_started" if status == "not_started" else "pending")
                name = domain["name"]
                records = [
                    {"record": "SPF", "name": "send", "type": "MX", "ttl": "Auto",
                     "status": spf, "value": "feedback-smtp.us-east-1.amazonses.com",
                     "priority": 10},
                    {"record": "SPF", "name": "send", "type": "TXT", "ttl": "Auto",
                     "status": spf, "value": '"v=spf1 include:amazonses.com ~all"'},
                    {"record": "DKIM", "name": "resend._domainkey", "type": "TXT",
                     "ttl": "Auto", "status": dkim, "value": f"p=MIGfMA0G{name}"},
                ]
                return Response.json(200, dict(domain, object="domain", records=records))
        return error(404, "not_found", "Domain not found")

    def send_one(self, req: Request, key: str) -> Response:
        def process():
            self.validate(req.json)
            return Response.json(200, {"id": self.store(req, req.json)})
        return self.idempotent(req, process)

    def send_batch(self, req: Request, key: str) -> Response:
        mode = (req.header("x-batch-validation") or "strict").strip().lower()
        if mode not in ("strict", "permissive"):
            raise Reject(422, "validation_error",
                         "Invalid `x-batch-validation` header: use `strict` or `permissive`.")

        def process():
            emails = req.json
            if not isinstance(emails, list) or not emails:
                raise Reject(422, "validation_error",
                             "The batch body must be a non-empty array of emails.")
            if len(emails) > MAX_BATCH:
                raise Reject(422, "validation_error",
                             f"Too many emails in the batch: {len(emails)} (the maximum is "
                             f"{MAX_BATCH}).")
            errors = []
            for index, email in enumerate(emails):
                try:
                    self.validate(email, batch=True)
                except Reject as e:
                    if mode == "strict":  # all-or-nothing: nothing is sent
                        raise Reject(e.status, e.name, f"emails[{index}]: {e.message}") from None
                    errors.append({"index": index, "message": e.message})
            failed = {e["index"] for e in errors}
            data = [{"id": self.store(req, email)}
                    for index, email in enumerate(emails) if index not in failed]
            body = {"data": data}
            if mode == "permissive":
                body["errors"] = errors
            return Response.json(200, body)
        return self.idempotent(req, process)

    # --- idempotency ------------------------------------------------------------------------
    def idempotent(self, req: Request, process) -> Response:
        """Run process() at most once per Idempotency-Key (per endpoint), as Resend does."""
        if req.media_type("content-type") != "application/json":
            raise Reject(400, "validation_error",
                         "Invalid `Content-Type` header: expected `application/json`.")
        if req.json is Request.NO_JSON:
            raise Reject(400, "validation_error", "The request body is not valid JSON.")
        key = req.header("idempotency-key")
        if key is None:
            req.hold()
            return self.run(process)
        if not 1 <= len(key) <= 256:
            raise Reject(400, "invalid_idempotency_key", "The key must be between 1-256 chars.")
        slot = (req.path, key)
        with self.lock:
            seen = self.idempotency.get(slot)
            if seen is None:
                self.idempotency[slot] = {"request": req.body, "answer": None}
        if seen is not None:
            # Byte-exact comparison: stricter than a semantic one, so a client that re-serializes
            # differently on retry is caught here rather than by a surprise 409 in production.
            if seen["request"] != req.body:
                raise Reject(409, "invalid_idempotent_request",
                             "Same idempotency key used with a different request payload.")
            if seen["answer"] is None:
                raise Reject(409, "concurrent_idempotent_requests",
                             "Same idempotency key used while original request is still in "
                             "progress.")
            status, body = seen["answer"]
            return Response(status, body, "application/json; charset=utf-8")
        req.hold()  # an injected stall keeps the key "in flight"
        resp = self.run(process)
        with self.lock:
            if 200 <= resp.status < 300:
                self.idempotency[slot]["answer"] = (resp.status, resp.body)
            else:
                # Only accepted requests are remembered: a retry after an error is a new attempt.
                del self.idempotency[slot]
        return resp

    @staticmethod
    def run(process) -> Response:
        try:
            return process()
        except Reject as e:
            return e.response()

    def validate(self, email, batch: bool = False) -> None:
        self.check_sender(*resend_body.check(email, batch))

    def check_sender(self, sender: str, recipients: list) -> None:
        if sender == SANDBOX_SENDER:
            # The sandbox sender only reaches the account owner and Resend's test inboxes.
            allowed = [r for r in recipients
                       if r == self.account_email or TEST_RECIPIENT.match(r)]
            if len(allowed) != len(recipients):
                owner = self.account_email or "your own email address"
                raise Reject(403, "validation_error",
                             f"You can only send testing emails to your own email address "
                             f"({owner}). To send emails to other recipients, please verify a "
                             "domain at resend.com/domains, and change the `from` address to an "
                             "email using this domain.")
            return
        domain = sender.rsplit("@", 1)[1]
        if domain not in self.verified:
            raise Reject(403, "validation_error",
                         f"The {domain} domain is not verified. Please, add and verify your "
                         "domain on https://resend.com/domains")

    # --- bookkeeping --------------------------------------------------------------------------
    def store(self, req: Request, email: dict) -> str:
        email_id = str(uuid.uuid4())
        # What happens next follows the first recipient's script (one recipient per email here).
        first = parse_address(self.address_values(email.get("to"))[0])
        local = first.split("@")[0].split("+")[0]
        test_inbox = TEST_INBOX_EVENTS.get(local, ()) if TEST_RECIPIENT.match(first) else ()
        self.deliveries.accepted(email_id, first, test_inbox)
        self.state.add_email({"id": email_id, "endpoint": req.path,
                              "idempotency_key": req.header("idempotency-key"),
                              "payload": email})
        return email_id

    def control_error(self, spec: dict) -> Response:
        status = spec["status"]
        headers = dict(spec.get("headers", {}))
        if status == 429 and not any(k.lower() == "retry-after" for k in headers):
            headers["retry-after"] = "1"  # Resend always says when to come back on 429
        return error(status, spec.get("name", DEFAULT_FAIL_NAMES.get(status, "application_error")),
                     spec.get("message", "Injected failure (fake Resend control API)."), headers)

    def reset(self) -> None:
        with self.lock:
            self.idempotency.clear()
        self.rate.reset()


def domain_arg(value: str):
    name, _, status = value.rpartition(":")
    if not name or status not in DOMAIN_STATUSES:
        raise ValueError(value)
    return name, status


def main() -> int:
    parser = fakehttp.argument_parser("Fake Resend API for tests.")
    parser.add_argument("--api-key", action="append", required=True,
                        help="a full-access API key (repeatable)")
    parser.add_argument("--restricted-key", action="append", default=[],
                        help="a sending-only API key (repeatable)")
    parser.add_argument("--domain", action="append", default=[], type=domain_arg,
                        metavar="NAME:STATUS", help=f"STATUS in {'|'.join(DOMAIN_STATUSES)}")
    parser.add_argument("--account-email",
                        help="the account owner, the only outside recipient "
                             f"{SANDBOX_SENDER} may send to")
    ratelimit.rate_limit_argument(parser, "429 rate_limit_exceeded")
    args = parser.parse_args()
    return fakehttp.serve(Resend(args), args)


if __name__ == "__main__":
    sys.exit(main())
