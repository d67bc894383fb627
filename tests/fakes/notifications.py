#!/usr/bin/python3
"""A desktop notification server for Cachicamo's tests: it owns `org.freedesktop.Notifications`
on the session bus (DBUS_SESSION_BUS_ADDRESS) and records each Notify call, as the Desktop
Notifications Specification 1.2 defines it, one JSON line per call in `--record FILE`
(`app_name`, `replaces_id`, `app_icon`, `summary`, `body`, `actions`, `hints` (names only),
`expire_timeout`, and the `id` it answered).

Rules it enforces, as a real server does: the bus name is owned exclusively (a second server
exits with status 3 and says so); Notify takes exactly the signature `susssasa{sv}i` (anything else
gets org.freedesktop.DBus.Error.InvalidArgs and is not recorded); ids are non-zero and increase;
`replaces_id` naming a shown notification keeps its id. GetCapabilities, GetServerInformation and
CloseNotification (which emits NotificationClosed with reason 3) answer too.

Prints `READY` on stdout once it owns the name; exits with status 0 on SIGTERM/SIGINT.
Debian's /usr/bin/python3 with python3-dbus and python3-gi.
"""

import argparse
import json
import signal
import sys

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
NOTIFY_SIGNATURE = "susssasa{sv}i"


class InvalidArgs(dbus.DBusException):
    _dbus_error_name = "org.freedesktop.DBus.Error.InvalidArgs"


def signature_of(value) -> str:
    """The D-Bus signature of one argument as dbus-python received it."""
    simple = {dbus.String: "s", dbus.UInt32: "u", dbus.Int32: "i", dbus.Boolean: "b",
              dbus.Byte: "y", dbus.Int64: "x", dbus.UInt64: "t", dbus.Double: "d"}
    for kind, code in simple.items():
        if isinstance(value, kind):
            return code
    if isinstance(value, dbus.Array):
        return "a" + str(value.signature)
    if isinstance(value, dbus.Dictionary):
        return "a{" + str(value.signature) + "}"
    return "?"


class Server(dbus.service.Object):
    def __init__(self, bus: dbus.Bus, record: str):
        super().__init__(bus, PATH)
        self.record = record
        self.last_id = 0
        self.shown: set[int] = set()

    # No in_signature: dbus-python would then call with whatever arrived; the arguments' own
    # D-Bus types are checked instead.
    @dbus.service.method(NAME, out_signature="u")
    def Notify(self, *args):
        received = "".join(signature_of(a) for a in args)
        if received != NOTIFY_SIGNATURE:
            raise InvalidArgs(f"Notify takes ({NOTIFY_SIGNATURE}), not ({received})")
        app_name, replaces_id, app_icon, summary, body, actions, hints, expire_timeout = args
        if replaces_id and int(replaces_id) in self.shown:
            notification_id = int(replaces_id)
        else:
            self.last_id += 1
            notification_id = self.last_id
        self.shown.add(notification_id)
        entry = {
            "id": notification_id,
            "app_name": str(app_name),
            "replaces_id": int(replaces_id),
            "app_icon": str(app_icon),
            "summary": str(summary),
            "body": str(body),
            "actions": [str(a) for a in actions],
            "hints": sorted(str(k) for k in hints.keys()),
            "expire_timeout": int(expire_timeout),
        }
        with open(self.record, "a", encoding="utf-8") as f:
            f.write(json.dumps(entry, ensure_ascii=False) + "\n")
        return dbus.UInt32(notification_id)

    @dbus.service.method(NAME, in_signature="", out_signature="as")
    def GetCapabilities(self):
        return ["body", "actions"]

    @dbus.service.method(NAME, in_signature="", out_signature="ssss")
    def GetServerInformation(self):
        return ("cachicamo-fake-notifications", "Cachicamo", "1.0", "1.2")

    @dbus.service.method(NAME, in_signature="u", out_signature="")
    def CloseNotification(self, notification_id):
        if int(notification_id) in self.shown:
            self.shown.discard(int(notification_id))
            self.NotificationClosed(notification_id, dbus.UInt32(3))

    @dbus.service.signal(NAME, signature="uu")
    def NotificationClosed(self, notification_id, reason):
        pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--record", required=True, help="file the Notify calls are appended to")
    args = parser.parse_args()
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    reply = bus.request_name(NAME, dbus.bus.NAME_FLAG_DO_NOT_QUEUE)
    if reply != dbus.bus.REQUEST_NAME_REPLY_PRIMARY_OWNER:
        print(f"{NAME} is already owned on this bus", file=sys.stderr)
        return 3
    open(args.record, "a").close()
    server = Server(bus, args.record)  # noqa: F841 (exported while the loop runs)
    loop = GLib.MainLoop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    print("READY", flush=True)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
