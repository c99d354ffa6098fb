/* tmpl_confd: confd's template functions that need no snapshot and no system
 * access (resource/template/template_funcs.go), and the extensions. */
#include "tmpl_fmt.h"
#include "tmpl_funcs.h"
#include "tmpl_json.h"
#include "tmpl_path.h"
#include "tmpl_sort.h"
#include "tmpl_utf8.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* confd's seq builds the whole list; this bounds it. */
#define MAX_SEQ_LEN 10000000

static const char *mem_find(const char *h, size_t hn, const char *nd, size_t nn)
{
    size_t i;

    if (nn == 0)
        return h;
    for (i = 0; i + nn <= hn; i++) {
        if (h[i] == nd[0] && memcmp(h + i, nd, nn) == 0)
            return h + i;
    }
    return NULL;
}

static int fn_base(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    tmpl_buf b;

    (void)n;
    tmpl_buf_init(&b, 0);
    return tmpl_fn_string(x, &b, tmpl_path_base(&b, a[0].u.s.p, a[0].u.s.n), out);
}

static int fn_dir(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    tmpl_buf b;

    (void)n;
    tmpl_buf_init(&b, 0);
    return tmpl_fn_string(x, &b, tmpl_path_dir(&b, a[0].u.s.p, a[0].u.s.n), out);
}

/* Substring of a string value, sharing its storage. */
static tmpl_value substr(tmpl_value s, const char *p, size_t n)
{
    tmpl_value v = tv_retain(s);

    v.flags = 0;
    v.u.s.p = p;
    v.u.s.n = n;
    return v;
}

static int fn_split(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    const char *s = a[0].u.s.p;
    size_t sn = a[0].u.s.n;
    const char *sep = a[1].u.s.p;
    size_t sepn = a[1].u.s.n;
    const char *hit;

    (void)n;
    if (tmpl_exec_charge(x, sn + 1))
        return TMPL_EEXEC;
    *out = tv_list_new(TV_E_STRING, 0);
    if (out->kind != TV_LIST)
        return TMPL_ENOMEM;
    if (sepn == 0) {
        size_t i = 0;
        while (i < sn) {
            int32_t r;
            size_t w = tmpl_utf8_decode(s + i, sn - i, &r);
            if (tv_list_push(*out, substr(a[0], s + i, w)))
                return TMPL_ENOMEM;
            i += w;
        }
        return 0;
    }
    while ((hit = mem_find(s, sn, sep, sepn)) != NULL) {
        if (tv_list_push(*out, substr(a[0], s, (size_t)(hit - s))))
            return TMPL_ENOMEM;
        sn -= (size_t)(hit - s) + sepn;
        s = hit + sepn;
    }
    return tv_list_push(*out, substr(a[0], s, sn));
}

static int fn_join(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    tv_list *l = tv_as_list(a[0]);
    tmpl_buf b;
    size_t i;
    int rc = 0;

    (void)n;
    tmpl_buf_init(&b, 0);
    for (i = 0; i < l->len && rc == 0; i++) {
        if (i > 0)
            rc = tmpl_buf_add(&b, a[1].u.s.p, a[1].u.s.n);
        rc = rc ? rc : tmpl_buf_add(&b, l->items[i].u.s.p, l->items[i].u.s.n);
    }
    return tmpl_fn_string(x, &b, rc, out);
}

static int map_case(tmpl_exec *x, const tmpl_value *a, tmpl_value *out, int upper)
{
    const char *s = a[0].u.s.p;
    size_t n = a[0].u.s.n;
    tmpl_buf b;
    size_t i = 0;
    int rc = 0;

    tmpl_buf_init(&b, 0);
    while (i < n && rc == 0) {
        int32_t r;
        size_t w = tmpl_utf8_decode(s + i, n - i, &r);
        char enc[4];
        r = upper ? tmpl_rune_upper(r) : tmpl_rune_lower(r);
        rc = tmpl_buf_add(&b, enc, tmpl_utf8_encode(r, enc));
        i += w;
    }
    return tmpl_fn_string(x, &b, rc, out);
}

static int fn_to_upper(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    (void)n;
    return map_case(x, a, out, 1);
}

static int fn_to_lower(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    (void)n;
    return map_case(x, a, out, 0);
}

static int fn_contains(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    (void)x;
    (void)n;
    *out = tv_bool(mem_find(a[0].u.s.p, a[0].u.s.n, a[1].u.s.p, a[1].u.s.n) != NULL);
    return 0;
}

static size_t count_occ(const char *s, size_t n, const char *old, size_t on)
{
    size_t c = 0;
    const char *hit;

    if (on == 0)
        return tmpl_utf8_count(s, n) + 1;
    while ((hit = mem_find(s, n, old, on)) != NULL) {
        c++;
        n -= (size_t)(hit - s) + on;
        s = hit + on;
    }
    return c;
}

static int fn_replace(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    const char *s = a[0].u.s.p;
    size_t sn = a[0].u.s.n;
    const char *old = a[1].u.s.p;
    size_t on = a[1].u.s.n;
    int64_t limit = a[3].u.i;
    size_t m;
    size_t start = 0;
    int64_t i;
    tmpl_buf b;
    int rc = 0;

    (void)n;
    if ((on == a[2].u.s.n && memcmp(old, a[2].u.s.p, on) == 0) || limit == 0) {
        *out = tv_retain(a[0]);
        return 0;
    }
    m = count_occ(s, sn, old, on);
    if (m == 0) {
        *out = tv_retain(a[0]);
        return 0;
    }
    if (limit < 0 || (uint64_t)m < (uint64_t)limit)
        limit = (int64_t)m;
    tmpl_buf_init(&b, 0);
    for (i = 0; i < limit && rc == 0; i++) {
        size_t j = start;
        if (on == 0) {
            if (i > 0) {
                int32_t r;
                j += tmpl_utf8_decode(s + start, sn - start, &r);
            }
        } else {
            j += (size_t)(mem_find(s + start, sn - start, old, on) - (s + start));
        }
        rc = tmpl_buf_add(&b, s + start, j - start);
        rc = rc ? rc : tmpl_buf_add(&b, a[2].u.s.p, a[2].u.s.n);
        start = j + on;
    }
    rc = rc ? rc : tmpl_buf_add(&b, s + start, sn - start);
    return tmpl_fn_string(x, &b, rc, out);
}

static int fn_trim_suffix(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    size_t sn = a[0].u.s.n;
    size_t fn = a[1].u.s.n;

    (void)x;
    (void)n;
    if (fn <= sn && memcmp(a[0].u.s.p + sn - fn, a[1].u.s.p, fn) == 0)
        sn -= fn;
    *out = substr(a[0], a[0].u.s.p, sn);
    return 0;
}

static int fn_trim_prefix(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    size_t sn = a[0].u.s.n;
    size_t fn = a[1].u.s.n;

    (void)x;
    (void)n;
    if (fn <= sn && memcmp(a[0].u.s.p, a[1].u.s.p, fn) == 0)
        *out = substr(a[0], a[0].u.s.p + fn, sn - fn);
    else
        *out = tv_retain(a[0]);
    return 0;
}

/* encoding/json's Unmarshal of a[0] into what json or jsonArray wants. */
static int json_decode(tmpl_exec *x, const tmpl_value *a, tmpl_json_want want,
                       tmpl_value *out)
{
    char err[256];
    int rc = tmpl_json_decode(a[0].u.s.p, a[0].u.s.n, want, out, err, sizeof(err));

    return rc == TMPL_EEXEC ? tmpl_fn_error(x, "%s", err) : rc;
}

static int fn_json(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    (void)n;
    return json_decode(x, a, TMPL_JSON_OBJECT, out);
}

static int fn_json_array(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    (void)n;
    return json_decode(x, a, TMPL_JSON_ARRAY, out);
}

static int fn_map(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    size_t i;

    if (n % 2 != 0)
        return tmpl_fn_error(x, "invalid map call");
    for (i = 0; i < n; i += 2) {
        if (a[i].kind != TV_STRING)
            return tmpl_fn_error(x, "map keys must be strings");
        if (tv_depth(a[i + 1]) >= TV_MAX_DEPTH)
            return tmpl_fn_error(x, "map: values nested more than %d deep", TV_MAX_DEPTH);
    }
    *out = tv_map_new(n / 2);
    if (out->kind != TV_MAP)
        return TMPL_ENOMEM;
    for (i = 0; i < n; i += 2) {
        if (tv_map_push(*out, tv_retain(a[i]), tv_retain(a[i + 1])))
            return TMPL_ENOMEM;
    }
    return tv_map_sort(*out);
}

static int b64_val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

static int fn_b64_encode(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    static const char tab[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *s = (const unsigned char *)a[0].u.s.p;
    size_t sn = a[0].u.s.n;
    size_t i;
    tmpl_buf b;
    int rc = 0;

    (void)n;
    tmpl_buf_init(&b, 0);
    for (i = 0; i + 2 < sn && rc == 0; i += 3) {
        char q[4] = {tab[s[i] >> 2], tab[((s[i] & 3) << 4) | (s[i + 1] >> 4)],
                     tab[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)], tab[s[i + 2] & 63]};
        rc = tmpl_buf_add(&b, q, 4);
    }
    if (rc == 0 && sn - i == 1) {
        char q[4] = {tab[s[i] >> 2], tab[(s[i] & 3) << 4], '=', '='};
        rc = tmpl_buf_add(&b, q, 4);
    } else if (rc == 0 && sn - i == 2) {
        char q[4] = {tab[s[i] >> 2], tab[((s[i] & 3) << 4) | (s[i + 1] >> 4)],
                     tab[(s[i + 1] & 15) << 2], '='};
        rc = tmpl_buf_add(&b, q, 4);
    }
    return tmpl_fn_string(x, &b, rc, out);
}

static int is_nl(unsigned char c)
{
    return c == '\n' || c == '\r';
}

/* Go's decodeQuantum (StdEncoding, not strict): decodes up to four symbols at *si.
 * Returns the number of bytes produced (0..3), or -1 with *bad set to the offset
 * Go reports. *more is cleared at the end of the input or after padding. */
static int b64_quantum(const unsigned char *s, size_t n, size_t *si, unsigned char out[3],
                       size_t *bad, int *more)
{
    int dbuf[4] = {0, 0, 0, 0};
    int dlen = 4;
    int j;

    for (j = 0; j < 4; j++) {
        unsigned char in;
        if (*si == n) {
            if (j == 0) {
                *more = 0;
                return 0;
            }
            *bad = *si - (size_t)j;
            return -1;
        }
        in = s[(*si)++];
        if (b64_val(in) >= 0) {
            dbuf[j] = b64_val(in);
            continue;
        }
        if (is_nl(in)) {
            j--;
            continue;
        }
        if (in != '=' || j < 2) {
            *bad = *si - 1;
            return -1;
        }
        if (j == 2) {
            while (*si < n && is_nl(s[*si]))
                (*si)++;
            if (*si == n || s[*si] != '=') {
                *bad = *si == n ? n : *si - 1;
                return -1;
            }
            (*si)++;
        }
        while (*si < n && is_nl(s[*si]))
            (*si)++;
        if (*si < n) {
            *bad = *si;
            return -1;
        }
        dlen = j;
        *more = 0;
        break;
    }
    out[0] = (unsigned char)((dbuf[0] << 2) | (dbuf[1] >> 4));
    out[1] = (unsigned char)(((dbuf[1] & 15) << 4) | (dbuf[2] >> 2));
    out[2] = (unsigned char)(((dbuf[2] & 3) << 6) | dbuf[3]);
    return dlen - 1;
}

/* base64.StdEncoding.DecodeString, with Go's error offsets. */
static int fn_b64_decode(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    const unsigned char *s = (const unsigned char *)a[0].u.s.p;
    size_t sn = a[0].u.s.n;
    size_t si = 0;
    size_t bad = 0;
    int more = 1;
    tmpl_buf b;
    int rc = 0;

    (void)n;
    tmpl_buf_init(&b, 0);
    while (more && rc == 0) {
        unsigned char q[3];
        int got = b64_quantum(s, sn, &si, q, &bad, &more);
        if (got < 0) {
            tmpl_buf_cleanup(&b);
            return tmpl_fn_error(x, "illegal base64 data at input byte %zu", bad);
        }
        rc = tmpl_buf_add(&b, q, (size_t)got);
    }
    return tmpl_fn_string(x, &b, rc ? rc : tmpl_buf_add(&b, "", 0), out);
}

static int quoted_err(tmpl_exec *x, const char *fn, tmpl_value s, const char *why)
{
    tmpl_buf q;
    int rc;

    tmpl_buf_init(&q, 0);
    if (tmpl_go_quote(&q, s.u.s.p, s.u.s.n, 0)) {
        tmpl_buf_cleanup(&q);
        return TMPL_ENOMEM;
    }
    rc = tmpl_fn_error(x, "strconv.%s: parsing %s: %s", fn, q.data, why);
    tmpl_buf_cleanup(&q);
    return rc;
}

static int fn_parse_bool(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
    static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};
    size_t i;

    (void)n;
    for (i = 0; i < 6; i++) {
        if (strlen(yes[i]) == a[0].u.s.n && memcmp(yes[i], a[0].u.s.p, a[0].u.s.n) == 0) {
            *out = tv_bool(true);
            return 0;
        }
        if (strlen(no[i]) == a[0].u.s.n && memcmp(no[i], a[0].u.s.p, a[0].u.s.n) == 0) {
            *out = tv_bool(false);
            return 0;
        }
    }
    return quoted_err(x, "ParseBool", a[0], "invalid syntax");
}

static int fn_atoi(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    const char *s = a[0].u.s.p;
    size_t sn = a[0].u.s.n;
    size_t i = 0;
    int neg = 0;
    uint64_t v = 0;
    int range = 0;

    (void)n;
    if (sn > 0 && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == sn)
        return quoted_err(x, "Atoi", a[0], "invalid syntax");
    for (; i < sn; i++) {
        if (s[i] < '0' || s[i] > '9')
            return quoted_err(x, "Atoi", a[0], "invalid syntax");
        if (v > (UINT64_MAX - 9) / 10)
            range = 1;
        else
            v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (range || (!neg && v > (uint64_t)INT64_MAX) ||
        (neg && v > (uint64_t)INT64_MAX + 1))
        return quoted_err(x, "Atoi", a[0], "value out of range");
    *out = tv_int(neg ? (int64_t)(0 - v) : (int64_t)v);
    return 0;
}

static int fn_add(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    (void)x;
    (void)n;
    *out = tv_int((int64_t)((uint64_t)a[0].u.i + (uint64_t)a[1].u.i));
    return 0;
}

static int fn_sub(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    (void)x;
    (void)n;
    *out = tv_int((int64_t)((uint64_t)a[0].u.i - (uint64_t)a[1].u.i));
    return 0;
}

static int fn_mul(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    (void)x;
    (void)n;
    *out = tv_int((int64_t)((uint64_t)a[0].u.i * (uint64_t)a[1].u.i));
    return 0;
}

static int fn_div(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    (void)n;
    if (a[1].u.i == 0)
        return tmpl_fn_error(x, "runtime error: integer divide by zero");
    *out =
        tv_int(a[1].u.i == -1 ? (int64_t)(0 - (uint64_t)a[0].u.i) : a[0].u.i / a[1].u.i);
    return 0;
}

static int fn_mod(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    (void)n;
    if (a[1].u.i == 0)
        return tmpl_fn_error(x, "runtime error: integer divide by zero");
    *out = tv_int(a[1].u.i == -1 ? 0 : a[0].u.i % a[1].u.i);
    return 0;
}

static int fn_seq(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    int64_t first = a[0].u.i;
    int64_t last = a[1].u.i;
    int64_t i;

    (void)n;
    if (last >= first && (uint64_t)last - (uint64_t)first >= MAX_SEQ_LEN)
        return tmpl_fn_error(x, "seq: more than %d elements", MAX_SEQ_LEN);
    if (last >= first &&
        tmpl_exec_charge(x, (size_t)((uint64_t)last - (uint64_t)first) + 1))
        return TMPL_EEXEC;
    *out = tv_list_new(TV_E_INT, last >= first ? (size_t)(last - first + 1) : 0);
    if (out->kind != TV_LIST)
        return TMPL_ENOMEM;
    tv_as_list(*out)->is_nil = last < first;
    for (i = first; i <= last; i++) {
        if (tv_list_push(*out, tv_int(i)))
            return TMPL_ENOMEM;
        if (i == INT64_MAX)
            break;
    }
    return 0;
}

static void reverse_items(tv_list *l)
{
    size_t i;

    for (i = 0; l->len > 0 && i < l->len / 2; i++) {
        tmpl_value t = l->items[i];
        l->items[i] = l->items[l->len - 1 - i];
        l->items[l->len - 1 - i] = t;
    }
}

/* confd's Reverse: reverses a []string or a []memkv.KVPair in place (a value of any
 * other type, memkv.KVPairs too, stays as it is) and returns it. */
static int fn_reverse(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    tv_list *l = tv_as_list(a[0]);

    (void)x;
    (void)n;
    if (l &&
        (l->elem == TV_E_STRING || (l->elem == TV_E_KV && !(a[0].flags & TV_F_KVPAIRS))))
        reverse_items(l);
    *out = tv_retain(a[0]);
    return 0;
}

static size_t item_len(const tmpl_value *v)
{
    return v->kind == TV_KV ? v->u.kv->key_len : v->u.s.n;
}

static int shorter(const tmpl_value *a, const tmpl_value *b)
{
    return item_len(a) < item_len(b);
}

/* sort.Sort by length: Go's unstable order for equal lengths, as in confd. */
static void sort_by_len(tv_list *l)
{
    tmpl_go_sort(l->items, l->len, shorter);
}

static int fn_sort_by_length(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    (void)x;
    (void)n;
    sort_by_len(tv_as_list(a[0]));
    *out = tv_retain(a[0]);
    return 0;
}

static int fn_sort_kv_by_length(tmpl_exec *x, const tmpl_value *a, size_t n,
                                tmpl_value *out)
{
    (void)x;
    (void)n;
    sort_by_len(tv_as_list(a[0]));
    *out = tv_retain(a[0]);
    out->flags &= (uint8_t)~TV_F_KVPAIRS;
    return 0;
}

/* ---- extensions ------------------------------------------------------ */

static bool is_empty(tmpl_value v)
{
    switch (v.kind) {
    case TV_INVALID:
    case TV_NIL:
        return true;
    case TV_KV:
    case TV_TIME:
    case TV_SRV:
        return false;
    default:
        return !tv_truth(v);
    }
}

static int fn_default(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    (void)x;
    *out = tv_retain(n < 2 || is_empty(a[1]) ? a[0] : a[1]);
    return 0;
}

static int fn_indent(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    int64_t spaces = a[0].u.i;
    tmpl_buf b;
    size_t i;
    int rc;

    (void)n;
    if (spaces < 0 || spaces > 4096)
        return tmpl_fn_error(x, "indent: width %lld out of range", (long long)spaces);
    tmpl_buf_init(&b, 0);
    rc = tmpl_buf_fill(&b, ' ', (size_t)spaces);
    for (i = 0; i < a[1].u.s.n && rc == 0; i++) {
        rc = tmpl_buf_addc(&b, a[1].u.s.p[i]);
        if (rc == 0 && a[1].u.s.p[i] == '\n')
            rc = tmpl_buf_fill(&b, ' ', (size_t)spaces);
    }
    return tmpl_fn_string(x, &b, rc ? rc : tmpl_buf_add(&b, "", 0), out);
}

static int fn_quote(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    tmpl_buf b;

    (void)n;
    tmpl_buf_init(&b, 0);
    return tmpl_fn_string(x, &b, tmpl_go_quote(&b, a[0].u.s.p, a[0].u.s.n, 0), out);
}

static int fn_to_json(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    char err[256];
    tmpl_buf b;
    int rc;

    (void)n;
    tmpl_buf_init(&b, 0);
    rc = tmpl_json_encode(&b, a[0], err, sizeof(err));
    if (rc == TMPL_EEXEC) {
        tmpl_buf_cleanup(&b);
        return tmpl_fn_error(x, "%s", err);
    }
    if (rc) {
        tmpl_buf_cleanup(&b);
        return rc;
    }
    return tmpl_fn_string(x, &b, tmpl_buf_add(&b, "", 0), out);
}

static int fn_has_key(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    (void)n;
    if (a[0].kind != TV_MAP)
        return tmpl_fn_error(x, "hasKey: %s is not a map", tv_type_name(a[0]));
    *out = tv_bool(tv_map_get(a[0], a[1].u.s.p, a[1].u.s.n) != NULL);
    return 0;
}

static int fn_keys(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    tv_map *m = tv_as_map(a[0]);
    size_t i;

    (void)n;
    if (!m)
        return tmpl_fn_error(x, "keys: %s is not a map", tv_type_name(a[0]));
    *out = tv_list_new(TV_E_STRING, m->len);
    if (out->kind != TV_LIST)
        return TMPL_ENOMEM;
    for (i = 0; i < m->len; i++) {
        if (tv_list_push(*out, tv_retain(m->items[i].key)))
            return TMPL_ENOMEM;
    }
    return 0;
}

static int fn_include(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    return tmpl_exec_include(x, a[0].u.s.p, a[0].u.s.n, n > 1 ? a[1] : tv_invalid(), out);
}

#define S TP_STRING
#define I TP_INT
#define A TP_ANY

const tmpl_func tmpl_confd_funcs[] = {
    {"add", fn_add, 2, 0, 0, {I, I}},
    {"atoi", fn_atoi, 1, 0, 0, {S}},
    {"base", fn_base, 1, 0, 0, {S}},
    {"base64Decode", fn_b64_decode, 1, 0, 0, {S}},
    {"base64Encode", fn_b64_encode, 1, 0, 0, {S}},
    {"contains", fn_contains, 2, 0, 0, {S, S}},
    {"default", fn_default, 2, 1, 0, {A, A}},
    {"dir", fn_dir, 1, 0, 0, {S}},
    {"div", fn_div, 2, 0, 0, {I, I}},
    {"hasKey", fn_has_key, 2, 0, 0, {A, S}},
    {"include", fn_include, 2, 1, 0, {S, A}},
    {"indent", fn_indent, 2, 0, 0, {I, S}},
    {"join", fn_join, 2, 0, 0, {TP_STRLIST, S}},
    {"json", fn_json, 1, 0, 0, {S}},
    {"jsonArray", fn_json_array, 1, 0, 0, {S}},
    {"keys", fn_keys, 1, 0, 0, {A}},
    {"map", fn_map, 1, 1, 0, {A}},
    {"mod", fn_mod, 2, 0, 0, {I, I}},
    {"mul", fn_mul, 2, 0, 0, {I, I}},
    {"parseBool", fn_parse_bool, 1, 0, 0, {S}},
    {"quote", fn_quote, 1, 0, 0, {S}},
    {"replace", fn_replace, 4, 0, 0, {S, S, S, I}},
    {"reverse", fn_reverse, 1, 0, 0, {A}},
    {"seq", fn_seq, 2, 0, 0, {I, I}},
    {"sortByLength", fn_sort_by_length, 1, 0, 0, {TP_STRLIST}},
    {"sortKVByLength", fn_sort_kv_by_length, 1, 0, 0, {TP_KVLIST}},
    {"split", fn_split, 2, 0, 0, {S, S}},
    {"sub", fn_sub, 2, 0, 0, {I, I}},
    {"toJson", fn_to_json, 1, 0, 0, {A}},
    {"toLower", fn_to_lower, 1, 0, 0, {S}},
    {"toUpper", fn_to_upper, 1, 0, 0, {S}},
    {"trimPrefix", fn_trim_prefix, 2, 0, 0, {S, S}},
    {"trimSuffix", fn_trim_suffix, 2, 0, 0, {S, S}},
};
const size_t tmpl_confd_nfuncs = sizeof(tmpl_confd_funcs) / sizeof(tmpl_confd_funcs[0]);
