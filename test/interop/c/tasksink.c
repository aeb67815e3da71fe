/* Task sink (libzmq, C): binds PULL, waits for the batch start, collects N results.
   usage: tasksink endpoint [tasks=20] */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <zmq.h>

static double now_msec(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000.0 + t.tv_nsec / 1e6;
}

int main(int argc, char *argv[])
{
    if (argc < 2) { fprintf(stderr, "usage: %s endpoint [tasks=20]\n", argv[0]); return 2; }
    int tasks = argc > 2 ? atoi(argv[2]) : 20;

    void *context = zmq_ctx_new();
    void *receiver = zmq_socket(context, ZMQ_PULL);
    if (zmq_bind(receiver, argv[1]) != 0) { perror("zmq_bind"); return 1; }
    char buffer[256];
    zmq_recv(receiver, buffer, sizeof buffer, 0); /* the start of the batch */
    double start = now_msec();
    for (int n = 0; n < tasks; n++)
        if (zmq_recv(receiver, buffer, sizeof buffer, 0) < 0) { perror("zmq_recv"); return 1; }
    printf("Total elapsed time: %.0f msec\n", now_msec() - start);
    fflush(stdout);
    int linger = 0;
    zmq_setsockopt(receiver, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(receiver);
    zmq_ctx_term(context);
    return 0;
}
