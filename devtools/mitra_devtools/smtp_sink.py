"""A local SMTP server that keeps every message it receives as an `.eml` file, for machines without a mail server.

python -m mitra_devtools.smtp_sink --port 1025 --directory var/mail
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import time
import uuid
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class MaildirHandler:
    """Writes each accepted message to its own file, named so that `ls` lists them in arrival order."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}.eml"
        path = self.directory / name
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(content)
        temporary.rename(path)  # readers never see half a message
        subject = str(make_header(decode_header(message_from_bytes(content).get("Subject", ""))))
        print(f"mail to {', '.join(envelope.rcpt_tos)}: {subject} -> {path}", flush=True)
        return "250 Message accepted for delivery"


def start(directory: Path, host: str = "127.0.0.1", port: int = 1025) -> Controller:
    controller = Controller(MaildirHandler(directory), hostname=host, port=port)
    controller.start()
    return controller


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--directory", type=Path, default=Path("var/mail"))
    args = parser.parse_args(argv)
    controller = start(args.directory, args.host, args.port)
    print(f"SMTP sink on {args.host}:{args.port}, keeping messages in {args.directory.resolve()}", flush=True)

    async def wait_for_signal() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()

    try:
        asyncio.run(wait_for_signal())
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
