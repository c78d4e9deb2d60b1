#!/usr/bin/env python3
"""Loopback HTTP server for curate's tests and demo.

Serves files under --root, plus fault endpoints under /fault/ that misbehave the ways
web servers do. Prints "PORT <n>" once listening. Standard library only.
"""
import argparse
import http.server
import json
import os
import socketserver
import struct
import sys
import threading
import time
import urllib.parse
import zlib

HTML = b"<!doctype html><html><head><title>Not found</title></head><body>gone</body></html>\n"


def png_header_only(width, height):
    """A PNG whose IHDR claims width x height: a decompression bomb's header."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "curate-fault-server"

    def log_message(self, *args):
        pass

    def send_body(self, status, body, ctype="image/jpeg", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def sample(self):
        return self.server.sample_bytes

    def do_GET(self):
        path, _, query = self.path.partition("?")
        if path == "/__log":  # when each request arrived (monotonic seconds), for pacing tests
            with self.server.lock:
                body = json.dumps(self.server.log).encode()
            return self.send_body(200, body, "application/json")
        with self.server.lock:
            self.server.log.append([time.monotonic(), self.path])
        if self.server.delay:
            time.sleep(self.server.delay)
        if path.startswith("/fault/"):
            return self.fault(path[len("/fault/"):], query)
        rel = os.path.normpath(path.lstrip("/"))
        full = os.path.join(self.server.root, rel)
        if rel.startswith("..") or not os.path.isfile(full):
            return self.send_body(404, HTML, "text/html")
        with open(full, "rb") as f:
            data = f.read()
        ctype = "image/png" if full.endswith(".png") else "image/jpeg"
        self.send_body(200, data, ctype)

    def fault(self, name, query):
        counts = self.server.counts
        with self.server.lock:
            counts[self.path] = counts.get(self.path, 0) + 1
            nth = counts[self.path]
        if name == "404":
            return self.send_body(404, HTML, "text/html")
        if name == "500":
            return self.send_body(500, b"boom", "text/plain")
        if name == "429":
            return self.send_body(429, b"slow down", "text/plain", [("Retry-After", "1")])
        if name.startswith("429-once"):  # rate-limited once, then fine
            if nth == 1:
                return self.send_body(429, b"slow down", "text/plain", [("Retry-After", "1")])
            return self.send_body(200, self.sample())
        if name.startswith("503-once"):
            if nth == 1:
                return self.send_body(503, b"busy", "text/plain")
            return self.send_body(200, self.sample())
        if name == "slow":  # headers at once, then a trickle that outlasts any sane time-out
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", "1000000")
            self.end_headers()
            try:
                for _ in range(600):
                    self.wfile.write(b"\xff" * 10)
                    self.wfile.flush()
                    time.sleep(0.1)
            except OSError:
                pass
            self.close_connection = True
            return
        if name == "cut-short":  # promises more bytes than it sends, then hangs up
            data = self.sample()
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if name == "truncated.jpg":  # a well-framed response whose JPEG is cut in half
            data = self.sample()
            return self.send_body(200, data[: len(data) // 2])
        if name == "html-as-jpeg":
            return self.send_body(200, HTML, "image/jpeg")
        if name == "oversized":  # 30 MiB with a Content-Length
            size = 30 * 1024 * 1024
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(size))
            self.end_headers()
            return self.stream_zeros(size)
        if name == "oversized-chunked":  # 30 MiB with no length: must be cut off mid-stream
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            return self.stream_zeros(30 * 1024 * 1024)
        if name == "loop":
            return self.send_body(302, b"", "text/plain", [("Location", "/fault/loop2")])
        if name == "loop2":
            return self.send_body(302, b"", "text/plain", [("Location", "/fault/loop")])
        if name == "redirect":  # one hop to a real image
            return self.send_body(301, b"", "text/plain", [("Location", "/fault/sample.jpg")])
        if name == "sample.jpg":
            return self.send_body(200, self.sample())
        if name == "bomb.png":
            return self.send_body(200, png_header_only(20000, 20000), "image/png")
        if name == "anim.gif":
            return self.send_body(200, b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;", "image/gif")
        if name == "negotiate":  # an image CDN: answers only clients that accept WebP and AVIF
            accept = self.headers.get("Accept", "")
            if "image/webp" in accept and "image/avif" in accept:
                return self.send_body(200, self.sample())
            return self.send_body(406, b"not acceptable", "text/plain")
        if name == "photo.heic":  # a HEIF brand: recognised, not decoded
            return self.send_body(200, b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64), "image/heic")
        if name == "empty":
            return self.send_body(200, b"")
        if name == "headers":  # the sample plus 8 MiB, with each ?h=Name:Value as a response header
            extra = [tuple(part.strip() for part in v.split(":", 1)) for v in urllib.parse.parse_qs(query).get("h", [])]
            data = self.sample()
            size = len(data) + 8 * 1024 * 1024
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(size))
            for k, v in extra:
                self.send_header(k, v)
            self.end_headers()
            try:
                self.wfile.write(data)
                self.wfile.write(b"\x00" * (size - len(data)))
            except OSError:
                pass
            self.close_connection = True
            return
        return self.send_body(404, HTML, "text/html")

    def stream_zeros(self, size):
        block = b"\x00" * 65536
        try:
            sent = 0
            while sent < size:
                self.wfile.write(block)
                sent += len(block)
        except OSError:
            pass
        self.close_connection = True


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def handle_error(self, request, client_address):
        # A client hanging up mid-response (an aborted transfer, a size limit, Ctrl-C) is
        # expected here; print only what is not a dropped connection.
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--root", required=True, help="directory to serve")
    ap.add_argument("--sample", help="JPEG used by the fault endpoints (default: first .jpg under root)")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--delay", type=float, default=0.0, help="seconds to wait before each response")
    args = ap.parse_args()
    srv = Server(("127.0.0.1", args.port), Handler)
    srv.root = os.path.abspath(args.root)
    srv.delay = args.delay
    srv.counts = {}
    srv.log = []
    srv.lock = threading.Lock()
    sample = args.sample
    if not sample:
        for d, _, files in sorted(os.walk(srv.root)):
            jpgs = sorted(f for f in files if f.lower().endswith(".jpg"))
            if jpgs:
                sample = os.path.join(d, jpgs[0])
                break
    srv.sample_bytes = open(sample, "rb").read() if sample else b""
    print("PORT", srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
