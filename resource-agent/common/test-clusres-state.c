/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* clusres-state: one name per resource state, and "?" for what is none. */
#undef NDEBUG
#include "clusres-state.h"

#include <clusres/resapi.h>
#include <glib.h>

static void test_names(void)
{
  g_assert_cmpstr(clusres_state_name(ClusterResourceStateUnknown), ==, "Unknown");
  g_assert_cmpstr(clusres_state_name(ClusterResourceOnline), ==, "Online");
  g_assert_cmpstr(clusres_state_name(ClusterResourceOffline), ==, "Offline");
  g_assert_cmpstr(clusres_state_name(ClusterResourceFailed), ==, "Failed");
  g_assert_cmpstr(clusres_state_name(ClusterResourcePending), ==, "Pending");
  g_assert_cmpstr(clusres_state_name(ClusterResourceOnlinePending), ==, "OnlinePending");
  g_assert_cmpstr(clusres_state_name(ClusterResourceOfflinePending), ==, "OfflinePending");
  g_assert_cmpstr(clusres_state_name(127), ==, "CannotComeOnlineOnThisNode");
  g_assert_cmpstr(clusres_state_name(126), ==, "CannotComeOnlineOnAnyNode");
  g_assert_cmpstr(clusres_state_name(1234), ==, "?");
  g_assert_cmpstr(clusres_state_name(-2), ==, "?");
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/clusres-state/names", test_names);
  return g_test_run();
}
