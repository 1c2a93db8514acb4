/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rhs-death: the host's last words.  A host killed by a fatal signal while it serves a call
 * (a DLL's Online that segfaults kills the shared host) leaves the caller only "connection
 * closed"; the signal would be in dmesg alone.  On SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGABRT
 * the host writes one line "pid=<pid> signal=<n>" to $CLUSRES_RUN_DIR/rhs.died (a separate
 * host: rhs-<escaped>.died) and dies of the signal as it would have.  The agent reads it
 * (ocf_client_host_death) when its call was cut: a record newer than the call names the
 * signal; none (SIGKILL, the OOM killer: nothing can be written) leaves "the host exited".
 * Only async-signal-safe calls in the handler: the path is made at install time.
 */
#pragma once

#include <glib.h>

/* Installs the handlers for the host serving @separate (NULL: the shared host). */
gboolean rhs_death_install(const char *separate, GError **error);

/* The record's file name in the run directory: "rhs.died" or "rhs-<escaped>.died". */
char *rhs_death_file_name(const char *separate);

/* Formats the record line for @pid and @sig into @buf (async-signal-safe); returns its length. */
gsize rhs_death_format(char *buf, gsize size, long pid, int sig);
