/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "rhs-pending.h"

struct RhsPending {
  RhsPendingKind kind;
  gint64 inactivity_us;
  gint64 deadline; /* absolute, G_MAXINT64 if none */
  gint64 last_activity;
  gboolean have_checkpoint;
  DWORD last_checkpoint;
  RhsPendingClock clock;
  gpointer clock_data;
  RhsPendingResult result;
};

static gint64 default_clock(gpointer data)
{
  return g_get_monotonic_time();
}

static gint64 now(const RhsPending *p)
{
  return p->clock(p->clock_data);
}

guint32 rhs_pending_margin_ms(guint32 timeout_ms)
{
  if (timeout_ms == 0)
    return 0;
  /* A tenth of the time, at least 500 ms for Terminate and the reply, at most 5 s; never more
   * than half, so tiny timeouts still leave the DLL some time. */
  guint32 margin = CLAMP(timeout_ms / 10, 500u, 5000u);
  return MIN(margin, timeout_ms / 2);
}

RhsPending *rhs_pending_new(RhsPendingKind kind, guint32 inactivity_ms, guint32 timeout_ms,
                            RhsPendingClock clock, gpointer clock_data)
{
  RhsPending *p = g_new0(RhsPending, 1);
  p->kind = kind;
  p->clock = clock != NULL ? clock : default_clock;
  p->clock_data = clock_data;
  p->inactivity_us = (gint64)inactivity_ms * 1000;
  p->last_activity = now(p);
  p->deadline =
      timeout_ms == 0
          ? G_MAXINT64
          : p->last_activity + (gint64)(timeout_ms - rhs_pending_margin_ms(timeout_ms)) * 1000;
  return p;
}

void rhs_pending_free(RhsPending *p)
{
  g_free(p);
}

static void finish(RhsPending *p, RhsPendingEnd end, CLUSTER_RESOURCE_STATE state,
                   gboolean terminate, DWORD status)
{
  p->result =
      (RhsPendingResult){.end = end, .state = state, .terminate = terminate, .status = status};
}

/* A timeout: Windows terminates the resource; a stop must still end Offline for Pacemaker. */
static void expire(RhsPending *p, RhsPendingEnd end)
{
  if (p->kind == RHS_PENDING_ONLINE)
    finish(p, end, ClusterResourceFailed, TRUE, ERROR_TIMEOUT);
  else
    finish(p, end, ClusterResourceOffline, TRUE, ERROR_TIMEOUT);
}

gboolean rhs_pending_report(RhsPending *p, CLUSTER_RESOURCE_STATE state, DWORD checkpoint)
{
  if (p->result.end != RHS_PENDING_END_NONE)
    return FALSE;
  /* A report that arrives after a timer ran out does not rescue the operation. */
  RhsPendingResult r;
  if (rhs_pending_check(p, &r))
    return FALSE;

  switch ((int)state) {
  case ClusterResourceOnline:
    if (p->kind == RHS_PENDING_ONLINE)
      finish(p, RHS_PENDING_END_REPORTED, ClusterResourceOnline, FALSE, ERROR_SUCCESS);
    else /* went online while being taken offline: force it down */
      finish(p, RHS_PENDING_END_REPORTED, ClusterResourceOffline, TRUE, ERROR_INVALID_STATE);
    return TRUE;
  case ClusterResourceOffline:
    if (p->kind == RHS_PENDING_OFFLINE)
      finish(p, RHS_PENDING_END_REPORTED, ClusterResourceOffline, FALSE, ERROR_SUCCESS);
    else /* an Online that ends Offline did not start the resource */
      finish(p, RHS_PENDING_END_REPORTED, ClusterResourceFailed, TRUE, ERROR_RESOURCE_NOT_ONLINE);
    return TRUE;
  case ClusterResourceFailed:
  case ClusterResourceStateUnknown:
    if (p->kind == RHS_PENDING_ONLINE)
      finish(p, RHS_PENDING_END_REPORTED, ClusterResourceFailed, TRUE, ERROR_RESOURCE_FAILED);
    else
      finish(p, RHS_PENDING_END_REPORTED, ClusterResourceOffline, TRUE, ERROR_RESOURCE_FAILED);
    return TRUE;
  case ClusterResourceCannotComeOnlineOnThisNode:
  case ClusterResourceCannotComeOnlineOnAnyNode:
    if (p->kind == RHS_PENDING_ONLINE)
      finish(p, RHS_PENDING_END_REPORTED, state, TRUE, ERROR_RESOURCE_NOT_AVAILABLE);
    else
      finish(p, RHS_PENDING_END_REPORTED, ClusterResourceOffline, TRUE, ERROR_RESOURCE_FAILED);
    return TRUE;
  default:
    break;
  }
  /* Still pending: only a new CheckPoint is a sign of life (WaitHint is ignored, as on Windows). */
  if (p->have_checkpoint && checkpoint == p->last_checkpoint)
    return FALSE;
  p->have_checkpoint = TRUE;
  p->last_checkpoint = checkpoint;
  p->last_activity = now(p);
  return TRUE;
}

gboolean rhs_pending_check(RhsPending *p, RhsPendingResult *result)
{
  if (p->result.end == RHS_PENDING_END_NONE) {
    gint64 t = now(p);
    if (t >= p->deadline)
      expire(p, RHS_PENDING_END_DEADLINE);
    else if (t - p->last_activity >= p->inactivity_us)
      expire(p, RHS_PENDING_END_INACTIVITY);
  }
  *result = p->result;
  return p->result.end != RHS_PENDING_END_NONE;
}

gint64 rhs_pending_next_wakeup(const RhsPending *p)
{
  if (p->result.end != RHS_PENDING_END_NONE)
    return G_MAXINT64;
  return MIN(p->deadline, p->last_activity + p->inactivity_us);
}
