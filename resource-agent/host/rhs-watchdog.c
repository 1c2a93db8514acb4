/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "rhs-watchdog.h"

typedef struct {
  guint64 token;
  char *call;
  char *resource;
  gint64 start;
  gint64 deadline;
} Call;

struct RhsWatchdog {
  GMutex lock;
  GCond cond;
  GHashTable *calls; /* token -> Call */
  guint64 next_token;
  gboolean stop;
  /* When the thread wakes up by itself (G_MAXINT64: not waiting yet).  A new call only wakes
   * it if its deadline is earlier: with a 300 s deadlock timeout that is almost never, where a
   * signal on every call cost a context switch per DLL entry point (4 per Online/Offline
   * cycle, one per LooksAlive). */
  gint64 wake_at;
  GThread *thread;
  RhsWatchdogFired fired;
  gpointer user_data;
};

static void call_free(Call *c)
{
  g_free(c->call);
  g_free(c->resource);
  g_free(c);
}

static gpointer watchdog_thread(gpointer data)
{
  RhsWatchdog *wd = data;
  g_mutex_lock(&wd->lock);
  while (!wd->stop) {
    gint64 now = g_get_monotonic_time();
    gint64 next = now + G_USEC_PER_SEC * 60;
    Call *expired = NULL;
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, wd->calls);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
      Call *c = v;
      if (c->deadline <= now) {
        expired = c;
        break;
      }
      next = MIN(next, c->deadline);
    }
    if (expired != NULL) {
      g_hash_table_steal(wd->calls, &expired->token);
      g_mutex_unlock(&wd->lock);
      wd->fired(expired->call, expired->resource, (now - expired->start) / 1000, wd->user_data);
      call_free(expired);
      g_mutex_lock(&wd->lock);
      continue;
    }
    wd->wake_at = next;
    g_cond_wait_until(&wd->cond, &wd->lock, next);
    wd->wake_at = G_MAXINT64;
  }
  g_mutex_unlock(&wd->lock);
  return NULL;
}

RhsWatchdog *rhs_watchdog_new(RhsWatchdogFired fired, gpointer user_data)
{
  RhsWatchdog *wd = g_new0(RhsWatchdog, 1);
  g_mutex_init(&wd->lock);
  g_cond_init(&wd->cond);
  wd->calls = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, (GDestroyNotify)call_free);
  wd->fired = fired;
  wd->user_data = user_data;
  wd->wake_at = G_MAXINT64;
  wd->thread = g_thread_new("rhs-watchdog", watchdog_thread, wd);
  return wd;
}

void rhs_watchdog_free(RhsWatchdog *wd)
{
  if (wd == NULL)
    return;
  g_mutex_lock(&wd->lock);
  wd->stop = TRUE;
  g_cond_signal(&wd->cond);
  g_mutex_unlock(&wd->lock);
  g_thread_join(wd->thread);
  g_hash_table_unref(wd->calls);
  g_mutex_clear(&wd->lock);
  g_cond_clear(&wd->cond);
  g_free(wd);
}

guint64 rhs_watchdog_begin(RhsWatchdog *wd, const char *call, const char *resource,
                           guint32 timeout_ms)
{
  Call *c = g_new0(Call, 1);
  c->call = g_strdup(call);
  c->resource = g_strdup(resource);
  c->start = g_get_monotonic_time();
  c->deadline = c->start + (gint64)timeout_ms * 1000;
  g_mutex_lock(&wd->lock);
  c->token = ++wd->next_token;
  g_hash_table_insert(wd->calls, &c->token, c);
  if (c->deadline < wd->wake_at)
    g_cond_signal(&wd->cond); /* the new deadline is the earliest */
  g_mutex_unlock(&wd->lock);
  return c->token;
}

gint64 rhs_watchdog_end(RhsWatchdog *wd, guint64 token)
{
  gint64 now = g_get_monotonic_time();
  gint64 elapsed = 0;
  g_mutex_lock(&wd->lock);
  Call *c = g_hash_table_lookup(wd->calls, &token);
  if (c != NULL) {
    elapsed = now - c->start;
    if (elapsed > RHS_WATCHDOG_SLOW_CALL_MS * 1000)
      g_warning("%s%s%s took %" G_GINT64_FORMAT " ms (entry points should return within %d ms)",
                c->call, c->resource != NULL ? " of " : "", c->resource != NULL ? c->resource : "",
                elapsed / 1000, RHS_WATCHDOG_SLOW_CALL_MS);
    g_hash_table_remove(wd->calls, &token);
  }
  g_mutex_unlock(&wd->lock);
  return elapsed;
}
