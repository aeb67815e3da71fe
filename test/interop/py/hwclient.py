"""Hello World client (libzmq via pyzmq): connects REQ, N x "Hello" -> "World", then exits.
usage: hwclient.py endpoint [requests=10]"""
import sys
import zmq

endpoint = sys.argv[1]
requests = int(sys.argv[2]) if len(sys.argv) > 2 else 10

socket = zmq.Context.instance().socket(zmq.REQ)
socket.connect(endpoint)
for n in range(requests):
    socket.send(b"Hello")
    print(f"Received {socket.recv().decode()} {n}", flush=True)
socket.close(linger=0)
