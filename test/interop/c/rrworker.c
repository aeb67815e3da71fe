/* Request-reply worker (libzmq, C): connects REP to the broker's backend, answers "World" to each
   request; runs until killed.
   usage: rrworker backend [work-ms=0] */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <zmq.h>

int main(int argc, char *argv[])
{
    if (argc < 2) { fprintf(stderr, "usage: %s backend [work-ms=0]\n", argv[0]); return 2; }
    long msec = argc > 2 ? atol(argv[2]) : 0;

    void *context = zmq_ctx_new();
    void *responder = zmq_socket(context, ZMQ_REP);
    zmq_connect(responder, argv[1]);
    for (;;) {
        char request[256];
        int size = zmq_recv(responder, request, sizeof request - 1, 0);
        if (size < 0) break;
        request[size < (int)sizeof request ? size : (int)sizeof request - 1] = '\0';
        printf("Received request: [%s]\n", request);
        fflush(stdout);
        struct timespec work = { msec / 1000, (msec % 1000) * 1000000L };
        nanosleep(&work, NULL);
        zmq_send(responder, "World", 5, 0);
    }
    zmq_close(responder);
    zmq_ctx_term(context);
    return 0;
}
