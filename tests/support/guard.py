"""Runs a server for the tests and stops it when the test process that started it is gone.

Usage: guard.py COMMAND [ARGS...]. The test binary keeps its servers in process-wide statics that are never
dropped, so the server would outlive it; this watches the parent and ends the server with it.
"""
import os
import subprocess
import sys
import time

parent = os.getppid()
child = subprocess.Popen(sys.argv[1:])
while child.poll() is None:
    if os.getppid() != parent:
        child.terminate()
        try:
            child.wait(5)
        except subprocess.TimeoutExpired:
            child.kill()
        break
    time.sleep(0.3)
sys.exit(child.returncode or 0)
