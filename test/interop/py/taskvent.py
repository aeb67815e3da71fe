"""Task ventilator (libzmq via pyzmq): binds PUSH, signals the sink, sends N tasks.
No "press Enter": a binding PUSH holds the tasks until a worker connects, and the test only
checks that every task is done, not how evenly.
usage: taskvent.py endpoint sink [tasks=20]"""
import random
import sys
import zmq

endpoint, sink = sys.argv[1], sys.argv[2]
tasks = int(sys.argv[3]) if len(sys.argv) > 3 else 20

context = zmq.Context.instance()
sender = context.socket(zmq.PUSH)
sender.bind(endpoint)
sink_sender = context.socket(zmq.PUSH)
sink_sender.connect(sink)
sink_sender.send(b"0")  # the start of the batch
for _ in range(tasks):
    sender.send_string(str(random.randint(1, 10)))
sender.close()
sink_sender.close()
context.term()  # default linger: returns once every message is delivered
print("sent", tasks, flush=True)
