/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rhs-crash: fault injection for the crash tests.  The host calls rhs_crash_point() at named
 * points of Online, Offline and re-adoption; an armed point kills the host with SIGKILL, which
 * is exactly what kill -9 does (no handler, no flush, no cleanup), at a moment a test could not
 * hit from outside.  The points are listed in README.md ("Crash points").
 *
 * Armed by $CLUSRES_RHS_CRASH_AT=POINT[:N] (the Nth time POINT is reached, default the first),
 * or, for hosts started by D-Bus activation (which gives them no environment of the caller's),
 * by the same text in $CLUSRES_RUN_DIR/rhs-crash-at: read and removed at start-up, so only
 * the next host crashes.
 *
 * Compiled in only with -Dfault_injection (on by default in debug and debugoptimized builds,
 * off for buildtype plain and release); otherwise every function is an empty inline and
 * nothing is read.  Distribution packages must be built without it.
 */
#pragma once

#include <glib.h>

#include "clusres-config.h"

#if CLUSRES_FAULT_INJECTION

/* Reads the switch.  FALSE with @error for an unknown point or a bad count (a typo in a test
 * must not silently arm nothing). */
gboolean rhs_crash_init(GError **error);
/* SIGKILLs the process if @point is armed and reached for the Nth time.  Any thread. */
void rhs_crash_point(const char *point);
/* NULL-terminated list of the known points, for tests and the README. */
const char *const *rhs_crash_points(void);

#else

static inline gboolean rhs_crash_init(GError **error)
{
  (void)error;
  return TRUE;
}

static inline void rhs_crash_point(const char *point)
{
  (void)point;
}

#endif
