/* Minimal UDP request/response ping-pong: the reference for netperf UDP_RR.
 *
 *   cc -O2 -o udp_rr bench/reference/udp_rr.c
 *   taskset -c 1 ./udp_rr server 0 60 &          # prints port=N
 *   taskset -c 0 ./udp_rr client N 5 1 1         # 5 s, 1-byte request and response
 *
 * The client connect()s its socket and uses send()/recv(); the server, which
 * does not know its client in advance, uses recvfrom()/sendto() (as netserver
 * does).  Two system calls per transaction on each side.  A lost datagram
 * stalls the client until the end of the test, as in netperf 2.7.  The
 * client prints
 *   transactions=T elapsed=S rate=T/S
 */
#include "reference.h"

static _Noreturn void server(int port, unsigned lifetime, size_t resp) {
    ref_lifetime(lifetime);
    int fd = ref_server_socket(SOCK_DGRAM, port);
    char buf[65536];
    memset(buf, 0, sizeof buf);
    for (;;) {
        struct sockaddr_storage from;
        socklen_t len = sizeof from;
        ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
        if (n < 0) ref_die("recvfrom");
        sendto(fd, buf, resp, 0, (struct sockaddr *)&from, len);
    }
}

static int client(int port, double seconds, size_t req, size_t resp) {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) ref_die("socket");
    struct sockaddr_in a = ref_addr(port);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) ref_die("connect");
    char buf[65536];
    memset(buf, 0, sizeof buf);
    unsigned long long n = 0;
    ref_arm_timer(seconds);
    double t0 = ref_now();
    while (!ref_stop) {
        if (send(fd, buf, req, 0) != (ssize_t)req) break;
        if (recv(fd, buf, sizeof buf, 0) != (ssize_t)resp) break;
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
    if (!req || !resp || req > 65507 || resp > 65507) ref_usage(argv[0], more);
    if (!strcmp(argv[1], "server")) server(atoi(argv[2]), (unsigned)atoi(argv[3]), resp);
    if (!strcmp(argv[1], "client")) return client(atoi(argv[2]), atof(argv[3]), req, resp);
    ref_usage(argv[0], more);
    return 2;
}
