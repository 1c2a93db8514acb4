/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "nc-reclaim.h"

/* Reclaim only what we held, only when enabled, and not twice against a server that already
 * said it has no grace for us. */
static void test_open_how(void)
{
  g_assert_cmpint(nc_reclaim_open_how(TRUE, TRUE, FALSE), ==, NC_OPEN_RECLAIM);
  g_assert_cmpint(nc_reclaim_open_how(TRUE, FALSE, FALSE), ==, NC_OPEN_NORMAL);
  g_assert_cmpint(nc_reclaim_open_how(TRUE, TRUE, TRUE), ==, NC_OPEN_NORMAL);
  g_assert_cmpint(nc_reclaim_open_how(FALSE, TRUE, FALSE), ==, NC_OPEN_NORMAL);
  g_assert_cmpint(nc_reclaim_open_how(FALSE, FALSE, TRUE), ==, NC_OPEN_NORMAL);
}

static void test_next(void)
{
  g_assert_cmpint(nc_reclaim_next(TRUE, NC_ERR_OTHER), ==, NC_RECLAIM_USE);
  /* A server whose grace is over (or that never knew us) wants a plain OPEN. */
  g_assert_cmpint(nc_reclaim_next(FALSE, NC_ERR_NO_GRACE), ==, NC_RECLAIM_OPEN);
  g_assert_cmpint(nc_reclaim_next(FALSE, NC_ERR_STALE), ==, NC_RECLAIM_OPEN);
  /* Lost state (the server restarted again) or no answer: a new session. */
  g_assert_cmpint(nc_reclaim_next(FALSE, NC_ERR_STATE), ==, NC_RECLAIM_RECONNECT);
  g_assert_cmpint(nc_reclaim_next(FALSE, NC_ERR_OTHER), ==, NC_RECLAIM_RECONNECT);
  g_assert_cmpint(nc_reclaim_next(FALSE, NC_ERR_GRACE), ==, NC_RECLAIM_RECONNECT);
  g_assert_cmpstr(nc_reclaim_next_to_string(NC_RECLAIM_OPEN), ==, "open");
}

/* The errors a reclaim really gets, as nc-session words them, lead to the right step. */
static void test_classified_errors(void)
{
  struct {
    const char *message;
    NcReclaimNext next;
  } cases[] = {
      {"reclaim: OPEN(CLAIM_PREVIOUS): COMPOUND op 18 failed with NFS4ERR_NO_GRACE (10033)",
       NC_RECLAIM_OPEN},
      {"reclaim: OPEN(CLAIM_PREVIOUS): COMPOUND op 18 failed with NFS4ERR_RECLAIM_BAD (10034)",
       NC_RECLAIM_OPEN},
      {"reclaim: SETCLIENTID_CONFIRM: COMPOUND op 36 failed with NFS4ERR_STALE_CLIENTID (10022)",
       NC_RECLAIM_RECONNECT},
      {"reclaim: OPEN(CLAIM_PREVIOUS): COMPOUND op 22 failed with NFS4ERR_STALE (70)",
       NC_RECLAIM_OPEN},
      {"reclaim: SETCLIENTID: COMPOUND: no answer within 2000 ms", NC_RECLAIM_RECONNECT},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    NcErrKind kind = nc_session_classify(-5, cases[i].message);
    g_assert_cmpstr(nc_reclaim_next_to_string(nc_reclaim_next(FALSE, kind)), ==,
                    nc_reclaim_next_to_string(cases[i].next));
  }
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/nc-reclaim/open-how", test_open_how);
  g_test_add_func("/nc-reclaim/next", test_next);
  g_test_add_func("/nc-reclaim/classified-errors", test_classified_errors);
  return g_test_run();
}
