"""A real SMTP server for tests (aiosmtpd), storing each accepted message as a
file. It waits a little before accepting, like a real relay, so a worker
killed at a random moment is often caught mid-conversation.

usage: smtp_sink.py <port> <mail dir> <delay seconds>
"""
import asyncio
import itertools
import os
import sys
import time

from aiosmtpd.controller import Controller

COUNTER = itertools.count()


class Store:
    def __init__(self, directory, delay):
        self.directory = directory
        self.delay = delay

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(self.delay)
        name = "%d-%d.eml" % (time.time_ns(), next(COUNTER))
        tmp = os.path.join(self.directory, name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(envelope.original_content or envelope.content)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, os.path.join(self.directory, name))
        return "250 Message accepted for delivery"


def main():
    port, directory, delay = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    os.makedirs(directory, exist_ok=True)
    controller = Controller(Store(directory, delay), hostname="127.0.0.1", port=port)
    controller.start()
    print("READY", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
