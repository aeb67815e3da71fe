/* Request-reply broker (libzmq, C): binds ROUTER for clients and DEALER for workers and forwards
   whole multipart messages both ways, polling both as the guide's does; runs until killed.
   usage: rrbroker frontend backend */
#include <stdio.h>
#include <zmq.h>

/* Moves one message, every part of it, so envelopes stay whole. */
static int forward(void *from, void *to)
{
    for (;;) {
        zmq_msg_t part;
        zmq_msg_init(&part);
        if (zmq_msg_recv(&part, from, 0) < 0) { zmq_msg_close(&part); return -1; }
        int more = zmq_msg_more(&part);
        if (zmq_msg_send(&part, to, more ? ZMQ_SNDMORE : 0) < 0) { zmq_msg_close(&part); return -1; }
        if (!more) return 0;
    }
}

int main(int argc, char *argv[])
{
    if (argc < 3) { fprintf(stderr, "usage: %s frontend backend\n", argv[0]); return 2; }

    void *context = zmq_ctx_new();
    void *frontend = zmq_socket(context, ZMQ_ROUTER);
    if (zmq_bind(frontend, argv[1]) != 0) { perror("zmq_bind"); return 1; }
    void *backend = zmq_socket(context, ZMQ_DEALER);
    if (zmq_bind(backend, argv[2]) != 0) { perror("zmq_bind"); return 1; }
    char front[256], back[256];
    size_t front_size = sizeof front, back_size = sizeof back;
    zmq_getsockopt(frontend, ZMQ_LAST_ENDPOINT, front, &front_size);
    zmq_getsockopt(backend, ZMQ_LAST_ENDPOINT, back, &back_size);
    printf("brokering %s to %s\n", front, back);
    fflush(stdout);

    zmq_pollitem_t items[] = { { frontend, 0, ZMQ_POLLIN, 0 }, { backend, 0, ZMQ_POLLIN, 0 } };
    for (;;) {
        if (zmq_poll(items, 2, -1) < 0) { perror("zmq_poll"); break; }
        if ((items[0].revents & ZMQ_POLLIN) && forward(frontend, backend) != 0) { perror("forward"); break; }
        if ((items[1].revents & ZMQ_POLLIN) && forward(backend, frontend) != 0) { perror("forward"); break; }
    }
    zmq_close(frontend);
    zmq_close(backend);
    zmq_ctx_term(context);
    return 1;
}
