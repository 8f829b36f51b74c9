#!/usr/bin/env python3
"""tests/qemu/flood.py PORT [COUNT] [SECONDS]: malformed datagrams to
127.0.0.1:PORT, at most COUNT of them (default 20000) within SECONDS
(default 20): random bytes of many sizes, a quarter shaped like QUIC v1
long-header packets, a quarter with an unknown version, a quarter like
short-header packets. Deterministic sizes and shapes (seeded), random
contents. Prints how many were sent."""
import os
import random
import socket
import sys
import time

port = int(sys.argv[1])
count = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
secs = float(sys.argv[3]) if len(sys.argv) > 3 else 20.0
rng = random.Random(8)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
dst = ("127.0.0.1", port)
n, end = 0, time.monotonic() + secs
while n < count and time.monotonic() < end:
    size = rng.choice((1, 5, 20, 40, 100, 1200, 1252, 1400, rng.randrange(1, 1473)))
    b = bytearray(os.urandom(size))
    k = rng.randrange(4)
    if k == 0 and size > 6:    # long header, version 1, then garbage
        b[0] = 0xc0 | (b[0] & 0x3f)
        b[1:5] = b"\x00\x00\x00\x01"
    elif k == 1 and size > 6:  # long header, an unknown version
        b[0] |= 0x80
    elif k == 2:               # short header
        b[0] = 0x40 | (b[0] & 0x3f)
    try:
        s.sendto(bytes(b), dst)
        n += 1
    except OSError:
        time.sleep(0.001)
    if n % 500 == 0:
        time.sleep(0.005)  # bounded pace: QEMU's user network queue is the limit
print(n)
