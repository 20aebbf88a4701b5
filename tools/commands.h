// SPDX-License-Identifier: MIT
/* commands.h - the aps-ecu subcommands; each takes argv from its own name on. */
#ifndef APS_COMMANDS_H
#define APS_COMMANDS_H

int aps_query_main(int argc, char **argv);
int aps_simulate_main(int argc, char **argv);
int aps_forget_main(int argc, char **argv);

#endif
