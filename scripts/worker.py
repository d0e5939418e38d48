#!/usr/bin/env python3
"""Run the task worker and the periodic scheduler together (the Procfile's `worker` process,
`make worker`).

Stops both on SIGTERM (what a PaaS host or honcho sends) or Ctrl+C, each child signalled once
(a second signal would make `db_worker` abandon the task it is running). If either child exits
on its own, the other is stopped and its exit code returned, so the host restarts the pair.
"""

import os
import signal
import subprocess
import sys
import time

PYTHON = sys.executable
COMMANDS = [
    [PYTHON, "manage.py", "db_worker", "--queue-name", "*", "--no-reload"],
    [PYTHON, "manage.py", "run_scheduler"],
]
GRACE_SECONDS = 25  # Heroku and Scalingo kill the container 30 s after SIGTERM


class _Stop(Exception):
    """Raised by the signal handler to leave the wait loop and stop the children once."""


def _raise_stop(signum, frame):
    raise _Stop


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + GRACE_SECONDS
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> int:
    signal.signal(signal.SIGTERM, _raise_stop)
    signal.signal(signal.SIGINT, _raise_stop)
    processes: list[subprocess.Popen] = []
    try:
        # Own sessions: a signal sent to this process group reaches the children only through
        # _stop, once.
        for command in COMMANDS:
            processes.append(subprocess.Popen(command, start_new_session=True))
        while True:
            for process in processes:
                if process.poll() is not None:
                    print(
                        f"worker : « {' '.join(process.args[1:3])} » s’est arrêté "
                        f"(code {process.returncode}), arrêt de l’ensemble.",
                        file=sys.stderr,
                        flush=True,
                    )
                    returncode = process.returncode
                    _stop(processes)
                    return returncode or 1
            time.sleep(0.5)
    except _Stop:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _stop(processes)
        return 0


if __name__ == "__main__":
    os.chdir(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    sys.exit(main())
