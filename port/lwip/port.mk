# port/lwip: port.h over lwIP 2.1.3 (bare metal, NO_SYS). A board that uses
# this port includes this file from its board.mk; lwIP itself is built by
# mk/lwip.mk, which also gives the files listed here lwIP's include paths.
port-y += port/lwip/lwip_port.c
# backend TCP over lwIP's raw API
port-y += port/lwip/tcp.c
# QUIC datagrams over lwIP UDP
port-y += port/lwip/udp.c
# the Ethernet netif over a board NIC driver, and its addressing
port-y += port/lwip/netif.c
