/* Every pool in tern, declared once:  POOL(name, type, count)
 *
 * lib/pool.c turns this list into static storage and descriptors; pool.h
 * turns it into `extern struct pool pool_<name>` and POOL_ID_<name>. Types
 * used here come from lib/pool_types.h. Sizes come from Kconfig, so
 * `make menuconfig` is the only place memory is budgeted.
 */
#ifndef TERN_LIB_POOL_LIST_H
#define TERN_LIB_POOL_LIST_H

#include "lib/pool_types.h"

#define TERN_POOLS(POOL) \
	POOL(pktbuf,   struct pktbuf_block,   CONFIG_POOL_PACKET_BUFFERS) \
	POOL(chunk,    struct chunk_block,    CONFIG_POOL_STREAM_CHUNKS) \
	POOL(stream,   struct quic_stream,    CONFIG_POOL_CONNECTIONS * CONFIG_POOL_STREAMS_PER_CONN) \
	POOL(conn,     struct quic_conn,      CONFIG_POOL_CONNECTIONS) \
	POOL(sent,     struct quic_sent,      CONFIG_POOL_SENT_PACKETS) \
	POOL(hs,       struct quic_hs,        CONFIG_QUIC_HANDSHAKES) \
	POOL(h3conn,   struct h3_conn,        CONFIG_POOL_CONNECTIONS) \
	POOL(h3stream, struct h3_stream,      CONFIG_POOL_CONNECTIONS * CONFIG_POOL_STREAMS_PER_CONN) \
	POOL(termreq,  struct term_req,       CONFIG_POOL_CONNECTIONS * CONFIG_POOL_STREAMS_PER_CONN) \
	POOL(backend,  struct term_backend,   CONFIG_TERM_BACKEND_CONNS) \
	POOL(tls_64,   struct arena_block_64,  CONFIG_TLS_ARENA_64) \
	POOL(tls_128,  struct arena_block_128, CONFIG_TLS_ARENA_128) \
	POOL(tls_256,  struct arena_block_256, CONFIG_TLS_ARENA_256) \
	POOL(tls_512,  struct arena_block_512, CONFIG_TLS_ARENA_512) \
	POOL(tls_1k,   struct arena_block_1k,  CONFIG_TLS_ARENA_1K) \
	POOL(tls_2k,   struct arena_block_2k,  CONFIG_TLS_ARENA_2K) \
	POOL(tls_4k,   struct arena_block_4k,  CONFIG_TLS_ARENA_4K) \
	POOL(tls_8k,   struct arena_block_8k,  CONFIG_TLS_ARENA_8K) \
	POOL(tls_16k,  struct arena_block_16k, CONFIG_TLS_ARENA_16K) \
	POOL(tls_32k,  struct arena_block_32k, CONFIG_TLS_ARENA_32K)

/* The arena's size classes, smallest first: ARENA_CLASS(pool name, bytes).
 * lib/arena.c walks this list; it must match the tls_* pools above. */
#define TERN_ARENA_CLASSES(ARENA_CLASS) \
	ARENA_CLASS(tls_64, 64) ARENA_CLASS(tls_128, 128) ARENA_CLASS(tls_256, 256) \
	ARENA_CLASS(tls_512, 512) ARENA_CLASS(tls_1k, 1024) ARENA_CLASS(tls_2k, 2048) \
	ARENA_CLASS(tls_4k, 4096) ARENA_CLASS(tls_8k, 8192) \
	ARENA_CLASS(tls_16k, 16384) ARENA_CLASS(tls_32k, 32768)

#endif
