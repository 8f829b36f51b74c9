"""lwIP lwipopts.h from tern's .config (see tools/kconfig.py).

lwip/opt.h includes lwipopts.h first and gives every option it does not
find here lwIP's default. The header below is the whole lwIP configuration
for the bare-metal port (port/lwip): NO_SYS, raw API only, static pools.
Tunables come from port/lwip/Kconfig (CONFIG_LWIP_*); everything else is
fixed here, each group with its reason. Relationships that involve lwIP's
own derived values (header lengths, pbuf sizes) are checked in
port/lwip/lwip_port.c; those between the values set here, at the end of
the header.

Without CONFIG_PORT_LWIP the symbols of port/lwip/Kconfig have no value and
lwIP is not built: the header is then a valid, empty configuration.
"""


from gen_header import HeaderWriter, int_value as _int, on as _on


def generate(kconf, header):
    o = HeaderWriter()
    o.raw(header.rstrip("\n"))
    o.raw("#ifndef TERN_LWIPOPTS_H\n#define TERN_LWIPOPTS_H")

    if not _on(kconf, "PORT_LWIP"):
        o.group("""CONFIG_PORT_LWIP is off: this board does not build lwIP. The
options below only keep the header a valid lwIP configuration.""",
                ("NO_SYS", 1), ("MEM_LIBC_MALLOC", 0), ("MEMP_MEM_MALLOC", 0))
        o.raw("\n#endif")
        return o.text()

    pbufs = _int(kconf, "LWIP_PBUF_POOL_SIZE")
    mem_kb = _int(kconf, "LWIP_MEM_SIZE_KB")
    pcbs = _int(kconf, "LWIP_TCP_PCBS")
    mss = _int(kconf, "LWIP_TCP_MSS")
    wnd_mss = _int(kconf, "LWIP_TCP_WND_MSS")
    snd_mss = _int(kconf, "LWIP_TCP_SND_BUF_MSS")
    ipv6 = _on(kconf, "LWIP_IPV6")
    # lwIP's own default for TCP_SND_QUEUELEN, spelt out so that the segment
    # pool can be sized from it (opt.h would compute the same).
    snd_queuelen = (4 * snd_mss * mss + mss - 1) // mss
    tcp_segs = min(pcbs * snd_queuelen, 0xffff)

    o.group("""No operating system: one thread, the board's main loop. It feeds
received frames to the netif and calls sys_check_timeouts(); lwIP is never
entered from an interrupt handler, so it needs no lightweight protection
(and no arch/sys_arch.h). sys_now() is in port/lwip/lwip_port.c.""",
            ("NO_SYS", 1), ("LWIP_TIMERS", 1), ("SYS_LIGHTWEIGHT_PROT", 0))

    o.group("""Memory: static only (DESIGN.md 3). lwIP's fixed-size pools (memp)
are .bss arrays; its small heap for PBUF_RAM buffers is one static array of
MEM_SIZE bytes (CONFIG_LWIP_MEM_SIZE_KB). The C library's malloc is never
used; `make lwip-check` proves liblwip.a does not reference it. 8-byte
alignment for AArch64.""",
            ("MEM_LIBC_MALLOC", 0), ("MEMP_MEM_MALLOC", 0), ("MEM_USE_POOLS", 0),
            ("MEM_ALIGNMENT", 8), ("MEM_SIZE", "(%d * 1024)" % mem_kb))

    o.group("""Received frames: CONFIG_LWIP_PBUF_POOL_SIZE pbufs, each large enough
for one whole 1500-byte-MTU Ethernet frame, so a QUIC datagram arrives in
one contiguous pbuf.""",
            ("PBUF_POOL_SIZE", pbufs),
            ("PBUF_POOL_BUFSIZE",
             "LWIP_MEM_ALIGN_SIZE(1500 + PBUF_LINK_ENCAPSULATION_HLEN + PBUF_LINK_HLEN)"))

    o.group("""Other pools. PBUF_REF/PBUF_ROM headers (zero-copy sends, IPv4
fragments); UDP: the QUIC listeners (IPv4 and IPv6) and DHCP; TCP: tern
connects to backends and listens on nothing, but lwIP's listen pool must
not be empty.""",
            ("MEMP_NUM_PBUF", 32), ("MEMP_NUM_UDP_PCB", 4),
            ("MEMP_NUM_TCP_PCB", pcbs), ("MEMP_NUM_TCP_PCB_LISTEN", 1))

    o.group("""IPv4 with ARP and ICMP, always. ARP queueing keeps a whole first
flight of datagrams (a QUIC handshake answer is several) while the
next hop is resolved, instead of only the last one.""",
            ("LWIP_IPV4", 1), ("LWIP_ARP", 1), ("LWIP_ETHERNET", 1),
            ("ARP_QUEUEING", 1), ("ARP_QUEUE_LEN", 8), ("MEMP_NUM_ARP_QUEUE", 16),
            ("LWIP_ICMP", 1), ("LWIP_RAW", 0), ("LWIP_IGMP", 0), ("LWIP_AUTOIP", 0))

    o.group("""DHCP for the IPv4 address (QEMU's user network hands out
10.0.2.15), with lwIP's ARP check of the offered address. No DNS:
backends are configured by address.""",
            ("LWIP_DHCP", 1), ("DHCP_DOES_ARP_CHECK", 1), ("LWIP_DNS", 0))

    if ipv6:
        o.group("""CONFIG_LWIP_IPV6=y: IPv6 with stateless autoconfiguration from
router advertisements (MLD and neighbour discovery come with it), no
DHCPv6. Fragment reassembly keeps a copy of each fragment header: lwIP's
bookkeeping (a pointer and two u16) would otherwise overwrite the 8-byte
header in place, which fits only with 32-bit pointers (on AArch64 lwIP's
reassembly timer asserts on the first sys_check_timeouts()).""",
                ("LWIP_IPV6", 1), ("LWIP_IPV6_AUTOCONFIG", 1), ("LWIP_IPV6_DHCP6", 0),
                ("IPV6_FRAG_COPYHEADER", 1))
    else:
        o.group("CONFIG_LWIP_IPV6 is off: IPv4 only.", ("LWIP_IPV6", 0))

    o.group("""UDP carries QUIC.""", ("LWIP_UDP", 1), ("LWIP_UDPLITE", 0))

    o.group("""TCP to the HTTP/1.1 backends (CONFIG_LWIP_TCP_*). No window
scaling: TCP_WND fits in 16 bits (checked below). The send queue length is
lwIP's default formula; the segment pool holds a full send queue for every
connection (at most 65535, the pool's limit). Initial sequence numbers come
from tern's entropy instead of lwIP's predictable counter.""",
            ("LWIP_TCP", 1), ("TCP_MSS", mss),
            ("TCP_WND", "(%d * TCP_MSS)" % wnd_mss),
            ("TCP_SND_BUF", "(%d * TCP_MSS)" % snd_mss),
            ("TCP_SND_QUEUELEN", "((4 * TCP_SND_BUF + (TCP_MSS - 1)) / TCP_MSS)"),
            ("MEMP_NUM_TCP_SEG", tcp_segs), ("LWIP_WND_SCALE", 0),
            ("TCP_QUEUE_OOSEQ", 1), ("LWIP_TCP_TIMESTAMPS", 0),
            ("TCP_LISTEN_BACKLOG", 0),
            ("LWIP_HOOK_TCP_ISN(local_ip, local_port, remote_ip, remote_port)",
             "tern_lwip_rand()"))

    o.group("""One Ethernet netif (virtio-net), set up by the board. The board
learns of link changes and of the DHCP/SLAAC address through the
callbacks.""",
            ("LWIP_NETIF_LINK_CALLBACK", 1), ("LWIP_NETIF_STATUS_CALLBACK", 1),
            ("LWIP_NETIF_HOSTNAME", 0), ("LWIP_HAVE_LOOPIF", 0),
            ("LWIP_NETIF_LOOPBACK", 0))

    o.group("""Raw API only: no sockets, no netconn, no netif API (they need
threads), no application-layered TCP.""",
            ("LWIP_SOCKET", 0), ("LWIP_NETCONN", 0), ("LWIP_NETIF_API", 0),
            ("LWIP_ALTCP", 0))

    o.group("""Checksums in software, generated and checked on every protocol
(the virtio-net driver offloads nothing).""",
            ("LWIP_CHECKSUM_CTRL_PER_NETIF", 0),
            ("CHECKSUM_GEN_IP", 1), ("CHECKSUM_GEN_UDP", 1), ("CHECKSUM_GEN_TCP", 1),
            ("CHECKSUM_GEN_ICMP", 1), ("CHECKSUM_GEN_ICMP6", 1),
            ("CHECKSUM_CHECK_IP", 1), ("CHECKSUM_CHECK_UDP", 1),
            ("CHECKSUM_CHECK_TCP", 1), ("CHECKSUM_CHECK_ICMP", 1),
            ("CHECKSUM_CHECK_ICMP6", 1))

    o.group("""Statistics, memp pools and heap included: tern prints them with
port_lwip_stats_format() (port/lwip/lwip_port.c), not lwIP's printf-based
stats_display(). 32-bit counters: a server runs long enough to wrap
16-bit ones.""",
            ("LWIP_STATS", 1), ("LWIP_STATS_DISPLAY", 0), ("LWIP_STATS_LARGE", 1),
            ("MEM_STATS", 1), ("MEMP_STATS", 1))

    o.group("""Randomness (local port start, DHCP transaction IDs, TCP ISNs) from
tern's entropy: tern_lwip_rand() in port/lwip/lwip_port.c, declared in
port/lwip/lwip_port.h (included by arch/cc.h).""",
            ("LWIP_RAND()", "((u32_t)tern_lwip_rand())"))

    o.raw("""
/* Relationships between the values above, checked when lwIP or tern's
 * port/lwip is compiled; the message names the configuration symbols. */""")
    o.check("TCP_WND > 0xffff && !LWIP_WND_SCALE",
            "CONFIG_LWIP_TCP_WND_MSS * CONFIG_LWIP_TCP_MSS exceeds 65535: "
            "no window scaling")
    o.check("TCP_SND_BUF > 0xffff",
            "CONFIG_LWIP_TCP_SND_BUF_MSS * CONFIG_LWIP_TCP_MSS exceeds 65535")
    o.check("TCP_WND < 2 * TCP_MSS || TCP_SND_BUF < 2 * TCP_MSS",
            "CONFIG_LWIP_TCP_WND_MSS and CONFIG_LWIP_TCP_SND_BUF_MSS must be "
            "at least 2")
    o.check("MEMP_NUM_TCP_SEG < TCP_SND_QUEUELEN",
            "MEMP_NUM_TCP_SEG cannot hold one send queue: lower "
            "CONFIG_LWIP_TCP_SND_BUF_MSS")
    # lwIP's own check (init.c), in numbers so that it fails here first and
    # names the configuration: PBUF_POOL_BUFSIZE (8-aligned frame) minus
    # Ethernet, IP (IPv6's when built) and TCP headers.
    tcp_payload = ((1500 + 14 + 7) & ~7) - (14 + (40 if ipv6 else 20) + 20)
    o.check("PBUF_POOL_SIZE * %d < TCP_WND" % tcp_payload,
            "CONFIG_LWIP_PBUF_POOL_SIZE pbufs (%d TCP payload bytes each) cannot "
            "hold one TCP window: raise it or lower CONFIG_LWIP_TCP_WND_MSS"
            % tcp_payload)
    o.check("MEM_SIZE < TCP_SND_BUF + 2048",
            "CONFIG_LWIP_MEM_SIZE_KB cannot hold one TCP send buffer "
            "(CONFIG_LWIP_TCP_SND_BUF_MSS) and a datagram")
    o.check("!NO_SYS || MEM_LIBC_MALLOC || MEMP_MEM_MALLOC",
            "tern's lwIP is NO_SYS with static memory only")
    o.raw("\n#endif")
    return o.text()
