/* synack-run's relay: the stack side of unmodified programs. It serves the control
 * connections of preloaded processes (src/run/shim.c) and joins each socket pair a program
 * holds to a synack socket of a runtime without thread (src/run/proto.h says how). */
#ifndef SK_RUN_RELAY_H
#define SK_RUN_RELAY_H

#include <stddef.h>

#include <synack/rt.h>

struct sk_run_relay;

/* A relay on rt (started with no_thread), with its control socket bound to the abstract
 * name SK_RUN_NAME "<pid>". NULL with a one-line reason in why. */
struct sk_run_relay *sk_run_relay_new(synack_rt *rt, char *why, size_t whylen);
/* The control socket's abstract name, without its leading NUL. */
const char *sk_run_relay_name(const struct sk_run_relay *r);
/* Adds the caller's descriptor fd (a signalfd) to what sk_run_relay_run waits on. 0, or -1
 * with errno. */
int sk_run_relay_watch(struct sk_run_relay *r, int fd);
/* Waits up to timeout_ms (0: not at all) for work or the watched descriptor, in one
 * epoll_wait, and does the work that is ready. SK_RUN_WORKED when there was any,
 * SK_RUN_WATCHED when the watched descriptor is readable (supervise.h), or -1 with errno when the runtime failed (ESHUTDOWN, ENETDOWN, ...). */
int sk_run_relay_run(struct sk_run_relay *r, int timeout_ms);
/* How many control connections and sockets programs still hold: 0 once every process of
 * the program has gone (or never used the network). */
size_t sk_run_relay_users(const struct sk_run_relay *r);
/* Closes every socket (TCP connections with a FIN) and frees the relay; the runtime stays. */
void sk_run_relay_free(struct sk_run_relay *r);

#endif
