"""Tests of the fake mail servers themselves: postmark.py, Postmark's HTTP API.

Run from the repository root: /usr/bin/python3 -m unittest discover -s tests/fakes -v

Each server runs as a subprocess on port 0, exactly as the Rust tests start it. For every rule a
fake enforces there is a request breaking it that must be refused with the documented status and
name/code, next to a good request that must be accepted: a fake that accepts too much would let
client bugs through, one that refuses too much would make the client tests lie.
"""

import http.client
import json
import os
import time
import unittest

from fakecase import call, HttpFakeCase, payload, read, Reply, Server


TOKEN = "pm-server-token-1"
ACCOUNT_TOKEN = "pm-account-token-1"


def pm_email(**overrides) -> dict:
    body = {"From": "Cobros <cobros@example.com>", "To": "luis@example.net",
            "Subject": "Recordatorio", "HtmlBody": "<p>Hola</p>", "TextBody": "Hola",
            "MessageStream": "outbound"}
    return payload(body, overrides)


class PostmarkTests(HttpFakeCase):
    @classmethod
    def setUpClass(cls):
        cls.serve("postmark.py", "--server-token", TOKEN,
                  "--sender", "cobros@example.com", "--sender", "@example.org",
                  "--unconfirmed-sender", "new@example.com",
                  "--inactive-recipient", "bounced@example.net",
                  "--account-token", ACCOUNT_TOKEN, "--unverified-dns", "example.com")
        cls.sandbox = Server("postmark.py", "--state-dir", cls.state_dir("sandbox"),
                             "--server-token", TOKEN, "--sandbox")
        cls.servers = (cls.server, cls.sandbox)

    def post(self, body, path="/email", token=TOKEN, **headers) -> Reply:
        return self.post_with(path, body, {"Accept": "application/json", "Content-Type": "application/json",
                                           "X-Postmark-Server-Token": token}, headers)

    def assertError(self, reply: Reply, code: int, status: int = 422):
        self.assertEqual(reply.status, status, reply.raw)
        self.assertEqual(reply.json["ErrorCode"], code, reply.raw)
        return reply.json["Message"]

    def assertAccepted(self, reply: Reply, message="OK") -> str:
        self.assertEqual(reply.status, 200, reply.raw)
        self.assertEqual((reply.json["ErrorCode"], reply.json["Message"]), (0, message))
        self.assertRegex(reply.json["MessageID"], r"^[0-9a-f]{8}-[0-9a-f]{4}-4")
        return reply.json["MessageID"]

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

    # --- what happened after sending ---------------------------------------------------------
    def get(self, path: str, token: str = TOKEN) -> Reply:
        return call(self.port, "GET", path, headers={"Accept": "application/json",
                                                     "X-Postmark-Server-Token": token})

    def test_details_carry_the_scripted_message_events(self):
        self.control("POST", "delivery", {"to": "luis@example.net", "events": [
            {"after": 0, "event": "delayed", "reason": "451 4.2.0 mailbox busy"},
            {"after": 0.6, "event": "delivered"}]})
        message_id = self.assertAccepted(self.post(pm_email()))
        first = self.get(f"/messages/outbound/{message_id}/details")
        self.assertEqual(first.status, 200, first.raw)
        self.assertEqual((first.json["MessageID"], first.json["Recipients"]),
                         (message_id, ["luis@example.net"]))
        [delay] = first.json["MessageEvents"]
        self.assertEqual((delay["Type"], delay["Recipient"], delay["Details"]["DeliveryMessage"]),
                         ("Transient", "luis@example.net", "451 4.2.0 mailbox busy"))
        time.sleep(0.7)
        events = self.get(f"/messages/outbound/{message_id}/details").json["MessageEvents"]
        self.assertEqual([e["Type"] for e in events], ["Transient", "Delivered"])

    def test_details_of_an_unknown_message(self):
        self.assertError(self.get("/messages/outbound/4ef9a417-02e9-4d39-ad75-9611e0fcc33c"
                                  "/details"), 701)
        self.assertEqual(self.get("/bounces?count=1&offset=0", token="wrong").status, 401)

    def test_hard_bounce_is_a_bounce_record_and_makes_the_address_inactive(self):
        self.control("POST", "delivery", {"to": "luis@example.net", "events": [
            {"event": "bounced", "reason": "550 5.1.1 The email account does not exist"}]})
        message_id = self.assertAccepted(self.post(pm_email()))
        [event] = self.get(f"/messages/outbound/{message_id}/details").json["MessageEvents"]
        self.assertEqual((event["Type"], event["Details"]["Summary"]),
                         ("Bounced", "550 5.1.1 The email account does not exist"))
        bounce = self.get(f"/bounces/{event['Details']['BounceID']}").json
        self.assertEqual((bounce["Type"], bounce["Email"], bounce["MessageID"], bounce["Inactive"],
                          bounce["CanActivate"]),
                         ("HardBounce", "luis@example.net", message_id, True, True))
        listed = self.get(f"/bounces?count=10&offset=0&messageID={message_id}").json
        self.assertEqual((listed["TotalCount"], listed["Bounces"][0]["ID"]), (1, bounce["ID"]))
        self.assertEqual(self.get("/bounces?count=10&offset=0&type=SpamComplaint")
                         .json["TotalCount"], 0)
        message = self.assertError(self.post(pm_email()), 406)
        self.assertIn("luis@example.net", message)

    def test_spam_complaint_is_a_bounce_of_its_own_type(self):
        self.control("POST", "delivery", {"to": "ana@example.org", "events": [
            {"event": "delivered"}, {"after": 0.01, "event": "complained"}]})
        self.assertAccepted(self.post(pm_email(To="ana@example.org")))
        time.sleep(0.05)
        listed = self.get("/bounces?count=10&offset=0&emailFilter=ana@example.org").json
        self.assertEqual([b["Type"] for b in listed["Bounces"]], ["SpamComplaint"])
        self.assertError(self.post(pm_email(To="ana@example.org")), 406)

    def test_bounces_needs_count_and_offset(self):
        for query in ("", "?count=10", "?offset=0", "?count=0&offset=0", "?count=501&offset=0",
                      "?count=500&offset=9600"):
            self.assertError(self.get(f"/bounces{query}"), 300)
        self.assertEqual(self.get("/bounces?count=500&offset=0").json,
                         {"TotalCount": 0, "Bounces": []})

    # --- the account-level API --------------------------------------------------------------
    def account(self, path: str, token=ACCOUNT_TOKEN, accept="application/json") -> Reply:
        headers = {"Accept": accept}
        if token is not None:
            headers["X-Postmark-Account-Token"] = token
        return call(self.port, "GET", path, headers=headers)

    def test_domains_and_signatures_need_the_account_token(self):
        for token in (None, "wrong", TOKEN):
            self.assertError(self.account("/domains?count=500&offset=0", token=token), 10, 401)
        reply = call(self.port, "GET", "/senders?count=500&offset=0",
                     headers={"Accept": "application/json", "X-Postmark-Server-Token": TOKEN})
        self.assertError(reply, 10, 401)
        self.assertEqual(self.account("/domains?count=1&offset=0", accept="*/*").status, 415)

    def test_domains_and_signatures_list_with_count_and_offset(self):
        for query in ("", "?count=10", "?offset=0", "?count=0&offset=0", "?count=501&offset=0"):
            self.assertError(self.account(f"/senders{query}"), 300)
        domains = self.account("/domains?count=500&offset=0").json
        self.assertEqual(domains["TotalCount"], 1)
        [domain] = domains["Domains"]
        self.assertEqual((domain["Name"], domain["DKIMVerified"]), ("example.org", True))
        senders = self.account("/senders?count=500&offset=0").json
        found = {s["EmailAddress"]: s["Confirmed"] for s in senders["SenderSignatures"]}
        self.assertEqual(found, {"cobros@example.com": True, "new@example.com": False})
        self.assertEqual(self.account("/senders?count=1&offset=1").json["TotalCount"], 2)
        self.assertEqual(len(self.account("/senders?count=1&offset=1").json["SenderSignatures"]), 1)

    def test_a_domain_or_signature_in_detail_says_what_dmarc_needs(self):
        [domain] = self.account("/domains?count=500&offset=0").json["Domains"]
        detail = self.account(f"/domains/{domain['ID']}").json
        self.assertEqual((detail["DKIMVerified"], detail["ReturnPathDomainVerified"]), (True, True))
        self.assertEqual(detail["ReturnPathDomain"], "pm-bounces.example.org")
        senders = self.account("/senders?count=500&offset=0").json["SenderSignatures"]
        cobros = next(s for s in senders if s["EmailAddress"] == "cobros@example.com")
        detail = self.account(f"/senders/{cobros['ID']}").json
        self.assertEqual((detail["Confirmed"], detail["DKIMVerified"],
                          detail["ReturnPathDomainVerified"]), (True, False, False))
        self.assertError(self.account("/senders/999"), 501)
        self.assertError(self.account("/domains/abc"), 501)

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
        reply = self.post([pm_email(Attachments=[pdf]),
                           pm_email(Attachments=[dict(pdf, Content="")])], path="/email/batch")
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



class PostmarkRateLimitTests(HttpFakeCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server("postmark.py", "--state-dir", cls.state_dir("postmark"),
                            "--server-token", TOKEN, "--sender", "cobros@example.com",
                            "--rate-limit", "2")
        cls.servers = (cls.server,)
        cls.port = cls.server.port

    def send(self, body, path="/email") -> Reply:
        return call(self.port, "POST", path, body,
                    {"Accept": "application/json", "Content-Type": "application/json",
                     "X-Postmark-Server-Token": TOKEN})

    def test_rate_limit(self):
        self.control("POST", "reset")  # a fresh window: five requests span at most two
        replies = [self.send(pm_email()) for _ in range(5)]
        limited = [r for r in replies if r.status == 429]
        self.assertTrue(limited, [r.status for r in replies])
        # A bare 429, as documented: no ErrorCode to go by, no Retry-After.
        self.assertTrue(limited[0].headers["content-type"].startswith("text/plain"))
        self.assertNotIn("retry-after", limited[0].headers)
        self.assertEqual(len(self.control("GET", "emails")),
                         len([r for r in replies if r.status == 200]), "a 429 sends nothing")

    def test_a_batch_is_one_request_under_the_limit(self):
        self.control("POST", "reset")
        replies = [self.send([pm_email(), pm_email()], path="/email/batch") for _ in range(5)]
        self.assertTrue([r for r in replies if r.status == 429], [r.status for r in replies])
        accepted = [r for r in replies if r.status == 200]
        self.assertTrue(accepted)
        self.assertEqual([r["ErrorCode"] for r in accepted[0].json], [0, 0],
                         "two emails, one request")


if __name__ == "__main__":
    unittest.main()
