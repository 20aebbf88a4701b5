// SPDX-License-Identifier: MIT
/* aps-ecu: query an APsystems ECU, or simulate one. */
#include <stdio.h>
#include <string.h>

#include "commands.h"

static void usage(FILE *out)
{
	fputs("usage: aps-ecu query HOST[:PORT] [--timeout MS] [--gap MS] [--raw DIR]\n"
	      "       aps-ecu simulate --port P [--replay DIR | --inverters N] [--fault MODE[:ARG]] ...\n"
	      "       aps-ecu forget [--host H] [--port P] [--dry-run] ...\n"
	      "       aps-ecu COMMAND --help\n"
	      "       aps-ecu --version\n", out);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "query") == 0) return aps_query_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "simulate") == 0) return aps_simulate_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "forget") == 0) return aps_forget_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "--version") == 0) {
		printf("aps-ecu %s\n", APS_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "aps-ecu: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
