"""Task worker (libzmq via pyzmq): connects PULL to the ventilator and PUSH to the sink; each
task is a workload in msec, done by sleeping. Prints one dot per task; runs until killed. As our
taskwork does, the result is the worker's pid (the guide's sinks ignore the body).
usage: taskwork.py ventilator sink"""
import os
import sys
import time
import zmq

ventilator, sink = sys.argv[1], sys.argv[2]

context = zmq.Context.instance()
receiver = context.socket(zmq.PULL)
receiver.connect(ventilator)
sender = context.socket(zmq.PUSH)
sender.connect(sink)
result = str(os.getpid()).encode()
while True:
    task = receiver.recv()
    print(".", end="", flush=True)
    time.sleep(int(task) / 1000)
    sender.send(result)
