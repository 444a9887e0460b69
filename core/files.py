"""What the commands that read a file share."""

import sys

from django.core.management.base import CommandError


def read_input(file: str) -> bytes:
    """The bytes of ``file`` ('-' is stdin), or exit 2 saying why it cannot be read."""
    try:
        if file == "-":
            return sys.stdin.buffer.read()
        with open(file, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise CommandError(f"Cannot read {file}: {exc.strerror}.", returncode=2) from None
