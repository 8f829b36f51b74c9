# port/lwip: port.h over lwIP 2.1.3 (bare metal, NO_SYS). A board that uses
# this port includes this file from its board.mk; lwIP itself is built by
# mk/lwip.mk, which also gives the files listed here lwIP's include paths.
port-y += port/lwip/lwip_port.c
# backend TCP: not on lwIP yet (issue 8); every connect fails (502)
port-y += port/lwip/tcp_none.c
