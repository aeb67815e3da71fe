/* Weather server (libzmq, C): binds PUB, publishes random updates until killed.
   usage: wuserver endpoint [zip-range=0-99999] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <zmq.h>

static int randint(int low, int high) { return low + rand() % (high - low + 1); }

int main(int argc, char *argv[])
{
    if (argc < 2) { fprintf(stderr, "usage: %s endpoint [zip-range=0-99999]\n", argv[0]); return 2; }
    int low = 0, high = 99999;
    if (argc > 2 && sscanf(argv[2], "%d-%d", &low, &high) != 2) {
        fprintf(stderr, "bad zip range: %s\n", argv[2]);
        return 2;
    }

    void *context = zmq_ctx_new();
    void *publisher = zmq_socket(context, ZMQ_PUB);
    if (zmq_bind(publisher, argv[1]) != 0) { perror("zmq_bind"); return 1; }
    srand((unsigned)time(NULL));
    for (;;) {
        char update[32];
        int size = snprintf(update, sizeof update, "%05d %d %d",
                            randint(low, high), randint(-80, 135), randint(10, 60));
        zmq_send(publisher, update, (size_t)size, 0);
    }
    zmq_close(publisher); /* not reached: killed by the test */
    zmq_ctx_term(context);
    return 0;
}
