"""Request-reply broker (libzmq via pyzmq): binds ROUTER for clients and DEALER for workers and
forwards whole multipart messages both ways, polling both as the guide's does; runs until killed.
usage: rrbroker.py frontend backend"""
import sys
import zmq

context = zmq.Context.instance()
frontend = context.socket(zmq.ROUTER)
frontend.bind(sys.argv[1])
backend = context.socket(zmq.DEALER)
backend.bind(sys.argv[2])
print(f"brokering {frontend.getsockopt_string(zmq.LAST_ENDPOINT)}"
      f" to {backend.getsockopt_string(zmq.LAST_ENDPOINT)}", flush=True)

poller = zmq.Poller()
poller.register(frontend, zmq.POLLIN)
poller.register(backend, zmq.POLLIN)
while True:
    ready = dict(poller.poll())
    if frontend in ready:
        backend.send_multipart(frontend.recv_multipart())
    if backend in ready:
        frontend.send_multipart(backend.recv_multipart())
