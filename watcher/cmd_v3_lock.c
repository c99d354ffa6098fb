/*
 * etcdwatch: v3 commands (being written).
 */
#include "cmd_v3.h"

const cli_command cli_v3_lock_commands[] = {
    {NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL},
};
