"""Request-reply worker (libzmq via pyzmq): connects REP to the broker's backend, answers
"World" to each request; runs until killed.
usage: rrworker.py backend [work-ms=0]"""
import sys
import time
import zmq

backend = sys.argv[1]
work = int(sys.argv[2]) if len(sys.argv) > 2 else 0

socket = zmq.Context.instance().socket(zmq.REP)
socket.connect(backend)
while True:
    print(f"Received request: [{socket.recv().decode()}]", flush=True)
    time.sleep(work / 1000)
    socket.send(b"World")
