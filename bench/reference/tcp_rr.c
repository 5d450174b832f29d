/* Minimal TCP request/response ping-pong: the reference for netperf TCP_RR.
 *
 *   cc -O2 -o tcp_rr bench/reference/tcp_rr.c
 *   taskset -c 1 ./tcp_rr server 0 60 &          # prints port=N
 *   taskset -c 0 ./tcp_rr client N 5 1 1         # 5 s, 1-byte request and response
 *
 * One connection, blocking send() and recv(): two system calls per
 * transaction on each side, the least a socket ping-pong can do.  Like
 * netperf 2.7 (no -D), Nagle stays on: with one message in flight it never
 * delays anything.  The client prints
 *   transactions=T elapsed=S rate=T/S
 */
#include "reference.h"

static _Noreturn void server(int port, unsigned lifetime, size_t req, size_t resp) {
    ref_lifetime(lifetime);
    int lfd = ref_server_socket(SOCK_STREAM, port);
    char *buf = calloc(1, req > resp ? req : resp);
    for (;;) {  /* one client after another */
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) ref_die("accept");
        while (ref_recv_all(fd, buf, req) == (ssize_t)req)
            if (send(fd, buf, resp, 0) != (ssize_t)resp) break;
        close(fd);
    }
}

static int client(int port, double seconds, size_t req, size_t resp) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) ref_die("socket");
    struct sockaddr_in a = ref_addr(port);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) ref_die("connect");
    char *buf = calloc(1, req > resp ? req : resp);
    unsigned long long n = 0;
    ref_arm_timer(seconds);
    double t0 = ref_now();
    while (!ref_stop) {
        if (send(fd, buf, req, 0) != (ssize_t)req) break;
        if (ref_recv_all(fd, buf, resp) != (ssize_t)resp) break;
        n++;
    }
    double elapsed = ref_now() - t0;
    close(fd);
    printf("transactions=%llu elapsed=%.6f rate=%.2f\n", n, elapsed, (double)n / elapsed);
    return 0;
}

int main(int argc, char **argv) {
    const char *more = "[REQ_BYTES RESP_BYTES]";
    if (argc < 4) ref_usage(argv[0], more);
    size_t req = argc > 4 ? (size_t)atol(argv[4]) : 1, resp = argc > 5 ? (size_t)atol(argv[5]) : 1;
    if (!req || !resp) ref_usage(argv[0], more);
    if (!strcmp(argv[1], "server")) server(atoi(argv[2]), (unsigned)atoi(argv[3]), req, resp);
    if (!strcmp(argv[1], "client")) return client(atoi(argv[2]), atof(argv[3]), req, resp);
    ref_usage(argv[0], more);
    return 2;
}
