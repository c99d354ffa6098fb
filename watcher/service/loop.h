/*
 * loop.h: the watcher's event loop: poll() over registered descriptors, one-shot
 * timers, and signals delivered through a self-pipe. libetcd is plugged in through
 * its loop hooks.
 */
#ifndef EW_LOOP_H
#define EW_LOOP_H

#include <stddef.h>
#include <stdint.h>

#define EW_IN 1
#define EW_OUT 2

typedef void (*ew_fd_cb)(int fd, int events, void *data);

typedef struct ew_timer {
    uint64_t due_ms;
    void (*fire)(void *arg);
    void *arg;
    struct ew_timer *next;
    int armed;
} ew_timer;

typedef struct ew_watch_fd {
    int fd;
    int events;
    ew_fd_cb cb;
    void *data;
} ew_watch_fd;

typedef struct ew_loop {
    ew_watch_fd *fds;
    size_t nfds, cap;
    ew_timer *timers;
    int sigpipe[2];
    void (*on_signal)(int sig, void *data);
    void *signal_data;
    int stop;
} ew_loop;

uint64_t ew_now_ms(void);

int ew_loop_init(ew_loop *loop);
void ew_loop_cleanup(ew_loop *loop);

/* Watch fd for events (EW_IN|EW_OUT), replacing an earlier registration; events == 0
 * stops watching it. Returns 0, or -1 when out of memory. */
int ew_loop_watch(ew_loop *loop, int fd, int events, ew_fd_cb cb, void *data);

/* Start (or restart) a one-shot timer; stop it. */
void ew_timer_start(ew_loop *loop, ew_timer *timer, long delay_ms);
void ew_timer_stop(ew_loop *loop, ew_timer *timer);

/* Deliver `sigs` (n of them) to on_signal from the loop, not from a handler. */
int ew_loop_catch(ew_loop *loop, const int *sigs, size_t n,
                  void (*on_signal)(int sig, void *data), void *data);

/* Wait for descriptors, timers or signals (at most max_wait_ms, -1: no limit) and run
 * what is due. */
void ew_loop_run_once(ew_loop *loop, long max_wait_ms);

/* Run until ew_loop_stop(). */
void ew_loop_run(ew_loop *loop);
void ew_loop_stop(ew_loop *loop);

#endif /* EW_LOOP_H */
