# Two busy workers for two seconds: threads (under the GIL) or processes.
import multiprocessing, sys, threading, time

def spin():
    end = time.time() + 2
    x = 0
    while time.time() < end:
        x += 1

if __name__ == "__main__":
    kind = sys.argv[1]
    make = threading.Thread if kind == "threads" else multiprocessing.Process
    ws = [make(target=spin) for _ in range(2)]
    for w in ws:
        w.start()
    for w in ws:
        w.join()
