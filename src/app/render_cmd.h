/* The render subcommand: a saved JSON report in another format. */
#ifndef TLSPROBE_RENDER_CMD_H
#define TLSPROBE_RENDER_CMD_H

/* argv[0] is "render". Returns the exit status. */
int render_main(int argc, char **argv);

#endif
