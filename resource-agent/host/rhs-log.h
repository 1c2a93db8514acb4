/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rhs-log: where the host's GLib log goes when it has no terminal (kept apart from resapi.h,
 * whose LOG_WARNING/LOG_ERROR are the Windows LOG_LEVEL values, not syslog's). */
#pragma once

#include <glib.h>

/* Sends every g_log message to syslog (facility daemon) from now on. */
void rhs_log_use_syslog(const char *ident);
