/* What a shared file-descriptor table costs a socket system call.
 *
 *   cc -O2 -pthread -o fd_table_cost bench/reference/fd_table_cost.c
 *   for m in 0 1 2 0 1 2 0 1 2; do taskset -c 0 ./fd_table_cost $m; done
 *
 * One thread ping-pongs a byte over a Unix socketpair (send + recv) in three
 * settings: 0, the only thread of the process; 1, with an idle second
 * thread (the file table is shared, so every fd lookup takes a reference on
 * the file, as in any multi-threaded process, netperf 3's included); 2, the
 * same after unshare(CLONE_FILES), which gives the calling thread a private
 * table again.  It prints ns per send+recv pair; compare the modes run by
 * run, not across runs. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void *idle(void *arg) {
    (void)arg;
    for (;;) pause();
    return NULL;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    int mode = argc > 1 ? atoi(argv[1]) : 0;
    if (mode < 0 || mode > 2) {
        fprintf(stderr, "usage: %s 0|1|2   (single thread | + idle thread | + idle thread, unshared table)\n",
                argv[0]);
        return 2;
    }
    pthread_t th;
    if (mode >= 1 && pthread_create(&th, NULL, idle, NULL) != 0) return 1;
    if (mode == 2 && unshare(CLONE_FILES) != 0) {
        perror("unshare");
        return 1;
    }
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
        perror("socketpair");
        return 1;
    }
    char b = 'x';
    const int n = 400000;
    double t0 = now();
    for (int i = 0; i < n; i++) {
        if (send(sv[0], &b, 1, 0) != 1 || recv(sv[1], &b, 1, 0) != 1) {
            perror("send/recv");
            return 1;
        }
    }
    printf("mode %d: %.0f ns per send+recv\n", mode, (now() - t0) / n * 1e9);
    return 0;
}
