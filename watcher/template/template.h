/*
 * template.h: etcdwatch's template engine, Go's text/template as confd uses it.
 *
 * The engine has no etcd and no I/O of its own: it takes a template text and a
 * snapshot of keys and produces bytes or an error message worded like Go's
 * ("template: nginx.tmpl:12:7: executing ..."). The outside world (the clock,
 * the environment, DNS, the file system, included templates) is reached only
 * through the hooks in tmpl_hooks; a NULL hook uses the libc default, except
 * `load`, whose absence makes `include` fail.
 *
 * Functions: every confd function (get gets getv getvs exists ls lsdir base dir
 * split join toUpper toLower contains replace trimSuffix json jsonArray map getenv
 * datetime lookupIP lookupIPV4 lookupIPV6 lookupSRV fileExists base64Encode
 * base64Decode parseBool atoi add sub mul div mod seq reverse sortByLength
 * sortKVByLength) and Go's builtins. Extensions, absent from confd:
 *   include NAME [DATA]  renders another template (through the load hook) with
 *                        DATA as dot and returns its output
 *   default DEF VALUE    VALUE, or DEF when VALUE is empty (nil, "", 0, false, [])
 *   trimPrefix S PREFIX  strings.TrimPrefix (argument order of confd's trimSuffix)
 *   indent N S           S with N spaces before every line
 *   quote S              strconv.Quote
 *   toJson VALUE         encoding/json's Marshal
 *   hasKey MAP KEY       whether MAP has KEY
 *   keys MAP             sorted keys of MAP
 *
 * Ownership: results marked "new" are the caller's to free() (or _free()).
 */
#ifndef ETCDWATCH_TEMPLATE_H
#define ETCDWATCH_TEMPLATE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Result codes: 0 or negative. */
#define TMPL_OK 0
#define TMPL_ENOMEM (-1)  /* out of memory */
#define TMPL_EPARSE (-2)  /* the template does not parse; *err says where */
#define TMPL_EEXEC (-3)   /* execution failed; *err says where */
#define TMPL_ETOOBIG (-4) /* output larger than tmpl_options.max_output */
#define TMPL_EINVAL (-5)  /* bad argument */

/* ---- snapshot: the keys a template sees -------------------------------- */

typedef struct tmpl_kv {
    const char *key; /* NUL-terminated, e.g. "/app/upstream/app1" */
    size_t key_len;
    const char *value; /* NUL-terminated; may hold NUL bytes within value_len */
    size_t value_len;
} tmpl_kv;

typedef struct tmpl_snapshot tmpl_snapshot;

/* A new, empty snapshot; NULL when out of memory. */
tmpl_snapshot *tmpl_snapshot_new(void);
/* Copies one pair in. Keys are taken as given (use tmpl_key_relative() to make
 * them the way confd does). A key added twice keeps the last value. */
int tmpl_snapshot_add(tmpl_snapshot *s, const char *key, size_t key_len,
                      const char *value, size_t value_len);
/* Sorts the snapshot (O(n log n)); call after the last add and before rendering. */
int tmpl_snapshot_finish(tmpl_snapshot *s);
size_t tmpl_snapshot_count(const tmpl_snapshot *s);
/* The i-th pair in key order (borrowed; valid until the snapshot is freed). */
const tmpl_kv *tmpl_snapshot_at(const tmpl_snapshot *s, size_t i);
void tmpl_snapshot_free(tmpl_snapshot *s);

/* confd's key mapping: path.Join("/", strings.TrimPrefix(key, prefix)).
 * Returns a new string, or NULL when out of memory. */
char *tmpl_key_relative(const char *key, const char *prefix);

/* ---- hooks: the engine's only ways out -------------------------------- */

typedef struct tmpl_time {
    int64_t unix_sec;
    int32_t nsec;
    int32_t utc_offset; /* seconds east of UTC */
    char zone[16];      /* abbreviation, e.g. "PST" */
} tmpl_time;

typedef struct tmpl_srv {
    char *target; /* new; with the trailing dot, as Go's net.SRV */
    uint16_t port;
    uint16_t priority;
    uint16_t weight;
} tmpl_srv;

typedef struct tmpl_hooks {
    void *ud; /* passed to every hook */
    /* Environment lookup; returns borrowed text or NULL. Default: getenv(). */
    const char *(*getenv)(void *ud, const char *name);
    /* The current time for `datetime`. Default: the real clock, local zone. */
    int (*now)(void *ud, tmpl_time *out);
    /* Whether a path exists (`fileExists`). Default: stat(). */
    int (*file_exists)(void *ud, const char *path);
    /* Every hook below returns 0 on success, TMPL_ENOMEM when out of memory (the
     * render then fails with TMPL_ENOMEM), or another nonzero value for "none".
     *
     * Resolves host for lookupIP*: *addrs (new array of new strings) and *n.
     * Default: getaddrinfo(). */
    int (*lookup_ip)(void *ud, const char *host, char ***addrs, size_t *n);
    /* Resolves _service._proto.name SRV records into *recs (new) and *n.
     * Default: res_query(). */
    int (*lookup_srv)(void *ud, const char *service, const char *proto, const char *name,
                      struct tmpl_srv **recs, size_t *n);
    /* Loads a template for `include`: *text (new, malloc'd) and *len; on failure
     * *err (new, may stay NULL) says why. No hook: include fails. */
    int (*load)(void *ud, const char *name, char **text, size_t *len, char **err);
} tmpl_hooks;

typedef struct tmpl_options {
    size_t max_output;       /* bytes; 0 means TMPL_DEFAULT_MAX_OUTPUT */
    unsigned max_depth;      /* nested template/include calls; 0: default */
    size_t max_ops;          /* execution budget (steps + bytes built); 0: none */
    const tmpl_hooks *hooks; /* borrowed; NULL: libc defaults */
} tmpl_options;

#define TMPL_DEFAULT_MAX_OUTPUT ((size_t)256 * 1024 * 1024)
#define TMPL_DEFAULT_MAX_DEPTH 1000u

/* ---- templates ---------------------------------------------------------- */

typedef struct tmpl_template tmpl_template;

/* Parses text (copied) under name (the name errors report). On success *out is
 * new; on TMPL_EPARSE *err is new and holds Go's message. */
int tmpl_parse(const char *name, const char *text, size_t len, tmpl_template **out,
               char **err);
/* Executes a parsed template over snap (borrowed; may be NULL: no keys).
 * On success *out (new, NUL-terminated) and *out_len hold the output; on
 * TMPL_EEXEC or TMPL_ETOOBIG *err is new; on TMPL_ENOMEM both stay NULL. Nothing
 * is written on failure. Execution does not modify t or snap: one template may
 * be executed many times, also from several threads at once (the hooks must then
 * be thread-safe too). The cost is linear in what the template does: ranging over
 * n keys of a sorted snapshot costs O(n), a key lookup O(log n). */
int tmpl_execute(const tmpl_template *t, const tmpl_snapshot *snap,
                 const tmpl_options *opts, char **out, size_t *out_len, char **err);
void tmpl_free(tmpl_template *t);

/* Parse and execute in one call. */
int tmpl_render(const char *name, const char *text, size_t len, const tmpl_snapshot *snap,
                const tmpl_options *opts, char **out, size_t *out_len, char **err);

/* A short name for a result code ("out of memory", ...). */
const char *tmpl_strerror(int code);

#ifdef __cplusplus
}
#endif

#endif
