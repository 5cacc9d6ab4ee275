"""A program running in a pseudo-terminal, as a person at a real terminal runs it."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import termios
import time


class Terminal:
    """Starts ``argv`` in a pty of ``size`` (columns, rows); reads what it draws; types keys."""

    def __init__(self, argv: list[str], size: tuple[int, int] = (120, 36), env: dict | None = None) -> None:
        self.started = time.perf_counter()
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: become the program
            os.execvpe(argv[0], argv, env if env is not None else os.environ)
        columns, rows = size
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.output = b""

    def wait_for(self, *markers: bytes, timeout: float = 10, since: int = 0) -> float:
        """Read until every marker has appeared (after the first ``since`` bytes drawn); returns
        seconds since the start."""
        deadline = time.perf_counter() + timeout
        while not all(marker in self.output[since:] for marker in markers):
            left = deadline - time.perf_counter()
            ready, _, _ = select.select([self.fd], [], [], max(left, 0))
            if not ready:
                raise TimeoutError(f"{markers} not drawn within {timeout} s")
            try:
                self.output += os.read(self.fd, 65536)
            except OSError:  # the program exited
                raise TimeoutError(f"the program ended before drawing {markers}") from None
        return time.perf_counter() - self.started

    def find(self, pattern: bytes) -> re.Match[bytes]:
        """The first match of ``pattern`` in what was drawn so far."""
        match = re.search(pattern, self.output)
        assert match is not None, pattern
        return match

    def press(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def kill(self) -> None:
        """SIGKILL: no cleanup, no flush, as when a laptop's process is killed."""
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        os.close(self.fd)
