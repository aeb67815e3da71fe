"""Weather client (libzmq via pyzmq): connects SUB, filters on a zip code, averages N updates.
Checks that every update it gets matches the filter.
usage: wuclient.py endpoint [filter="10001 "] [updates=100]"""
import sys
import zmq

endpoint = sys.argv[1]
zip_filter = sys.argv[2] if len(sys.argv) > 2 else "10001 "
updates = int(sys.argv[3]) if len(sys.argv) > 3 else 100

socket = zmq.Context.instance().socket(zmq.SUB)
socket.connect(endpoint)
socket.setsockopt_string(zmq.SUBSCRIBE, zip_filter)
total = 0
for _ in range(updates):
    update = socket.recv_string()
    assert update.startswith(zip_filter), update
    zipcode, temperature, relhumidity = update.split()
    total += int(temperature)
print(f"Average temperature for zipcode '{zip_filter}' was {total / updates:.1f}F", flush=True)
socket.close(linger=0)
