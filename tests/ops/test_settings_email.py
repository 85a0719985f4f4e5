"""Alert email in production: EMAIL_URL (or the EMAIL_* parts) reach Django, and mail really goes out.

Each case starts a fresh process with production settings (DEBUG=false), as gunicorn and the Celery
worker would, and a small SMTP server on loopback receives what the app sends.
"""

import base64
import json
import os
import secrets
import socketserver
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from tests.paths import ROOT

SHOW = (
    "import django, json; django.setup(); from django.conf import settings as s;"
    "print(json.dumps({k: getattr(s, k) for k in ('EMAIL_BACKEND', 'EMAIL_HOST', 'EMAIL_PORT',"
    " 'EMAIL_HOST_USER', 'EMAIL_HOST_PASSWORD', 'EMAIL_USE_TLS', 'EMAIL_USE_SSL', 'EMAIL_TIMEOUT',"
    " 'DEFAULT_FROM_EMAIL', 'SERVER_EMAIL')}))"
)


def django_process(code: str, *, production: bool = True, **env: str) -> subprocess.CompletedProcess:
    full = {
        k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "DEFAULT_FROM", "SERVER_EMAIL"))
    }
    full.pop("DEBUG", None)
    full.update(DJANGO_SETTINGS_MODULE="tracker.settings", LOG_LEVEL="ERROR")
    if production:
        full.update(DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="redlines.example.org")
    full.update(env)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=full, capture_output=True, text=True, timeout=60
    )


def email_settings(**env: str) -> dict:
    result = django_process(SHOW, **env)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_takes_the_mail_server_from_email_url():
    found = email_settings(
        EMAIL_URL="smtp+tls://alerts%40example.org:s3cr%2Ft%3Apass@smtp.example.org:587",
        DEFAULT_FROM_EMAIL="Red Line Tracker <alerts@example.org>",
    )
    assert found == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.org",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "alerts@example.org",
        "EMAIL_HOST_PASSWORD": "s3cr/t:pass",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 10,
        "DEFAULT_FROM_EMAIL": "Red Line Tracker <alerts@example.org>",
        "SERVER_EMAIL": "Red Line Tracker <alerts@example.org>",
    }
    assert email_settings(EMAIL_URL="smtp+ssl://u:p@smtp.example.org:465")["EMAIL_USE_SSL"] is True


def test_production_takes_the_mail_server_from_its_parts():
    found = email_settings(
        EMAIL_HOST="mail.example.org",
        EMAIL_PORT="2525",
        EMAIL_HOST_USER="newsroom",
        EMAIL_HOST_PASSWORD="pw",
        EMAIL_USE_TLS="true",
        EMAIL_TIMEOUT="5",
        DEFAULT_FROM_EMAIL="alerts@example.org",
        SERVER_EMAIL="errors@example.org",
    )
    assert found["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (found["EMAIL_HOST"], found["EMAIL_PORT"], found["EMAIL_HOST_USER"]) == (
        "mail.example.org",
        2525,
        "newsroom",
    )
    assert (found["EMAIL_USE_TLS"], found["EMAIL_TIMEOUT"], found["SERVER_EMAIL"]) == (
        True,
        5,
        "errors@example.org",
    )


def test_production_sends_by_smtp_and_development_prints_mail_on_the_console():
    assert email_settings()["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    dev = django_process(SHOW, production=False)
    assert json.loads(dev.stdout.strip().splitlines()[-1])["EMAIL_BACKEND"].endswith("console.EmailBackend")


def test_starttls_and_implicit_tls_together_are_refused():
    result = django_process(SHOW, EMAIL_USE_TLS="true", EMAIL_USE_SSL="true")
    assert result.returncode != 0 and "exclude each other" in result.stderr


class SMTPCatcher(socketserver.ThreadingTCPServer):
    """Just enough SMTP (EHLO, AUTH PLAIN, MAIL, RCPT, DATA) to see what the app sends."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        self.logins: list[str] = []
        self.messages: list[str] = []
        super().__init__(("127.0.0.1", 0), SMTPSession)


class SMTPSession(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        self.reply("220 catcher ESMTP")
        while line := self.rfile.readline().decode().rstrip("\r\n"):
            verb = line.split(" ", 1)[0].upper()
            if verb == "EHLO":
                self.reply("250-catcher")
                self.reply("250 AUTH PLAIN")
            elif verb == "AUTH":
                self.server.logins.append(base64.b64decode(line.split()[2]).decode())
                self.reply("235 2.7.0 Authentication successful")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while (body := self.rfile.readline().decode()) not in (".\r\n", ""):
                    lines.append(body)
                self.server.messages.append("".join(lines))
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("250 OK")


@pytest.fixture
def smtp() -> Iterator[SMTPCatcher]:
    server = SMTPCatcher()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def test_under_production_settings_mail_goes_out_through_the_configured_server(smtp):
    port = smtp.server_address[1]
    result = django_process(
        "import django; django.setup(); from django.core.mail import send_mail;"
        "print(send_mail('Red line now crossed', 'A followed line changed.', None, ['reader@example.org']))",
        EMAIL_URL=f"smtp://alerts%40example.org:p%40ss@127.0.0.1:{port}",
        DEFAULT_FROM_EMAIL="alerts@example.org",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "1"
    assert smtp.logins == ["\0alerts@example.org\0p@ss"]
    [message] = smtp.messages
    assert "From: alerts@example.org" in message and "To: reader@example.org" in message
    assert "Subject: Red line now crossed" in message
