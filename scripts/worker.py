#!/usr/bin/env python3
"""Run the task worker and the periodic scheduler together; stop both on Ctrl+C."""

import os
import signal
import subprocess
import sys

PYTHON = sys.executable


def main() -> int:
    processes = [
        subprocess.Popen([PYTHON, "manage.py", "db_worker", "--queue-name", "*", "--no-reload"]),
        subprocess.Popen([PYTHON, "manage.py", "run_scheduler"]),
    ]
    try:
        return processes[0].wait()
    except KeyboardInterrupt:
        return 0
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=10)


if __name__ == "__main__":
    os.chdir(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    sys.exit(main())
