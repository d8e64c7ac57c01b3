/* The server side of bench/publish-bench, run in the container (static, so it needs nothing
 * from the image). Port 80: a sink; it reads each connection to EOF (1 MiB reads) and answers
 * the byte count. Ports 81, 82, 83: a greeting; it writes "hi", waits for the client to close,
 * closes. Each path of the benchmark gets its own greeting port: connections of different
 * paths then never share a 4-tuple inside the container (nor a conntrack tuple on the host).
 * (The client closes first, so TIME_WAIT stays with the client's kernel, which then never
 * reuses a port into a 4-tuple the server still holds: with the server closing first, tens of
 * thousands of sequential connections from one address made SYNs meet the server's TIME_WAIT
 * sockets and wait for 1 s retransmits, whatever the path.)
 * Build: gcc -O2 -static -pthread -o publish-sink publish-sink.c */
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static int listen_on(int port) {
    int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_ANY)};
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (s < 0 || bind(s, (struct sockaddr *) &a, sizeof a) < 0 || listen(s, 1024) < 0) {
        perror("listen");
        exit(1);
    }
    return s;
}

static void *sink_conn(void *arg) {
    int c = (int) (long) arg;
    char *buf = malloc(1 << 20);
    long long n = 0;
    ssize_t k;
    while ((k = read(c, buf, 1 << 20)) > 0) n += k;
    free(buf);
    char reply[32];
    int len = snprintf(reply, sizeof reply, "%lld\n", n);
    if (write(c, reply, len) < 0) perror("write");
    close(c);
    return NULL;
}

static void *sink(void *arg) {
    int s = listen_on(80);
    for (;;) {
        int c = accept(s, NULL, NULL);
        if (c < 0) continue;
        pthread_t t;
        pthread_attr_t at;
        pthread_attr_init(&at);
        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&t, &at, sink_conn, (void *) (long) c) != 0) close(c);
    }
    return arg;
}

static void *greet(void *port) {
    int s = listen_on((int) (long) port);
    for (;;) {
        int c = accept(s, NULL, NULL);
        if (c < 0) continue;
        char b[16];
        struct timeval tv = {.tv_sec = 10};
        setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        if (write(c, "hi", 2) == 2)
            while (read(c, b, sizeof b) > 0) {}
        close(c);
    }
    return port;
}

int main(void) {
    pthread_t t;
    pthread_create(&t, NULL, sink, NULL);
    pthread_create(&t, NULL, greet, (void *) 82L);
    pthread_create(&t, NULL, greet, (void *) 83L);
    greet((void *) 81L);
}
