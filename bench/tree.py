# A tree of 50 processes with 10 threads each (500 threads), every thread
# waking 20 times a second: something for 'mtviz watch' and htop to show.
# Usage: python3 bench/tree.py SECONDS
import os, signal, sys, threading, time

def threads(n):
    def loop():
        while True:
            time.sleep(0.05)
    for _ in range(n):
        threading.Thread(target=loop, daemon=True).start()

secs = float(sys.argv[1]) if len(sys.argv) > 1 else 60
kids = []
for _ in range(49):
    pid = os.fork()
    if pid == 0:
        threads(9)
        time.sleep(secs + 5)
        os._exit(0)
    kids.append(pid)
threads(9)
time.sleep(secs)
for k in kids:
    os.kill(k, signal.SIGKILL)
    os.waitpid(k, 0)
