"""A real SMTP server on loopback for Loket's tests (aiosmtpd, Debian's python3-aiosmtpd).

Every accepted message is written to DIR as one .eml file, next to a .txt with its decoded subject and text parts (atomically: temporary name, then rename), with two
headers in front: X-Sink-Rcpt (the envelope recipients) and X-Sink-Received-Ms (when the server answered 250,
in Unix milliseconds). Recipients whose local part starts with "onbekend" are refused with 550 (a permanent
failure), "vol" with 452 (a transient one); so is any address listed in DIR/refuse (one per line, read on every
RCPT), so a test can make an address that worked before fail from now on. Prints "READY <port>" once it accepts connections and exits when
the process that started it is gone.

Usage: python3 smtp_sink.py DIR
"""

import os
import socket
import sys
import threading
import time
import uuid
from email import policy
from email.parser import BytesParser

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory):
        self.directory = directory

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("onbekend"):
            return "550 5.1.1 Mailbox unknown"
        if local.startswith("vol"):
            return "452 4.2.2 Mailbox full, try again later"
        try:
            with open(os.path.join(self.directory, "refuse"), encoding="utf-8") as listed:
                if address.lower() in (line.strip().lower() for line in listed):
                    return "550 5.1.1 Mailbox unknown"
        except FileNotFoundError:
            pass
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        received_ms = int(time.time() * 1000)
        name = f"{time.time_ns()}-{uuid.uuid4().hex}.eml"
        head = (
            f"X-Sink-Rcpt: {','.join(envelope.rcpt_tos)}\r\n"
            f"X-Sink-Received-Ms: {received_ms}\r\n"
        ).encode()
        raw = envelope.original_content or envelope.content
        # A decoded copy (subject and every text part) for tests that read what the resident reads.
        parsed = BytesParser(policy=policy.default).parsebytes(raw)
        parts = [f"Subject: {parsed['subject']}"]
        for part in parsed.walk():
            if part.get_content_maintype() == "text":
                parts.append(part.get_content())
        text_tmp = os.path.join(self.directory, "." + name + ".txt.tmp")
        with open(text_tmp, "w", encoding="utf-8") as out:
            out.write("\n\n".join(parts))
        os.rename(text_tmp, os.path.join(self.directory, name[:-4] + ".txt"))
        tmp = os.path.join(self.directory, "." + name + ".tmp")
        with open(tmp, "wb") as out:
            out.write(head + raw)
        os.rename(tmp, os.path.join(self.directory, name))
        return "250 2.0.0 Message accepted"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def watch_parent():
    parent = os.getppid()
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(0)


def main():
    directory = sys.argv[1]
    os.makedirs(directory, exist_ok=True)
    port = free_port()
    controller = Controller(Sink(directory), hostname="127.0.0.1", port=port, data_size_limit=10_000_000)
    controller.start()
    print(f"READY {port}", flush=True)
    threading.Thread(target=watch_parent, daemon=True).start()
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
