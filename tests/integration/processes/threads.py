# python3: threads, a subprocess pipeline and a signal handler.
import os
import signal
import subprocess
import threading

results = []
lock = threading.Lock()


def work(i):
    with lock:
        results.append(i * i)


threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(sorted(results))
print(subprocess.run(["sh", "-c", "echo one; echo two | tr a-z A-Z"],
                     capture_output=True, text=True).stdout, end="")
p = subprocess.Popen(["sleep", "30"])
p.send_signal(signal.SIGTERM)
print("sleep ended by signal", -p.wait())
got = []
signal.signal(signal.SIGUSR1, lambda signo, frame: got.append(signo))
os.kill(os.getpid(), signal.SIGUSR1)
print("handler saw", got)
