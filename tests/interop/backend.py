#!/usr/bin/env python3
"""tests/interop/backend.py: a small HTTP/1.1 origin for tern's backend tests.

Standard library only. Speaks HTTP/1.1 with keep-alive (several requests per
connection, pipelining tolerated), one thread per connection.

    python3 tests/interop/backend.py [--port P] [--host A] [--duration S]

--port 0 (the default) picks a free port; either way the first line on
stdout is "listening on HOST:PORT" (flushed). The process exits by itself
after --duration seconds (default 120). One line per request on stderr:
method, path, status (or "garbage", "closed", "aborted"), body bytes sent,
the client's address:port (one port per connection).

Endpoints (byte i of every pattern body is i % 251):
  GET  /data/N      N pattern bytes, Content-Length
  GET  /chunked/N   the same, Transfer-Encoding: chunked, chunks of 1..16384
                    bytes (sizes vary, many tiny ones; a PRNG seeded with N),
                    no trailers
  POST /upload      the request body back (request with Content-Length or
                    chunked); Content-Length if the request had one, else
                    chunked. The body is read in full before the answer.
  GET  /slow/MS     200 "slow\\n" after MS milliseconds
  GET  /garbage     "hello garbage\\r\\n\\r\\n" (not HTTP), then close
  GET  /close       close without answering
  GET  /stale       200 "stale\n", kept alive; the NEXT request on that
                    connection is read and then the connection closed
                    without an answer (a keep-alive connection the
                    server dropped just as the proxy reused it)
  GET  /huge/N      N pattern bytes (N may be 10000000000), Content-Length,
                    written as fast as the socket takes them (sendall blocks
                    when the reader stops: backpressure)
  GET  /headers     200, the request's header lines ("Name: value\\n", as
                    received) as the body
  anything else     404
HEAD works wherever GET does (headers only). A known path with another
method gets 405.
"""

import argparse
import os
import random
import socket
import socketserver
import sys
import threading
import time

PATTERN = bytes(i % 251 for i in range(251))
# 251 * 256 bytes: a whole number of periods, so block after block continues it
BLOCK = PATTERN * 256
# any slice of up to 16384 bytes starting at a phase 0..250
WIDE = PATTERN * (16384 // 251 + 2)

MAX_HEADER_BYTES = 65536
MAX_UPLOAD = 1 << 30
IDLE_TIMEOUT = 60.0

log_lock = threading.Lock()


def log(msg):
    with log_lock:
        sys.stderr.write("backend: %s\n" % msg)
        sys.stderr.flush()


def chunk_size(rng):
    """1..16384, small ones common (a third of them up to 16 bytes)"""
    return rng.randint(1, rng.choice((16, 600, 16384)))


class BadRequest(Exception):
    pass


class Closed(Exception):
    """The peer went away (or we decided to close)."""


class Handler(socketserver.StreamRequestHandler):
    rbufsize = 65536
    wbufsize = 0
    timeout = IDLE_TIMEOUT

    # ------------------------------------------------------------ reading
    def readline(self):
        line = self.rfile.readline(MAX_HEADER_BYTES + 1)
        if not line:
            raise Closed()
        if len(line) > MAX_HEADER_BYTES or not line.endswith(b"\n"):
            raise BadRequest("line too long or truncated")
        return line

    def read_exact(self, n):
        out = bytearray()
        while len(out) < n:
            b = self.rfile.read(min(n - len(out), 1 << 20))
            if not b:
                raise Closed()
            out += b
        return bytes(out)

    def read_head(self):
        """Request line and header lines; None at a clean end of connection."""
        try:
            line = self.readline()
        except Closed:
            return None
        while line in (b"\r\n", b"\n"):  # RFC 9112 2.2: empty lines before a request
            line = self.readline()
        parts = line.decode("latin-1").rstrip("\r\n").split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise BadRequest("bad request line %r" % line[:80])
        method, target, version = parts
        raw = []
        total = len(line)
        while True:
            h = self.readline()
            total += len(h)
            if total > MAX_HEADER_BYTES:
                raise BadRequest("header section too large")
            if h in (b"\r\n", b"\n"):
                break
            if h[:1] in (b" ", b"\t") or b":" not in h:
                raise BadRequest("bad header line %r" % h[:80])
            raw.append(h.decode("latin-1").rstrip("\r\n"))
        headers = {}
        for r in raw:
            name, _, value = r.partition(":")
            if name != name.strip():
                raise BadRequest("space before colon")
            key = name.lower()
            value = value.strip(" \t")
            headers[key] = headers[key] + ", " + value if key in headers else value
        return method, target, version, raw, headers

    def read_body(self, headers):
        """(body bytes, had Content-Length). Chunked bodies are decoded."""
        te = headers.get("transfer-encoding")
        cl = headers.get("content-length")
        if te is not None:
            if cl is not None:
                raise BadRequest("both Transfer-Encoding and Content-Length")
            if te.strip().lower() != "chunked":
                raise BadRequest("unsupported transfer-encoding %r" % te)
            out = bytearray()
            while True:
                size_line = self.readline().decode("latin-1").strip()
                size_txt = size_line.split(";", 1)[0].strip()
                try:
                    size = int(size_txt, 16)
                except ValueError:
                    raise BadRequest("bad chunk size %r" % size_line)
                if size == 0:
                    while self.readline() not in (b"\r\n", b"\n"):  # trailers
                        pass
                    return bytes(out), False
                if len(out) + size > MAX_UPLOAD:
                    raise BadRequest("body too large")
                out += self.read_exact(size)
                if self.readline() not in (b"\r\n", b"\n"):
                    raise BadRequest("chunk not followed by CRLF")
        if cl is not None:
            vals = {v.strip() for v in cl.split(",")}
            if len(vals) != 1 or not next(iter(vals)).isdigit():
                raise BadRequest("bad content-length %r" % cl)
            n = int(next(iter(vals)))
            if n > MAX_UPLOAD:
                raise BadRequest("body too large")
            return self.read_exact(n), True
        return b"", False

    # ------------------------------------------------------------ writing
    def send(self, data):
        try:
            self.connection.sendall(data)
        except OSError:
            raise Closed()
        self.sent += len(data)

    def head(self, status, reason, fields, keep):
        lines = ["HTTP/1.1 %d %s" % (status, reason),
                 "Server: tern-test-backend",
                 "Date: " + time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime())]
        lines += ["%s: %s" % kv for kv in fields]
        if not keep:
            lines.append("Connection: close")
        self.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def simple(self, status, reason, body, keep, is_head, ctype="text/plain"):
        self.head(status, reason, [("Content-Type", ctype), ("Content-Length", str(len(body)))], keep)
        if not is_head:
            self.send(body)
        return len(body) if not is_head else 0

    def pattern_fixed(self, n):
        """n pattern bytes from offset 0 (n may be huge): blocks while the peer is slow"""
        sent = 0
        while sent < n:
            k = min(n - sent, len(BLOCK))
            self.send(BLOCK[:k] if k < len(BLOCK) else BLOCK)
            sent += k
        return sent

    def pattern_chunked(self, n, seed):
        rng = random.Random(seed)
        pos = 0
        pending = []
        pending_len = 0
        while pos < n:
            k = min(n - pos, chunk_size(rng))
            ph = pos % 251
            pending.append(b"%x\r\n" % k + WIDE[ph:ph + k] + b"\r\n")
            pending_len += k
            pos += k
            if pending_len >= 65536:  # several chunks per write, still varying sizes
                self.send(b"".join(pending))
                pending, pending_len = [], 0
        pending.append(b"0\r\n\r\n")
        self.send(b"".join(pending))
        return n

    # ------------------------------------------------------------ requests
    def handle(self):
        peer = self.peer = "%s:%d" % self.client_address[:2]
        self.current = None  # (method, target) of the request being answered
        self.sent = 0
        self.stale = False  # /stale was answered: close at the next request
        try:
            while True:
                try:
                    req = self.read_head()
                except BadRequest as e:
                    log("%s: 400 (%s)" % (peer, e))
                    self.simple(400, "Bad Request", b"bad request\n", False, False)
                    return
                if req is None:
                    return
                if not self.serve(*req):
                    return
        except (Closed, socket.timeout, ConnectionError) as e:
            if self.current:  # gone in the middle of an answer (a /huge reader hung up)
                log("%s %s aborted %d %s (%s)" % (self.current + (self.sent, peer, type(e).__name__)))
            return

    def serve(self, method, target, version, raw, headers):
        """One request. False: close the connection afterwards."""
        conn_tokens = {t.strip().lower() for t in headers.get("connection", "").split(",")}
        keep = "close" not in conn_tokens
        if version == "HTTP/1.0" and "keep-alive" not in conn_tokens:
            keep = False
        if headers.get("expect", "").lower() == "100-continue":
            self.send(b"HTTP/1.1 100 Continue\r\n\r\n")
        try:
            body, had_cl = self.read_body(headers)
        except BadRequest as e:
            log("%s %s 400 0 %s (%s)" % (method, target, self.peer, e))
            self.simple(400, "Bad Request", b"bad request\n", False, method == "HEAD")
            return False
        if self.stale:
            log("%s %s closed 0 %s (stale connection)" % (method, target, self.peer))
            return False
        self.current, self.sent = (method, target), 0
        path = target.split("?", 1)[0]
        is_head = method == "HEAD"
        get_like = method in ("GET", "HEAD")
        parts = path.split("/")
        name = parts[1] if len(parts) > 1 else ""
        arg = parts[2] if len(parts) == 3 else None
        status, nbytes = 200, 0

        def number(s):
            return int(s) if s is not None and s.isdigit() and len(s) <= 19 else None

        if name in ("data", "chunked", "slow", "huge") and number(arg) is None:
            status = 404
            nbytes = self.simple(404, "Not Found", b"not found\n", keep, is_head)
        elif name in ("data", "chunked", "slow", "huge", "garbage", "close", "headers", "stale") \
                and not get_like:
            status = 405
            self.head(405, "Method Not Allowed", [("Allow", "GET, HEAD"), ("Content-Length", "10"),
                                                  ("Content-Type", "text/plain")], keep)
            if not is_head:
                self.send(b"not here.\n")
                nbytes = 10
        elif name == "upload" and arg is None:
            if method != "POST":
                status = 405
                self.head(405, "Method Not Allowed", [("Allow", "POST"), ("Content-Length", "0")], keep)
            elif had_cl:
                nbytes = self.simple(200, "OK", body, keep, False, "application/octet-stream")
            else:
                self.head(200, "OK", [("Content-Type", "application/octet-stream"),
                                      ("Transfer-Encoding", "chunked")], keep)
                out = []
                rng = random.Random(len(body))
                pos = 0
                while pos < len(body):
                    k = min(len(body) - pos, chunk_size(rng))
                    out.append(b"%x\r\n" % k + body[pos:pos + k] + b"\r\n")
                    pos += k
                out.append(b"0\r\n\r\n")
                self.send(b"".join(out))
                nbytes = len(body)
        elif name in ("data", "huge"):
            n = number(arg)
            self.head(200, "OK", [("Content-Type", "application/octet-stream"),
                                  ("Content-Length", str(n))], keep)
            if not is_head:
                nbytes = self.pattern_fixed(n)
        elif name == "chunked":
            n = number(arg)
            self.head(200, "OK", [("Content-Type", "application/octet-stream"),
                                  ("Transfer-Encoding", "chunked")], keep)
            if not is_head:
                nbytes = self.pattern_chunked(n, n)
        elif name == "slow":
            time.sleep(number(arg) / 1000.0)
            nbytes = self.simple(200, "OK", b"slow\n", keep, is_head)
        elif name == "garbage" and arg is None:
            self.send(b"hello garbage\r\n\r\n")
            log("%s %s garbage %d %s" % (method, target, 17, self.peer))
            self.current = None
            return False
        elif name == "close" and arg is None:
            log("%s %s closed 0 %s" % (method, target, self.peer))
            self.current = None
            return False
        elif name == "stale" and arg is None:
            nbytes = self.simple(200, "OK", b"stale\n", keep, is_head)
            self.stale = keep
        elif name == "headers" and arg is None:
            text = "".join(r + "\n" for r in raw).encode("latin-1")
            nbytes = self.simple(200, "OK", text, keep, is_head)
        else:
            status = 404
            nbytes = self.simple(404, "Not Found", b"not found\n", keep, is_head)
        log("%s %s %d %d %s" % (method, target, status, nbytes, self.peer))
        self.current = None
        return keep


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = 128


def main():
    ap = argparse.ArgumentParser(description="HTTP/1.1 test backend for tern")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="0: pick a free port")
    ap.add_argument("--duration", type=float, default=120.0, help="exit after S seconds")
    a = ap.parse_args()
    srv = Server((a.host, a.port), Handler)
    host, port = srv.server_address[:2]
    print("listening on %s:%d" % (host, port), flush=True)
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    t.start()
    try:
        time.sleep(a.duration)
    except KeyboardInterrupt:
        pass
    srv.shutdown()
    srv.server_close()
    log("exiting after %.1f s" % a.duration)
    sys.stdout.flush()
    # connection threads may sit in sendall (a /huge reader that stopped)
    os._exit(0)


if __name__ == "__main__":
    main()
