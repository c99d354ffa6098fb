/*
 * loop.c: poll(), timers and a self-pipe for signals.
 */
#define _POSIX_C_SOURCE 200809L

#include "loop.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int signal_pipe_write = -1;

uint64_t ew_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int ew_loop_init(ew_loop *loop)
{
    memset(loop, 0, sizeof(*loop));
    loop->sigpipe[0] = loop->sigpipe[1] = -1;
    return 0;
}

void ew_loop_cleanup(ew_loop *loop)
{
    if (loop->sigpipe[0] >= 0) {
        signal_pipe_write = -1;
        close(loop->sigpipe[0]);
        close(loop->sigpipe[1]);
    }
    free(loop->fds);
    memset(loop, 0, sizeof(*loop));
    loop->sigpipe[0] = loop->sigpipe[1] = -1;
}

static ew_watch_fd *find_fd(ew_loop *loop, int fd)
{
    size_t i;

    for (i = 0; i < loop->nfds; i++) {
        if (loop->fds[i].fd == fd)
            return &loop->fds[i];
    }
    return NULL;
}

int ew_loop_watch(ew_loop *loop, int fd, int events, ew_fd_cb cb, void *data)
{
    ew_watch_fd *w = find_fd(loop, fd);

    if (events == 0) {
        if (w)
            *w = loop->fds[--loop->nfds];
        return 0;
    }
    if (!w) {
        if (loop->nfds == loop->cap) {
            size_t cap = loop->cap ? loop->cap * 2 : 16;
            ew_watch_fd *fds = realloc(loop->fds, cap * sizeof(*fds));

            if (!fds)
                return -1;
            loop->fds = fds;
            loop->cap = cap;
        }
        w = &loop->fds[loop->nfds++];
    }
    w->fd = fd;
    w->events = events;
    w->cb = cb;
    w->data = data;
    return 0;
}

void ew_timer_stop(ew_loop *loop, ew_timer *timer)
{
    ew_timer **pp = &loop->timers;

    if (!timer->armed)
        return;
    while (*pp && *pp != timer)
        pp = &(*pp)->next;
    if (*pp)
        *pp = timer->next;
    timer->next = NULL;
    timer->armed = 0;
}

void ew_timer_start(ew_loop *loop, ew_timer *timer, long delay_ms)
{
    ew_timer **pp = &loop->timers;

    ew_timer_stop(loop, timer);
    timer->due_ms = ew_now_ms() + (uint64_t)(delay_ms > 0 ? delay_ms : 0);
    while (*pp && (*pp)->due_ms <= timer->due_ms)
        pp = &(*pp)->next;
    timer->next = *pp;
    *pp = timer;
    timer->armed = 1;
}

static void on_signal_handler(int sig)
{
    unsigned char b = (unsigned char)sig;
    int saved = errno;

    if (signal_pipe_write >= 0 && write(signal_pipe_write, &b, 1) < 0) {
        /* The pipe is full: the signal is already pending there. */
    }
    errno = saved;
}

static void on_signal_pipe(int fd, int events, void *data)
{
    ew_loop *loop = data;
    unsigned char buf[64];
    ssize_t n, i;

    (void)events;
    n = read(fd, buf, sizeof(buf));
    for (i = 0; i < n; i++)
        loop->on_signal(buf[i], loop->signal_data);
}

int ew_loop_catch(ew_loop *loop, const int *sigs, size_t n,
                  void (*on_signal)(int sig, void *data), void *data)
{
    struct sigaction sa;
    size_t i;

    if (loop->sigpipe[0] < 0) {
        if (pipe(loop->sigpipe) < 0)
            return -1;
        for (i = 0; i < 2; i++) {
            fcntl(loop->sigpipe[i], F_SETFL, O_NONBLOCK);
            fcntl(loop->sigpipe[i], F_SETFD, FD_CLOEXEC);
        }
        signal_pipe_write = loop->sigpipe[1];
        if (ew_loop_watch(loop, loop->sigpipe[0], EW_IN, on_signal_pipe, loop))
            return -1;
    }
    loop->on_signal = on_signal;
    loop->signal_data = data;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal_handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    for (i = 0; i < n; i++) {
        if (sigaction(sigs[i], &sa, NULL) < 0)
            return -1;
    }
    return 0;
}

static void fire_timers(ew_loop *loop)
{
    uint64_t now = ew_now_ms();

    while (loop->timers && loop->timers->due_ms <= now && !loop->stop) {
        ew_timer *t = loop->timers;

        loop->timers = t->next;
        t->next = NULL;
        t->armed = 0;
        t->fire(t->arg);
    }
}

void ew_loop_run_once(ew_loop *loop, long max_wait_ms)
{
    struct pollfd stack[32], *pfds = stack;
    size_t n = loop->nfds, i;
    long wait = max_wait_ms;
    int ready;

    if (loop->timers) {
        uint64_t now = ew_now_ms();
        long due = loop->timers->due_ms > now ? (long)(loop->timers->due_ms - now) : 0;

        if (wait < 0 || due < wait)
            wait = due;
    }
    if (n > sizeof(stack) / sizeof(stack[0])) {
        pfds = calloc(n, sizeof(*pfds));
        if (!pfds) {
            pfds = stack;
            n = sizeof(stack) / sizeof(stack[0]);
        }
    }
    for (i = 0; i < n; i++) {
        pfds[i].fd = loop->fds[i].fd;
        pfds[i].events = (short)(((loop->fds[i].events & EW_IN) ? POLLIN : 0) |
                                 ((loop->fds[i].events & EW_OUT) ? POLLOUT : 0));
        pfds[i].revents = 0;
    }
    ready = poll(pfds, (nfds_t)n, wait > 0x7fffffffL ? 0x7fffffff : (int)wait);
    for (i = 0; ready > 0 && i < n && !loop->stop; i++) {
        ew_watch_fd *w;
        int events = 0;

        if (!pfds[i].revents)
            continue;
        /* The callbacks may change the registrations: look each one up again. */
        w = find_fd(loop, pfds[i].fd);
        if (!w)
            continue;
        if (pfds[i].revents & (POLLIN | POLLHUP | POLLERR))
            events |= EW_IN;
        if (pfds[i].revents & (POLLOUT | POLLERR))
            events |= EW_OUT;
        w->cb(pfds[i].fd, events, w->data);
    }
    if (pfds != stack)
        free(pfds);
    fire_timers(loop);
}

void ew_loop_run(ew_loop *loop)
{
    while (!loop->stop)
        ew_loop_run_once(loop, -1);
}

void ew_loop_stop(ew_loop *loop)
{
    loop->stop = 1;
}
