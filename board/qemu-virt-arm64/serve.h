/* board/qemu-virt-arm64/serve.h: the terminator's loop on bare metal
 * (serve.c). */
#ifndef TERN_BOARD_QEMU_VIRT_ARM64_SERVE_H
#define TERN_BOARD_QEMU_VIRT_ARM64_SERVE_H

#include "board/qemu-virt-arm64/net.h"

/* Serve HTTP/3 on the network net brought up (board_net_up) until 'q' on
 * the console, "quit" to the echo or CONFIG_BOARD_SERVE_SECONDS. Prints
 * its statistics at the end (the caller prints the pools, after
 * board_net_down). 0, or -1 when it could not start (said why). */
int board_serve(struct board_net *net);

#endif
