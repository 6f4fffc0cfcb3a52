"""A real SMTP server for tests: aiosmtpd on a free local port, keeping what it receives."""

import contextlib
from typing import Iterator, List, Tuple

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.ports import free_port

PASSWORD = b"app-password"


class Inbox:
    """An aiosmtpd handler that keeps every delivered message (and every login attempt)."""

    def __init__(self) -> None:
        self.messages: List[Tuple[str, List[str], bytes]] = []
        self.logins: List[Tuple[bytes, bytes]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        self.logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == PASSWORD)


@contextlib.contextmanager
def smtp_server(inbox: Inbox, with_login: bool = False) -> Iterator[int]:
    """Serve `inbox` on a free port (plain SMTP, no STARTTLS) and yield the port."""
    options = {"authenticator": inbox.authenticate, "auth_require_tls": False} if with_login else {}
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()
