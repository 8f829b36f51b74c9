/* lib/siphash: SipHash-2-4 (Aumasson and Bernstein, 2012), a keyed 64-bit
 * hash for tables whose keys a peer chooses (connection IDs): without the
 * key nobody can pick inputs that collide. */
#ifndef TERN_LIB_SIPHASH_H
#define TERN_LIB_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t siphash24(const uint8_t key[16], const void *data, size_t len);

#endif
