/* accept.h: the listening socket and one thread that accepts from it for libmicrohttpd.
 *
 * libmicrohttpd's pool threads each accept from the listening socket themselves, several
 * connections at a time, and a connection stays on the thread that took it. A burst of new
 * connections (a browser's six, nginx filling its upstream pool, a test's Promise.all) lands on
 * one or two threads, and while a handler there waits (for the commit its filing shares, for a
 * slow page), every other connection of that thread waits with it. Accepting here and handing
 * each socket to MHD_add_connection spreads connections over the whole pool (by descriptor,
 * libmicrohttpd's rule for added connections). */
#ifndef TIEJIAN_ACCEPT_H
#define TIEJIAN_ACCEPT_H

#include <stdbool.h>
#include <sys/socket.h>

#include "lib/status.h"

struct MHD_Daemon;
struct acceptor;

/* Bind and listen on sa (IPV6_V6ONLY for v6); the port bound in *port (for port 0, the one the
 * kernel chose). ST_UNAVAILABLE with errno set when the address cannot be bound. */
enum status acceptor_open(const struct sockaddr *sa, socklen_t len, bool v6,
			  struct acceptor **out, unsigned *port);
/* Start the accepting thread; d must be started with MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC. */
enum status acceptor_start(struct acceptor *a, struct MHD_Daemon *d);
/* Stop accepting (connections arriving from here on are refused by the kernel) and free a.
 * Connections already handed over stay with libmicrohttpd. */
void acceptor_close(struct acceptor *a);

#endif
