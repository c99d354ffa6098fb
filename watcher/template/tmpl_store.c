/* tmpl_store: the key snapshot and confd's key functions (memkv's Store):
 * get gets getv getvs exists ls lsdir. The snapshot is a sorted array: exact
 * lookups and prefix ranges are binary searches. */
#include "template.h"
#include "tmpl_buf.h"
#include "tmpl_funcs.h"
#include "tmpl_path.h"
#include "tmpl_sort.h"

#include <stdlib.h>
#include <string.h>

struct tmpl_snapshot {
    tmpl_kv *kvs;
    size_t n;
    size_t cap;
};

tmpl_snapshot *tmpl_snapshot_new(void)
{
    return calloc(1, sizeof(tmpl_snapshot));
}

int tmpl_snapshot_add(tmpl_snapshot *s, const char *key, size_t klen, const char *value,
                      size_t vlen)
{
    tmpl_kv *kvs;
    char *mem;

    if (!s || !key || (!value && vlen))
        return TMPL_EINVAL;
    if (klen > (size_t)-1 / 4 || vlen > (size_t)-1 / 4)
        return TMPL_EINVAL;
    kvs = tmpl_array_grow(s->kvs, s->n, &s->cap, sizeof(*kvs), 64);
    if (!kvs)
        return TMPL_ENOMEM;
    s->kvs = kvs;
    mem = malloc(klen + vlen + 2);
    if (!mem)
        return TMPL_ENOMEM;
    memcpy(mem, key, klen);
    mem[klen] = '\0';
    if (vlen)
        memcpy(mem + klen + 1, value, vlen);
    mem[klen + 1 + vlen] = '\0';
    s->kvs[s->n].key = mem;
    s->kvs[s->n].key_len = klen;
    s->kvs[s->n].value = mem + klen + 1;
    s->kvs[s->n].value_len = vlen;
    s->n++;
    return TMPL_OK;
}

static int kv_cmp(const void *a, const void *b)
{
    const tmpl_kv *x = a;
    const tmpl_kv *y = b;

    return tv_bytes_cmp(x->key, x->key_len, y->key, y->key_len);
}

static void kv_drop(void *kv)
{
    free((char *)((tmpl_kv *)kv)->key); /* the value shares the key's block */
}

int tmpl_snapshot_finish(tmpl_snapshot *s)
{
    if (!s)
        return TMPL_EINVAL;
    if (tmpl_sort_unique(s->kvs, &s->n, sizeof(*s->kvs), kv_cmp, kv_drop))
        return TMPL_ENOMEM;
    return TMPL_OK;
}

size_t tmpl_snapshot_count(const tmpl_snapshot *s)
{
    return s ? s->n : 0;
}

const tmpl_kv *tmpl_snapshot_at(const tmpl_snapshot *s, size_t i)
{
    return s && i < s->n ? &s->kvs[i] : NULL;
}

void tmpl_snapshot_free(tmpl_snapshot *s)
{
    size_t i;

    if (!s)
        return;
    for (i = 0; i < s->n; i++)
        free((char *)s->kvs[i].key);
    free(s->kvs);
    free(s);
}

char *tmpl_key_relative(const char *key, const char *prefix)
{
    size_t pl = prefix ? strlen(prefix) : 0;
    size_t kl = strlen(key);
    tmpl_buf b;
    int rc;

    if (pl && kl >= pl && memcmp(key, prefix, pl) == 0) {
        key += pl;
        kl -= pl;
    }
    tmpl_buf_init(&b, 0);
    rc = tmpl_buf_addc(&b, '/');
    rc = rc ? rc : tmpl_buf_add(&b, key, kl);
    if (rc) {
        tmpl_buf_cleanup(&b);
        return NULL;
    }
    {
        tmpl_buf c;
        tmpl_buf_init(&c, 0);
        rc = tmpl_path_clean(&c, b.data, b.len);
        tmpl_buf_cleanup(&b);
        if (rc) {
            tmpl_buf_cleanup(&c);
            return NULL;
        }
        return tmpl_buf_steal(&c, NULL);
    }
}

/* ---- lookups --------------------------------------------------------- */

static size_t lower_bound(const tmpl_snapshot *s, const char *k, size_t n)
{
    size_t lo = 0;
    size_t hi = s ? s->n : 0;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tv_bytes_cmp(s->kvs[mid].key, s->kvs[mid].key_len, k, n) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static const tmpl_kv *find(const tmpl_snapshot *s, const char *k, size_t n)
{
    size_t i = lower_bound(s, k, n);

    if (s && i < s->n && tv_bytes_cmp(s->kvs[i].key, s->kvs[i].key_len, k, n) == 0)
        return &s->kvs[i];
    return NULL;
}

/* The range [*lo, *hi) of keys starting with p. */
static void prefix_range(const tmpl_snapshot *s, const char *p, size_t n, size_t *lo,
                         size_t *hi)
{
    size_t i = lower_bound(s, p, n);
    size_t j = i;
    size_t step = 1;

    *lo = i;
    if (!s) {
        *hi = i;
        return;
    }
    /* gallop, then bisect, to the end of the prefix run */
    while (j + step <= s->n && s->kvs[j + step - 1].key_len >= n &&
           memcmp(s->kvs[j + step - 1].key, p, n) == 0) {
        j += step;
        step *= 2;
    }
    while (step > 1) {
        step /= 2;
        if (j + step <= s->n && s->kvs[j + step - 1].key_len >= n &&
            memcmp(s->kvs[j + step - 1].key, p, n) == 0)
            j += step;
    }
    *hi = j;
}

static int fn_exists(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    (void)n;
    *out = tv_bool(find(tmpl_exec_snapshot(x), a[0].u.s.p, a[0].u.s.n) != NULL);
    return 0;
}

static int fn_get(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    const tmpl_kv *kv = find(tmpl_exec_snapshot(x), a[0].u.s.p, a[0].u.s.n);

    (void)n;
    if (!kv)
        return tmpl_fn_error(x, "key does not exist: %.*s", (int)a[0].u.s.n, a[0].u.s.p);
    *out = tv_kv(kv);
    return 0;
}

static int fn_getv(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    const tmpl_kv *kv = find(tmpl_exec_snapshot(x), a[0].u.s.p, a[0].u.s.n);

    if (kv) {
        *out = tv_str_borrow(kv->value, kv->value_len);
        return 0;
    }
    if (n > 1) {
        *out = tv_retain(a[1]);
        return 0;
    }
    return tmpl_fn_error(x, "key does not exist: %.*s", (int)a[0].u.s.n, a[0].u.s.p);
}

/* memkv's GetAll: matching pairs in key order; a bad pattern is an error only
 * when some key exists to match it against. */
static int get_all(tmpl_exec *x, tmpl_value pattern, tmpl_value *out)
{
    const tmpl_snapshot *s = tmpl_exec_snapshot(x);
    const char *p = pattern.u.s.p;
    size_t pn = pattern.u.s.n;
    size_t lo;
    size_t hi;
    size_t i;
    int m;
    int rc = 0;

    prefix_range(s, p, tmpl_path_literal_prefix(p, pn), &lo, &hi);
    *out = tv_list_new(TV_E_KV, 0);
    if (out->kind != TV_LIST)
        return TMPL_ENOMEM;
    out->flags = TV_F_KVPAIRS;
    if (lo == hi && tmpl_snapshot_count(s) > 0 &&
        tmpl_path_match(p, pn, s->kvs[0].key, s->kvs[0].key_len) < 0)
        goto bad;
    for (i = lo; i < hi; i++) {
        m = tmpl_path_match(p, pn, s->kvs[i].key, s->kvs[i].key_len);
        if (m < 0)
            goto bad;
        if (m && (rc = tv_list_push(*out, tv_kv(&s->kvs[i]))) == 0)
            rc = tmpl_exec_charge(x, 1);
        if (rc) {
            tv_release(*out);
            *out = tv_invalid();
            return rc;
        }
    }
    return 0;
bad:
    tv_release(*out);
    *out = tv_invalid();
    return tmpl_fn_error(x, "syntax error in pattern");
}

static int fn_gets(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    (void)n;
    return get_all(x, a[0], out);
}

static int fn_getvs(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    tmpl_value kvs;
    tv_list *l;
    size_t i;
    int rc = get_all(x, a[0], &kvs);

    (void)n;
    if (rc)
        return rc;
    l = tv_as_list(kvs);
    for (i = 0; i < l->len; i++) {
        const tmpl_kv *kv = l->items[i].u.kv;
        l->items[i] = tv_str_borrow(kv->value, kv->value_len);
    }
    l->elem = TV_E_STRING;
    if (l->len > 1)
        qsort(l->items, l->len, sizeof(*l->items), tv_str_qsort_cmp);
    *out = kvs;
    out->flags = 0;
    return 0;
}

/* ---- ls / lsdir ------------------------------------------------------ */

#define MAX_TERMS 256

typedef struct terms {
    tmpl_buf clean;
    const char *t[MAX_TERMS];
    size_t len[MAX_TERMS];
    size_t n;
} terms;

/* strings.Split(path.Clean(p), "/") (or of path.Dir(p) when dir is set). */
static int to_terms(terms *t, const char *p, size_t n, int dir)
{
    size_t i;
    size_t start = 0;
    int rc;

    tmpl_buf_init(&t->clean, 0);
    rc = dir ? tmpl_path_dir(&t->clean, p, n) : tmpl_path_clean(&t->clean, p, n);
    if (rc)
        return TMPL_ENOMEM;
    t->n = 0;
    for (i = 0; i <= t->clean.len; i++) {
        if (i == t->clean.len || t->clean.data[i] == '/') {
            if (t->n < MAX_TERMS) {
                t->t[t->n] = t->clean.data + start;
                t->len[t->n] = i - start;
            }
            t->n++;
            start = i + 1;
        }
    }
    return 0;
}

static int same_prefix_terms(const terms *prefix, const terms *test)
{
    size_t i;

    if (test->n < prefix->n)
        return 0;
    for (i = 0; i < prefix->n && i < MAX_TERMS; i++) {
        if (prefix->len[i] != test->len[i] ||
            memcmp(prefix->t[i], test->t[i], prefix->len[i]))
            return 0;
    }
    return 1;
}

/* Adds a copy of the name to list. */
static int add_name(tmpl_value list, const char *p, size_t n)
{
    tmpl_value v = tv_str_copy(p, n);

    if (v.kind != TV_STRING)
        return TMPL_ENOMEM;
    return tv_list_push(list, v);
}

/* The first path element of key with prefix stripped (memkv's stripKey). */
static void first_elem(const tmpl_kv *kv, const char *p, size_t pn, const char **e,
                       size_t *en)
{
    const char *k = kv->key;
    size_t kn = kv->key_len;
    size_t i;

    if (kn >= pn && memcmp(k, p, pn) == 0) {
        k += pn;
        kn -= pn;
    }
    if (kn > 0 && k[0] == '/') {
        k++;
        kn--;
    }
    for (i = 0; i < kn && k[i] != '/'; i++)
        ;
    *e = k;
    *en = i;
}

/* memkv's List (ls) for one key: the key p itself adds its base name, a key in the
 * directory p or below it the first element after p. */
static int ls_name(const tmpl_kv *kv, const char *p, size_t pn, const terms *prefix,
                   tmpl_value names)
{
    terms dir;
    tmpl_buf b;
    const char *e;
    size_t en;
    int rc = 0;

    if (kv->key_len == pn && memcmp(kv->key, p, pn) == 0) {
        tmpl_buf_init(&b, 0);
        rc = tmpl_path_base(&b, kv->key, kv->key_len) ? TMPL_ENOMEM
                                                      : add_name(names, b.data, b.len);
        tmpl_buf_cleanup(&b);
        return rc;
    }
    if (to_terms(&dir, kv->key, kv->key_len, 1))
        return TMPL_ENOMEM;
    if (same_prefix_terms(prefix, &dir)) {
        first_elem(kv, p, pn, &e, &en);
        rc = add_name(names, e, en);
    }
    tmpl_buf_cleanup(&dir.clean);
    return rc;
}

/* memkv's ListDir (lsdir) for one key starting with p: the first element of its
 * directory below p, if it has one. */
static int lsdir_name(const tmpl_kv *kv, const char *p, size_t pn, const terms *prefix,
                      tmpl_value names)
{
    terms dir;
    int rc = 0;

    if (kv->key_len < pn || memcmp(kv->key, p, pn) != 0)
        return 0;
    if (to_terms(&dir, kv->key, kv->key_len, 1))
        return TMPL_ENOMEM;
    if (same_prefix_terms(prefix, &dir) && dir.n > prefix->n && prefix->n < MAX_TERMS)
        rc = add_name(names, dir.t[prefix->n], dir.len[prefix->n]);
    tmpl_buf_cleanup(&dir.clean);
    return rc;
}

typedef int (*name_fn)(const tmpl_kv *kv, const char *p, size_t pn, const terms *prefix,
                       tmpl_value names);

/* The sorted, unique names name_of finds in the keys under path (a string). Only
 * the keys that start with Clean(path), when it is absolute, and the key path
 * itself can name anything: the others are not looked at. */
static int list_names(tmpl_exec *x, tmpl_value path, name_fn name_of, tmpl_value *out)
{
    const tmpl_snapshot *s = tmpl_exec_snapshot(x);
    const char *p = path.u.s.p;
    size_t pn = path.u.s.n;
    const tmpl_kv *exact = find(s, p, pn);
    terms prefix;
    size_t lo = 0;
    size_t hi = tmpl_snapshot_count(s);
    size_t i;
    int rc = 0;

    *out = tv_list_new(TV_E_STRING, 0);
    if (out->kind != TV_LIST || to_terms(&prefix, p, pn, 0))
        return TMPL_ENOMEM;
    if (prefix.clean.data[0] == '/')
        prefix_range(s, prefix.clean.data, prefix.clean.len, &lo, &hi);
    if (exact && (size_t)(exact - s->kvs) < lo)
        lo = (size_t)(exact - s->kvs);
    if (exact && (size_t)(exact - s->kvs) >= hi)
        hi = (size_t)(exact - s->kvs) + 1;
    for (i = lo; i < hi && rc == 0; i++)
        rc = name_of(&s->kvs[i], p, pn, &prefix, *out);
    tmpl_buf_cleanup(&prefix.clean);
    if (rc)
        return rc;
    tv_list_sort_unique(tv_as_list(*out));
    return 0;
}

static int fn_ls(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    (void)n;
    return list_names(x, a[0], ls_name, out);
}

static int fn_lsdir(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    (void)n;
    return list_names(x, a[0], lsdir_name, out);
}

const tmpl_func tmpl_store_funcs[] = {
    {"exists", fn_exists, 1, 0, 0, {TP_STRING}},
    {"get", fn_get, 1, 0, 0, {TP_STRING}},
    {"gets", fn_gets, 1, 0, 0, {TP_STRING}},
    {"getv", fn_getv, 2, 1, 0, {TP_STRING, TP_STRING}},
    {"getvs", fn_getvs, 1, 0, 0, {TP_STRING}},
    {"ls", fn_ls, 1, 0, 0, {TP_STRING}},
    {"lsdir", fn_lsdir, 1, 0, 0, {TP_STRING}},
};
const size_t tmpl_store_nfuncs = sizeof(tmpl_store_funcs) / sizeof(tmpl_store_funcs[0]);
