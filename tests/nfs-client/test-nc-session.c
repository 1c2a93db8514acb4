/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>

#include "nc-session.h"

/* The messages are the ones libnfs 4.0 and our raw calls really produce. */
static void test_classify(void)
{
  g_assert_cmpint(nc_session_classify(-EIO, "open call failed with \"NFS4: (path /) failed with "
                                            "NFS4ERR_GRACE(-5)\""),
                  ==, NC_ERR_GRACE);
  g_assert_cmpint(nc_session_classify(-ESTALE, "COMPOUND op 22 failed with NFS4ERR_STALE (70)"), ==,
                  NC_ERR_STALE);
  g_assert_cmpint(nc_session_classify(-ESTALE, ""), ==, NC_ERR_STALE);
  g_assert_cmpint(nc_session_classify(-EIO, "NFS4ERR_FHEXPIRED"), ==, NC_ERR_STALE);
  g_assert_cmpint(nc_session_classify(-EIO, "NFS4ERR_BADHANDLE"), ==, NC_ERR_STALE);
  /* Contain "NFS4ERR_STALE" but are about state, not handles. */
  g_assert_cmpint(nc_session_classify(-EIO, "failed with NFS4ERR_STALE_CLIENTID(-5)"), ==,
                  NC_ERR_STATE);
  g_assert_cmpint(nc_session_classify(-EIO, "failed with NFS4ERR_STALE_STATEID(-5)"), ==,
                  NC_ERR_STATE);
  g_assert_cmpint(nc_session_classify(-EIO, "NFS4ERR_EXPIRED"), ==, NC_ERR_STATE);
  g_assert_cmpint(nc_session_classify(-EIO, "NFS4ERR_BAD_STATEID"), ==, NC_ERR_STATE);
  g_assert_cmpint(nc_session_classify(-EIO, "write: Command timed out"), ==, NC_ERR_OTHER);
  g_assert_cmpint(nc_session_classify(-ECONNREFUSED, NULL), ==, NC_ERR_OTHER);
  /* "NFS4ERR_NO_GRACE" does not contain "NFS4ERR_GRACE": a reclaim refused, not a wait. */
  g_assert_cmpint(nc_session_classify(-EIO, "COMPOUND op 18 failed with NFS4ERR_NO_GRACE (10033)"),
                  ==, NC_ERR_NO_GRACE);
  g_assert_cmpint(nc_session_classify(-EIO, "NFS4ERR_RECLAIM_BAD"), ==, NC_ERR_NO_GRACE);
  g_assert_cmpint(nc_session_classify(-EIO, "NFS4ERR_RECLAIM_CONFLICT"), ==, NC_ERR_NO_GRACE);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/nc-session/classify", test_classify);
  return g_test_run();
}
