/* tmpl_value: the values a template computes with, modelled on the Go types
 * confd's functions produce (string, int, float64, bool, []string,
 * []interface{}, map[string]interface{}, memkv.KVPair, time.Time, ...).
 * Values are small structs passed by copy; heap parts are reference counted.
 * A function returning a tmpl_value hands over one reference. */
#ifndef TMPL_VALUE_H
#define TMPL_VALUE_H

#include "template.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum tv_kind {
    TV_INVALID, /* no value: reflect.Value{} (prints "<no value>") */
    TV_NIL,     /* a nil interface{} (prints "<nil>") */
    TV_BOOL,
    TV_INT,
    TV_FLOAT,
    TV_STRING,
    TV_LIST,
    TV_MAP,
    TV_KV,   /* memkv.KVPair: borrowed pointer into the snapshot */
    TV_TIME, /* time.Time */
    TV_SRV   /* *net.SRV */
} tv_kind;

/* value flags */
#define TV_F_IFACE 1u /* static type interface{}: came out of a map or []interface{} */
#define TV_F_U8 2u    /* an int that is Go's uint8 (a byte of a string) */
/* a list of KV pairs typed memkv.KVPairs, not []memkv.KVPair; a flag of the value,
 * as a type in Go, so that one list can be both (sortKVByLength's result and its
 * argument share their items) */
#define TV_F_KVPAIRS 4u

/* list element types */
typedef enum tv_elem {
    TV_E_STRING, /* []string */
    TV_E_ANY,    /* []interface {} */
    TV_E_INT,    /* []int */
    TV_E_KV,     /* []memkv.KVPair, or memkv.KVPairs (TV_F_KVPAIRS) */
    TV_E_SRV     /* []*net.SRV */
} tv_elem;

typedef struct tv_obj {
    int refs;
    uint8_t kind;
} tv_obj;

typedef struct tmpl_value {
    uint8_t kind;
    uint8_t flags;
    union {
        bool b;
        int64_t i;
        double f;
        struct {
            const char *p;
            size_t n;
        } s;
        const tmpl_kv *kv;
    } u;
    tv_obj *ref; /* counted heap part: string bytes, list, map, time, srv; or NULL */
} tmpl_value;

/* Deepest nesting of lists and maps in a value: printing, encoding and freeing
 * recurse that deep. */
#define TV_MAX_DEPTH 1000

typedef struct tv_list {
    tv_obj h;
    unsigned depth; /* 1 + the deepest item's depth */
    uint8_t elem;
    bool is_nil; /* a nil slice in Go (empty; %#v and toJson tell it apart) */
    size_t len;
    size_t cap;
    tmpl_value *items;
} tv_list;

typedef struct tv_entry {
    tmpl_value key; /* a string */
    tmpl_value val;
} tv_entry;

typedef struct tv_map {
    tv_obj h;
    unsigned depth; /* 1 + the deepest value's depth */
    bool is_nil;    /* a nil map in Go (empty; %#v and toJson tell it apart) */
    size_t len;
    size_t cap;
    tv_entry *items; /* sorted by key, keys unique (once tv_map_sort has run) */
} tv_map;

typedef struct tv_timeobj {
    tv_obj h;
    tmpl_time t;
} tv_timeobj;

typedef struct tv_srv {
    tv_obj h;
    tmpl_value target;
    int64_t port;
    int64_t priority;
    int64_t weight;
} tv_srv;

tmpl_value tv_invalid(void);
tmpl_value tv_nil(void);
tmpl_value tv_bool(bool b);
tmpl_value tv_int(int64_t i);
tmpl_value tv_float(double f);
/* A string that borrows p (it must outlive the execution). */
tmpl_value tv_str_borrow(const char *p, size_t n);
/* The constructors below that allocate return a value of kind TV_INVALID when out
 * of memory. A string holding a copy of p: */
tmpl_value tv_str_copy(const char *p, size_t n);
/* A string that takes over p (malloc'd, n bytes + NUL; freed when out of memory). */
tmpl_value tv_str_take(char *p, size_t n);
tmpl_value tv_kv(const tmpl_kv *kv);
tmpl_value tv_list_new(tv_elem elem, size_t cap);
tmpl_value tv_map_new(size_t cap);
tmpl_value tv_time_new(const tmpl_time *t);

tmpl_value tv_retain(tmpl_value v);
void tv_release(tmpl_value v);

tv_list *tv_as_list(tmpl_value v);
tv_map *tv_as_map(tmpl_value v);
/* Appends (taking item's reference). Returns 0 or TMPL_ENOMEM. */
int tv_list_push(tmpl_value list, tmpl_value item);
/* Sets key (taking both references; later sets win). Call tv_map_sort after. */
int tv_map_push(tmpl_value map, tmpl_value key, tmpl_value val);
/* Sorts the keys, keeping of a key set more than once its last value. Returns 0 or
 * TMPL_ENOMEM. */
int tv_map_sort(tmpl_value map);
/* Borrowed value for key, or NULL. */
const tmpl_value *tv_map_get(tmpl_value map, const char *k, size_t n);
/* The i-th item of l (a new reference), typed interface{} when l is []interface{}. */
tmpl_value tv_list_item(const tv_list *l, size_t i);
/* Go's indirectInterface: the value inside an interface{} (a nil interface{} is no
 * value at all); any other value as it is. */
tmpl_value tv_unwrap_iface(tmpl_value v);

/* Byte-wise order of strings (Go's string comparison). */
int tv_bytes_cmp(const char *a, size_t an, const char *b, size_t bn);
int tv_str_cmp(const tmpl_value *a, const tmpl_value *b);
/* tv_str_cmp for qsort over tmpl_value arrays of strings. */
int tv_str_qsort_cmp(const void *a, const void *b);

/* Sorts a list of strings and drops duplicates (Go's sort.Strings of a set). */
void tv_list_sort_unique(tv_list *l);

/* Nesting depth of lists and maps: 0 for scalars. */
unsigned tv_depth(tmpl_value v);

/* Go's reflect type name: "string", "[]interface {}", "memkv.KVPair", ... */
const char *tv_type_name(tmpl_value v);
/* Go's truth for if/with/and/or/not. */
bool tv_truth(tmpl_value v);
/* len() for strings, lists and maps; -1 otherwise. */
int64_t tv_len(tmpl_value v);

#endif
