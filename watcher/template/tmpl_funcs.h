/* tmpl_funcs: the function table (Go's builtins, confd's functions, extensions)
 * and the interface between the executor and the functions. */
#ifndef TMPL_FUNCS_H
#define TMPL_FUNCS_H

#include "tmpl_buf.h"
#include "tmpl_value.h"

#include <stddef.h>

typedef struct tmpl_exec tmpl_exec;

/* Parameter types, as Go's reflect sees a function's signature. */
typedef enum tmpl_ptype {
    TP_ANY,     /* interface{} */
    TP_VALUE,   /* reflect.Value (builtins) */
    TP_STRING,  /* string */
    TP_INT,     /* int */
    TP_BOOL,    /* bool */
    TP_STRLIST, /* []string */
    TP_KVLIST   /* []memkv.KVPair */
} tmpl_ptype;

/* A function gets converted arguments (borrowed) and returns a new value in *out.
 * It returns 0, TMPL_ENOMEM, or TMPL_EEXEC after tmpl_fn_error(). */
typedef int (*tmpl_fn)(tmpl_exec *x, const tmpl_value *args, size_t n, tmpl_value *out);

#define TMPL_FN_PLAIN 0
#define TMPL_FN_AND 1
#define TMPL_FN_OR 2

typedef struct tmpl_func {
    const char *name;
    tmpl_fn fn;
    unsigned char nparams;  /* Go's NumIn() */
    unsigned char variadic; /* the last parameter is ...T */
    unsigned char special;  /* TMPL_FN_AND / TMPL_FN_OR short-circuit */
    unsigned char params[4];
} tmpl_func;

const tmpl_func *tmpl_func_lookup(const char *name, size_t len);
/* A function's string result: takes b over (rc: the result of building it) and
 * charges its size to the budget. Returns what the function should return. */
int tmpl_fn_string(tmpl_exec *x, tmpl_buf *b, int rc, tmpl_value *out);
/* Methods of time.Time (Format, Unix, UTC, String); NULL if none. */
const tmpl_func *tmpl_time_method(const char *name);
const char *tmpl_ptype_name(tmpl_ptype t);

/* For functions: the error text after "error calling NAME: ". Returns TMPL_EEXEC. */
int tmpl_fn_error(tmpl_exec *x, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Spends n units of the execution budget (tmpl_options.max_ops); TMPL_EEXEC when
 * it runs out. Functions charge what they build (bytes, list items). */
int tmpl_exec_charge(tmpl_exec *x, size_t n);
const tmpl_snapshot *tmpl_exec_snapshot(const tmpl_exec *x);
const tmpl_hooks *tmpl_exec_hooks(const tmpl_exec *x);
/* The receiver of a method call (time.Time's Format etc.). */
tmpl_value tmpl_exec_receiver(const tmpl_exec *x);
/* Renders the template `name` loaded through the load hook (the include extension). */
int tmpl_exec_include(tmpl_exec *x, const char *name, size_t len, tmpl_value dot,
                      tmpl_value *out);

/* Function groups, defined in tmpl_builtin.c, tmpl_confd.c, tmpl_store.c, tmpl_sys.c */
extern const tmpl_func tmpl_builtin_funcs[];
extern const size_t tmpl_builtin_nfuncs;
extern const tmpl_func tmpl_confd_funcs[];
extern const size_t tmpl_confd_nfuncs;
extern const tmpl_func tmpl_store_funcs[];
extern const size_t tmpl_store_nfuncs;
extern const tmpl_func tmpl_sys_funcs[];
extern const size_t tmpl_sys_nfuncs;

#endif
