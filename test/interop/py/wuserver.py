"""Weather server (libzmq via pyzmq): binds PUB, publishes random updates until killed.
usage: wuserver.py endpoint [zip-range=0-99999]"""
import random
import sys
import zmq

endpoint = sys.argv[1]
low, high = map(int, (sys.argv[2] if len(sys.argv) > 2 else "0-99999").split("-"))

socket = zmq.Context.instance().socket(zmq.PUB)
socket.bind(endpoint)
while True:
    zipcode = random.randint(low, high)
    socket.send_string(f"{zipcode:05d} {random.randint(-80, 135)} {random.randint(10, 60)}")
