"""What an email body must look like for Resend to take it, as docs/providers.md ("Resend") and
the API reference say: the fields it knows, required ones, addresses ("addr" or "Name <addr>", at
most 50 per field), headers, tags, attachments and what a batch may not carry; and the
{"statusCode","message","name"} shape every refusal takes. Nothing here depends on the account
(keys, verified domains, the sandbox sender): resend.py checks those after.

It must never let through a body the real Resend would refuse: where the rule is unknown it is at
least as strict (unknown fields are refused).
"""

import re

import fakehttp
from fakehttp import Response

EMAIL_FIELDS = {"from", "to", "subject", "html", "text", "cc", "bcc", "reply_to", "headers",
                "tags", "attachments", "scheduled_at"}
BATCH_FORBIDDEN = ("attachments", "scheduled_at")
ATTACHMENT_FIELDS = {"content", "filename", "path", "content_type", "content_id"}
MAX_RECIPIENTS = 50

ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                     r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
NAMED_ADDRESS = re.compile(r"^(?P<name>[^<>]*?)\s*<(?P<addr>[^<>]+)>$")
TAG_PART = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class Reject(Exception):
    """A request (or one email of a batch) refused with Resend's error shape."""

    def __init__(self, status: int, name: str, message: str, headers: dict = None):
        super().__init__(message)
        self.status, self.name, self.message, self.headers = status, name, message, headers

    def response(self) -> Response:
        return error(self.status, self.name, self.message, self.headers)


def error(status: int, name: str, message: str, headers: dict = None) -> Response:
    return Response.json(status, {"statusCode": status, "message": message, "name": name}, headers)


def parse_address(value) -> str:
    """The bare address of "addr" or "Name <addr>" (lower-cased), or None if malformed."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    named = NAMED_ADDRESS.match(value)
    addr = named.group("addr").strip() if named else value
    return addr.lower() if ADDRESS.match(addr) else None


def check(email, batch: bool = False) -> tuple:
    """Refuses (`Reject`) an email body Resend would refuse; its sender and recipients (bare,
    lower-cased) when it passes, for the account's own checks (verified domains, sandbox)."""
    if not isinstance(email, dict):
        raise Reject(422, "validation_error",
                     "Each email of a batch must be a JSON object." if batch
                     else "The request body must be a JSON object.")
    unknown = sorted(set(email) - EMAIL_FIELDS)
    if unknown:
        raise Reject(422, "validation_error", f"Unknown field `{unknown[0]}`.")
    if batch:
        for field in BATCH_FORBIDDEN:
            if field in email:
                raise Reject(422, "validation_error",
                             f"The `{field}` field is not supported in batch emails.")
    for field in ("from", "to", "subject"):
        if email.get(field) in (None, "", []):
            raise Reject(422, "missing_required_field", f"Missing `{field}` field.")
    if all(email.get(f) in (None, "") for f in ("html", "text")):
        raise Reject(422, "missing_required_field", "Missing `html` or `text` field.")
    for field in ("subject", "html", "text", "scheduled_at"):
        if email.get(field) is not None and not isinstance(email[field], str):
            raise Reject(422, "validation_error", f"The `{field}` field must be a string.")

    sender = parse_address(email["from"])
    if sender is None:
        raise Reject(422, "validation_error",
                     "Invalid `from` field. The email address needs to follow the "
                     "`email@example.com` or `Name <email@example.com>` format.")
    recipients = []
    for field in ("to", "cc", "bcc", "reply_to"):
        addresses = address_list(email, field)
        if field != "reply_to":
            recipients += addresses
    check_headers(email.get("headers"))
    check_tags(email.get("tags"))
    check_attachments(email.get("attachments"))
    return sender, recipients

def address_list(email: dict, field: str) -> list:
    value = email.get(field)
    if value is None:
        return []
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list):
        raise Reject(422, "validation_error",
                     f"The `{field}` field must be a string or an array of strings.")
    if len(values) > MAX_RECIPIENTS:
        raise Reject(422, "validation_error",
                     f"Too many recipients in `{field}`: {len(values)} (the maximum is "
                     f"{MAX_RECIPIENTS}).")
    addresses = [parse_address(v) for v in values]
    for raw, addr in zip(values, addresses):
        if addr is None:
            raise Reject(422, "validation_error",
                         f"Invalid `{field}` field. The email address needs to follow the "
                         "`email@example.com` or `Name <email@example.com>` format: "
                         f"{raw!r}.")
    return addresses

def check_headers(headers) -> None:
    if headers is None:
        return
    if not isinstance(headers, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in headers.items()):
        raise Reject(422, "validation_error",
                     "The `headers` field must be an object of string values.")

def check_tags(tags) -> None:
    if tags is None:
        return
    if not isinstance(tags, list):
        raise Reject(422, "validation_error", "The `tags` field must be an array.")
    for tag in tags:
        if not (isinstance(tag, dict) and set(tag) <= {"name", "value"} and "name" in tag):
            raise Reject(422, "validation_error",
                         "Each tag must be an object with a `name` and a `value`.")
        for part in ("name", "value"):
            if part in tag and not (isinstance(tag[part], str) and TAG_PART.match(tag[part])):
                raise Reject(422, "validation_error",
                             f"The tag {part} {tag[part]!r} must only contain ASCII letters "
                             "(a-z, A-Z), numbers (0-9), underscores (_), or dashes (-), and "
                             "be at most 256 characters long.")

def check_attachments(attachments) -> None:
    """Each attachment: base64 `content` (or a `path` URL) and its `filename`."""
    if attachments is None:
        return
    if not isinstance(attachments, list):
        raise Reject(422, "validation_error", "The `attachments` field must be an array.")
    for attachment in attachments:
        if not (isinstance(attachment, dict)
                and isinstance(attachment.get("content") or attachment.get("path"), str)):
            raise Reject(422, "invalid_attachment",
                         "Attachment must have either a `content` or `path`.")
        unknown = sorted(set(attachment) - ATTACHMENT_FIELDS)
        if unknown:
            raise Reject(422, "validation_error",
                         f"Unknown attachment field `{unknown[0]}`.")
        name = attachment.get("filename")
        if not (isinstance(name, str) and name.strip()):
            raise Reject(422, "validation_error", "An attachment needs its `filename`.")
        if "content" in attachment and not fakehttp.is_base64(attachment["content"]):
            raise Reject(422, "validation_error",
                         "An attachment's `content` must be Base64 encoded.")
