/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rhs-watchdog: times every DLL entry point.  A call that does not return within its
 * DeadlockTimeout is a deadlocked DLL: Windows kills and restarts RHS, and so do we (the
 * @fired callback is expected to end the process).  Calls over 300 ms - the documented
 * budget of every entry point - are logged as warnings.
 */
#pragma once

#include <glib.h>

#define RHS_WATCHDOG_SLOW_CALL_MS 300

typedef struct RhsWatchdog RhsWatchdog;

/* Runs on the watchdog thread.  @resource may be NULL (Startup). */
typedef void (*RhsWatchdogFired)(const char *call, const char *resource, gint64 elapsed_ms,
                                 gpointer user_data);

RhsWatchdog *rhs_watchdog_new(RhsWatchdogFired fired, gpointer user_data);
void rhs_watchdog_free(RhsWatchdog *wd);

/* Starts timing a call; returns a token for rhs_watchdog_end(). */
guint64 rhs_watchdog_begin(RhsWatchdog *wd, const char *call, const char *resource,
                           guint32 timeout_ms);
/* Stops timing; returns the duration in microseconds. */
gint64 rhs_watchdog_end(RhsWatchdog *wd, guint64 token);
