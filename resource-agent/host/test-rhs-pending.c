/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "rhs-pending.h"

static gint64 fake_now;

static gint64 fake_clock(gpointer data)
{
  return fake_now;
}

static void advance_ms(gint64 ms)
{
  fake_now += ms * 1000;
}

static RhsPending *make(RhsPendingKind kind, guint32 inactivity, guint32 timeout)
{
  fake_now = 1000000;
  return rhs_pending_new(kind, inactivity, timeout, fake_clock, NULL);
}

static void test_margin(void)
{
  g_assert_cmpuint(rhs_pending_margin_ms(0), ==, 0);
  g_assert_cmpuint(rhs_pending_margin_ms(20000), ==, 2000);
  g_assert_cmpuint(rhs_pending_margin_ms(3000), ==, 500);
  g_assert_cmpuint(rhs_pending_margin_ms(600), ==, 300);
  g_assert_cmpuint(rhs_pending_margin_ms(600000), ==, 5000);
}

static void test_inactivity_expiry(void)
{
  g_autoptr(RhsPending) p = make(RHS_PENDING_ONLINE, 1000, 0);
  RhsPendingResult r;
  advance_ms(999);
  g_assert_false(rhs_pending_check(p, &r));
  g_assert_cmpint(rhs_pending_next_wakeup(p), ==, 1000000 + 1000 * 1000);
  advance_ms(1);
  g_assert_true(rhs_pending_check(p, &r));
  g_assert_cmpint(r.end, ==, RHS_PENDING_END_INACTIVITY);
  g_assert_cmpint(r.state, ==, ClusterResourceFailed);
  g_assert_true(r.terminate);
  g_assert_cmpuint(r.status, ==, ERROR_TIMEOUT);
  g_assert_cmpint(rhs_pending_next_wakeup(p), ==, G_MAXINT64);
}

static void test_new_checkpoint_resets(void)
{
  g_autoptr(RhsPending) p = make(RHS_PENDING_ONLINE, 1000, 0);
  RhsPendingResult r;
  /* A slow but checkpointing Online lives far beyond PendingTimeout. */
  for (DWORD cp = 1; cp <= 20; cp++) {
    advance_ms(900);
    g_assert_true(rhs_pending_report(p, ClusterResourceOnlinePending, cp));
    g_assert_false(rhs_pending_check(p, &r));
  }
  g_assert_true(rhs_pending_report(p, ClusterResourceOnline, 21));
  g_assert_true(rhs_pending_check(p, &r));
  g_assert_cmpint(r.end, ==, RHS_PENDING_END_REPORTED);
  g_assert_cmpint(r.state, ==, ClusterResourceOnline);
  g_assert_false(r.terminate);
  g_assert_cmpuint(r.status, ==, ERROR_SUCCESS);
}

static void test_same_checkpoint_does_not_reset(void)
{
  g_autoptr(RhsPending) p = make(RHS_PENDING_ONLINE, 1000, 0);
  RhsPendingResult r;
  advance_ms(500);
  g_assert_true(rhs_pending_report(p, ClusterResourceOnlinePending, 1));
  advance_ms(600);
  g_assert_false(rhs_pending_report(p, ClusterResourceOnlinePending, 1));
  g_assert_false(rhs_pending_check(p, &r)); /* 600 ms since the last new checkpoint */
  advance_ms(400);
  g_assert_false(rhs_pending_report(p, ClusterResourceOnlinePending, 1));
  g_assert_true(rhs_pending_check(p, &r));
  g_assert_cmpint(r.end, ==, RHS_PENDING_END_INACTIVITY);
}

static void test_first_checkpoint_zero_counts(void)
{
  g_autoptr(RhsPending) p = make(RHS_PENDING_ONLINE, 1000, 0);
  RhsPendingResult r;
  advance_ms(900);
  g_assert_true(rhs_pending_report(p, ClusterResourceOnlinePending, 0));
  advance_ms(900);
  g_assert_false(rhs_pending_check(p, &r));
}

static void test_total_deadline(void)
{
  /* Caller timeout 10 s, margin 1 s: ends at 9 s even though the DLL keeps checkpointing. */
  g_autoptr(RhsPending) p = make(RHS_PENDING_ONLINE, 5000, 10000);
  RhsPendingResult r;
  DWORD cp = 0;
  for (int i = 0; i < 8; i++) {
    advance_ms(1000);
    g_assert_true(rhs_pending_report(p, ClusterResourceOnlinePending, ++cp));
    g_assert_false(rhs_pending_check(p, &r));
  }
  g_assert_cmpint(rhs_pending_next_wakeup(p), ==, 1000000 + 9000 * 1000);
  advance_ms(1000);
  g_assert_false(rhs_pending_report(p, ClusterResourceOnlinePending, ++cp));
  g_assert_true(rhs_pending_check(p, &r));
  g_assert_cmpint(r.end, ==, RHS_PENDING_END_DEADLINE);
  g_assert_cmpint(r.state, ==, ClusterResourceFailed);
  g_assert_true(r.terminate);
  /* Too late: a final report after the end is ignored. */
  g_assert_false(rhs_pending_report(p, ClusterResourceOnline, ++cp));
  g_assert_true(rhs_pending_check(p, &r));
  g_assert_cmpint(r.state, ==, ClusterResourceFailed);
}

static void test_online_endings(void)
{
  static const struct {
    CLUSTER_RESOURCE_STATE reported;
    CLUSTER_RESOURCE_STATE state;
    gboolean terminate;
  } cases[] = {
      {ClusterResourceOnline, ClusterResourceOnline, FALSE},
      {ClusterResourceFailed, ClusterResourceFailed, TRUE},
      {ClusterResourceOffline, ClusterResourceFailed, TRUE},
      {ClusterResourceStateUnknown, ClusterResourceFailed, TRUE},
      {ClusterResourceCannotComeOnlineOnThisNode, ClusterResourceCannotComeOnlineOnThisNode, TRUE},
      {ClusterResourceCannotComeOnlineOnAnyNode, ClusterResourceCannotComeOnlineOnAnyNode, TRUE},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(RhsPending) p = make(RHS_PENDING_ONLINE, 1000, 0);
    RhsPendingResult r;
    g_assert_true(rhs_pending_report(p, cases[i].reported, 1));
    g_assert_true(rhs_pending_check(p, &r));
    g_assert_cmpint(r.end, ==, RHS_PENDING_END_REPORTED);
    g_assert_cmpint(r.state, ==, cases[i].state);
    g_assert_cmpint(r.terminate, ==, cases[i].terminate);
  }
}

static void test_offline_endings(void)
{
  static const struct {
    CLUSTER_RESOURCE_STATE reported;
    gboolean terminate;
  } cases[] = {
      {ClusterResourceOffline, FALSE},
      {ClusterResourceFailed, TRUE},
      {ClusterResourceOnline, TRUE},
      {ClusterResourceCannotComeOnlineOnThisNode, TRUE},
      {ClusterResourceCannotComeOnlineOnAnyNode, TRUE},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(RhsPending) p = make(RHS_PENDING_OFFLINE, 1000, 0);
    RhsPendingResult r;
    g_assert_true(rhs_pending_report(p, cases[i].reported, 1));
    g_assert_true(rhs_pending_check(p, &r));
    /* A stop always ends Offline: after Terminate the resource is down. */
    g_assert_cmpint(r.state, ==, ClusterResourceOffline);
    g_assert_cmpint(r.terminate, ==, cases[i].terminate);
  }
  g_autoptr(RhsPending) p = make(RHS_PENDING_OFFLINE, 1000, 0);
  RhsPendingResult r;
  advance_ms(1000);
  g_assert_true(rhs_pending_check(p, &r));
  g_assert_cmpint(r.end, ==, RHS_PENDING_END_INACTIVITY);
  g_assert_cmpint(r.state, ==, ClusterResourceOffline);
  g_assert_true(r.terminate);
}

static void test_pending_states_are_progress(void)
{
  g_autoptr(RhsPending) p = make(RHS_PENDING_OFFLINE, 1000, 0);
  RhsPendingResult r;
  g_assert_true(rhs_pending_report(p, ClusterResourceOfflinePending, 1));
  g_assert_true(rhs_pending_report(p, ClusterResourcePending, 2));
  g_assert_false(rhs_pending_check(p, &r));
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/pending/margin", test_margin);
  g_test_add_func("/pending/inactivity-expiry", test_inactivity_expiry);
  g_test_add_func("/pending/new-checkpoint-resets", test_new_checkpoint_resets);
  g_test_add_func("/pending/same-checkpoint-no-reset", test_same_checkpoint_does_not_reset);
  g_test_add_func("/pending/first-checkpoint-zero", test_first_checkpoint_zero_counts);
  g_test_add_func("/pending/total-deadline", test_total_deadline);
  g_test_add_func("/pending/online-endings", test_online_endings);
  g_test_add_func("/pending/offline-endings", test_offline_endings);
  g_test_add_func("/pending/pending-states", test_pending_states_are_progress);
  return g_test_run();
}
