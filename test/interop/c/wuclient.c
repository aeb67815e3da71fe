/* Weather client (libzmq, C): connects SUB, filters on a zip code, averages N updates.
   Checks that every update it gets matches the filter.
   usage: wuclient endpoint [filter="10001 "] [updates=100] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

int main(int argc, char *argv[])
{
    if (argc < 2) { fprintf(stderr, "usage: %s endpoint [filter] [updates=100]\n", argv[0]); return 2; }
    const char *filter = argc > 2 ? argv[2] : "10001 ";
    int updates = argc > 3 ? atoi(argv[3]) : 100;

    void *context = zmq_ctx_new();
    void *subscriber = zmq_socket(context, ZMQ_SUB);
    zmq_connect(subscriber, argv[1]);
    zmq_setsockopt(subscriber, ZMQ_SUBSCRIBE, filter, strlen(filter));
    long total = 0;
    for (int n = 0; n < updates; n++) {
        char update[256];
        int size = zmq_recv(subscriber, update, sizeof update - 1, 0);
        if (size < 0) { perror("zmq_recv"); return 1; }
        update[size < (int)sizeof update ? size : (int)sizeof update - 1] = '\0';
        int zipcode, temperature, relhumidity;
        if (strncmp(update, filter, strlen(filter)) != 0
            || sscanf(update, "%d %d %d", &zipcode, &temperature, &relhumidity) != 3) {
            fprintf(stderr, "unexpected update: '%s'\n", update);
            return 1;
        }
        total += temperature;
    }
    printf("Average temperature for zipcode '%s' was %.1fF\n", filter, (double)total / updates);
    fflush(stdout);
    int linger = 0;
    zmq_setsockopt(subscriber, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(subscriber);
    zmq_ctx_term(context);
    return 0;
}
