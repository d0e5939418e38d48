#!/usr/bin/env python3
"""Development server plus the background worker, so e-mails (shown on this console) are sent."""

import os
import signal
import subprocess
import sys

PYTHON = sys.executable


def main(address: str) -> int:
    print(f"\nPlateforme PTCE : http://{address}/  (Ctrl+C pour arrêter)\n", flush=True)
    worker = subprocess.Popen([PYTHON, "scripts/worker.py"])
    try:
        return subprocess.call([PYTHON, "manage.py", "runserver", address])
    except KeyboardInterrupt:
        return 0
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGINT)
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()


if __name__ == "__main__":
    os.chdir(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:8000"))
