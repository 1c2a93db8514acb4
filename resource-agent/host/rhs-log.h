/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rhs-log: where the host's log goes: the DLLs' LogEvent lines to the system log at every
 * level, and the host's own GLib log to syslog when it has no terminal.  Kept apart from
 * resapi.h, whose LOG_WARNING/LOG_ERROR are the Windows LOG_LEVEL values, not syslog's: DLL
 * levels arrive here as numbers (0 LOG_INFORMATION ... 3 LOG_SEVERE). */
#pragma once

#include <glib.h>

/* The GLib log domain of the DLLs' LogEvent lines (also on stderr, filtered as GLib does). */
#define RHS_LOG_DLL_DOMAIN "clusres-dll"

/* Opens the system log connection as @ident (facility daemon); call once at start. */
void rhs_log_open(const char *ident);

/* Sends every g_log message to syslog (facility daemon) from now on (--daemonize), except
 * RHS_LOG_DLL_DOMAIN's, which rhs_log_dll_event() has sent already. */
void rhs_log_use_syslog(void);

/**
 * rhs_log_dll_priority:
 * The syslog priority of a DLL's LOG_LEVEL: LOG_INFORMATION (0) LOG_INFO, LOG_WARNING (1)
 * LOG_WARNING, LOG_ERROR (2) LOG_ERR, LOG_SEVERE (3) LOG_CRIT, anything else LOG_NOTICE.
 */
int rhs_log_dll_priority(int dll_level);

/**
 * rhs_log_dll_event:
 * Writes a DLL's LogEvent line "<type> <resource>: <message>" to the system log at the
 * priority of @dll_level, whatever the host's own verbosity: what a DLL logs is for the admin
 * (WSFC's cluster log has every level too).  Callable from any thread.
 */
void rhs_log_dll_event(int dll_level, const char *type, const char *resource, const char *message);

/* Where rhs_log_dll_event() writes: syslog(3) unless a test sets its own (NULL: syslog). */
typedef void (*RhsLogSink)(int priority, const char *line, gpointer data);
void rhs_log_set_sink(RhsLogSink sink, gpointer data);
