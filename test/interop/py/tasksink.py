"""Task sink (libzmq via pyzmq): binds PULL, waits for the batch start, collects N results.
usage: tasksink.py endpoint [tasks=20]"""
import sys
import time
import zmq

endpoint = sys.argv[1]
tasks = int(sys.argv[2]) if len(sys.argv) > 2 else 20

receiver = zmq.Context.instance().socket(zmq.PULL)
receiver.bind(endpoint)
receiver.recv()  # the start of the batch
start = time.time()
for _ in range(tasks):
    receiver.recv()
print(f"Total elapsed time: {(time.time() - start) * 1000:.0f} msec", flush=True)
receiver.close(linger=0)
