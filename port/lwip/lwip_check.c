/* port/lwip/lwip_check.c: proof that the generated lwipopts.h says what
 * .config says, as lwIP itself sees it (through lwip/opt.h). Compiled, not
 * linked, by `make lwip-check` (mk/lwip.mk); a mismatch fails the compile. */
#include "lib/kconfig.h"

#include "lwip/opt.h"
#include "lwip/init.h"

BUILD_ASSERT(LWIP_VERSION_MAJOR == 2 && LWIP_VERSION_MINOR == 1, "lwIP 2.1.x expected");

BUILD_ASSERT(NO_SYS == 1, "NO_SYS must be 1");
BUILD_ASSERT(MEM_LIBC_MALLOC == 0, "lwIP must not use the C library's malloc");
BUILD_ASSERT(MEMP_MEM_MALLOC == 0, "lwIP pools must be static");
BUILD_ASSERT(MEM_USE_POOLS == 0, "lwIP heap must be its own static array");
BUILD_ASSERT(MEM_SIZE == CONFIG_LWIP_MEM_SIZE_KB * 1024, "MEM_SIZE != CONFIG_LWIP_MEM_SIZE_KB");

BUILD_ASSERT(PBUF_POOL_SIZE == CONFIG_LWIP_PBUF_POOL_SIZE, "PBUF_POOL_SIZE != CONFIG_LWIP_PBUF_POOL_SIZE");
BUILD_ASSERT(MEMP_NUM_TCP_PCB == CONFIG_LWIP_TCP_PCBS, "MEMP_NUM_TCP_PCB != CONFIG_LWIP_TCP_PCBS");
BUILD_ASSERT(TCP_MSS == CONFIG_LWIP_TCP_MSS, "TCP_MSS != CONFIG_LWIP_TCP_MSS");
BUILD_ASSERT(TCP_WND == CONFIG_LWIP_TCP_WND_MSS * CONFIG_LWIP_TCP_MSS, "TCP_WND != CONFIG_LWIP_TCP_WND_MSS segments");
BUILD_ASSERT(TCP_SND_BUF == CONFIG_LWIP_TCP_SND_BUF_MSS * CONFIG_LWIP_TCP_MSS, "TCP_SND_BUF != CONFIG_LWIP_TCP_SND_BUF_MSS segments");
BUILD_ASSERT(TCP_WND <= 0xffff && LWIP_WND_SCALE == 0, "TCP_WND must fit 16 bits without window scaling");
BUILD_ASSERT(MEMP_NUM_TCP_SEG >= TCP_SND_QUEUELEN, "TCP segment pool smaller than one send queue");

BUILD_ASSERT(LWIP_IPV4 == 1, "IPv4 is always on");
BUILD_ASSERT(LWIP_IPV6 == IS_ENABLED(CONFIG_LWIP_IPV6), "LWIP_IPV6 != CONFIG_LWIP_IPV6");
BUILD_ASSERT(LWIP_UDP && LWIP_TCP && LWIP_DHCP && LWIP_ARP && LWIP_ICMP, "UDP, TCP, DHCP, ARP, ICMP");
BUILD_ASSERT(LWIP_SOCKET == 0 && LWIP_NETCONN == 0, "raw API only");
BUILD_ASSERT(LWIP_NETIF_LINK_CALLBACK && LWIP_NETIF_STATUS_CALLBACK, "netif callbacks");
BUILD_ASSERT(LWIP_STATS && MEMP_STATS && MEM_STATS && !LWIP_STATS_DISPLAY, "stats without printf");
BUILD_ASSERT(CHECKSUM_GEN_IP && CHECKSUM_GEN_UDP && CHECKSUM_GEN_TCP &&
	     CHECKSUM_CHECK_IP && CHECKSUM_CHECK_UDP && CHECKSUM_CHECK_TCP, "software checksums");
