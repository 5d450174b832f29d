/* Minimal TCP send loop: the reference for netperf TCP_STREAM.
 *
 *   cc -O2 -o tcp_stream bench/reference/tcp_stream.c
 *   taskset -c 1 ./tcp_stream server 0 60 131072 &   # prints port=N; recv() 128 KB at a time
 *   taskset -c 0 ./tcp_stream client N 5 16384       # 5 s of 16 KB send() calls
 *
 * The client writes MSG_BYTES per send() until the timer, then, as netperf
 * 2.7 does, shuts down its sending side and waits for the server's close, so
 * the elapsed time covers the data still queued.  Socket buffers are the
 * system's defaults on both sides.  The client prints
 *   bytes=B elapsed=S mbps=B*8/S/1e6 sends=N
 */
#include "reference.h"

static _Noreturn void server(int port, unsigned lifetime, size_t recv_size) {
    ref_lifetime(lifetime);
    int lfd = ref_server_socket(SOCK_STREAM, port);
    char *buf = malloc(recv_size);
    if (!buf) ref_die("malloc");
    for (;;) {  /* one client after another */
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) ref_die("accept");
        while (recv(fd, buf, recv_size, 0) > 0) {
        }
        close(fd);
    }
}

static int client(int port, double seconds, size_t msg) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) ref_die("socket");
    struct sockaddr_in a = ref_addr(port);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) ref_die("connect");
    char *buf = malloc(msg);
    if (!buf) ref_die("malloc");
    memset(buf, 'n', msg);
    unsigned long long bytes = 0, sends = 0;
    ref_arm_timer(seconds);
    double t0 = ref_now();
    while (!ref_stop) {
        ssize_t n = send(fd, buf, msg, 0);
        if (n <= 0) break;  /* EINTR at the end of the test */
        bytes += (unsigned long long)n;
        sends++;
    }
    ref_lifetime(30);
    shutdown(fd, SHUT_WR);
    char tail[64];
    while (recv(fd, tail, sizeof tail, 0) > 0) {
    }
    double elapsed = ref_now() - t0;
    close(fd);
    printf("bytes=%llu elapsed=%.6f mbps=%.2f sends=%llu\n", bytes, elapsed, (double)bytes * 8 / elapsed / 1e6,
           sends);
    return 0;
}

int main(int argc, char **argv) {
    const char *more = "SIZE  (server: bytes per recv; client: bytes per send)";
    if (argc < 5) ref_usage(argv[0], more);
    size_t size = (size_t)atol(argv[4]);
    if (!size) ref_usage(argv[0], more);
    if (!strcmp(argv[1], "server")) server(atoi(argv[2]), (unsigned)atoi(argv[3]), size);
    if (!strcmp(argv[1], "client")) return client(atoi(argv[2]), atof(argv[3]), size);
    ref_usage(argv[0], more);
    return 2;
}
