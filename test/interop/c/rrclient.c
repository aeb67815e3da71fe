/* Request-reply client (libzmq, C): connects REQ to the broker's frontend, N x "Hello" -> "World",
   then exits.
   usage: rrclient frontend [requests=10] */
#include <stdio.h>
#include <stdlib.h>
#include <zmq.h>

int main(int argc, char *argv[])
{
    if (argc < 2) { fprintf(stderr, "usage: %s frontend [requests=10]\n", argv[0]); return 2; }
    int requests = argc > 2 ? atoi(argv[2]) : 10;

    void *context = zmq_ctx_new();
    void *requester = zmq_socket(context, ZMQ_REQ);
    zmq_connect(requester, argv[1]);
    for (int n = 0; n < requests; n++) {
        char reply[256];
        zmq_send(requester, "Hello", 5, 0);
        int size = zmq_recv(requester, reply, sizeof reply - 1, 0);
        if (size < 0) { perror("zmq_recv"); return 1; }
        reply[size < (int)sizeof reply ? size : (int)sizeof reply - 1] = '\0';
        printf("Received reply %d [%s]\n", n, reply);
        fflush(stdout);
    }
    int linger = 0;
    zmq_setsockopt(requester, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(requester);
    zmq_ctx_term(context);
    return 0;
}
