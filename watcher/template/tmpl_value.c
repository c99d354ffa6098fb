#include "tmpl_value.h"

#include "tmpl_buf.h"
#include "tmpl_sort.h"

#include <stdlib.h>
#include <string.h>

typedef struct tv_strobj {
    tv_obj h;
    char *data;
} tv_strobj;

tmpl_value tv_invalid(void)
{
    tmpl_value v;

    memset(&v, 0, sizeof(v));
    v.kind = TV_INVALID;
    return v;
}

tmpl_value tv_nil(void)
{
    tmpl_value v = tv_invalid();

    v.kind = TV_NIL;
    return v;
}

tmpl_value tv_bool(bool b)
{
    tmpl_value v = tv_invalid();

    v.kind = TV_BOOL;
    v.u.b = b;
    return v;
}

tmpl_value tv_int(int64_t i)
{
    tmpl_value v = tv_invalid();

    v.kind = TV_INT;
    v.u.i = i;
    return v;
}

tmpl_value tv_float(double f)
{
    tmpl_value v = tv_invalid();

    v.kind = TV_FLOAT;
    v.u.f = f;
    return v;
}

tmpl_value tv_str_borrow(const char *p, size_t n)
{
    tmpl_value v = tv_invalid();

    v.kind = TV_STRING;
    v.u.s.p = p ? p : "";
    v.u.s.n = n;
    return v;
}

tmpl_value tv_str_take(char *p, size_t n)
{
    tmpl_value v = tv_invalid();
    tv_strobj *o;

    if (!p)
        return v;
    o = malloc(sizeof(*o));
    if (!o) {
        free(p);
        return v;
    }
    o->h.refs = 1;
    o->h.kind = TV_STRING;
    o->data = p;
    v.kind = TV_STRING;
    v.u.s.p = p;
    v.u.s.n = n;
    v.ref = &o->h;
    return v;
}

tmpl_value tv_str_copy(const char *p, size_t n)
{
    char *d = malloc(n + 1);

    if (!d)
        return tv_invalid();
    if (n)
        memcpy(d, p, n);
    d[n] = '\0';
    return tv_str_take(d, n);
}

tmpl_value tv_kv(const tmpl_kv *kv)
{
    tmpl_value v = tv_invalid();

    v.kind = TV_KV;
    v.u.kv = kv;
    return v;
}

tmpl_value tv_list_new(tv_elem elem, size_t cap)
{
    tmpl_value v = tv_invalid();
    tv_list *l = calloc(1, sizeof(*l));

    if (!l)
        return v;
    if (cap) {
        l->items = malloc(cap * sizeof(*l->items));
        if (!l->items) {
            free(l);
            return v;
        }
    }
    l->h.refs = 1;
    l->h.kind = TV_LIST;
    l->depth = 1;
    l->elem = (uint8_t)elem;
    l->cap = cap;
    v.kind = TV_LIST;
    v.ref = &l->h;
    return v;
}

tmpl_value tv_map_new(size_t cap)
{
    tmpl_value v = tv_invalid();
    tv_map *m = calloc(1, sizeof(*m));

    if (!m)
        return v;
    if (cap) {
        m->items = malloc(cap * sizeof(*m->items));
        if (!m->items) {
            free(m);
            return v;
        }
    }
    m->h.refs = 1;
    m->h.kind = TV_MAP;
    m->depth = 1;
    m->cap = cap;
    v.kind = TV_MAP;
    v.ref = &m->h;
    return v;
}

tmpl_value tv_time_new(const tmpl_time *t)
{
    tmpl_value v = tv_invalid();
    tv_timeobj *o = malloc(sizeof(*o));

    if (!o)
        return v;
    o->h.refs = 1;
    o->h.kind = TV_TIME;
    o->t = *t;
    v.kind = TV_TIME;
    v.ref = &o->h;
    return v;
}

tmpl_value tv_retain(tmpl_value v)
{
    if (v.ref)
        v.ref->refs++;
    return v;
}

static void tv_free_obj(tv_obj *o)
{
    size_t i;

    switch (o->kind) {
    case TV_STRING:
        free(((tv_strobj *)o)->data);
        break;
    case TV_LIST: {
        tv_list *l = (tv_list *)o;
        for (i = 0; i < l->len; i++)
            tv_release(l->items[i]);
        free(l->items);
        break;
    }
    case TV_MAP: {
        tv_map *m = (tv_map *)o;
        for (i = 0; i < m->len; i++) {
            tv_release(m->items[i].key);
            tv_release(m->items[i].val);
        }
        free(m->items);
        break;
    }
    case TV_SRV:
        tv_release(((tv_srv *)o)->target);
        break;
    default:
        break;
    }
    free(o);
}

void tv_release(tmpl_value v)
{
    if (v.ref && --v.ref->refs == 0)
        tv_free_obj(v.ref);
}

tv_list *tv_as_list(tmpl_value v)
{
    return v.kind == TV_LIST ? (tv_list *)v.ref : NULL;
}

tv_map *tv_as_map(tmpl_value v)
{
    return v.kind == TV_MAP ? (tv_map *)v.ref : NULL;
}

int tv_list_push(tmpl_value list, tmpl_value item)
{
    tv_list *l = tv_as_list(list);
    tmpl_value *items = tmpl_array_grow(l->items, l->len, &l->cap, sizeof(*items), 8);

    if (!items) {
        tv_release(item);
        return TMPL_ENOMEM;
    }
    l->items = items;
    l->items[l->len++] = item;
    if (tv_depth(item) + 1 > l->depth)
        l->depth = tv_depth(item) + 1;
    return TMPL_OK;
}

int tv_map_push(tmpl_value map, tmpl_value key, tmpl_value val)
{
    tv_map *m = tv_as_map(map);
    tv_entry *items = tmpl_array_grow(m->items, m->len, &m->cap, sizeof(*items), 8);

    if (!items) {
        tv_release(key);
        tv_release(val);
        return TMPL_ENOMEM;
    }
    m->items = items;
    m->items[m->len].key = key;
    m->items[m->len].val = val;
    m->len++;
    if (tv_depth(val) + 1 > m->depth)
        m->depth = tv_depth(val) + 1;
    return TMPL_OK;
}

int tv_bytes_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    size_t n = an < bn ? an : bn;
    int c = n ? memcmp(a, b, n) : 0;

    if (c)
        return c;
    return an < bn ? -1 : an > bn;
}

int tv_str_cmp(const tmpl_value *a, const tmpl_value *b)
{
    return tv_bytes_cmp(a->u.s.p, a->u.s.n, b->u.s.p, b->u.s.n);
}

int tv_str_qsort_cmp(const void *a, const void *b)
{
    return tv_str_cmp(a, b);
}

void tv_list_sort_unique(tv_list *l)
{
    size_t i;
    size_t out = 0;

    if (l->len > 1)
        qsort(l->items, l->len, sizeof(*l->items), tv_str_qsort_cmp);
    for (i = 0; i < l->len; i++) {
        if (out > 0 && tv_str_cmp(&l->items[out - 1], &l->items[i]) == 0) {
            tv_release(l->items[i]);
            continue;
        }
        l->items[out++] = l->items[i];
    }
    l->len = out;
}

static int entry_cmp(const void *a, const void *b)
{
    return tv_str_cmp(&((const tv_entry *)a)->key, &((const tv_entry *)b)->key);
}

static void entry_drop(void *e)
{
    tv_release(((tv_entry *)e)->key);
    tv_release(((tv_entry *)e)->val);
}

int tv_map_sort(tmpl_value map)
{
    tv_map *m = tv_as_map(map);

    if (tmpl_sort_unique(m->items, &m->len, sizeof(*m->items), entry_cmp, entry_drop))
        return TMPL_ENOMEM;
    return TMPL_OK;
}

const tmpl_value *tv_map_get(tmpl_value map, const char *k, size_t n)
{
    tv_map *m = tv_as_map(map);
    tmpl_value key = tv_str_borrow(k, n);
    size_t lo = 0;
    size_t hi;

    if (!m)
        return NULL;
    hi = m->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = tv_str_cmp(&m->items[mid].key, &key);
        if (c == 0)
            return &m->items[mid].val;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

tmpl_value tv_list_item(const tv_list *l, size_t i)
{
    tmpl_value v = tv_retain(l->items[i]);

    if (l->elem == TV_E_ANY)
        v.flags |= TV_F_IFACE;
    return v;
}

tmpl_value tv_unwrap_iface(tmpl_value v)
{
    if (!(v.flags & TV_F_IFACE))
        return v;
    if (v.kind == TV_NIL)
        return tv_invalid();
    v.flags &= (uint8_t)~TV_F_IFACE;
    return v;
}

unsigned tv_depth(tmpl_value v)
{
    if (v.kind == TV_LIST)
        return ((tv_list *)v.ref)->depth;
    if (v.kind == TV_MAP)
        return ((tv_map *)v.ref)->depth;
    return 0;
}

const char *tv_type_name(tmpl_value v)
{
    switch (v.kind) {
    case TV_BOOL:
        return "bool";
    case TV_INT:
        return (v.flags & TV_F_U8) ? "uint8" : "int";
    case TV_FLOAT:
        return "float64";
    case TV_STRING:
        return "string";
    case TV_MAP:
        return "map[string]interface {}";
    case TV_KV:
        return "memkv.KVPair";
    case TV_TIME:
        return "time.Time";
    case TV_SRV:
        return "*net.SRV";
    case TV_LIST:
        switch (((tv_list *)v.ref)->elem) {
        case TV_E_STRING:
            return "[]string";
        case TV_E_INT:
            return "[]int";
        case TV_E_KV:
            return (v.flags & TV_F_KVPAIRS) ? "memkv.KVPairs" : "[]memkv.KVPair";
        case TV_E_SRV:
            return "[]*net.SRV";
        default:
            return "[]interface {}";
        }
    default:
        return "<nil>";
    }
}

int64_t tv_len(tmpl_value v)
{
    switch (v.kind) {
    case TV_STRING:
        return (int64_t)v.u.s.n;
    case TV_LIST:
        return (int64_t)((tv_list *)v.ref)->len;
    case TV_MAP:
        return (int64_t)((tv_map *)v.ref)->len;
    default:
        return -1;
    }
}

bool tv_truth(tmpl_value v)
{
    switch (v.kind) {
    case TV_BOOL:
        return v.u.b;
    case TV_INT:
        return v.u.i != 0;
    case TV_FLOAT:
        return v.u.f != 0;
    case TV_STRING:
    case TV_LIST:
    case TV_MAP:
        return tv_len(v) > 0;
    case TV_KV:
    case TV_TIME:
    case TV_SRV:
        return true;
    default:
        return false;
    }
}
