# A small program for mtviz's watch tests: a zombie, a sleeping thread, an
# orphan, and two processes taking turns on a flock, all at once for a while.
import fcntl, os, sys, threading, time

lockpath = sys.argv[1]

zombie = os.fork()
if zombie == 0:
    os._exit(7)  # not waited for until the end: Z meanwhile

napper = threading.Thread(target=time.sleep, args=(5,), name="napper")
napper.start()

middle = os.fork()
if middle == 0:
    if os.fork() == 0:
        time.sleep(4)  # outlives its parent: an orphan
        os._exit(0)
    time.sleep(0.5)  # long enough to be seen as the orphan's parent
    os._exit(0)

holder = os.fork()
if holder == 0:
    f = open(lockpath, "w")
    fcntl.flock(f, fcntl.LOCK_EX)
    time.sleep(3.5)
    os._exit(0)

os.waitpid(middle, 0)
time.sleep(0.3)
waiter = os.fork()
if waiter == 0:
    f = open(lockpath, "w")
    fcntl.flock(f, fcntl.LOCK_EX)  # waits for the holder
    os._exit(0)

time.sleep(3)
for pid in (zombie, holder, waiter):
    os.waitpid(pid, 0)
napper.join()
