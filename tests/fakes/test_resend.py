"""Tests of the fake mail servers themselves: resend.py, Resend's HTTP API.

Run from the repository root: /usr/bin/python3 -m unittest discover -s tests/fakes -v

Each server runs as a subprocess on port 0, exactly as the Rust tests start it. For every rule a
fake enforces there is a request breaking it that must be refused with the documented status and
name/code, next to a good request that must be accepted: a fake that accepts too much would let
client bugs through, one that refuses too much would make the client tests lie.
"""

import http.client
import json
import os
import ssl
import threading
import time
import unittest

from fakecase import (
    CERTS,
    call,
    HttpFakeCase,
    payload,
    read,
    Reply,
    trusting_context,
    untrusting_context,
)


FULL, RESTRICTED, OWNER = "re_full_123", "re_send_only_456", "owner@example.com"


def email(**overrides) -> dict:
    body = {"from": "Cobros <cobros@example.com>", "to": ["luis@example.net"],
            "subject": "Recordatorio", "html": "<p>Hola</p>", "text": "Hola"}
    return payload(body, overrides)


class ResendTests(HttpFakeCase):
    @classmethod
    def setUpClass(cls):
        cls.serve("resend.py", "--api-key", FULL,
                  "--restricted-key", RESTRICTED, "--domain", "example.com:verified",
                  "--domain", "pending.example:pending", "--account-email", OWNER)

    def post(self, body, path="/emails", key=FULL, **headers) -> Reply:
        return self.post_with(path, body, {"Content-Type": "application/json", "User-Agent": "cachicamo-tests/1",
                                           "Authorization": f"Bearer {key}" if key else None}, headers)

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
        # Resend's batch endpoint takes no attachments at all.
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
        self.assertError(call(self.port, "DELETE", "/emails",
                              headers={"Authorization": f"Bearer {FULL}", "User-Agent": "t"}),
                         405, "method_not_allowed")

    # --- what happened after sending ---------------------------------------------------------
    def get(self, path: str, key: str = FULL) -> Reply:
        return call(self.port, "GET", path,
                    headers={"Authorization": f"Bearer {key}", "User-Agent": "t"})

    def test_retrieve_email_follows_the_scripted_events(self):
        self.control("POST", "delivery", {"to": "Luis@example.net", "events": [
            {"after": 0, "event": "delayed"}, {"after": 0.6, "event": "delivered"}]})
        email_id = self.assertAccepted(self.post(email()))
        first = self.get(f"/emails/{email_id}")
        self.assertEqual(first.status, 200, first.raw)
        self.assertEqual((first.json["object"], first.json["id"], first.json["to"],
                          first.json["last_event"]),
                         ("email", email_id, ["luis@example.net"], "delivery_delayed"))
        self.assertEqual(first.json["text"], "Hola")
        time.sleep(0.7)
        self.assertEqual(self.get(f"/emails/{email_id}").json["last_event"], "delivered")

    def test_unscripted_email_stays_sent_and_unknown_is_not_found(self):
        email_id = self.assertAccepted(self.post(email(to="ana@example.org")))
        self.assertEqual(self.get(f"/emails/{email_id}").json["last_event"], "sent")
        self.assertError(self.get("/emails/4ef9a417-02e9-4d39-ad75-9611e0fcc33c"), 404,
                         "not_found")

    def test_bounce_and_complaint_are_last_events(self):
        self.control("POST", "delivery", {"to": "luis@example.net", "events": [
            {"event": "bounced", "reason": "550 5.1.1 no such user"}]})
        self.control("POST", "delivery", {"to": "ana@example.org", "events": [
            {"event": "delivered"}, {"after": 0.01, "event": "complained"}]})
        bounced = self.assertAccepted(self.post(email()))
        complained = self.assertAccepted(self.post(email(to="ana@example.org")))
        time.sleep(0.05)
        self.assertEqual(self.get(f"/emails/{bounced}").json["last_event"], "bounced")
        self.assertEqual(self.get(f"/emails/{complained}").json["last_event"], "complained")

    def test_test_inboxes_behave_as_named(self):
        sandbox = "onboarding@resend.dev"
        bounced = self.assertAccepted(self.post(email(**{"from": sandbox},
                                                      to="bounced+r1@resend.dev")))
        delivered = self.assertAccepted(self.post(email(**{"from": sandbox},
                                                        to="delivered@resend.dev")))
        self.assertEqual(self.get(f"/emails/{bounced}").json["last_event"], "bounced")
        self.assertEqual(self.get(f"/emails/{delivered}").json["last_event"], "delivered")

    def test_reading_emails_needs_a_full_access_key(self):
        email_id = self.assertAccepted(self.post(email(), key=RESTRICTED))
        for path in (f"/emails/{email_id}", "/emails", "/emails?limit=5"):
            self.assertError(self.get(path, key=RESTRICTED), 401, "restricted_api_key",
                             "This API key is restricted to only send emails")
        self.assertEqual(self.get(f"/emails/{email_id}").status, 200)

    def test_list_emails_newest_first_by_cursor(self):
        ids = [self.assertAccepted(self.post(email(subject=f"n{i}"))) for i in range(3)]
        page = self.get("/emails?limit=2")
        self.assertEqual(page.status, 200, page.raw)
        self.assertEqual((page.json["object"], page.json["has_more"]), ("list", True))
        self.assertEqual([e["id"] for e in page.json["data"]], [ids[2], ids[1]])
        self.assertEqual(page.json["data"][0]["last_event"], "sent")
        self.assertNotIn("html", page.json["data"][0])
        rest = self.get(f"/emails?limit=2&after={ids[1]}")
        self.assertEqual(([e["id"] for e in rest.json["data"]], rest.json["has_more"]),
                         ([ids[0]], False))
        self.assertEqual(len(self.get("/emails").json["data"]), 3)  # default limit 20
        for bad in ("limit=0", "limit=101", "limit=x", f"after={ids[0]}&before={ids[1]}",
                    "after=nope"):
            self.assertError(self.get(f"/emails?{bad}"), 422, "validation_error")

    def test_a_domain_lists_its_dns_records_for_a_full_access_key(self):
        domains = {d["name"]: d for d in self.get("/domains").json["data"]}
        verified = self.get(f"/domains/{domains['example.com']['id']}")
        self.assertEqual(verified.status, 200, verified.raw)
        self.assertEqual((verified.json["object"], verified.json["name"]), ("domain", "example.com"))
        self.assertEqual({(r["record"], r["type"], r["status"]) for r in verified.json["records"]},
                         {("SPF", "MX", "verified"), ("SPF", "TXT", "verified"),
                          ("DKIM", "TXT", "verified")})
        pending = self.get(f"/domains/{domains['pending.example']['id']}").json
        self.assertEqual({r["status"] for r in pending["records"]}, {"pending"})
        self.assertError(self.get(f"/domains/{domains['example.com']['id']}", key=RESTRICTED),
                         401, "restricted_api_key")
        self.assertError(self.get("/domains/4ef9a417-02e9-4d39-ad75-9611e0fcc33c"), 404,
                         "not_found")

    def test_control_delivery_rejects_malformed_scripts(self):
        for spec in ({"events": []}, {"to": "a@b.c"}, {"to": "a@b.c", "events": [{"event": "x"}]},
                     {"to": "a@b.c", "events": [{"event": "bounced", "after": "1"}]}):
            self.assertEqual(call(self.port, "POST", "/__control/delivery", spec).status, 400,
                             spec)

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
        cls.serve("resend.py", "--api-key", FULL, "--domain", "example.com:verified",
                  "--rate-limit", "2", "--tls-cert", CERTS["cert"], "--tls-key", CERTS["key"])

    def control(self, method, action, body=None):
        reply = call(self.port, method, f"/__control/{action}", body, context=trusting_context())
        self.assertEqual(reply.status, 200)
        return reply.json

    def send(self, context=None, path="/emails", body=None) -> Reply:
        return call(self.port, "POST", path, body or email(),
                    {"Authorization": f"Bearer {FULL}", "User-Agent": "t",
                     "Content-Type": "application/json"}, context=context or trusting_context())

    def test_a_batch_is_one_request_under_the_limit(self):
        self.control("POST", "reset")  # a fresh window: five requests span at most two
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


if __name__ == "__main__":
    unittest.main()
