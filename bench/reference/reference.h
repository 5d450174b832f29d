/* Shared by the minimal C reference loops of bench/compare (tcp_rr.c,
 * udp_rr.c, tcp_stream.c, tcp_crr.c).  Each program is the smallest loop
 * that does the test the way netperf 2.7 does it: blocking sockets, one
 * system call per send and per receive, the end of the test signalled by
 * SIGALRM (no clock read per transaction), elapsed time from
 * CLOCK_MONOTONIC read once at the start and once at the end.
 *
 * Every program has two modes:
 *   PROG server PORT LIFETIME ...  binds 127.0.0.1:PORT (0 = any free port),
 *                                  prints "port=N", serves, and exits after
 *                                  LIFETIME seconds at the latest
 *   PROG client PORT SECONDS ...   runs for SECONDS and prints key=value
 *                                  results on one line
 * A lost datagram or a silent server cannot hang a client: the SIGALRM
 * that ends the test interrupts a blocked call, and the wind-down after it
 * (drain, close) is bounded by a 30 s alarm that kills the process.
 */
#ifndef BENCH_REFERENCE_H
#define BENCH_REFERENCE_H

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t ref_stop;

static void ref_on_alarm(int sig) {
    (void)sig;
    ref_stop = 1;
}

static _Noreturn void ref_die(const char *what) {
    fprintf(stderr, "%s: %s\n", what, strerror(errno));
    exit(1);
}

static double ref_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Sets ref_stop after `seconds`; without SA_RESTART, so a blocked send or
 * recv returns EINTR and the loop ends on time. */
static void ref_arm_timer(double seconds) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = ref_on_alarm;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it;
    memset(&it, 0, sizeof it);
    it.it_value.tv_sec = (time_t)seconds;
    it.it_value.tv_usec = (suseconds_t)((seconds - (double)(time_t)seconds) * 1e6);
    setitimer(ITIMER_REAL, &it, NULL);
}

/* Hard bound on the rest of the process's life: SIGALRM's default action
 * terminates it. */
static void ref_lifetime(unsigned seconds) {
    signal(SIGALRM, SIG_DFL);
    alarm(seconds);
}

static struct sockaddr_in ref_addr(int port) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

/* A bound (and, for TCP, listening) server socket; prints "port=N". */
static int ref_server_socket(int type, int port) {
    int fd = socket(AF_INET, type, 0);
    if (fd < 0) ref_die("socket");
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = ref_addr(port);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) ref_die("bind");
    if (type == SOCK_STREAM && listen(fd, 1024) < 0) ref_die("listen");
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    printf("port=%d\n", ntohs(a.sin_port));
    fflush(stdout);
    return fd;
}

/* Receives exactly len bytes; returns len, 0 on EOF, -1 on error/EINTR. */
static inline ssize_t ref_recv_all(int fd, char *buf, size_t len) {
    size_t have = 0;
    while (have < len) {
        ssize_t n = recv(fd, buf + have, len - have, 0);
        if (n <= 0) return n;
        have += (size_t)n;
    }
    return (ssize_t)have;
}

static _Noreturn void ref_usage(const char *prog, const char *more) {
    fprintf(stderr, "usage: %s server PORT LIFETIME_S %s\n       %s client PORT SECONDS %s\n", prog, more,
            prog, more);
    exit(2);
}

#endif
