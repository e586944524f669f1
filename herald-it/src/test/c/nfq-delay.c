/*
 * nfq-delay: holds every packet of one netfilter queue for a fixed time, then accepts it.
 *
 * The fault campaign's stand-in for netem's "delay" where the kernel has no sch_netem: an iptables rule
 * (-j NFQUEUE --queue-num N --queue-bypass) sends a namespace's packets here; each is released DELAY_MS after it
 * arrived, in arrival order (the delay is constant, so a FIFO is enough). Packets queued beyond the ring's
 * capacity are accepted at once rather than dropped. SIGTERM/SIGINT accept what is held and exit.
 *
 *   nfq-delay QUEUE_NUM DELAY_MS
 *
 * Build: cc -O2 -o nfq-delay nfq-delay.c -lnetfilter_queue   (Debian: libnetfilter-queue-dev)
 * Exit codes: 0 stopped by a signal; 1 setup failed; 2 bad arguments.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libnetfilter_queue/libnetfilter_queue.h>
#include <linux/netfilter.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CAPACITY 65536

struct held {
    uint32_t id;
    int64_t due_ms;
};

static struct held ring[CAPACITY];
static size_t head, count;
static int64_t delay_ms;
static volatile sig_atomic_t stopping;

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_signal(int sig) {
    (void) sig;
    stopping = 1;
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg, struct nfq_data *nfa, void *data) {
    (void) msg;
    (void) data;
    struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);
    if (ph == NULL) {
        return 0;
    }
    uint32_t id = ntohl(ph->packet_id);
    if (count == CAPACITY) {
        return nfq_set_verdict(qh, id, NF_ACCEPT, 0, NULL);
    }
    ring[(head + count) % CAPACITY] = (struct held) {id, now_ms() + delay_ms};
    count++;
    return 0;
}

/* Accepts every held packet that is due (all of them when flush is set); returns ms until the next is due, or -1. */
static int release(struct nfq_q_handle *qh, int flush) {
    int64_t now = now_ms();
    while (count > 0 && (flush || ring[head].due_ms <= now)) {
        nfq_set_verdict(qh, ring[head].id, NF_ACCEPT, 0, NULL);
        head = (head + 1) % CAPACITY;
        count--;
    }
    return count == 0 ? -1 : (int) (ring[head].due_ms - now);
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: nfq-delay QUEUE_NUM DELAY_MS\n");
        return 2;
    }
    int queue = atoi(argv[1]);
    delay_ms = atoll(argv[2]);
    if (queue < 0 || queue > 65535 || delay_ms < 0) {
        fprintf(stderr, "nfq-delay: bad queue number or delay\n");
        return 2;
    }
    struct nfq_handle *h = nfq_open();
    if (h == NULL) {
        perror("nfq-delay: nfq_open");
        return 1;
    }
    struct nfq_q_handle *qh = nfq_create_queue(h, (uint16_t) queue, &on_packet, NULL);
    if (qh == NULL) {
        perror("nfq-delay: nfq_create_queue");
        return 1;
    }
    if (nfq_set_mode(qh, NFQNL_COPY_META, 0) < 0) {
        perror("nfq-delay: nfq_set_mode");
        return 1;
    }
    nfq_set_queue_maxlen(qh, CAPACITY);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    int fd = nfq_fd(h);
    char buf[65536] __attribute__((aligned));
    printf("nfq-delay: queue %d, %lld ms\n", queue, (long long) delay_ms);
    fflush(stdout);
    while (!stopping) {
        int wait = release(qh, 0);
        struct pollfd pfd = {fd, POLLIN, 0};
        int ready = poll(&pfd, 1, wait < 0 ? 1000 : wait);
        if (ready > 0) {
            ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
            if (n > 0) {
                nfq_handle_packet(h, buf, (int) n);
            } else if (n < 0 && errno == ENOBUFS) {
                fprintf(stderr, "nfq-delay: receive buffer overrun; some packets wait for the kernel's timeout\n");
            }
        }
    }
    release(qh, 1);
    nfq_destroy_queue(qh);
    nfq_close(h);
    return 0;
}
