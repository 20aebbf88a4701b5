// SPDX-License-Identifier: MIT
#define _DEFAULT_SOURCE
#include "shutdown.h"

#include <signal.h>
#include <stddef.h>
#include <string.h>

/* Ticks to wait after publishing "offline": one loop pass queues it to the
 * subscribers, the next writes it out. */
#define TICKS_BEFORE_STOP 2

/* Signal handlers can only reach file-scope state: this is the plugin's one
 * exception to keeping everything in its userdata. */
static volatile sig_atomic_t held_signal;
static struct sigaction broker_int, broker_term;
static bool installed;
static int ticks_since_offline = -1;

static void hand_back(int sig)
{
	sigaction(SIGINT, &broker_int, NULL);
	sigaction(SIGTERM, &broker_term, NULL);
	installed = false;
	raise(sig);
}

static void hold_signal(int sig)
{
	if (held_signal) {
		/* Asked twice: the user wants out now. sigaction and raise are
		 * async-signal-safe. */
		sigaction(SIGINT, &broker_int, NULL);
		sigaction(SIGTERM, &broker_term, NULL);
		raise(sig);
		return;
	}
	held_signal = sig;
}

void shutdown_install(void)
{
	struct sigaction ours;

	if (installed) return;
	memset(&ours, 0, sizeof(ours));
	ours.sa_handler = hold_signal;
	ours.sa_flags = SA_RESTART;
	sigemptyset(&ours.sa_mask);
	if (sigaction(SIGINT, &ours, &broker_int) != 0) return;
	if (sigaction(SIGTERM, &ours, &broker_term) != 0) {
		sigaction(SIGINT, &broker_int, NULL);
		return;
	}
	installed = true;
	held_signal = 0;
	ticks_since_offline = -1;
}

bool shutdown_tick(void)
{
	if (!installed || !held_signal) return false;
	if (ticks_since_offline < 0) {
		ticks_since_offline = 0;
		return true;
	}
	if (++ticks_since_offline >= TICKS_BEFORE_STOP) hand_back(held_signal);
	return false;
}

void shutdown_uninstall(void)
{
	struct sigaction current;

	if (!installed) return;
	if (sigaction(SIGINT, NULL, &current) == 0 && current.sa_handler == hold_signal)
		sigaction(SIGINT, &broker_int, NULL);
	if (sigaction(SIGTERM, NULL, &current) == 0 && current.sa_handler == hold_signal)
		sigaction(SIGTERM, &broker_term, NULL);
	installed = false;
}
