"""Drive a command in a pseudo-terminal with scripted keystrokes (pure Python: os.openpty + select)."""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][A-Z0-9]|\x1b[=>]|\r")
CLEAR = "\x1b[2J"


class Terminal:
    """`hardneg ARGS` attached to a 140x50 pseudo-terminal."""

    def __init__(self, args: list[str], cwd: str, env: dict | None = None) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 140, 0, 0))
        full_env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "140", "LINES": "50", **(env or {})}
        self.proc = subprocess.Popen([sys.executable, "-m", "toolkit.faces.cli", *args], stdin=slave, stdout=slave,
                                     stderr=slave, cwd=cwd, env=full_env, start_new_session=True, close_fds=True)
        os.close(slave)
        self.fd = master
        self.raw = ""
        self.mark = 0

    def _pump(self, timeout: float) -> None:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if ready:
            try:
                data = os.read(self.fd, 65536)
            except OSError:  # child closed the terminal
                data = b""
            self.raw += data.decode("utf-8", "replace")

    @property
    def screen(self) -> str:
        """The text since the last screen clear, without escape codes."""
        return ANSI.sub("", self.raw[self.raw.rfind(CLEAR) + len(CLEAR):] if CLEAR in self.raw else self.raw)

    def expect(self, pattern: str, timeout: float = 30.0) -> re.Match:
        """Wait until `pattern` appears in the output written since the last `send`."""
        rx = re.compile(pattern)
        end = time.monotonic() + timeout
        while True:
            found = rx.search(ANSI.sub("", self.raw[self.mark:]))
            if found:
                return found
            if time.monotonic() > end:
                raise AssertionError(f"timed out waiting for {pattern!r}; screen:\n{self.screen}")
            if self.proc.poll() is not None:
                self._pump(0.2)
                found = rx.search(ANSI.sub("", self.raw[self.mark:]))
                if found:
                    return found
                raise AssertionError(f"process exited ({self.proc.returncode}) before {pattern!r}; output:\n{self.screen}")
            self._pump(0.1)

    def expect_text(self, text: str, timeout: float = 30.0) -> re.Match:
        return self.expect(re.escape(text), timeout)

    def send(self, keys: str) -> None:
        self.mark = len(self.raw)
        os.write(self.fd, keys.encode())

    def kill(self) -> None:
        """SIGKILL: no clean-up runs, as when a terminal is closed or a machine dies."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)
        self.close()

    def wait(self, timeout: float = 20.0) -> int:
        end = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < end:
            self._pump(0.1)
        rc = self.proc.wait(max(0.1, end - time.monotonic()))
        self.close()
        return rc

    def close(self) -> None:
        try:
            os.close(self.fd)
        except OSError:
            pass
