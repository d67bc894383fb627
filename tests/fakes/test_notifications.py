"""Tests of the fake desktop notification server (notifications.py), each on a D-Bus session bus
of its own, called with `gdbus` exactly as a client on the bus would.

Run from the repository root: /usr/bin/python3 -m unittest discover -s tests/fakes -v
"""

import json
import os
import select
import subprocess
import tempfile
import unittest

from fakecase import PYTHON, HERE

DEST = ["--dest", "org.freedesktop.Notifications", "--object-path",
        "/org/freedesktop/Notifications"]


class Bus:
    """A private session bus (dbus-daemon), stopped by `close`."""

    def __init__(self):
        self.daemon = subprocess.Popen(
            ["dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.address = self.daemon.stdout.readline().decode().strip()
        self.env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=self.address)

    def close(self):
        self.daemon.terminate()
        self.daemon.wait()
        self.daemon.stdout.close()


class NotificationsTests(unittest.TestCase):
    def setUp(self):
        self.bus = Bus()
        self.addCleanup(self.bus.close)
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)
        self.record = os.path.join(self.dir.name, "notices.jsonl")
        self.server = self.start()
        self.assertIsNotNone(self.server, "the first server starts")

    def start(self):
        proc = subprocess.Popen([PYTHON, os.path.join(HERE, "notifications.py"), "--record",
                                 self.record], env=self.bus.env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        ready, _, _ = select.select([proc.stdout], [], [], 10)
        line = proc.stdout.readline().decode() if ready else ""
        if line.strip() != "READY":
            proc.wait(timeout=10)
            self.refused = (proc.returncode, proc.stderr.read().decode())
            proc.stdout.close()
            proc.stderr.close()
            return None
        self.addCleanup(self.stop, proc)
        return proc

    @staticmethod
    def stop(proc):
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()

    def gdbus(self, method, *args):
        return subprocess.run(["gdbus", "call", "--session", *DEST, "--method",
                               f"org.freedesktop.Notifications.{method}", *args],
                              env=self.bus.env, capture_output=True, text=True, timeout=10)

    def notify(self, summary, body, replaces="uint32 0"):
        # Typed explicitly, as a client that knows the specification sends them.
        return self.gdbus("Notify", "Cachicamo", replaces, "", summary, body, "@as []",
                          "@a{sv} {}", "int32 -1")

    def recorded(self):
        with open(self.record, encoding="utf-8") as f:
            return [json.loads(line) for line in f]

    def test_each_notify_is_recorded_with_its_summary_and_body_and_a_new_id(self):
        first = self.notify("Cobros de hoy", "2 recordatorios esperan su revisión.")
        self.assertEqual(first.returncode, 0, first.stderr)
        self.assertEqual(first.stdout.strip(), "(uint32 1,)")
        second = self.notify("Cobros de hoy", "otro")
        self.assertEqual(second.stdout.strip(), "(uint32 2,)")
        calls = self.recorded()
        self.assertEqual([(c["summary"], c["body"], c["id"]) for c in calls], [
            ("Cobros de hoy", "2 recordatorios esperan su revisión.", 1),
            ("Cobros de hoy", "otro", 2)])
        self.assertEqual(calls[0]["app_name"], "Cachicamo")
        self.assertEqual(calls[0]["expire_timeout"], -1)

    def test_replacing_a_shown_notification_keeps_its_id(self):
        self.notify("a", "b")
        again = self.notify("a", "b2", replaces="uint32 1")
        self.assertEqual(again.stdout.strip(), "(uint32 1,)")
        unknown = self.notify("a", "b3", replaces="uint32 99")
        self.assertEqual(unknown.stdout.strip(), "(uint32 2,)")

    def test_a_notify_with_the_wrong_signature_is_refused_and_not_recorded(self):
        wrong = self.gdbus("Notify", "Cachicamo", "uint32 0", "", "summary only")
        self.assertNotEqual(wrong.returncode, 0)
        self.assertIn("InvalidArgs", wrong.stderr)
        self.assertEqual(self.recorded(), [])

    def test_the_name_is_owned_by_one_server_only(self):
        self.assertIsNone(self.start(), "a second server is refused")
        code, stderr = self.refused
        self.assertEqual(code, 3)
        self.assertIn("already owned", stderr)

    def test_capabilities_information_and_closing(self):
        caps = self.gdbus("GetCapabilities")
        self.assertIn("'body'", caps.stdout)
        info = self.gdbus("GetServerInformation")
        self.assertIn("'1.2'", info.stdout)
        self.notify("a", "b")
        closed = self.gdbus("CloseNotification", "uint32 1")
        self.assertEqual(closed.returncode, 0, closed.stderr)


if __name__ == "__main__":
    unittest.main()
