"""Stand-ins for a render, run in the rendering processes by ``tests/test_pdf_limits.py``.

They live in a module of their own so that the spawned rendering processes can import them.
"""

import os
import resource
import tempfile
import time
from pathlib import Path


def pid_file(test_process: int) -> Path:
    """Where a slow render run for the test process writes its own process id."""
    return Path(tempfile.gettempdir()) / f"slow-render-for-{test_process}"


def slow_render(html: str) -> bytes:
    """A render that never finishes in time: it says where it runs, then just takes long."""
    pid_file(test_process=os.getppid()).write_text(str(os.getpid()))
    time.sleep(600)
    return b""


def greedy_render(html: str) -> bytes:
    """A render that wants far more memory than a rendering process may have."""
    limit = resource.getrlimit(resource.RLIMIT_AS)[0]
    hoard = bytearray(2 * limit)
    return bytes(hoard[:1])


def address_space_limit() -> int:
    return resource.getrlimit(resource.RLIMIT_AS)[0]
