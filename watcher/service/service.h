/*
 * service.h: `etcdwatch run`: read the watched prefixes, render every resource, then
 * (watch mode) follow changes, or (interval mode) re-read every N seconds, or
 * (onetime mode) stop.
 */
#ifndef EW_SERVICE_H
#define EW_SERVICE_H

#include "config.h"

/* Run the service with `cfg` (taken: the service frees it) loaded from config_path
 * (re-read on SIGHUP; may be NULL when none is used; flag overrides are re-applied by
 * `reapply`, which may be NULL). Returns the process exit status. */
int ew_service_run(ew_config *cfg, const char *config_path,
                   int (*reapply)(ew_config *cfg, void *data), void *reapply_data);

#endif /* EW_SERVICE_H */
