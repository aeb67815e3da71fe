/* Hello World server (libzmq, C): binds REP, answers "World" N times, then exits.
   usage: hwserver endpoint [replies=10] */
#include <stdio.h>
#include <stdlib.h>
#include <zmq.h>

int main(int argc, char *argv[])
{
    if (argc < 2) { fprintf(stderr, "usage: %s endpoint [replies=10]\n", argv[0]); return 2; }
    int replies = argc > 2 ? atoi(argv[2]) : 10;

    void *context = zmq_ctx_new();
    void *responder = zmq_socket(context, ZMQ_REP);
    if (zmq_bind(responder, argv[1]) != 0) { perror("zmq_bind"); return 1; }
    for (int n = 0; n < replies; n++) {
        char request[256];
        int size = zmq_recv(responder, request, sizeof request - 1, 0);
        if (size < 0) { perror("zmq_recv"); return 1; }
        request[size < (int)sizeof request ? size : (int)sizeof request - 1] = '\0';
        printf("Received %s\n", request);
        fflush(stdout);
        zmq_send(responder, "World", 5, 0);
    }
    zmq_close(responder);
    zmq_ctx_term(context); /* returns once the last reply is delivered (default linger) */
    return 0;
}
