#!/usr/bin/python3
"""Fake Postmark HTTP API (https://api.postmarkapp.com) for Cachicamo's tests.

Speaks the contract in docs/providers.md ("Postmark"): POST /email,
POST /email/batch, GET /server, and what happened after sending (scripted through
/__control/delivery): GET /messages/outbound/{MessageID}/details with its MessageEvents, the
Bounces API (GET /bounces, GET /bounces/{ID}) — a hard bounce or a spam complaint makes the
address inactive, so the next email to it gets ErrorCode 406 — all with X-Postmark-Server-Token, the Accept/Content-Type
requirement, PascalCase bodies and {"ErrorCode","Message"} errors (ErrorCode 10, 300, 400, 401,
402, 406, 410, 1235), the POSTMARK_API_TEST token, and a per-second request limit (429, like
Resend's: a batch is one request). The account-level API that "Comprobar remitente" reads with
X-Postmark-Account-Token (never the server token, which gets 401): GET /domains and GET /senders
(count and offset required, count at most 500) and GET /domains/{ID}, GET /senders/{ID} with
DKIMVerified, ReturnPathDomain, ReturnPathDomainVerified (and Confirmed for a signature), built
from --sender/--unconfirmed-sender, with --unverified-dns naming the domains whose DKIM and
Return-Path are not verified yet. Plus the shared /__control/ fault-injection API (see
fakehttp.py).

It must never accept a request the real Postmark would refuse: where the real rule is unknown it
is at least as strict (unknown fields, required Subject, Accept must name application/json). It
has no idempotency key, like the real service: a retried request is a second email.

Usage:
  /usr/bin/python3 tests/fakes/postmark.py --port 0 --state-dir DIR --server-token TOKEN
      [--sender ADDR_OR_@DOMAIN ...] [--unconfirmed-sender ADDR ...]
      [--inactive-recipient ADDR ...] [--sandbox] [--rate-limit N]
      [--account-token TOKEN] [--unverified-dns DOMAIN ...]
      [--tls-cert server.pem --tls-key server.key] [--host 127.0.0.1]
"""

import sys
import threading
import uuid
from datetime import datetime, timezone
from email.utils import getaddresses

import fakehttp
import ratelimit
from fakehttp import Request, Response

TEST_TOKEN = "POSTMARK_API_TEST"
FIELDS = {"From", "To", "Cc", "Bcc", "Subject", "Tag", "HtmlBody", "TextBody", "ReplyTo",
          "Headers", "TrackOpens", "TrackLinks", "Metadata", "Attachments", "MessageStream"}
ATTACHMENT_FIELDS = {"Name", "Content", "ContentType", "ContentID"}
STREAMS = ("outbound", "broadcast")  # the two streams every Postmark server has
TRACK_LINKS = ("None", "HtmlAndText", "HtmlOnly", "TextOnly")
MAX_RECIPIENTS = 50
MAX_BATCH = 500
MAX_EMAIL_BYTES = 10 * 1024 * 1024  # per message, including attachments
MAX_BATCH_BYTES = 50 * 1024 * 1024

# Bodies used by /__control/fail when the spec gives none (tests should pass "body" to be exact).
MAX_BOUNCES = 500  # count per page of GET /bounces
MAX_BOUNCE_WINDOW = 10000  # count + offset
# Which Bounce `Type` (and TypeCode) a scripted event becomes; `delivered` and `delayed` are
# MessageEvents only (Delivered, Transient).
BOUNCE_TYPES = {"bounced": ("HardBounce", 1, "Hard bounce"),
                "complained": ("SpamComplaint", 512, "Spam complaint")}

DEFAULT_FAIL_BODIES = {500: {"ErrorCode": 101, "Message": "Internal server error."},
                       503: {"ErrorCode": 100, "Message": "Maintenance: the service is down."}}


class Reject(Exception):
    """An email refused with Postmark's {ErrorCode, Message} (HTTP 422, or an entry of a batch)."""

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code, self.message = code, message

    def body(self) -> dict:
        return {"ErrorCode": self.code, "Message": self.message}


def bare(addr: str):
    """addr lower-cased if it looks like local@domain.tld, else None."""
    local, at, domain = addr.rpartition("@")
    if not (at and local and "." in domain.strip(".") and not any(c.isspace() for c in addr)):
        return None
    return addr.lower()


def address(raw: str):
    """The lower-cased bare address in "addr" or "Name <addr>", or None if malformed."""
    parsed = getaddresses([raw])
    return bare(parsed[0][1]) if len(parsed) == 1 else None


def recipients(message: dict, field: str) -> list:
    """Addresses of a comma-separated recipient field (may hold "Name <addr>", quoted commas)."""
    value = message.get(field)
    if value is None:
        return []
    if not isinstance(value, str):
        raise Reject(300, f"Invalid '{field}' value: it must be a comma-separated string.")
    parts = [p for p in getaddresses([value]) if p != ("", "")]
    if len(parts) > MAX_RECIPIENTS:
        raise Reject(300, f"Invalid '{field}' value: {len(parts)} recipients, the maximum is "
                          f"{MAX_RECIPIENTS}.")
    result = []
    for _, addr in parts:
        if bare(addr) is None:
            raise Reject(300, f"Error parsing '{field}': Illegal email address '{addr}'. It must "
                              "contain the '@' symbol and a valid domain.")
        result.append(bare(addr))
    return result


class Postmark(fakehttp.Provider):
    send_paths = ("/email", "/email/batch")

    def __init__(self, args):
        super().__init__(args.state_dir)
        self.token = args.server_token
        self.senders = {s.lower() for s in args.sender}
        self.unconfirmed = {s.lower() for s in args.unconfirmed_sender}
        self.inactive_at_start = {s.lower() for s in args.inactive_recipient}
        self.inactive = set(self.inactive_at_start)
        self.sandbox = args.sandbox
        self.rate = ratelimit.RequestRate(args.rate_limit)
        self.lock = threading.Lock()
        self.bounces = {}  # email id -> its Bounce record, once its scripted bounce happened
        self.next_bounce_id = 1000
        self.account_token = args.account_token
        self.unverified_dns = {d.lower() for d in args.unverified_dns}
        # The account's domains and signatures, by ID, as the account API lists them.
        entries = sorted(self.senders) + sorted(self.unconfirmed - self.senders)
        self.domains = {i: name[1:] for i, name in enumerate(entries, 1) if name.startswith("@")}
        self.signatures = {i: name for i, name in enumerate(entries, 1)
                           if not name.startswith("@")}

    # --- the API ------------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        routes = {"/email": {"POST": self.send_one}, "/email/batch": {"POST": self.send_batch},
                  "/server": {"GET": self.server_info}, "/bounces": {"GET": self.list_bounces}}
        parts = req.path.strip("/").split("/")
        if len(parts) == 4 and parts[:2] == ["messages", "outbound"] and parts[3] == "details":
            routes[req.path] = {"GET": lambda r, test: self.message_details(parts[2])}
        if len(parts) == 2 and parts[0] == "bounces":
            routes[req.path] = {"GET": lambda r, test: self.one_bounce(parts[1])}
        if parts[0] in ("domains", "senders") and len(parts) <= 2:
            return self.account(req, parts)
        if req.path not in routes:
            return Response.text(404, "Not Found")
        handler = routes[req.path].get(req.method)
        if handler is None:
            return Response.text(405, "Method Not Allowed")
        # Without these headers Postmark answers 415 before looking at anything else.
        if "application/json" not in (req.header("accept") or "").lower() or (
                req.method == "POST" and req.media_type("content-type") != "application/json"):
            return Response.text(415, "Unsupported Media Type: send 'Accept: application/json' "
                                      "and 'Content-Type: application/json'.")
        token = req.header("x-postmark-server-token")
        if token != self.token and not (token == TEST_TOKEN and req.method == "POST"):
            return Response.json(401, {"ErrorCode": 10,
                                       "Message": "Request does not contain a valid Server token."})
        # Postmark documents a bare 429 (no ErrorCode, no Retry-After): the client must go by the
        # status alone and pick its own wait.
        if self.rate.count():
            return Response.text(429, "Rate Limit Exceeded: requests are arriving faster than "
                                      f"{self.rate.limit} per second; slow down and retry.")
        req.hold()
        return handler(req, test=(token == TEST_TOKEN))

    # --- the account-level API (X-Postmark-Account-Token) ---------------------------------------
    def account(self, req: Request, parts: list) -> Response:
        if req.method != "GET":
            return Response.text(405, "Method Not Allowed")
        if "application/json" not in (req.header("accept") or "").lower():
            return Response.text(415, "Unsupported Media Type: send 'Accept: application/json'.")
        token = req.header("x-postmark-account-token")
        if self.account_token is None or token != self.account_token:
            return Response.json(401, {"ErrorCode": 10,
                                       "Message": "Request does not contain a valid Account "
                                                  "token."})
        if self.rate.count():
            return Response.text(429, "Rate Limit Exceeded")
        req.hold()
        domains = parts[0] == "domains"
        entries = self.domains if domains else self.signatures
        if len(parts) == 2:
            if not parts[1].isdigit() or int(parts[1]) not in entries:
                return Response.json(422, {"ErrorCode": 501,
                                           "Message": "Not found."})
            return Response.json(200, self.account_detail(domains, int(parts[1])))
        q = req.query
        if not (q.get("count", "").isdigit() and q.get("offset", "").isdigit()):
            return Response.json(422, {"ErrorCode": 300, "Message": "The 'count' and 'offset' "
                                                                     "parameters are required."})
        count, offset = int(q["count"]), int(q["offset"])
        if not 1 <= count <= 500:
            return Response.json(422, {"ErrorCode": 300, "Message": "'count' must be 1-500."})
        listed = [self.account_summary(domains, i) for i in sorted(entries)]
        return Response.json(200, {"TotalCount": len(listed),
                                   "Domains" if domains else "SenderSignatures":
                                       listed[offset:offset + count]})

    def account_summary(self, domain: bool, entry_id: int) -> dict:
        if domain:
            name = self.domains[entry_id]
            verified = name not in self.unverified_dns
            return {"Name": name, "SPFVerified": verified, "DKIMVerified": verified,
                    "WeakDKIM": False, "ReturnPathDomainVerified": verified, "ID": entry_id}
        addr = self.signatures[entry_id]
        return {"Domain": addr.rpartition("@")[2], "EmailAddress": addr,
                "ReplyToEmailAddress": "", "Name": addr.partition("@")[0],
                "Confirmed": addr in self.senders, "ID": entry_id}

    def account_detail(self, domain: bool, entry_id: int) -> dict:
        summary = self.account_summary(domain, entry_id)
        name = summary["Name"] if domain else summary["Domain"]
        verified = name not in self.unverified_dns
        return {**summary, "DKIMVerified": verified, "DKIMHost": f"pm._domainkey.{name}",
                "ReturnPathDomain": f"pm-bounces.{name}", "ReturnPathDomainVerified": verified,
                "ReturnPathDomainCNAMEValue": "pm.mtasv.net", "SPFVerified": verified}

    def server_info(self, req: Request, test: bool) -> Response:
        return Response.json(200, {
            "ID": 1, "Name": "Cachicamo Test", "ApiTokens": [self.token], "Color": "blue",
            "SmtpApiActivated": True, "RawEmailEnabled": False,
            "DeliveryType": "Sandbox" if self.sandbox else "Live",
            "ServerLink": "https://account.postmarkapp.com/servers/1/streams",
            "TrackOpens": False, "TrackLinks": "None"})

    def send_one(self, req: Request, test: bool) -> Response:
        if len(req.body) > MAX_EMAIL_BYTES:
            return Response.text(413, "Payload Too Large")
        if not isinstance(req.json, dict):
            return Response.json(422, {"ErrorCode": 402, "Message": "Received invalid JSON input."})
        try:
            return Response.json(200, self.accept(req, req.json, test))
        except Reject as e:
            return Response.json(422, e.body())

    def send_batch(self, req: Request, test: bool) -> Response:
        if len(req.body) > MAX_BATCH_BYTES:
            return Response.text(413, "Payload Too Large")
        if not isinstance(req.json, list):
            return Response.json(422, {"ErrorCode": 402, "Message": "Received invalid JSON input."})
        if len(req.json) > MAX_BATCH:
            return Response.json(422, {"ErrorCode": 410,
                                       "Message": f"Too many batch messages ({len(req.json)}), "
                                                  f"the maximum is {MAX_BATCH}."})
        # Each message succeeds or fails on its own: HTTP 200 even when some (or all) failed.
        results = []
        for message in req.json:
            try:
                if not isinstance(message, dict):
                    raise Reject(402, "Received invalid JSON input.")
                results.append(self.accept(req, message, test))
            except Reject as e:
                results.append(e.body())
        return Response.json(200, results)

    def accept(self, req: Request, message: dict, test: bool) -> dict:
        """Validate one message; store it (unless sent with the test token); its 200 result."""
        self.validate(message)
        message_id = str(uuid.uuid4())
        if not test:
            self.deliveries.accepted(message_id, recipients(message, "To")[0])
            self.state.add_email({"id": message_id, "endpoint": req.path, "payload": message})
        return {"To": message["To"], "SubmittedAt": datetime.now(timezone.utc).isoformat(),
                "MessageID": message_id, "ErrorCode": 0,
                "Message": "Test job accepted" if test else "OK"}

    # --- validation ---------------------------------------------------------------------------
    def validate(self, message: dict) -> None:
        unknown = sorted(set(message) - FIELDS)
        if unknown:
            raise Reject(300, f"Invalid email request: unknown field '{unknown[0]}'.")
        sender_raw = message.get("From")
        sender = address(sender_raw) if isinstance(sender_raw, str) else None
        if sender is None:
            raise Reject(300, f"Invalid 'From' address: '{sender_raw or ''}'.")
        to, cc, bcc = (recipients(message, f) for f in ("To", "Cc", "Bcc"))
        if not to:
            raise Reject(300, "Zero recipients specified")
        recipients(message, "ReplyTo")  # validated like the others, but not a recipient
        if not isinstance(message.get("Subject"), str) or not message["Subject"].strip():
            raise Reject(300, "Invalid email request: 'Subject' is required.")
        for field in ("HtmlBody", "TextBody", "Tag"):
            if message.get(field) is not None and not isinstance(message[field], str):
                raise Reject(300, f"Invalid email request: '{field}' must be a string.")
        if not (message.get("HtmlBody") or message.get("TextBody")):
            raise Reject(300, "Provide either email TextBody or HtmlBody or both.")
        self.check_options(message)

        if sender in self.unconfirmed:
            raise Reject(401, f"Sender signature not confirmed: the 'From' address you supplied "
                              f"({sender_raw}) has not been confirmed yet.")
        if sender not in self.senders and "@" + sender.rsplit("@", 1)[1] not in self.senders:
            raise Reject(400, f"The 'From' address you supplied ({sender_raw}) is not a Sender "
                              "Signature on your account. Please add and confirm this address "
                              "in order to be able to use it in the 'From' field of your "
                              "messages.")
        stream = message.get("MessageStream", "outbound")
        if stream not in STREAMS:
            raise Reject(1235, f"The message stream '{stream}' does not exist on this server.")
        self.catch_up()
        with self.lock:
            inactive = [r for r in to + cc + bcc if r in self.inactive]
        if inactive:
            raise Reject(406, "You tried to send to recipient(s) that have been marked as "
                              f"inactive. Found inactive addresses: {', '.join(inactive)}. "
                              "Inactive recipients are ones that have generated a hard bounce, "
                              "a spam complaint, or a manual suppression.")

    @staticmethod
    def check_options(message: dict) -> None:
        headers = message.get("Headers")
        if headers is not None and not (isinstance(headers, list) and all(
                isinstance(h, dict) and set(h) == {"Name", "Value"}
                and all(isinstance(v, str) for v in h.values()) for h in headers)):
            raise Reject(300, "Invalid email request: 'Headers' must be a list of "
                              "{\"Name\", \"Value\"} string pairs.")
        if "TrackOpens" in message and not isinstance(message["TrackOpens"], bool):
            raise Reject(300, "Invalid email request: 'TrackOpens' must be true or false.")
        if "TrackLinks" in message and message["TrackLinks"] not in TRACK_LINKS:
            raise Reject(300, "Invalid email request: 'TrackLinks' must be one of "
                              f"{', '.join(TRACK_LINKS)}.")
        metadata = message.get("Metadata")
        if metadata is not None and not (isinstance(metadata, dict) and all(
                isinstance(v, str) for v in metadata.values())):
            raise Reject(300, "Invalid email request: 'Metadata' must be an object of strings.")
        attachments = message.get("Attachments")
        if attachments is not None and not (isinstance(attachments, list) and all(
                isinstance(a, dict) and all(isinstance(a.get(k), str)
                                            for k in ("Name", "Content", "ContentType"))
                and set(a) <= ATTACHMENT_FIELDS and a["Name"].strip()
                for a in attachments)):
            raise Reject(300, "Invalid email request: each attachment needs 'Name', 'Content' "
                              "and 'ContentType'.")
        for attachment in attachments or []:
            if not fakehttp.is_base64(attachment["Content"]):
                raise Reject(300, f"Invalid attachment content for '{attachment['Name']}': it "
                                  "must be Base64 encoded.")

    # --- what happened after sending ---------------------------------------------------------
    def records(self) -> dict:
        with self.state.lock:
            return {e["id"]: e for e in self.state.emails}

    def catch_up(self) -> None:
        """Turn the scripted bounces and complaints that have happened into Bounce records, and
        their addresses inactive (Postmark suppresses them for every later email)."""
        for email_id, record in self.records().items():
            for after, event, reason in self.deliveries.happened(email_id) or []:
                if event not in BOUNCE_TYPES:
                    continue
                with self.lock:
                    if email_id in self.bounces:
                        continue
                    kind, code, name = BOUNCE_TYPES[event]
                    to = recipients(record["payload"], "To")[0]
                    at = self.deliveries.accepted_at(email_id) + after
                    self.next_bounce_id += 1
                    self.bounces[email_id] = {
                        "RecordType": "Bounce", "ID": self.next_bounce_id, "Type": kind,
                        "TypeCode": code, "Name": name, "MessageID": email_id, "ServerID": 1,
                        "Description": reason or name, "Details": reason or name, "Email": to,
                        "From": address(record["payload"]["From"]),
                        "BouncedAt": datetime.fromtimestamp(at, timezone.utc).isoformat(),
                        "DumpAvailable": False, "Inactive": True, "CanActivate": True,
                        "Subject": record["payload"]["Subject"], "MessageStream":
                            record["payload"].get("MessageStream", "outbound")}
                    self.inactive.add(to)

    def message_details(self, message_id: str) -> Response:
        self.catch_up()
        record = self.records().get(message_id)
        if record is None:
            return Response.json(422, {"ErrorCode": 701,
                                       "Message": f"Message with ID '{message_id}' not found."})
        message = record["payload"]
        to = recipients(message, "To")
        accepted = self.deliveries.accepted_at(message_id)
        events = []
        for after, event, reason in self.deliveries.happened(message_id):
            at = datetime.fromtimestamp(accepted + after, timezone.utc).isoformat()
            if event == "delivered":
                events.append({"Recipient": to[0], "Type": "Delivered", "ReceivedAt": at,
                               "Details": {"DeliveryMessage": reason or "250 2.0.0 OK",
                                           "DestinationServer": "mx.example.net",
                                           "DestinationIP": "192.0.2.25"}})
            elif event == "delayed":
                events.append({"Recipient": to[0], "Type": "Transient", "ReceivedAt": at,
                               "Details": {"DeliveryMessage": reason or "451 4.2.0 try later",
                                           "DestinationServer": "mx.example.net",
                                           "DestinationIP": "192.0.2.25"}})
            else:
                with self.lock:
                    bounce = self.bounces[message_id]
                events.append({"Recipient": to[0], "Type": "Bounced", "ReceivedAt": at,
                               "Details": {"Summary": bounce["Description"],
                                           "BounceID": str(bounce["ID"])}})
        return Response.json(200, {
            "MessageID": message_id, "MessageStream": message.get("MessageStream", "outbound"),
            "From": message["From"], "To": [{"Email": t, "Name": None} for t in to],
            "Cc": [], "Bcc": [], "Recipients": to, "Subject": message["Subject"],
            "ReceivedAt": datetime.fromtimestamp(accepted, timezone.utc).isoformat(),
            "Status": "Sent", "Tag": message.get("Tag", ""), "Metadata": message.get("Metadata", {}),
            "TextBody": message.get("TextBody"), "HtmlBody": message.get("HtmlBody"),
            "Attachments": [], "MessageEvents": events})

    def one_bounce(self, bounce_id: str) -> Response:
        self.catch_up()
        with self.lock:
            for bounce in self.bounces.values():
                if str(bounce["ID"]) == bounce_id:
                    return Response.json(200, bounce)
        return Response.json(422, {"ErrorCode": 701, "Message": "Bounce not found."})

    def list_bounces(self, req: Request, test: bool) -> Response:
        """count and offset are required; filters: type, inactive, emailFilter, messageID."""
        q = req.query
        if not (q.get("count", "").isdigit() and q.get("offset", "").isdigit()):
            return Response.json(422, {"ErrorCode": 300,
                                       "Message": "The 'count' and 'offset' parameters are "
                                                  "required."})
        count, offset = int(q["count"]), int(q["offset"])
        if not 1 <= count <= MAX_BOUNCES or count + offset > MAX_BOUNCE_WINDOW:
            return Response.json(422, {"ErrorCode": 300,
                                       "Message": f"'count' must be 1-{MAX_BOUNCES} and "
                                                  f"count + offset at most {MAX_BOUNCE_WINDOW}."})
        self.catch_up()
        with self.lock:
            found = sorted(self.bounces.values(), key=lambda b: b["BouncedAt"], reverse=True)
        if "type" in q:
            found = [b for b in found if b["Type"] == q["type"]]
        if "inactive" in q:
            found = [b for b in found if b["Inactive"] == (q["inactive"].lower() == "true")]
        if "emailFilter" in q:
            found = [b for b in found if q["emailFilter"].lower() in b["Email"]]
        if "messageID" in q:
            found = [b for b in found if b["MessageID"] == q["messageID"]]
        return Response.json(200, {"TotalCount": len(found),
                                   "Bounces": found[offset:offset + count]})

    # --- control ------------------------------------------------------------------------------
    def reset(self) -> None:
        self.rate.reset()
        with self.lock:
            self.bounces.clear()
            self.inactive = set(self.inactive_at_start)

    def control_error(self, spec: dict) -> Response:
        status = spec["status"]
        body = spec.get("body", DEFAULT_FAIL_BODIES.get(
            status, {"ErrorCode": status, "Message": "Injected failure (fake Postmark)."}))
        return Response.json(status, body, spec.get("headers"))


def main() -> int:
    parser = fakehttp.argument_parser("Fake Postmark API for tests.")
    parser.add_argument("--server-token", required=True)
    parser.add_argument("--sender", action="append", default=[],
                        help="a confirmed sender signature: an address, or @domain for a whole "
                             "verified domain (repeatable)")
    parser.add_argument("--unconfirmed-sender", action="append", default=[],
                        help="a sender signature not confirmed yet (ErrorCode 401; repeatable)")
    parser.add_argument("--inactive-recipient", action="append", default=[],
                        help="a suppressed recipient (ErrorCode 406; repeatable)")
    parser.add_argument("--account-token", default=None,
                        help="the account token the account-level API (domains, senders) takes")
    parser.add_argument("--unverified-dns", action="append", default=[],
                        help="a domain whose DKIM and Return-Path are not verified (repeatable)")
    parser.add_argument("--sandbox", action="store_true",
                        help="GET /server reports DeliveryType Sandbox")
    ratelimit.rate_limit_argument(parser, "429 Rate Limit Exceeded")
    args = parser.parse_args()
    return fakehttp.serve(Postmark(args), args)


if __name__ == "__main__":
    sys.exit(main())
