core-y += lib/pool.c lib/arena.c
core-y += lib/log.c lib/siphash.c
