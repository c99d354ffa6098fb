#!/usr/bin/env python3
"""capture.py: a stand-in for etcd's v3 gateway that records what clients send.

run-bench.sh points libetcd (etcd_bench), wrk and bare libcurl (curl_floor) at it for a
moment, one client per instance, to show that all three send the same bytes: every
distinct (method, path, Content-Type, body) it receives is written, one per line, to
OUT when it gets SIGTERM or SIGINT. It answers /v3/kv/range with one pair (KEY, VALUE)
and anything else with a bare header, as etcd 3.4's gateway would, so that etcd_bench's
checks pass.

    capture.py KEY VALUE PORTFILE OUT     (PORTFILE: the port it listens on, 127.0.0.1)
"""
import base64
import http.server
import json
import os
import signal
import sys
import threading


def b64(text):
    return base64.b64encode(text.encode()).decode()


def main():
    key, value, portfile, out = sys.argv[1:5]
    seen = set()
    lock = threading.Lock()
    header = {"cluster_id": "1", "member_id": "1", "revision": "2", "raft_term": "2"}
    kv = {"key": b64(key), "create_revision": "2", "mod_revision": "2", "version": "1",
          "value": b64(value)}
    answers = {
        "/v3/kv/range": json.dumps({"header": header, "kvs": [kv], "count": "1"}),
    }
    other = json.dumps({"header": header})

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n).decode("utf-8", "backslashreplace")
            with lock:
                seen.add("%s %s %s %s" % (self.command, self.path,
                                          self.headers.get("Content-Type"), body))
            data = answers.get(self.path, other).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_PUT = do_POST

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True

    def finish(signum, frame):
        with lock:
            with open(out, "w") as f:
                f.write("".join(line + "\n" for line in sorted(seen)))
        os._exit(0)

    signal.signal(signal.SIGTERM, finish)
    signal.signal(signal.SIGINT, finish)
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(portfile + ".tmp", portfile)
    server.serve_forever()


if __name__ == "__main__":
    main()
