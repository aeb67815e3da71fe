"""A scripted libzmq peer (pyzmq) for every socket type: one side of the exchanges in
every-type.test.ts, which runs the same scripts with ours on the other side.

usage: peer.py TYPE bind|connect ENDPOINT ROLE [N=3]
  TYPE      PAIR PUB SUB REQ REP DEALER ROUTER PULL PUSH XPUB XSUB STREAM
  ENDPOINT  for bind, tcp://127.0.0.1:* or ipc://PATH; the resolved endpoint is printed
  ROLE      client  REQ, DEALER, PAIR: send N x [ping, n] (DEALER: ["", ping, n]), print replies
            server  REP, ROUTER, DEALER, PAIR: print N requests, echo each with a "back" frame
            pub     PUB: probe until SIGUSR1, then DATA and [t end]; XPUB: print the
                    subscription, DATA and [t end], print the unsubscription
            sub     SUB, XSUB: subscribe to "t", print "got" at the first probe, print the
                    data up to [t end], unsubscribe
            push    PUSH: send N x [m, n]
            pull    PULL: print N messages
            client  STREAM: send N lines "ping n\\n", print each answer ("ping n back")
            server  STREAM: print N lines, answer each

Prints "ready ENDPOINT" once bound or connected, then one line per event: "recv" and the message
as a JSON array of strings (bytes as latin-1), "got", "connected". Exits 0 when its
script is done; any error or a receive that waits more than 10 s is a traceback and exit 1.
"""
import itertools
import json
import signal
import sys

import zmq

ROUTING_ID = b"client"  # what a ROUTER sees: both sides of the tests use it
DATA = [[b"t 0"], [b"other"], [b"t 1", b"part"], [b"t 2"]]  # "other" fails the "t" filter
PROBE, END = [b"t probe"], [b"t end"]


def show(event, frames=None):
    if frames is not None:
        event += " " + json.dumps([f.decode("latin-1") for f in frames], separators=(",", ":"))
    print(event, flush=True)


def client(socket, kind, n):
    if kind in ("REQ", "DEALER"):
        socket.routing_id = ROUTING_ID
    # A DEALER speaks to REP and ROUTER as REQ does: the empty delimiter first, by hand.
    envelope = [b""] if kind == "DEALER" else []
    connect_and_announce(socket)
    for i in range(n):
        request = envelope + [b"ping", str(i).encode()]
        socket.send_multipart(request)
        show("recv", socket.recv_multipart())


def server(socket, _kind, n):
    connect_and_announce(socket)
    for _ in range(n):
        request = socket.recv_multipart()
        show("recv", request)
        socket.send_multipart(request + [b"back"])  # a ROUTER's envelope goes back as it came


def publisher(socket, kind, _n):
    connect_and_announce(socket)
    if kind == "XPUB":
        show("recv", socket.recv_multipart())  # 01 "t": from here on "t..." reaches the peer
    else:
        # A PUB cannot see a subscription arrive, so it offers probes until the test, having
        # received one, says so with SIGUSR1 (blocked since start-up: it waits for us to take it).
        for _ in range(2000):  # at most 10 s
            socket.send_multipart(PROBE)
            if signal.sigtimedwait({signal.SIGUSR1}, 0.005):  # returns at once when it comes
                break
        else:
            sys.exit("no confirmation that a probe arrived")
    for message in DATA + [END]:
        socket.send_multipart(message)
    if kind == "XPUB":
        show("recv", socket.recv_multipart())  # 00 "t": the subscriber is done


def subscriber(socket, kind, _n):
    subscribe(socket, kind, 1)
    connect_and_announce(socket)
    got = False
    while (message := socket.recv_multipart()) != END:
        if message == PROBE:
            if not got:  # the test stops probing when it reads this; later probes are dropped
                show("got")
                got = True
        else:
            show("recv", message)
    subscribe(socket, kind, 0)


def subscribe(socket, kind, on):
    if kind == "XSUB":
        socket.send(bytes([on]) + b"t")  # what a SUB sends on the wire, sent as data
    else:
        socket.setsockopt(zmq.SUBSCRIBE if on else zmq.UNSUBSCRIBE, b"t")


def push(socket, _kind, n):
    connect_and_announce(socket)
    for i in range(n):
        socket.send_multipart([b"m", str(i).encode()])


def pull(socket, _kind, n):
    connect_and_announce(socket)
    for _ in range(n):
        show("recv", socket.recv_multipart())


def stream_client(socket, _kind, n):
    # Nobody hangs up by sending [id, ""]: libzmq's STREAM ignores that on a connecting socket,
    # and on a bound one drops what is still in the pipe. Both sides stop after N lines.
    connect_and_announce(socket)
    peer = connected(socket)
    lines = read_lines(socket, peer)
    for i in range(n):
        socket.send_multipart([peer, b"ping %d\n" % i])
        show("recv", [next(lines)])


def stream_server(socket, _kind, n):
    connect_and_announce(socket)
    peer = connected(socket)
    for line in itertools.islice(read_lines(socket, peer), n):
        show("recv", [line])
        socket.send_multipart([peer, line + b" back\n"])


def connected(socket):
    """The STREAM's arrival notice: [routing id, ""] (the id is random: not printed)."""
    peer, empty = socket.recv_multipart()
    assert empty == b"", empty
    show("connected")
    return peer


def read_lines(socket, peer):
    """Lines without "\\n" from the peer's byte stream, however TCP cuts it; ends when it
    leaves (its departure notice: [id, ""])."""
    pending = b""
    while True:
        sender, data = socket.recv_multipart()
        assert sender == peer, sender
        if not data:
            return
        pending += data
        *lines, pending = pending.split(b"\n")
        yield from lines


def connect_and_announce(socket):
    """Binds or connects (after the options the role sets) and prints "ready ENDPOINT"."""
    if how == "bind":
        socket.bind(endpoint)
        print("ready", socket.last_endpoint.decode(), flush=True)
    else:
        socket.connect(endpoint)
        print("ready", endpoint, flush=True)


ROLES = {
    "client": {"REQ": client, "DEALER": client, "PAIR": client, "STREAM": stream_client},
    "server": {"REP": server, "ROUTER": server, "DEALER": server, "PAIR": server, "STREAM": stream_server},
    "pub": {"PUB": publisher, "XPUB": publisher},
    "sub": {"SUB": subscriber, "XSUB": subscriber},
    "push": {"PUSH": push},
    "pull": {"PULL": pull},
}

kind, how, endpoint, role = sys.argv[1:5]
n = int(sys.argv[5]) if len(sys.argv) > 5 else 3
script = ROLES[role][kind]

# Blocked before the context starts its threads (they inherit the mask), so that the signal
# stays pending until the PUB's sigtimedwait takes it, whichever thread it was sent to.
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
context = zmq.Context()
socket = context.socket(getattr(zmq, kind))
socket.rcvtimeo = socket.sndtimeo = 10_000  # a peer that never comes is an error, not a hang
script(socket, kind, n)
socket.close()  # default linger: term() returns once everything sent is delivered
context.term()
