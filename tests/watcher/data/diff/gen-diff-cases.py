#!/usr/bin/env python3
"""Generate the expected outputs of the diff unit tests with the real GNU diff.

Run from anywhere: python3 gen-diff-cases.py  (needs GNU diffutils' `diff`).
It rewrites, in this directory:
  edge.cases, random-*.cases,
  expensive.cases             pairs of texts and what `diff -u --label old
                              --label new` prints for them;
  large.diff                  the diff of the two 100,000-line texts that
                              test_diff.c builds with large_text() (keep the two
                              in step).
Case file format, repeated: "case NAME\\n" then three blocks "old N\\n", "new N\\n",
"diff N\\n", each followed by N raw bytes and a "\\n".
The generator is deterministic (fixed seeds): rerunning it changes nothing unless
diff's behaviour changes.
"""
import os
import random
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def gnu_diff(old, new):
    with tempfile.TemporaryDirectory() as tmp:
        a = os.path.join(tmp, "a")
        b = os.path.join(tmp, "b")
        with open(a, "wb") as f:
            f.write(old)
        with open(b, "wb") as f:
            f.write(new)
        r = subprocess.run(["diff", "-u", "--label", "old", "--label", "new", a, b],
                           stdout=subprocess.PIPE, check=False)
        if r.returncode not in (0, 1):
            raise SystemExit("diff failed")
        return r.stdout


def write_cases(name, cases):
    with open(os.path.join(HERE, name), "wb") as f:
        for case_name, old, new in cases:
            out = gnu_diff(old, new)
            f.write(b"case %s\n" % case_name.encode())
            for tag, data in ((b"old", old), (b"new", new), (b"diff", out)):
                f.write(b"%s %d\n" % (tag, len(data)))
                f.write(data)
                f.write(b"\n")


def lines(*items):
    return "".join(s + "\n" for s in items).encode()


def numbered(n, fmt="line %d"):
    return [fmt % i for i in range(1, n + 1)]


def edge_cases():
    ten = numbered(10)
    twenty = numbered(20)
    c = []
    c.append(("empty-to-text", b"", lines("a", "b")))
    c.append(("text-to-empty", lines("a", "b"), b""))
    c.append(("empty-to-no-newline", b"", b"a"))
    c.append(("no-newline-to-empty", b"a", b""))
    c.append(("add-final-newline", b"a\nb", b"a\nb\n"))
    c.append(("remove-final-newline", b"a\nb\n", b"a\nb"))
    c.append(("both-without-newline", b"a\nb\nc", b"a\nB\nc"))
    c.append(("last-line-without-newline-changes", b"a\nb", b"a\nc"))
    c.append(("single-line", b"x\n", b"y\n"))
    c.append(("first-line", lines(*ten), lines("FIRST", *ten[1:])))
    c.append(("last-line", lines(*ten), lines(*ten[:-1], "LAST")))
    c.append(("insert-at-start", lines(*ten), lines("new", *ten)))
    c.append(("insert-at-end", lines(*ten), lines(*ten, "new")))
    c.append(("delete-at-start", lines(*ten), lines(*ten[1:])))
    c.append(("delete-at-end", lines(*ten), lines(*ten[:-1])))
    # Two changes 6 lines apart share a hunk; 7 apart do not.
    t = list(twenty)
    t[3] = "X"
    t[10] = "Y"
    c.append(("gap-6-one-hunk", lines(*twenty), lines(*t)))
    t = list(twenty)
    t[3] = "X"
    t[11] = "Y"
    c.append(("gap-7-two-hunks", lines(*twenty), lines(*t)))
    c.append(("one-line-each-side", b"a\n", b"b\n"))
    c.append(("pure-insert-one-line", lines("a", "b", "c", "d", "e", "f", "g", "h"),
              lines("a", "b", "c", "d", "new", "e", "f", "g", "h")))
    c.append(("pure-delete-one-line", lines("a", "b", "c", "d", "e", "f", "g", "h"),
              lines("a", "b", "c", "e", "f", "g", "h")))
    c.append(("repeated-lines-ambiguous", lines("a", "a", "a", "b", "a", "a"),
              lines("a", "a", "b", "a", "a", "a")))
    c.append(("blank-lines", lines("", "", "x", "", ""), lines("", "x", "", "", "")))
    c.append(("braces-slide", lines("f {", "  a", "}", "", "g {", "  b", "}"),
              lines("f {", "  a", "}", "", "h {", "  c", "}", "", "g {", "  b", "}")))
    c.append(("crlf-lines", b"a\r\nb\r\nc\r\n", b"a\r\nB\r\nc\r\n"))
    c.append(("crlf-vs-lf", b"a\r\nb\r\n", b"a\nb\n"))
    c.append(("bytes-not-utf8", b"caf\xe9\nx\n", b"caf\xc3\xa9\nx\n"))
    c.append(("nul-bytes", b"a\x00b\nc\n", b"a\x00c\nc\n"))
    c.append(("whitespace-only", b"a b\n", b"a  b\n"))
    c.append(("no-newline-context", b"a\nb\nc\nd\ne", b"a\nX\nc\nd\ne"))
    c.append(("no-newline-both-changed", b"a\nb", b"a\nb\nc"))
    c.append(("all-lines-differ", lines(*ten), lines(*numbered(10, "other %d"))))
    c.append(("moved-block", lines(*twenty), lines(*(twenty[10:15] + twenty[:10] +
                                                      twenty[15:]))))
    c.append(("nginx-upstream", lines("upstream app {", "    server 10.0.1.100:80;",
                                      "    server 10.0.1.101:80;", "}"),
              lines("upstream app {", "    server 10.0.1.100:80;",
                    "    server 10.0.1.101:80;", "    server 10.0.1.102:80;", "}")))
    return c


def random_small(rng, n_cases):
    out = []
    for k in range(n_cases):
        alpha = rng.choice([2, 3, 5, 10, 50, 1000])
        n = rng.choice([0, 1, 2, 5, 10, 30, 100, 300])
        a = ["l%d\n" % rng.randrange(alpha) for _ in range(n)]
        b = list(a)
        for _ in range(rng.choice([1, 2, 3, 5, 20])):
            op = rng.randrange(3)
            pos = rng.randrange(len(b) + 1)
            if op == 0 and b:
                p = pos % len(b)
                del b[p:p + rng.randrange(1, 4)]
            elif op == 1:
                for _ in range(rng.randrange(1, 4)):
                    v = rng.randrange(alpha if rng.random() < 0.7 else 100000)
                    b.insert(pos, "l%d\n" % v)
            elif b:
                b[pos % len(b)] = "l%d\n" % rng.randrange(alpha)
        A = "".join(a).encode()
        B = "".join(b).encode()
        if rng.random() < 0.2 and A:
            A = A[:-1]
        if rng.random() < 0.2 and B:
            B = B[:-1]
        out.append(("small-%03d" % k, A, B))
    return out


def random_unrelated(rng, n_cases):
    out = []
    for k in range(n_cases):
        n = rng.randrange(400)
        a = ["%d\n" % rng.randrange(rng.choice([2, 4, 20])) for _ in range(n)]
        n = rng.randrange(400)
        b = ["%d\n" % rng.randrange(rng.choice([2, 4, 20])) for _ in range(n)]
        out.append(("unrelated-%03d" % k, "".join(a).encode(), "".join(b).encode()))
    return out


def random_config(rng, n_cases):
    """Config-like files: many repeated lines (blank, braces) that diff treats as
    confusing, over 256 and 1024 lines so its thresholds change."""
    common = ["\n", "}\n", "{\n", "  x\n", "server a;\n"]
    pool = common + ["u%d\n" % i for i in range(3000)]
    out = []
    for k in range(n_cases):
        a = [rng.choice(common) if rng.random() < 0.5 else rng.choice(pool)
             for _ in range(rng.randrange(200, 2500))]
        b = list(a)
        for _ in range(rng.randrange(1, 40)):
            p = rng.randrange(len(b) + 1)
            r = rng.random()
            if r < 0.3 and b:
                del b[p % len(b)]
            elif r < 0.6:
                b.insert(p, rng.choice(pool) if rng.random() < 0.5
                         else "new%d\n" % rng.randrange(10**6))
            elif b:
                b[p % len(b)] = rng.choice(pool)
        out.append(("config-%03d" % k, "".join(a).encode(), "".join(b).encode()))
    return out


def random_moves(rng, n_cases):
    out = []
    for k in range(n_cases):
        n = rng.randrange(1, 300)
        a = ["b%d\n" % (i % rng.choice([7, 13, 50])) for i in range(n)]
        b = list(a)
        s = rng.randrange(len(b))
        m = rng.randrange(1, 20)
        blk = b[s:s + m]
        del b[s:s + m]
        p = rng.randrange(len(b) + 1)
        b[p:p] = blk
        out.append(("moves-%03d" % k, "".join(a).encode(), "".join(b).encode()))
    return out


def random_endings(rng, n_cases):
    pool = ["x\n", "x\r\n", "\n", "y\n"]
    out = []
    for k in range(n_cases):
        A = "".join(rng.choice(pool) for _ in range(rng.randrange(15))).encode()
        B = "".join(rng.choice(pool) for _ in range(rng.randrange(15))).encode()
        if rng.random() < 0.4 and A:
            A = A[:-1]
        if rng.random() < 0.4 and B:
            B = B[:-1]
        out.append(("endings-%03d" % k, A, B))
    return out


def expensive(rng):
    """Inputs whose edit cost passes diff's cap (4096 here), so that both take the
    best point reached so far instead of an optimal split."""
    lines = ["%d\n" % i for i in range(5000)]
    shuffled = list(lines)
    rng.shuffle(shuffled)
    return [
        ("reversed-4500", "".join(lines[:4500]).encode(),
         "".join(reversed(lines[:4500])).encode()),
        ("shuffled-5000", "".join(lines).encode(), "".join(shuffled).encode()),
    ]


def large_text(new):
    """Must match large_text() in tests/watcher/test_diff.c."""
    out = []
    for i in range(100000):
        if new and i == 10:
            out.append("changed line 10\n")
        elif new and i == 50000:
            continue
        elif new and i == 99990:
            out.append("line %d\n" % i)
            out.append("inserted after 99990\n")
        else:
            out.append("line %d\n" % i)
    return "".join(out).encode()


def main():
    write_cases("edge.cases", edge_cases())
    write_cases("random-small.cases", random_small(random.Random(1), 150))
    write_cases("random-unrelated.cases", random_unrelated(random.Random(2), 40))
    write_cases("random-config.cases", random_config(random.Random(3), 25))
    write_cases("random-moves.cases", random_moves(random.Random(4), 40))
    write_cases("random-endings.cases", random_endings(random.Random(5), 60))
    write_cases("expensive.cases", expensive(random.Random(7)))
    with open(os.path.join(HERE, "large.diff"), "wb") as f:
        f.write(gnu_diff(large_text(False), large_text(True)))


if __name__ == "__main__":
    main()
