/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nc-client: the write/verify/reconnect loop of clusres-nfs-client. */
#pragma once

#include "nc-options.h"

/* Runs until --duration, --records or SIGTERM/SIGINT; prints progress on stdout, events on
 * stderr, writes the report.  Returns the exit status: 0 passed, 1 lost or stale. */
int nc_client_run(const NcOptions *options);
