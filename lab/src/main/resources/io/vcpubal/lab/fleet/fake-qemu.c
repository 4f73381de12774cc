/*
 * A stand-in for one QEMU process in the fleet simulator: it owns N real, idle "vCPU" threads and serves
 * QMP on a Unix socket the way QEMU's -qmp unix:PATH,server=on,wait=off does, one client at a time:
 * the greeting, qmp_capabilities and query-cpus-fast (with the real thread ids), an error for anything
 * else. The host daemon finds this process by the socket's peer credentials and pins its threads with
 * sched_setaffinity, exactly as it does a QEMU.
 *
 * Usage: fake-qemu QMP_SOCKET VCPUS. Exits when its standard input closes (the simulator died or let go),
 * so no process outlives a run.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_VCPUS 64
#define MAX_LINE 4096

static pid_t tids[MAX_VCPUS];
static volatile int started;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void *vcpu(void *arg) {
    int index = (int) (long) arg;
    pthread_mutex_lock(&mu);
    tids[index] = (pid_t) syscall(SYS_gettid);
    started++;
    pthread_mutex_unlock(&mu);
    for (;;) {
        pause(); /* idle like a halted vCPU: never runnable */
    }
    return NULL;
}

static void *watch_stdin(void *arg) {
    char b[64];
    (void) arg;
    while (read(0, b, sizeof b) > 0) {
    }
    _exit(0);
}

static int send_all(int fd, const char *s, size_t n) {
    while (n > 0) {
        ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
        if (w <= 0) {
            return -1;
        }
        s += w;
        n -= (size_t) w;
    }
    return 0;
}

static int answer(int fd, const char *line, int vcpus) {
    char out[MAX_VCPUS * 96 + 64];
    if (strstr(line, "\"qmp_capabilities\"")) {
        snprintf(out, sizeof out, "{\"return\": {}}\r\n");
    } else if (strstr(line, "\"query-cpus-fast\"")) {
        size_t n = (size_t) snprintf(out, sizeof out, "{\"return\": [");
        for (int i = 0; i < vcpus; i++) {
            n += (size_t) snprintf(out + n, sizeof out - n,
                    "%s{\"cpu-index\": %d, \"thread-id\": %d, \"target\": \"x86_64\"}", i ? ", " : "", i, tids[i]);
        }
        snprintf(out + n, sizeof out - n, "]}\r\n");
    } else {
        snprintf(out, sizeof out, "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"not in fake-qemu\"}}\r\n");
    }
    return send_all(fd, out, strlen(out));
}

static void serve(int client, int vcpus) {
    static const char greeting[] = "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7},"
            " \"package\": \"vcpubal-fleet\"}, \"capabilities\": [\"oob\"]}}\r\n";
    char buf[MAX_LINE];
    size_t have = 0;
    if (send_all(client, greeting, sizeof greeting - 1) < 0) {
        return;
    }
    for (;;) {
        ssize_t r = recv(client, buf + have, sizeof buf - 1 - have, 0);
        if (r <= 0) {
            return;
        }
        have += (size_t) r;
        buf[have] = 0;
        char *nl;
        while ((nl = strchr(buf, '\n')) != NULL) {
            *nl = 0;
            if (answer(client, buf, vcpus) < 0) {
                return;
            }
            size_t used = (size_t) (nl + 1 - buf);
            memmove(buf, nl + 1, have - used + 1);
            have -= used;
        }
        if (have == sizeof buf - 1) {
            return; /* a line longer than any command: drop the client, as a bounded server must */
        }
    }
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: fake-qemu QMP_SOCKET VCPUS\n");
        return 2;
    }
    int vcpus = atoi(argv[2]);
    if (vcpus < 1 || vcpus > MAX_VCPUS || strlen(argv[1]) >= sizeof(((struct sockaddr_un *) 0)->sun_path)) {
        fprintf(stderr, "fake-qemu: VCPUS must be 1..%d and the socket path short enough\n", MAX_VCPUS);
        return 2;
    }
    pthread_t t;
    pthread_attr_t small;
    pthread_attr_init(&small);
    pthread_attr_setstacksize(&small, 64 * 1024);
    pthread_create(&t, &small, watch_stdin, NULL);
    for (long i = 0; i < vcpus; i++) {
        pthread_create(&t, &small, vcpu, (void *) i);
    }
    while (started < vcpus) {
        usleep(1000);
    }
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    strcpy(a.sun_path, argv[1]);
    unlink(argv[1]);
    if (s < 0 || bind(s, (struct sockaddr *) &a, sizeof a) < 0 || listen(s, 4) < 0) {
        perror("fake-qemu: QMP socket");
        return 1;
    }
    for (;;) {
        int c = accept(s, NULL, NULL);
        if (c >= 0) {
            serve(c, vcpus);
            close(c);
        }
    }
}
