/* The block types of the pools in lib/pool_list.h. Modules that own a
 * pooled type (connections, streams, ...) get their *-t.h included here
 * as they land. */
#ifndef TERN_LIB_POOL_TYPES_H
#define TERN_LIB_POOL_TYPES_H

#include <stdint.h>
#include "lib/kconfig.h"
#include "quic/stream-t.h"

BUILD_ASSERT(CONFIG_POOL_PACKET_BUFFER_SIZE % 4 == 0,
	     "CONFIG_POOL_PACKET_BUFFER_SIZE must be a multiple of 4");
BUILD_ASSERT(CONFIG_POOL_STREAM_CHUNK_SIZE % 64 == 0,
	     "CONFIG_POOL_STREAM_CHUNK_SIZE must be a multiple of 64");

/* One UDP datagram's payload. */
struct pktbuf_block { uint8_t data[CONFIG_POOL_PACKET_BUFFER_SIZE]; };
/* A piece of stream data (send or receive side). */
struct chunk_block { uint8_t data[CONFIG_POOL_STREAM_CHUNK_SIZE]; };

/* Size classes of the TLS arena (lib/arena.c). */
struct arena_block_64 { uint8_t b[64]; };
struct arena_block_128 { uint8_t b[128]; };
struct arena_block_256 { uint8_t b[256]; };
struct arena_block_512 { uint8_t b[512]; };
struct arena_block_1k { uint8_t b[1024]; };
struct arena_block_2k { uint8_t b[2048]; };
struct arena_block_4k { uint8_t b[4096]; };
struct arena_block_8k { uint8_t b[8192]; };
struct arena_block_16k { uint8_t b[16384]; };
struct arena_block_32k { uint8_t b[32768]; };

/* QUIC connections and their handshake blocks */
#include "quic/conn-t.h"
/* HTTP/3 connections and the streams their peers open */
#include "http3/h3conn-t.h"
/* the terminator's requests */
#include "term/term-t.h"

#endif
