/* tmpl_funcs: one lookup over every function group. */
#include "tmpl_funcs.h"

#include <stdlib.h>

#include <string.h>

static const tmpl_func *find_in(const tmpl_func *t, size_t n, const char *name,
                                size_t len)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (strlen(t[i].name) == len && memcmp(t[i].name, name, len) == 0)
            return &t[i];
    }
    return NULL;
}

const tmpl_func *tmpl_func_lookup(const char *name, size_t len)
{
    const tmpl_func *f = find_in(tmpl_builtin_funcs, tmpl_builtin_nfuncs, name, len);

    if (!f)
        f = find_in(tmpl_store_funcs, tmpl_store_nfuncs, name, len);
    if (!f)
        f = find_in(tmpl_confd_funcs, tmpl_confd_nfuncs, name, len);
    if (!f)
        f = find_in(tmpl_sys_funcs, tmpl_sys_nfuncs, name, len);
    return f;
}

const char *tmpl_ptype_name(tmpl_ptype t)
{
    switch (t) {
    case TP_ANY:
        return "interface {}";
    case TP_VALUE:
        return "reflect.Value";
    case TP_STRING:
        return "string";
    case TP_INT:
        return "int";
    case TP_BOOL:
        return "bool";
    case TP_STRLIST:
        return "[]string";
    default:
        return "[]memkv.KVPair";
    }
}

int tmpl_fn_string(tmpl_exec *x, tmpl_buf *b, int rc, tmpl_value *out)
{
    size_t n;
    char *s;

    if (rc == 0)
        rc = tmpl_exec_charge(x, b->len + 1);
    if (rc) {
        tmpl_buf_cleanup(b);
        return rc == TMPL_EEXEC ? rc : TMPL_ENOMEM;
    }
    s = tmpl_buf_steal(b, &n);
    *out = s ? tv_str_take(s, n) : tv_invalid();
    return out->kind == TV_STRING ? 0 : TMPL_ENOMEM;
}
