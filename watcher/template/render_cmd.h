/*
 * render_cmd.h: `etcdwatch render`, render one template without the daemon.
 *
 *   etcdwatch render TEMPLATE [--keys FILE.json] [--prefix P] [--templates-dir D]
 *                    [-o OUT]
 *
 * With --keys, FILE.json is a JSON object mapping absolute keys to string values
 * and no etcd is contacted. Without it, the keys under --prefix (default "/") come
 * from etcd through the fetch hook the CLI passes in. Keys are made relative to
 * the prefix the way confd does (path.Join("/", strings.TrimPrefix(key, prefix))).
 * `include` loads templates from --templates-dir (default: TEMPLATE's directory).
 * The output goes to stdout, or replaces OUT atomically. Exit status 0, or 1 with
 * the error on stderr and nothing on stdout.
 */
#ifndef ETCDWATCH_RENDER_CMD_H
#define ETCDWATCH_RENDER_CMD_H

#include "template.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Fetches every key under prefix from etcd and adds it to snap (borrowed) with
 * tmpl_snapshot_add(), keys ABSOLUTE as etcd stores them (the command makes them
 * relative). Returns 0, or nonzero with *err (new, malloc'd) saying what failed
 * ("etcd: http://127.0.0.1:2379: connection refused").
 */
typedef int (*etcdwatch_render_fetch_fn)(void *ud, const char *prefix,
                                         tmpl_snapshot *snap, char **err);

/*
 * Runs the subcommand. argv[0] is the subcommand's name ("render"), options and
 * TEMPLATE follow. fetch may be NULL: then --keys is required ("render: --keys is
 * required"). fetch_ud is passed to fetch unchanged. Returns the exit status.
 */
int etcdwatch_render_main(int argc, char **argv, etcdwatch_render_fetch_fn fetch,
                          void *fetch_ud);

#ifdef __cplusplus
}
#endif

#endif
