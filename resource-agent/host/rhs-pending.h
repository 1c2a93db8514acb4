/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rhs-pending: the pending-operation logic of the Windows Resource Monitor, without threads or
 * timers.  After Online/Offline returned ERROR_IO_PENDING the DLL reports through
 * SetResourceStatus; PendingTimeout is an INACTIVITY limit reset by every report carrying a
 * new CheckPoint (a DLL that keeps reporting may stay pending as long as it likes), and the
 * caller's own timeout (Pacemaker's op timeout) is a total limit, minus a margin left for
 * Terminate and the reply.  The clock is injected so the logic is tested without sleeping.
 */
#pragma once

#include <glib.h>

#include <clusres/resapi.h>

typedef gint64 (*RhsPendingClock)(gpointer data); /* monotonic microseconds */

typedef enum {
  RHS_PENDING_ONLINE,
  RHS_PENDING_OFFLINE,
} RhsPendingKind;

typedef enum {
  RHS_PENDING_END_NONE = 0,   /* still pending */
  RHS_PENDING_END_REPORTED,   /* the DLL reported a final state */
  RHS_PENDING_END_INACTIVITY, /* no new CheckPoint within PendingTimeout */
  RHS_PENDING_END_DEADLINE,   /* the caller's total time (minus margin) ran out */
} RhsPendingEnd;

typedef struct {
  RhsPendingEnd end;
  CLUSTER_RESOURCE_STATE state; /* what the host reports: Online, Offline, Failed, 126, 127 */
  gboolean terminate;           /* the host must call Terminate */
  DWORD status;                 /* Win32 status for the caller */
} RhsPendingResult;

typedef struct RhsPending RhsPending;

/* The margin kept from the caller's timeout for Terminate and the answer (0 if no timeout). */
guint32 rhs_pending_margin_ms(guint32 timeout_ms);

/*
 * @inactivity_ms: min(PendingTimeout, DeadlockTimeout).  @timeout_ms: the caller's total
 * time, 0 for none.  @clock NULL means g_get_monotonic_time.  The clock starts now.
 */
RhsPending *rhs_pending_new(RhsPendingKind kind, guint32 inactivity_ms, guint32 timeout_ms,
                            RhsPendingClock clock, gpointer clock_data);
void rhs_pending_free(RhsPending *p);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(RhsPending, rhs_pending_free)

/*
 * Feeds one SetResourceStatus report.  Returns TRUE if it changed anything (a final state, or
 * a new CheckPoint that restarted the inactivity timer); a repeated CheckPoint or a report
 * after the end is ignored.
 */
gboolean rhs_pending_report(RhsPending *p, CLUSTER_RESOURCE_STATE state, DWORD checkpoint);

/* Checks the timers against the clock.  Returns TRUE once ended (result in *result). */
gboolean rhs_pending_check(RhsPending *p, RhsPendingResult *result);

/* Monotonic time (us) at which rhs_pending_check must be called next (G_MAXINT64: never). */
gint64 rhs_pending_next_wakeup(const RhsPending *p);
