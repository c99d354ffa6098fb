#!/usr/bin/python3
"""A fast etcd writer for the fault tests: N writes spread over keys under one or more
prefixes, on one keep-alive connection, moving to the next endpoint after a failure and
retrying the same write until etcd accepts it (or the deadline). v2: PUT value=...;
v3: POST /v3/kv/put through the JSON gateway (keys and values in base64). A put is
idempotent, so a write retried after a lost answer changes nothing more.

usage: writer.py ENDPOINTS(comma-separated) PREFIXES(comma) KEYS_PER_PREFIX WRITES
                 RATE_PER_S ID DEADLINE_S [v2|v3] [VALUE_BYTES]

VALUE_BYTES pads each value to that size (for tests that need much data in flight).

Prints one line at the end: "writer ID: W written, R retries, last_ms=T" where T is the
time (ms since the epoch) etcd accepted the last write. Exit status 0 when every
write was accepted, 1 otherwise.
"""
import base64
import http.client
import json
import random
import sys
import time
import urllib.parse


def main():
    endpoints = [urllib.parse.urlsplit(e) for e in sys.argv[1].split(",")]
    prefixes = sys.argv[2].split(",")
    per_prefix = int(sys.argv[3])
    writes = int(sys.argv[4])
    rate = float(sys.argv[5])
    ident = sys.argv[6]
    deadline = time.time() + float(sys.argv[7])
    api = sys.argv[8] if len(sys.argv) > 8 else "v2"
    size = int(sys.argv[9]) if len(sys.argv) > 9 else 0
    rnd = random.Random(ident)
    at = rnd.randrange(len(endpoints))
    conn = None
    written = retries = 0
    last_ms = 0
    start = time.time()
    for n in range(writes):
        prefix = prefixes[n % len(prefixes)]
        key = "%s/k%03d" % (prefix, rnd.randrange(per_prefix))
        value = "w%s-%d" % (ident, n)
        if size > len(value):
            value += "." * (size - len(value))
        if api == "v3":
            path = "/v3/kv/put"
            body = json.dumps({"key": base64.b64encode(key.encode()).decode(),
                               "value": base64.b64encode(value.encode()).decode()})
            ctype = "application/json"
        else:
            path = "/v2/keys" + key
            body = urllib.parse.urlencode({"value": value})
            ctype = "application/x-www-form-urlencoded"
        while True:
            if time.time() > deadline:
                print("writer %s: deadline passed after %d writes, %d retries"
                      % (ident, written, retries))
                return 1
            try:
                if conn is None:
                    ep = endpoints[at]
                    conn = http.client.HTTPConnection(ep.hostname, ep.port, timeout=1.5)
                conn.request("POST" if api == "v3" else "PUT", path, body,
                             {"Content-Type": ctype})
                resp = conn.getresponse()
                resp.read()
                if resp.status in (200, 201):
                    break
                raise OSError("HTTP %d" % resp.status)
            except (OSError, http.client.HTTPException):
                retries += 1
                if conn is not None:
                    conn.close()
                conn = None
                at = (at + 1) % len(endpoints)
                time.sleep(0.02)
        written += 1
        last_ms = int(time.time() * 1000)
        # keep to the rate: the writes should span the faults
        ahead = start + (n + 1) / rate - time.time()
        if ahead > 0:
            time.sleep(ahead)
    print("writer %s: %d written, %d retries, last_ms=%d" % (ident, written, retries, last_ms))
    return 0


if __name__ == "__main__":
    sys.exit(main())
