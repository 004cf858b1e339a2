/* The validate subcommand: checks inventories (and a policy) without resolving or probing. */
#ifndef TLSPROBE_VALIDATE_CMD_H
#define TLSPROBE_VALIDATE_CMD_H

/* argv[0] is "validate". Returns the exit status: 0 valid, 2 an error (all of them printed). */
int validate_main(int argc, char **argv);

#endif
