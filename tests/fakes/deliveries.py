"""What happens to accepted emails after they leave, as the fake providers tell it (resend.py's
`last_event`, postmark.py's bounces and message events): scripted per recipient by the tests
through POST /__control/delivery (see fakehttp.py) in neutral words — delivered, delayed,
bounced, complained — that each fake words in its provider's vocabulary.

It never decides what a provider answers; it only remembers when each email was accepted and
which of its recipient's scripted events have taken place by now.
"""

import threading
import time

DELIVERY_EVENTS = ("delivered", "delayed", "bounced", "complained")


class Deliveries:
    """What happens to accepted emails after they leave, scripted per recipient by the tests
    (POST /__control/delivery) in neutral words that each fake translates to its provider's:
    an accepted email remembers when it was accepted and the script of its recipient then, and
    `happened()` answers which of its events have taken place by now."""

    def __init__(self):
        self.lock = threading.Lock()
        self.scripts = {}  # lower-cased address -> [(after, event, reason)]
        self.sent = {}  # email id -> {"at", "to", "events"}

    def script(self, spec) -> str:
        """Store a script; an error message if the spec is malformed."""
        if not (isinstance(spec, dict) and isinstance(spec.get("to"), str)
                and isinstance(spec.get("events"), list)):
            return 'expected {"to": ADDR, "events": [...]}'
        events = []
        for event in spec["events"]:
            if not (isinstance(event, dict) and event.get("event") in DELIVERY_EVENTS
                    and isinstance(event.get("after", 0), (int, float))
                    and isinstance(event.get("reason", ""), str)):
                return f"each event: {{\"event\": {'|'.join(DELIVERY_EVENTS)}, \"after\": S, " \
                       f"\"reason\": R}}, not {event!r}"
            events.append((float(event.get("after", 0)), event["event"], event.get("reason", "")))
        with self.lock:
            self.scripts[spec["to"].strip().lower()] = sorted(events, key=lambda e: e[0])
        return None

    def accepted(self, email_id: str, to: str, default=()) -> None:
        """An email to `to` was accepted now: it follows that address's script (or `default`)."""
        with self.lock:
            events = self.scripts.get(to.lower(), list(default))
            self.sent[email_id] = {"at": time.time(), "to": to.lower(), "events": events}

    def happened(self, email_id: str) -> list:
        """(seconds since acceptance, event, reason) of the events that took place so far, in
        order; None for an unknown email."""
        with self.lock:
            sent = self.sent.get(email_id)
        if sent is None:
            return None
        age = time.time() - sent["at"]
        return [e for e in sent["events"] if e[0] <= age]

    def accepted_at(self, email_id: str) -> float:
        with self.lock:
            return self.sent[email_id]["at"]

    def clear(self) -> None:
        with self.lock:
            self.scripts.clear()
            self.sent.clear()
