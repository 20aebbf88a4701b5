#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A stand-in for the ECU's web server, on 127.0.0.1 only, for test_restart.

usage: http_recorder.py PORT_FILE LOG_FILE MODE

Listens on an ephemeral port and writes it to PORT_FILE (atomically).  Each
request is appended to LOG_FILE as one JSON line (method, path, version,
headers in order, body as hex, the form fields decoded) BEFORE it is answered,
so a client that got an answer can read its request back.  MODE picks the
answer:
  ok           200, Content-Length, {"value":0}
  ok_spaces    200, no Content-Length (ends at close), ' { "value" : 0 }\\r\\n'
  value1       200, {"value":1}
  notfound     404 with an HTML page
  error500     500
  hang         reads the request, never answers
  drip         the "ok" answer one byte at a time
  oversize     200 and a 10000-byte body without Content-Length
  bigheaders   200 and headers that never end within 4 KiB
  truncated    200, Content-Length 11, 5 body bytes, then closes
  silentclose  reads the request, closes without a byte
  biglength    200 declaring a 10000-byte body
  echo         200 whose body is the request body (holds the password)
  badstatus    "HTTP/1.1 2O0 OK"
  chunked      200 with Transfer-Encoding: chunked
"""
import json
import os
import signal
import socket
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

OK_BODY = b'{"value":0}'


def response(status, reason, body, headers=(), length=True):
    head = "HTTP/1.1 %d %s\r\n" % (status, reason)
    head += "Content-Type: text/html; charset=UTF-8\r\n"
    for name, value in headers:
        head += "%s: %s\r\n" % (name, value)
    if length:
        head += "Content-Length: %d\r\n" % len(body)
    head += "Connection: close\r\n\r\n"
    return head.encode("ascii") + body


class Handler(BaseHTTPRequestHandler):
    mode = "ok"
    log_path = ""

    def log_message(self, *args):
        pass

    def record(self, body):
        try:
            form = urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True,
                                         strict_parsing=True, errors="strict")
        except (UnicodeDecodeError, ValueError) as exc:
            form = {"error": [str(exc)]}
        entry = {
            "requestline": self.requestline,
            "method": self.command,
            "path": self.path,
            "version": self.request_version,
            "headers": [[k, v] for k, v in self.headers.items()],
            "body_hex": body.hex(),
            "form": form,
        }
        with open(self.log_path, "a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\n")

    def answer(self):
        mode = self.mode
        if mode == "ok":
            return response(200, "OK", OK_BODY)
        if mode == "ok_spaces":
            return response(200, "OK", b' { "value" : 0 }\r\n', length=False)
        if mode == "value1":
            return response(200, "OK", b'{"value":1}')
        if mode == "notfound":
            return response(404, "Not Found", b"<html><body>404 Not Found</body></html>\n")
        if mode == "error500":
            return response(500, "Internal Server Error", b"oops\n")
        if mode == "drip":
            return response(200, "OK", OK_BODY)
        if mode == "oversize":
            return response(200, "OK", b'{"value":0}' + b" " * 9989, length=False)
        if mode == "bigheaders":
            head = b"HTTP/1.1 200 OK\r\n"
            for i in range(100):
                head += b"X-Filler-%03d: %s\r\n" % (i, b"y" * 60)
            return head + b"\r\n" + OK_BODY
        if mode == "truncated":
            return b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n{\"val"
        if mode == "silentclose":
            return b""
        if mode == "biglength":
            return b"HTTP/1.1 200 OK\r\nContent-Length: 10000\r\n\r\n" + OK_BODY
        if mode == "badstatus":
            return b"HTTP/1.1 2O0 OK\r\nContent-Length: 11\r\n\r\n" + OK_BODY
        if mode == "chunked":
            return (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    b"b\r\n" + OK_BODY + b"\r\n0\r\n\r\n")
        raise ValueError("unknown mode " + mode)

    def do_POST(self):
        self.close_connection = True
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = 0
        body = self.rfile.read(min(max(length, 0), 65536))
        self.record(body)
        try:
            if self.mode == "hang":
                time.sleep(120)  # killed long before
            elif self.mode == "echo":
                self.wfile.write(response(200, "OK", body))
            elif self.mode == "drip":
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                for byte in self.answer():
                    self.wfile.write(bytes([byte]))
                    time.sleep(0.002)
            else:
                self.wfile.write(self.answer())
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up first, as it should on a bad answer

    def do_GET(self):
        self.record(b"")
        self.close_connection = True
        self.wfile.write(response(405, "Method Not Allowed", b""))


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    port_file, log_path, mode = sys.argv[1:]
    signal.alarm(90)  # never outlive a test run, whatever happens to the parent
    Handler.mode = mode
    Handler.log_path = log_path
    server = HTTPServer(("127.0.0.1", 0), Handler)
    tmp = port_file + ".tmp"
    with open(tmp, "w", encoding="ascii") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(tmp, port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
