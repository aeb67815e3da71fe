/* Task worker (libzmq, C): connects PULL to the ventilator and PUSH to the sink; each task is a
   workload in msec, done by sleeping. Prints one dot per task; runs until killed. As our
   taskwork does, the result is the worker's pid (the guide's sinks ignore the body; the tour
   tells its workers apart by it).
   usage: taskwork ventilator sink */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

int main(int argc, char *argv[])
{
    if (argc < 3) { fprintf(stderr, "usage: %s ventilator sink\n", argv[0]); return 2; }

    void *context = zmq_ctx_new();
    void *receiver = zmq_socket(context, ZMQ_PULL);
    zmq_connect(receiver, argv[1]);
    void *sender = zmq_socket(context, ZMQ_PUSH);
    zmq_connect(sender, argv[2]);
    char result[16];
    int result_size = snprintf(result, sizeof result, "%ld", (long)getpid());
    for (;;) {
        char task[16];
        int size = zmq_recv(receiver, task, sizeof task - 1, 0);
        if (size < 0) break;
        task[size < (int)sizeof task ? size : (int)sizeof task - 1] = '\0';
        printf(".");
        fflush(stdout);
        long msec = atol(task);
        struct timespec work = { msec / 1000, (msec % 1000) * 1000000L };
        nanosleep(&work, NULL);
        zmq_send(sender, result, (size_t)result_size, 0);
    }
    zmq_close(receiver);
    zmq_close(sender);
    zmq_ctx_term(context);
    return 0;
}
