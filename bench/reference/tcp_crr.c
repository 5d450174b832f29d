/* Minimal serial connect/request/response/close loop: the reference for
 * netperf TCP_CRR.
 *
 *   cc -O2 -o tcp_crr bench/reference/tcp_crr.c
 *   taskset -c 1 ./tcp_crr server 0 60 &         # prints port=N
 *   taskset -c 0 ./tcp_crr client N 5 1 1        # 5 s, 1-byte request and response
 *
 * One transaction, as netperf 2.7 does it: the client opens a connection,
 * sends the request, reads the response, then waits for the server's close
 * (recv returns 0) and closes; the server accepts, reads the request, sends
 * the response and closes first (so TIME_WAIT lands on the server and the
 * client's ports are free again at once).  Client: socket, connect, send,
 * recv, recv (EOF), close = 6 system calls; server: accept, recv, send,
 * close = 4.  The client prints
 *   transactions=T elapsed=S rate=T/S
 */
#include "reference.h"

static _Noreturn void server(int port, unsigned lifetime, size_t req, size_t resp) {
    ref_lifetime(lifetime);
    int lfd = ref_server_socket(SOCK_STREAM, port);
    char *buf = calloc(1, req > resp ? req : resp);
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            ref_die("accept");
        }
        if (ref_recv_all(fd, buf, req) == (ssize_t)req) send(fd, buf, resp, 0);
        close(fd);
    }
}

static int client(int port, double seconds, size_t req, size_t resp) {
    struct sockaddr_in a = ref_addr(port);
    char *buf = calloc(1, req > resp ? req : resp);
    char tail[64];
    unsigned long long n = 0;
    ref_arm_timer(seconds);
    double t0 = ref_now();
    while (!ref_stop) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd < 0) ref_die("socket");
        if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
            if (errno == EINTR) {
                close(fd);
                break;
            }
            ref_die("connect");
        }
        int ok = send(fd, buf, req, 0) == (ssize_t)req && ref_recv_all(fd, buf, resp) == (ssize_t)resp &&
                 recv(fd, tail, sizeof tail, 0) == 0;
        close(fd);
        if (!ok) break;
        n++;
    }
    double elapsed = ref_now() - t0;
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
