#!/usr/bin/env python3
"""expect_exit.py N CMD...: run CMD, pass its output through, and exit 0 only
if CMD exited with status N (a signal, such as an abort, never matches)."""
import subprocess
import sys

want = int(sys.argv[1])
proc = subprocess.run(sys.argv[2:])
if proc.returncode != want:
    print(f"expect_exit: {sys.argv[2]} exited with {proc.returncode}, "
          f"expected {want}", file=sys.stderr)
    sys.exit(1)
