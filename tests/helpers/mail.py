"""A fake mail server on a real socket, for the emails Remun sends."""

from __future__ import annotations

import email
import email.policy
import socketserver
import threading

import pytest


class _FakeSmtpHandler(socketserver.StreamRequestHandler):
    """Just enough of SMTP (RFC 5321) to take messages, over a real socket."""

    def handle(self):
        def reply(line):
            self.wfile.write(line.encode() + b"\r\n")

        reply("220 fake.example ESMTP")
        envelope = {"to": []}
        while True:
            line = self.rfile.readline().decode("utf-8", "replace").rstrip("\r\n")
            if not line:
                return
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                reply("250-fake.example")
                reply("250 8BITMIME")
            elif verb == "MAIL":
                envelope = {"from": line.split(":", 1)[1].strip(" <>"), "to": []}
                reply("250 OK")
            elif verb == "RCPT":
                envelope["to"].append(line.split(":", 1)[1].strip(" <>"))
                reply("250 OK")
            elif verb == "DATA":
                reply("354 End data with <CR><LF>.<CR><LF>")
                data = []
                while (chunk := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                    data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                envelope["message"] = email.message_from_bytes(b"".join(data), policy=email.policy.default)
                self.server.received.append(envelope)
                reply("250 OK queued")
            elif verb == "QUIT":
                reply("221 Bye")
                return
            else:
                reply("250 OK")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _FakeSmtpHandler)
    server.daemon_threads = True
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _use_mail_server(app, port):
    from remun.accounts import mail

    app.extensions["remun.smtp"] = mail.SmtpSettings.from_config({
        "REMUN_SMTP_HOST": "127.0.0.1", "REMUN_SMTP_PORT": str(port), "REMUN_SMTP_SECURITY": "none",
        "REMUN_SMTP_FROM": "remun@example.org",
    })
