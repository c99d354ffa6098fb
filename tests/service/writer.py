#!/usr/bin/python3
"""A fast etcd v2 writer for the fault tests: N writes (PUT value=...) spread over keys
under one or more prefixes, on one keep-alive connection, moving to the next endpoint
after a failure and retrying the same write until etcd accepts it (or the deadline).

usage: writer.py ENDPOINTS(comma-separated) PREFIXES(comma) KEYS_PER_PREFIX WRITES
                 RATE_PER_S ID DEADLINE_S

Prints one line at the end: "writer ID: W written, R retries, last_ms=T" where T is the
time (ms since the epoch) etcd accepted the last write. Exit status 0 when every
write was accepted, 1 otherwise.
"""
import http.client
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
    rnd = random.Random(ident)
    at = rnd.randrange(len(endpoints))
    conn = None
    written = retries = 0
    last_ms = 0
    start = time.time()
    for n in range(writes):
        prefix = prefixes[n % len(prefixes)]
        key = "%s/k%03d" % (prefix, rnd.randrange(per_prefix))
        body = urllib.parse.urlencode({"value": "w%s-%d" % (ident, n)})
        while True:
            if time.time() > deadline:
                print("writer %s: deadline passed after %d writes, %d retries"
                      % (ident, written, retries))
                return 1
            try:
                if conn is None:
                    ep = endpoints[at]
                    conn = http.client.HTTPConnection(ep.hostname, ep.port, timeout=1.5)
                conn.request("PUT", "/v2/keys" + key, body,
                             {"Content-Type": "application/x-www-form-urlencoded"})
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
