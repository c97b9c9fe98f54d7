"""Starts aic-serve (argv[1]) on the repository argv[2] on a loopback port
and prints its output and exit code (test/tools/aic-serve.test). With
--busy-port, on a port something else listens on (it must exit at once);
else on any free port, stopped with SIGTERM once it listens."""
import signal
import socket
import subprocess
import sys

args = [sys.argv[1], "--model-repository", sys.argv[2], "--http-address",
        "127.0.0.1", "--http-port"]
if "--busy-port" in sys.argv:
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    result = subprocess.run(args + [str(busy.getsockname()[1])], timeout=60,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    print(result.stdout, end="")
    print(f"exit code {result.returncode}")
    sys.exit(0)

server = subprocess.Popen(args + ["0"], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
lines = []
for line in server.stdout:
    lines.append(line)
    if "listening on" in line:
        break
server.send_signal(signal.SIGTERM)
out, _ = server.communicate(timeout=60)
print("".join(lines) + out, end="")
print(f"exit code {server.returncode}")
