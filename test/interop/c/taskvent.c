/* Task ventilator (libzmq, C): binds PUSH, signals the sink, sends N tasks.
   No "press Enter": a binding PUSH holds the tasks until a worker connects, and the test only
   checks that every task is done, not how evenly.
   usage: taskvent endpoint sink [tasks=20] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <zmq.h>

int main(int argc, char *argv[])
{
    if (argc < 3) { fprintf(stderr, "usage: %s endpoint sink [tasks=20]\n", argv[0]); return 2; }
    int tasks = argc > 3 ? atoi(argv[3]) : 20;

    void *context = zmq_ctx_new();
    void *sender = zmq_socket(context, ZMQ_PUSH);
    if (zmq_bind(sender, argv[1]) != 0) { perror("zmq_bind"); return 1; }
    void *sink = zmq_socket(context, ZMQ_PUSH);
    zmq_connect(sink, argv[2]);
    zmq_send(sink, "0", 1, 0); /* the start of the batch */
    srand((unsigned)time(NULL));
    for (int n = 0; n < tasks; n++) {
        char task[16];
        int size = snprintf(task, sizeof task, "%d", 1 + rand() % 10);
        zmq_send(sender, task, (size_t)size, 0);
    }
    zmq_close(sender);
    zmq_close(sink);
    zmq_ctx_term(context); /* default linger: returns once every message is delivered */
    printf("sent %d\n", tasks);
    fflush(stdout);
    return 0;
}
