#!/usr/bin/env python3
"""tests/fuzz/make_seeds.py OUTDIR: the seed inputs of tests/fuzz/'s
harnesses, one file each, into OUTDIR/h1parse/, OUTDIR/h3frame/ and
OUTDIR/qpack/ (created; files of the same name are overwritten).

Each seed is built here, byte by byte, in its harness's input format
(read the comment at the top of tests/fuzz/fuzz_NAME.c), so that it can
be reviewed; `make fuzz` and `make fuzz-replay` run this script into
$(O)/fuzz/seeds/ and the tree is never written. Standard library only.
"""
import os
import sys

# ---------------------------------------------------------------- h1parse
# byte 0: bit 0 the request was HEAD, bit 1 EOF after the input, bits 2-3
# the line buffer (4096, 256, 64, 24 bytes); byte 1: the piece size, 1 +
# byte % 64; then the backend's response.
HEAD, EOF, CAP256, CAP64, CAP24 = 1, 2, 1 << 2, 2 << 2, 3 << 2


def h1(flags, piece, text):
    return bytes([flags, piece]) + text.encode('latin-1')


H1 = {
    'content-length': h1(0, 6,
        'HTTP/1.1 200 OK\r\nServer: be\r\nContent-Type: text/plain\r\n'
        'Content-Length: 12\r\n\r\nhello world\n'),
    'chunked-trailers': h1(0, 2,
        'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'
        '5\r\nhello\r\n1A;ext=1\r\nabcdefghijklmnopqrstuvwxyz\r\n'
        '0\r\nX-Checksum: 42\r\nX-Done:  yes \r\n\r\n'),
    'chunk-ext-quoted': h1(0, 4,
        'HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n'
        '3 ; a = "q\\"x" ;b\r\nabc\r\n0;last\r\n\r\n'),
    '100-then-200': h1(0, 9,
        'HTTP/1.1 100 Continue\r\n\r\n'
        'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'),
    '103-then-204': h1(0, 63,
        'HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n'
        'HTTP/1.1 204 No Content\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\n\r\n'),
    'head-length': h1(HEAD, 5,
        'HTTP/1.1 200 OK\r\nContent-Length: 1234\r\nETag: "abc"\r\n\r\n'),
    '304': h1(0, 1,
        'HTTP/1.1 304 Not Modified\r\nETag: "abc"\r\nContent-Length: 99\r\n\r\n'),
    'close-delimited': h1(EOF, 11,
        'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html>body runs to the close</html>'),
    'http10-keep-alive': h1(0, 8,
        'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 3\r\n\r\nabc'),
    'length-list-close': h1(0, 13,
        'HTTP/1.1 404 Not Found\r\nContent-Length: 5, 5\r\ncontent-length: 5\r\n'
        'Connection: close, x-other\r\n\r\nnope!'),
    'no-reason-pipelined': h1(CAP64, 7,
        'HTTP/1.1 200\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 200 OK\r\n\r\n'),
    'line-too-long': h1(CAP24, 3,
        'HTTP/1.1 200 OK\r\nX-Long: abcdefghijklmnopqrstuvwxyz\r\nContent-Length: 0\r\n\r\n'),
    'truncated-at-eof': h1(EOF | CAP256, 4,
        'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'),
}

# ---------------------------------------------------------------- h3frame
# byte 0: the piece size, 1 + byte % 32; then frames.


def varint(v, size=None):
    """RFC 9000 16: the shortest encoding, or size (1, 2, 4, 8) bytes."""
    if size is None:
        size = 1 if v < 1 << 6 else 2 if v < 1 << 14 else 4 if v < 1 << 30 else 8
    bits = {1: 0, 2: 1, 4: 2, 8: 3}[size]
    assert v < 1 << (8 * size - 2)
    return (v | bits << (8 * size - 2)).to_bytes(size, 'big')


def frame(ftype, payload, tsize=None, lsize=None):
    return varint(ftype, tsize) + varint(len(payload), lsize) + payload


def settings(pairs):
    return frame(0x04, b''.join(varint(i) + varint(v) for i, v in pairs))


# a QPACK field section: RIC 0, Base 0, :method GET, :path /, :scheme https
QPACK_GET = bytes([0x00, 0x00, 0xd1, 0xc1, 0xd7])

H3 = {
    'control': b'\x00' + settings([(0x01, 4096), (0x06, 16384), (0x07, 16), (0x08, 1),
                                   (0x33, 1), (0x21 + 0x1f * 3, 7)]) +
               frame(0x07, varint(8)) + frame(0x0d, varint(100)) + frame(0x03, varint(2)),
    'request': b'\x03' + frame(0x01, QPACK_GET) + frame(0x00, b'hello') +
               frame(0x00, b'') + frame(0x01, bytes([0x00, 0x00, 0x5f, 0x1d, 0x01, 0x30])),
    'data-2byte-len': b'\x1f' + frame(0x01, QPACK_GET) + frame(0x00, bytes(range(200))),
    'reserved-unknown': b'\x07' + frame(0x21, b'grease') + frame(0x2f, b'\x00\xff') +
                        frame(0x01, QPACK_GET),
    'push-promise': b'\x05' + frame(0x05, varint(3) + QPACK_GET) + frame(0x00, b'x'),
    'long-varints': b'\x00' + frame(0x01, QPACK_GET, 8, 4) + frame(0x00, b'ab', 2, 8) +
                    frame(0x07, varint((1 << 62) - 4, 8), 4, 2),
    'settings-h2-dup': b'\x02' + settings([(0x02, 1)]) + settings([(0x01, 0), (0x01, 0)]),
    'h2-ping': b'\x01' + frame(0x06, bytes(8)) + frame(0x01, QPACK_GET),
    'truncated': b'\x04' + frame(0x01, QPACK_GET) + frame(0x00, b'abcdef')[:-2],
}

# ---------------------------------------------------------------- qpack
# byte 0 % 5: 0 a field section (the decoder holds the RFC 9204 B.2-B.5
# table: capacity 220, entries 1 to 4 of 5 inserted), 1 encoder stream
# (byte 1 seeds the piece sizes), 2 decoder stream (sections 0, 4, 8, 12
# outstanding), 3 a Huffman string, 4 fields to round-trip.


def qint(v, prefix, first=0):
    """RFC 7541 5.1: v with an N-bit prefix, first's high bits kept."""
    m = (1 << prefix) - 1
    if v < m:
        return bytes([first | v])
    out = [first | m]
    v -= m
    while v >= 128:
        out.append(v & 0x7f | 0x80)
        v >>= 7
    return bytes(out + [v])


def qstr(s, prefix=7, first=0, huff=False):
    """A string literal: H bit just above the length's prefix."""
    return qint(len(s), prefix, first | (1 << prefix if huff else 0)) + s


def prefix(ric, base, max_entries=220 // 32):
    """The section prefix (RFC 9204 4.5.1): Required Insert Count, Base."""
    enc = ric % (2 * max_entries) + 1 if ric else 0
    if base >= ric:
        return qint(enc, 8) + qint(base - ric, 7)
    return qint(enc, 8) + qint(ric - base - 1, 7, 0x80)


# RFC 7541 C.4 and C.6: Huffman codes of these strings
HUFF = {
    b'www.example.com': bytes.fromhex('f1e3c2e5f23a6ba0ab90f4ff'),
    b'no-cache': bytes.fromhex('a8eb10649cbf'),
    b'custom-value': bytes.fromhex('25a849e95bb8e8b4bf'),
    b'https://www.example.com': bytes.fromhex('9d29ad171863c78f0b97c8e9ae82ae43d3'),
}


def fields(pairs):
    """Mode 4's input: per field a length byte, the name, a length byte,
    the value, a flag byte (bit 0: never index)."""
    out = b''
    for n, v, f in pairs:
        out += bytes([len(n)]) + n + bytes([len(v)]) + v + bytes([f])
    return out


def mod3(b, zero):
    """b, with one or two bytes (ignored: too short for a field) added
    if need be for len % 3 == 0 to be zero."""
    while (len(b) % 3 == 0) != zero:
        b += b'\x00'
    return b


RT = [(b':status', b'200', 0), (b'content-type', b'text/html', 0),
      (b'server', b'tern', 0), (b'set-cookie', b'id=42; Secure', 1),
      (b'x-custom-field', b'a value', 0), (b'server', b'tern', 0)]

QP = {
    # mode 0: sections
    'section-static': b'\x00' + prefix(0, 0) + b'\xd1\xd7\xc1' +
        qint(0, 4, 0x50) + qstr(b'example.org') +          # :authority, static name
        qstr(b'x-req-id', 3, 0x20) + qstr(b'7'),            # literal name
    'section-dynamic': b'\x00' + prefix(4, 4) + b'\x80\x81\xc1' +
        qint(1, 4, 0x40) + qstr(b'other-value'),           # name of entry 2
    'section-post-base': b'\x00' + prefix(5, 3) + b'\x10\x11' +
        qint(1, 3, 0x08) + qstr(b'v2'),                     # post-base name, never index
    'section-huffman': b'\x00' + prefix(0, 0) +
        qint(0, 4, 0x50) + qstr(HUFF[b'www.example.com'], huff=True) +
        qint(36, 4, 0x50) + qstr(HUFF[b'no-cache'], huff=True) +
        qstr(HUFF[b'custom-value'], 3, 0x20, huff=True) + qstr(b'v'),
    'section-blocked': b'\x00' + prefix(6, 6) + b'\x80',
    'section-evicted': b'\x00' + bytes.fromhex('03811011'),  # RFC 9204 B.2's
    # mode 1: encoder stream (byte 1: the piece seed)
    'encoder-rfc': b'\x01\x05' + bytes.fromhex('3fbd01c00f7777772e6578616d706c652e636f6dc10c2f73616d706c652f70617468') +
        bytes.fromhex('4a637573746f6d2d6b65790c637573746f6d2d76616c7565') + b'\x02' +
        bytes.fromhex('810d637573746f6d2d76616c756532'),
    'encoder-evict': b'\x06\x2a' + qint(100, 5, 0x20) +
        qint(0, 6, 0xc0) + qstr(b'a.example') +             # static name, :authority
        qstr(b'x-k', 5, 0x40) + qstr(b'1') +               # literal name
        qint(0, 6, 0x80) + qstr(b'2') +                     # name of the newest
        qint(0, 5) + qint(1, 5) +                           # duplicates (evicting)
        qint(0, 5, 0x20),                                   # capacity 0: all evicted
    'encoder-huffman': b'\x0b\x01' + qint(4096, 5, 0x20) +
        qint(0, 6, 0xc0) + qstr(HUFF[b'https://www.example.com'], huff=True) +
        qstr(HUFF[b'custom-value'], 5, 0x40, huff=True) + qstr(HUFF[b'no-cache'], huff=True),
    'encoder-too-big': b'\x01\x00' + qint(5000, 5, 0x20),
    # mode 2: decoder stream
    'decoder-acks': b'\x02' + bytes([0x80, 0x84, 0x88, 0x8c]),
    'decoder-cancel-increment': b'\x07' + bytes([0x44, 0x01, 0x01, 0x80]),
    # mode 3: Huffman strings
    'huffman-valid': b'\x03' + HUFF[b'https://www.example.com'],
    'huffman-bad-padding': b'\x03' + HUFF[b'no-cache'][:-1] + b'\xbe',
    # mode 4: fields round trip (the harness sets QPACK_ENC_INSERT_ALL
    # when the bytes after the mode byte are a multiple of 3 long)
    'round-trip': b'\x04' + mod3(fields(RT), False),
    'round-trip-insert-all': b'\x04' + mod3(fields(RT[:3] + RT[:3]), True),
}


def main():
    if len(sys.argv) != 2:
        sys.exit('usage: make_seeds.py OUTDIR')
    for name, seeds in (('h1parse', H1), ('h3frame', H3), ('qpack', QP)):
        d = os.path.join(sys.argv[1], name)
        os.makedirs(d, exist_ok=True)
        for i, (what, data) in enumerate(seeds.items()):
            assert len(data) < 2048, what
            with open(os.path.join(d, '%02d-%s' % (i + 1, what)), 'wb') as f:
                f.write(data)


if __name__ == '__main__':
    main()
