"""Request-reply client (libzmq via pyzmq): connects REQ to the broker's frontend,
N x "Hello" -> "World", then exits.
usage: rrclient.py frontend [requests=10]"""
import sys
import zmq

frontend = sys.argv[1]
requests = int(sys.argv[2]) if len(sys.argv) > 2 else 10

socket = zmq.Context.instance().socket(zmq.REQ)
socket.connect(frontend)
for n in range(requests):
    socket.send(b"Hello")
    print(f"Received reply {n} [{socket.recv().decode()}]", flush=True)
socket.close(linger=0)
