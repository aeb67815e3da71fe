"""Hello World server (libzmq via pyzmq): binds REP, answers "World" N times, then exits.
usage: hwserver.py endpoint [replies=10]"""
import sys
import zmq

endpoint = sys.argv[1]
replies = int(sys.argv[2]) if len(sys.argv) > 2 else 10

context = zmq.Context.instance()
socket = context.socket(zmq.REP)
socket.bind(endpoint)
for _ in range(replies):
    request = socket.recv()
    print(f"Received {request.decode()}", flush=True)
    socket.send(b"World")
socket.close()
context.term()  # returns once the last reply is delivered
