/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "rhs-watchdog.h"

#include <string.h>

typedef struct {
  GMutex lock;
  GCond cond;
  char *call;
  char *resource;
  gint64 elapsed;
  int fired;
} Fired;

static void on_fired(const char *call, const char *resource, gint64 elapsed_ms, gpointer data)
{
  Fired *f = data;
  g_mutex_lock(&f->lock);
  f->call = g_strdup(call);
  f->resource = g_strdup(resource);
  f->elapsed = elapsed_ms;
  f->fired++;
  g_cond_signal(&f->cond);
  g_mutex_unlock(&f->lock);
}

static void test_fires_on_hung_call(void)
{
  Fired f = {0};
  RhsWatchdog *wd = rhs_watchdog_new(on_fired, &f);
  guint64 quick = rhs_watchdog_begin(wd, "LooksAlive", "r1", 5000);
  g_assert_cmpint(rhs_watchdog_end(wd, quick), <, 5000 * 1000);
  (void)rhs_watchdog_begin(wd, "Online", "r2", 150);
  g_mutex_lock(&f.lock);
  gint64 until = g_get_monotonic_time() + 3 * G_USEC_PER_SEC;
  while (f.fired == 0 && g_cond_wait_until(&f.cond, &f.lock, until))
    ;
  g_mutex_unlock(&f.lock);
  g_assert_cmpint(f.fired, ==, 1);
  g_assert_cmpstr(f.call, ==, "Online");
  g_assert_cmpstr(f.resource, ==, "r2");
  g_assert_cmpint(f.elapsed, >=, 150);
  rhs_watchdog_free(wd);
  g_free(f.call);
  g_free(f.resource);
}

static void test_finished_call_never_fires(void)
{
  Fired f = {0};
  RhsWatchdog *wd = rhs_watchdog_new(on_fired, &f);
  for (int i = 0; i < 50; i++) {
    guint64 t = rhs_watchdog_begin(wd, "IsAlive", "r", 100);
    rhs_watchdog_end(wd, t);
  }
  g_usleep(300 * 1000);
  g_assert_cmpint(f.fired, ==, 0);
  rhs_watchdog_free(wd);
}

static void test_slow_call_warns(void)
{
  Fired f = {0};
  RhsWatchdog *wd = rhs_watchdog_new(on_fired, &f);
  g_test_expect_message(G_LOG_DOMAIN, G_LOG_LEVEL_WARNING, "Offline of r3 took * ms*300 ms*");
  guint64 t = rhs_watchdog_begin(wd, "Offline", "r3", 10000);
  g_usleep((RHS_WATCHDOG_SLOW_CALL_MS + 50) * 1000);
  g_assert_cmpint(rhs_watchdog_end(wd, t), >=, RHS_WATCHDOG_SLOW_CALL_MS * 1000);
  g_test_assert_expected_messages();
  g_assert_cmpint(f.fired, ==, 0);
  rhs_watchdog_free(wd);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/watchdog/fires", test_fires_on_hung_call);
  g_test_add_func("/watchdog/finished", test_finished_call_never_fires);
  g_test_add_func("/watchdog/slow-warning", test_slow_call_warns);
  return g_test_run();
}
