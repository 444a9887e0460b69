"""Text messages, sent through a backend named by ``SMS_BACKEND``, as Django does for mail.

A backend is a class whose ``send_messages(messages)`` takes ``SMS`` objects and returns how many
it handed over; it raises on failure, so the outbox records the error. The app brings two: the
console (development) and a file per message (``SMS_FILE_PATH``, for tests and for a gateway
that picks files up). A provider's backend is a small class of the same shape (README).
"""

import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class NoBackend(Exception):
    """No SMS backend is set: nothing is sent, and the message says so."""


@dataclass(frozen=True)
class SMS:
    to: str
    body: str


class BaseBackend:
    def send_messages(self, messages: list[SMS]) -> int:
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    """Writes each message to standard output."""

    _lock = threading.Lock()

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send_messages(self, messages):
        with self._lock:
            for message in messages:
                self.stream.write(f"SMS to {message.to}\n{message.body}\n{'-' * 40}\n")
            self.stream.flush()
        return len(messages)


class FileBackend(BaseBackend):
    """Writes each message to its own file in ``SMS_FILE_PATH``."""

    def __init__(self, path=None):
        self.path = Path(path or settings.SMS_FILE_PATH)

    def send_messages(self, messages):
        self.path.mkdir(parents=True, exist_ok=True)
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
        for i, message in enumerate(messages):
            name = self.path / f"{stamp}-{i}.txt"
            name.write_text(f"To: {message.to}\n\n{message.body}\n", encoding="utf-8")
        return len(messages)


def get_backend() -> BaseBackend:
    if not settings.SMS_BACKEND:
        raise NoBackend
    return import_string(settings.SMS_BACKEND)()


def send(to: str, body: str) -> None:
    get_backend().send_messages([SMS(to=to, body=body)])
