#!/usr/bin/env python
"""Run the processes of a Procfile (web, worker, beat) side by side, each line of their output
prefixed with the time and their name, until Ctrl-C: then stop them all and exit 0.

    .venv/bin/python scripts/serve.py Procfile        (`make run`)
    .venv/bin/python scripts/serve.py Procfile.dev    (`make dev`)

Why not honcho, which did this before: it ends with status 130 on Ctrl-C by design, and under
make the terminal's Ctrl-C reaches make too, which then dies of it ("make: *** Interrupt",
status 130) whatever its recipe does. So, as a shell does for a job, this takes the terminal's
foreground for a process group of its own: Ctrl-C reaches it alone. It sends SIGTERM to each
process (each in a session of its own, so nothing else gets the signal), waits while they shut
down (Celery's warm shutdown: up to STOP_WAIT seconds, then SIGKILL), gives the terminal back and
exits 0 if each stopped cleanly. A process that ends by itself stops the others: status 1.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

STOP_WAIT = 15  # seconds
# A Procfile line: "name: command".
LINE = re.compile(r"^([A-Za-z0-9_-]+):\s*(.+)$")

_print_lock = threading.Lock()


def _say(name: str, text: str) -> None:
    with _print_lock:
        sys.stdout.write(f"{dt.datetime.now():%H:%M:%S} {name:<7}| {text}\n")
        sys.stdout.flush()


def read_procfile(path: Path) -> dict[str, str]:
    commands = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if (match := LINE.match(line.strip())) is not None:
            commands[match[1]] = match[2]
    return commands


@contextlib.contextmanager
def terminal_foreground():
    """Make this process's own group the terminal's foreground group for the duration (if it
    has a terminal and is in its foreground), and give the foreground back after."""
    try:
        tty = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:  # no terminal: no Ctrl-C either
        yield
        return
    try:
        previous = os.tcgetpgrp(tty)
        if previous != os.getpgrp():  # started in the background: leave the terminal alone
            yield
            return
        os.setpgid(0, 0)
        _set_foreground(tty, os.getpgrp())
        try:
            yield
        finally:
            _set_foreground(tty, previous)
    finally:
        os.close(tty)


def _set_foreground(tty: int, group: int) -> None:
    # A group that is not in the foreground is sent SIGTTOU for asking: ignored while it asks.
    old = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    try:
        os.tcsetpgrp(tty, group)
    except OSError:  # the group is gone (make was killed meanwhile): nothing to give back
        pass
    finally:
        signal.signal(signal.SIGTTOU, old)


def _pump(name: str, process: subprocess.Popen) -> None:
    assert process.stdout is not None
    for raw in iter(process.stdout.readline, b""):
        _say(name, raw.decode("utf-8", "replace").rstrip("\n"))


def serve(commands: dict[str, str]) -> int:
    stop = threading.Event()
    asked = threading.Event()  # stopped by a signal, not by a process ending

    def on_signal(signum, _frame):
        asked.set()
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    processes: dict[str, subprocess.Popen] = {}
    pumps = []
    for name, command in commands.items():
        process = subprocess.Popen(  # the Procfile's own shell command
            f"exec {command}",
            shell=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        processes[name] = process
        _say("system", f"{name} started (pid {process.pid})")
        pump = threading.Thread(target=_pump, args=(name, process), daemon=True)
        pump.start()
        pumps.append(pump)

    def watch(name: str, process: subprocess.Popen) -> None:
        process.wait()
        stop.set()

    for name, process in processes.items():
        threading.Thread(target=watch, args=(name, process), daemon=True).start()
    while not stop.wait(0.5):
        pass
    if asked.is_set():
        _say("system", "stopping (Ctrl-C)")
    for name, process in processes.items():
        if process.poll() is None:
            _say("system", f"sending SIGTERM to {name}")
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
    clean = asked.is_set()
    deadline = dt.datetime.now() + dt.timedelta(seconds=STOP_WAIT)
    for name, process in processes.items():
        remaining = max(0.0, (deadline - dt.datetime.now()).total_seconds())
        try:
            code = process.wait(remaining)
        except subprocess.TimeoutExpired:
            _say("system", f"{name} did not stop in {STOP_WAIT} s: SIGKILL")
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            code = process.wait()
        _say("system", f"{name} stopped (status {code})")
        clean = clean and code in (0, -signal.SIGTERM)
    for pump in pumps:
        pump.join(1)
    return 0 if clean else 1


def main() -> int:
    procfile = Path(sys.argv[1] if len(sys.argv) > 1 else "Procfile")
    commands = read_procfile(procfile)
    if not commands:
        print(f"{procfile}: no processes", file=sys.stderr)
        return 2
    with terminal_foreground():
        return serve(commands)


if __name__ == "__main__":
    sys.exit(main())
