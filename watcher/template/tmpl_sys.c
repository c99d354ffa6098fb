/* tmpl_sys: the functions that reach outside the engine (getenv, datetime,
 * lookupIP*, lookupSRV, fileExists) and time.Time's methods. Each goes through
 * a hook when the caller gives one, else through libc as confd goes through Go. */
#define _DEFAULT_SOURCE

#include "tmpl_fmt.h"
#include "tmpl_funcs.h"
#include "tmpl_time.h"

#include <arpa/inet.h>
#include <errno.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

/* A NUL-terminated copy of a string argument, or NULL. */
static char *cstr(tmpl_value v)
{
    char *s = malloc(v.u.s.n + 1);

    if (!s)
        return NULL;
    memcpy(s, v.u.s.p, v.u.s.n);
    s[v.u.s.n] = '\0';
    return s;
}

static int fn_getenv(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    const tmpl_hooks *h = tmpl_exec_hooks(x);
    char *name = cstr(a[0]);
    const char *v;

    if (!name)
        return TMPL_ENOMEM;
    v = (h && h->getenv) ? h->getenv(h->ud, name) : getenv(name);
    free(name);
    if (!v || !*v) {
        *out = n > 1 ? tv_retain(a[1]) : tv_str_borrow("", 0);
        out->flags = 0;
        return 0;
    }
    *out = tv_str_copy(v, strlen(v));
    return out->kind == TV_STRING ? 0 : TMPL_ENOMEM;
}

static int real_now(tmpl_time *t)
{
    struct timespec ts;
    struct tm tm;

    if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || !localtime_r(&ts.tv_sec, &tm))
        return -1;
    memset(t, 0, sizeof(*t));
    t->unix_sec = ts.tv_sec;
    t->nsec = (int32_t)ts.tv_nsec;
    t->utc_offset = (int32_t)tm.tm_gmtoff;
    snprintf(t->zone, sizeof(t->zone), "%s", tm.tm_zone ? tm.tm_zone : "");
    return 0;
}

static int fn_datetime(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    const tmpl_hooks *h = tmpl_exec_hooks(x);
    tmpl_time t;
    int rc;

    (void)a;
    (void)n;
    rc = (h && h->now) ? h->now(h->ud, &t) : real_now(&t);
    if (rc != 0)
        return tmpl_fn_error(x, "cannot read the clock");
    *out = tv_time_new(&t);
    return out->kind == TV_TIME ? 0 : TMPL_ENOMEM;
}

static int fn_file_exists(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    const tmpl_hooks *h = tmpl_exec_hooks(x);
    char *path = cstr(a[0]);
    struct stat st;
    int exists;

    (void)n;
    if (!path)
        return TMPL_ENOMEM;
    if (h && h->file_exists)
        exists = h->file_exists(h->ud, path) != 0;
    else
        exists = stat(path, &st) == 0 || errno != ENOENT;
    free(path);
    *out = tv_bool(exists);
    return 0;
}

static int push_addr(tmpl_value list, const char *addr, int family)
{
    tmpl_value s;

    if ((family == 4 && !strchr(addr, '.')) || (family == 6 && !strchr(addr, ':')))
        return 0;
    s = tv_str_copy(addr, strlen(addr));
    return s.kind == TV_STRING ? tv_list_push(list, s) : TMPL_ENOMEM;
}

/* Addresses of host through the hook. */
static int hook_addrs(const tmpl_hooks *h, const char *host, tmpl_value list, int family)
{
    char **addrs = NULL;
    size_t n = 0;
    size_t i;
    int rc = 0;

    rc = h->lookup_ip(h->ud, host, &addrs, &n);
    if (rc != 0)
        return rc == TMPL_ENOMEM ? TMPL_ENOMEM : 0;
    for (i = 0; i < n; i++) {
        if (rc == 0)
            rc = push_addr(list, addrs[i], family);
        free(addrs[i]);
    }
    free(addrs);
    return rc;
}

/* Addresses of host from getaddrinfo(). */
static int libc_addrs(const char *host, tmpl_value list, int family)
{
    struct addrinfo hints;
    struct addrinfo *res = NULL;
    struct addrinfo *ai;
    int rc = 0;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, NULL, &hints, &res) != 0)
        return 0;
    for (ai = res; ai && rc == 0; ai = ai->ai_next) {
        char buf[INET6_ADDRSTRLEN];
        const void *addr;
        if (ai->ai_family == AF_INET)
            addr = &((struct sockaddr_in *)ai->ai_addr)->sin_addr;
        else if (ai->ai_family == AF_INET6)
            addr = &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
        else
            continue;
        if (inet_ntop(ai->ai_family, addr, buf, sizeof(buf)))
            rc = push_addr(list, buf, family);
    }
    freeaddrinfo(res);
    return rc;
}

/* confd's LookupIP (sorted); LookupIPV4/V6 keep the addresses with '.' or ':'. */
static int lookup_ip(tmpl_exec *x, const tmpl_value *a, tmpl_value *out, int family)
{
    const tmpl_hooks *h = tmpl_exec_hooks(x);
    char *host = cstr(a[0]);
    int rc;

    if (!host)
        return TMPL_ENOMEM;
    *out = tv_list_new(TV_E_STRING, 0);
    if (out->kind != TV_LIST) {
        free(host);
        return TMPL_ENOMEM;
    }
    if (h && h->lookup_ip)
        rc = hook_addrs(h, host, *out, family);
    else
        rc = libc_addrs(host, *out, family);
    free(host);
    if (rc == 0)
        tv_list_sort_unique(tv_as_list(*out));
    tv_as_list(*out)->is_nil = tv_as_list(*out)->len == 0; /* Go returns nil */
    return rc;
}

static int fn_lookup_ip(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    (void)n;
    return lookup_ip(x, a, out, 0);
}

static int fn_lookup_ipv4(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    (void)n;
    return lookup_ip(x, a, out, 4);
}

static int fn_lookup_ipv6(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    (void)n;
    return lookup_ip(x, a, out, 6);
}

typedef struct srv_rec {
    tmpl_value v;
    char key[300];
} srv_rec;

static int srv_cmp(const void *pa, const void *pb)
{
    return strcmp(((const srv_rec *)pa)->key, ((const srv_rec *)pb)->key);
}

/* Adds a record; add_dot: the target lacks the final dot Go keeps. */
static int srv_push(tmpl_value list, const char *target, unsigned prio, unsigned weight,
                    unsigned port, int add_dot)
{
    tv_srv *s = calloc(1, sizeof(*s));
    tmpl_value v = tv_invalid();
    size_t tl = strlen(target);
    char *t = malloc(tl + 2);

    if (!s || !t) {
        free(s);
        free(t);
        return TMPL_ENOMEM;
    }
    memcpy(t, target, tl);
    if (add_dot)
        t[tl++] = '.';
    t[tl] = '\0';
    s->h.refs = 1;
    s->h.kind = TV_SRV;
    s->target = tv_str_take(t, tl);
    if (s->target.kind != TV_STRING) {
        free(s);
        return TMPL_ENOMEM;
    }
    s->port = port;
    s->priority = prio;
    s->weight = weight;
    v.kind = TV_SRV;
    v.ref = &s->h;
    return tv_list_push(list, v);
}

/* SRV records from res_query(). */
static int libc_srv(const char *name, tmpl_value list)
{
    unsigned char answer[4096];
    ns_msg msg;
    int len;
    int i;
    int rc = 0;

    len = res_query(name, ns_c_in, ns_t_srv, answer, sizeof(answer));
    if (len < 0 || ns_initparse(answer, len, &msg) < 0)
        return 0;
    for (i = 0; i < ns_msg_count(msg, ns_s_an) && rc == 0; i++) {
        ns_rr rr;
        char target[NS_MAXDNAME];
        const unsigned char *rd;
        if (ns_parserr(&msg, ns_s_an, i, &rr) < 0 || ns_rr_type(rr) != ns_t_srv ||
            ns_rr_rdlen(rr) < 7)
            continue;
        rd = ns_rr_rdata(rr);
        if (dn_expand(ns_msg_base(msg), ns_msg_end(msg), rd + 6, target, sizeof(target)) <
            0)
            continue;
        rc = srv_push(list, target, ns_get16(rd), ns_get16(rd + 2), ns_get16(rd + 4), 1);
    }
    return rc;
}

static int hook_srv(const tmpl_hooks *h, const tmpl_value *a, tmpl_value list)
{
    char *svc = cstr(a[0]);
    char *proto = cstr(a[1]);
    char *name = cstr(a[2]);
    tmpl_srv *recs = NULL;
    size_t n = 0;
    size_t i;
    int rc = TMPL_ENOMEM;

    if (svc && proto && name) {
        rc = h->lookup_srv(h->ud, svc, proto, name, &recs, &n);
        if (rc != 0) {
            rc = rc == TMPL_ENOMEM ? TMPL_ENOMEM : 0;
            n = 0;
        }
        for (i = 0; i < n; i++) {
            if (rc == 0)
                rc = srv_push(list, recs[i].target ? recs[i].target : "",
                              recs[i].priority, recs[i].weight, recs[i].port, 0);
            free(recs[i].target);
        }
        free(recs);
    }
    free(svc);
    free(proto);
    free(name);
    return rc;
}

/* Sorts like confd: by Target, Port, Priority and Weight printed together. */
static int sort_srv(tv_list *l)
{
    srv_rec *recs;
    size_t k;

    if (l->len < 2)
        return 0;
    recs = malloc(l->len * sizeof(*recs));
    if (!recs)
        return TMPL_ENOMEM;
    for (k = 0; k < l->len; k++) {
        tv_srv *s = (tv_srv *)l->items[k].ref;
        recs[k].v = l->items[k];
        snprintf(recs[k].key, sizeof(recs[k].key), "%.*s%lld%lld%lld",
                 (int)s->target.u.s.n, s->target.u.s.p, (long long)s->port,
                 (long long)s->priority, (long long)s->weight);
    }
    qsort(recs, l->len, sizeof(*recs), srv_cmp);
    for (k = 0; k < l->len; k++)
        l->items[k] = recs[k].v;
    free(recs);
    return 0;
}

/* confd's LookupSRV: [] on any failure. */
static int fn_lookup_srv(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    const tmpl_hooks *h = tmpl_exec_hooks(x);
    char name[768];
    int rc;

    (void)n;
    *out = tv_list_new(TV_E_SRV, 0);
    if (out->kind != TV_LIST)
        return TMPL_ENOMEM;
    if (h && h->lookup_srv) {
        rc = hook_srv(h, a, *out);
    } else {
        snprintf(name, sizeof(name), "_%.*s._%.*s.%.*s", (int)a[0].u.s.n, a[0].u.s.p,
                 (int)a[1].u.s.n, a[1].u.s.p, (int)a[2].u.s.n, a[2].u.s.p);
        rc = libc_srv(name, *out);
    }
    return rc ? rc : sort_srv(tv_as_list(*out));
}

/* ---- time.Time methods ----------------------------------------------- */

static const tmpl_time *recv_time(tmpl_exec *x)
{
    tmpl_value r = tmpl_exec_receiver(x);

    return &((tv_timeobj *)r.ref)->t;
}

/* A method's string result: takes b over (rc: how building it went). */
static int time_text(tmpl_buf *b, int rc, tmpl_value *out)
{
    size_t len;
    char *s;

    if (rc || tmpl_buf_add(b, "", 0)) {
        tmpl_buf_cleanup(b);
        return TMPL_ENOMEM;
    }
    s = tmpl_buf_steal(b, &len);
    *out = tv_str_take(s, len);
    return out->kind == TV_STRING ? 0 : TMPL_ENOMEM;
}

static int m_format(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    tmpl_buf b;

    (void)n;
    tmpl_buf_init(&b, 0);
    return time_text(&b, tmpl_time_format(&b, recv_time(x), a[0].u.s.p, a[0].u.s.n), out);
}

static int m_string(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    tmpl_buf b;

    (void)a;
    (void)n;
    tmpl_buf_init(&b, 0);
    return time_text(&b, tmpl_time_string(&b, recv_time(x)), out);
}

static int m_unix(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    (void)a;
    (void)n;
    *out = tv_int(recv_time(x)->unix_sec);
    return 0;
}

static int m_utc(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    tmpl_time t = *recv_time(x);

    (void)a;
    (void)n;
    t.utc_offset = 0;
    snprintf(t.zone, sizeof(t.zone), "UTC");
    *out = tv_time_new(&t);
    return out->kind == TV_TIME ? 0 : TMPL_ENOMEM;
}

/* The int-valued accessors: Year Day Hour Minute Second Nanosecond YearDay
 * UnixNano UnixMilli. */
static int m_field(tmpl_exec *x, const char *name, tmpl_value *out)
{
    const tmpl_time *t = recv_time(x);
    tmpl_civil c;

    tmpl_time_civil(t, &c);
    if (!strcmp(name, "Year"))
        *out = tv_int(c.year);
    else if (!strcmp(name, "Day"))
        *out = tv_int(c.day);
    else if (!strcmp(name, "Hour"))
        *out = tv_int(c.hour);
    else if (!strcmp(name, "Minute"))
        *out = tv_int(c.min);
    else if (!strcmp(name, "Second"))
        *out = tv_int(c.sec);
    else if (!strcmp(name, "Nanosecond"))
        *out = tv_int(t->nsec);
    else if (!strcmp(name, "YearDay"))
        *out = tv_int(c.yday);
    else if (!strcmp(name, "UnixNano"))
        *out = tv_int(t->unix_sec * 1000000000 + t->nsec);
    else
        *out = tv_int(t->unix_sec * 1000 + t->nsec / 1000000);
    return 0;
}

#define FIELD_METHOD(fn, name)                                                           \
    static int fn(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)          \
    {                                                                                    \
        (void)a;                                                                         \
        (void)n;                                                                         \
        return m_field(x, name, out);                                                    \
    }

FIELD_METHOD(m_year, "Year")
FIELD_METHOD(m_day, "Day")
FIELD_METHOD(m_hour, "Hour")
FIELD_METHOD(m_minute, "Minute")
FIELD_METHOD(m_second, "Second")
FIELD_METHOD(m_nanosecond, "Nanosecond")
FIELD_METHOD(m_yearday, "YearDay")
FIELD_METHOD(m_unixnano, "UnixNano")
FIELD_METHOD(m_unixmilli, "UnixMilli")

/* Month and Weekday print as their names (Go's time.Month and time.Weekday). */
static int m_month(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    tmpl_civil c;
    const char *s;

    (void)a;
    (void)n;
    tmpl_time_civil(recv_time(x), &c);
    s = tmpl_time_month_name(c.month);
    *out = tv_str_borrow(s, strlen(s));
    return 0;
}

static int m_weekday(tmpl_exec *x, const tmpl_value *a, size_t n, tmpl_value *out)
{
    tmpl_civil c;
    const char *s;

    (void)a;
    (void)n;
    tmpl_time_civil(recv_time(x), &c);
    s = tmpl_time_weekday_name(c.wday);
    *out = tv_str_borrow(s, strlen(s));
    return 0;
}

static const tmpl_func time_methods[] = {
    {"Day", m_day, 0, 0, 0, {0}},
    {"Hour", m_hour, 0, 0, 0, {0}},
    {"Minute", m_minute, 0, 0, 0, {0}},
    {"Month", m_month, 0, 0, 0, {0}},
    {"Nanosecond", m_nanosecond, 0, 0, 0, {0}},
    {"Second", m_second, 0, 0, 0, {0}},
    {"UnixMilli", m_unixmilli, 0, 0, 0, {0}},
    {"UnixNano", m_unixnano, 0, 0, 0, {0}},
    {"Weekday", m_weekday, 0, 0, 0, {0}},
    {"Year", m_year, 0, 0, 0, {0}},
    {"YearDay", m_yearday, 0, 0, 0, {0}},
    {"Format", m_format, 1, 0, 0, {TP_STRING}},
    {"String", m_string, 0, 0, 0, {0}},
    {"UTC", m_utc, 0, 0, 0, {0}},
    {"Unix", m_unix, 0, 0, 0, {0}},
};

const tmpl_func *tmpl_time_method(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof(time_methods) / sizeof(time_methods[0]); i++) {
        if (strcmp(time_methods[i].name, name) == 0)
            return &time_methods[i];
    }
    return NULL;
}

#define S TP_STRING

const tmpl_func tmpl_sys_funcs[] = {
    {"datetime", fn_datetime, 0, 0, 0, {0}},
    {"fileExists", fn_file_exists, 1, 0, 0, {S}},
    {"getenv", fn_getenv, 2, 1, 0, {S, S}},
    {"lookupIP", fn_lookup_ip, 1, 0, 0, {S}},
    {"lookupIPV4", fn_lookup_ipv4, 1, 0, 0, {S}},
    {"lookupIPV6", fn_lookup_ipv6, 1, 0, 0, {S}},
    {"lookupSRV", fn_lookup_srv, 3, 0, 0, {S, S, S}},
};
const size_t tmpl_sys_nfuncs = sizeof(tmpl_sys_funcs) / sizeof(tmpl_sys_funcs[0]);
