/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The exit-code mapping, as a table: every row is a promise to Pacemaker. */
#include "ocf-exit.h"

#undef NDEBUG

typedef struct {
  OcfExitAction action;
  int state;
  DWORD status;
  OcfExit expect;
} StateRow;

static const StateRow state_rows[] = {
    {OCF_EXIT_START, ClusterResourceOnline, 0, OCF_SUCCESS},
    {OCF_EXIT_START, ClusterResourceFailed, 0, OCF_ERR_GENERIC},
    {OCF_EXIT_START, ClusterResourceFailed, ERROR_GEN_FAILURE, OCF_ERR_GENERIC},
    {OCF_EXIT_START, ClusterResourceFailed, ERROR_FILE_NOT_FOUND, OCF_ERR_INSTALLED},
    {OCF_EXIT_START, ClusterResourceFailed, ERROR_PATH_NOT_FOUND, OCF_ERR_INSTALLED},
    {OCF_EXIT_START, ClusterResourceFailed, ERROR_INVALID_PARAMETER, OCF_ERR_CONFIGURED},
    {OCF_EXIT_START, ClusterResourceFailed, ERROR_ACCESS_DENIED, OCF_ERR_PERM},
    {OCF_EXIT_START, ClusterResourceOffline, 0, OCF_ERR_GENERIC},
    {OCF_EXIT_START, 127, 0, OCF_ERR_INSTALLED},
    {OCF_EXIT_START, 126, 0, OCF_ERR_CONFIGURED},
    {OCF_EXIT_START, 127, ERROR_ACCESS_DENIED, OCF_ERR_INSTALLED},
    {OCF_EXIT_START, ClusterResourceOnlinePending, 0, OCF_ERR_GENERIC},
    {OCF_EXIT_MONITOR, ClusterResourceOnline, 0, OCF_SUCCESS},
    {OCF_EXIT_MONITOR, ClusterResourceOffline, 0, OCF_NOT_RUNNING},
    {OCF_EXIT_MONITOR, CLUSRES_STATE_ONLINE_DEGRADED, 0, OCF_DEGRADED},
    {OCF_EXIT_START, CLUSRES_STATE_ONLINE_DEGRADED, 0, OCF_ERR_GENERIC},
    {OCF_EXIT_STOP, CLUSRES_STATE_ONLINE_DEGRADED, 0, OCF_ERR_GENERIC},
    {OCF_EXIT_MONITOR, ClusterResourceFailed, 0, OCF_ERR_GENERIC},
    {OCF_EXIT_MONITOR, 127, 0, OCF_ERR_INSTALLED},
    {OCF_EXIT_MONITOR, 126, 0, OCF_ERR_CONFIGURED},
    {OCF_EXIT_MONITOR, ClusterResourceStateUnknown, 0, OCF_ERR_GENERIC},
    {OCF_EXIT_STOP, ClusterResourceOffline, 0, OCF_SUCCESS},
    {OCF_EXIT_STOP, ClusterResourceStateUnknown, 0, OCF_SUCCESS},
    {OCF_EXIT_STOP, ClusterResourceOnline, 0, OCF_ERR_GENERIC},
    {OCF_EXIT_STOP, ClusterResourceFailed, ERROR_TIMEOUT, OCF_ERR_GENERIC},
    {OCF_EXIT_STOP, 127, 0, OCF_ERR_GENERIC},
};

static void test_states(void)
{
  for (gsize i = 0; i < G_N_ELEMENTS(state_rows); i++) {
    const StateRow *r = &state_rows[i];
    OcfExit got = ocf_exit_from_state(r->action, r->state, r->status);
    if (got != r->expect)
      g_error("row %zu: action %d state %d status %u: got %d, want %d", i, r->action, r->state,
              r->status, got, r->expect);
    /* stop never answers "not running" */
    if (r->action == OCF_EXIT_STOP)
      g_assert_cmpint(got, !=, OCF_NOT_RUNNING);
  }
}

static void test_stop_never_7(void)
{
  for (int state = -1; state <= 130; state++)
    for (DWORD st = 0; st < 200; st += 7)
      g_assert_cmpint(ocf_exit_from_state(OCF_EXIT_STOP, state, st), !=, OCF_NOT_RUNNING);
}

static void test_win32(void)
{
  static const struct {
    DWORD status;
    OcfExit expect;
  } rows[] = {
      {ERROR_SUCCESS, OCF_SUCCESS},
      {ERROR_INVALID_PARAMETER, OCF_ERR_CONFIGURED},
      {ERROR_INVALID_DATA, OCF_ERR_CONFIGURED},
      {ERROR_BAD_ARGUMENTS, OCF_ERR_CONFIGURED},
      {ERROR_FILE_NOT_FOUND, OCF_ERR_INSTALLED},
      {ERROR_PATH_NOT_FOUND, OCF_ERR_INSTALLED},
      {ERROR_ACCESS_DENIED, OCF_ERR_PERM},
      {ERROR_RESOURCE_NOT_AVAILABLE, OCF_ERR_GENERIC},
      {ERROR_GEN_FAILURE, OCF_ERR_GENERIC},
      {ERROR_INVALID_FUNCTION, OCF_ERR_GENERIC},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(rows); i++)
    g_assert_cmpint(ocf_exit_from_win32(rows[i].status), ==, rows[i].expect);
}

static void test_dbus(void)
{
  g_assert_cmpint(ocf_exit_from_dbus_error("org.clusres.Error.InvalidArgs"), ==,
                  OCF_ERR_CONFIGURED);
  g_assert_cmpint(ocf_exit_from_dbus_error("org.clusres.Error.NotInstalled"), ==,
                  OCF_ERR_INSTALLED);
  g_assert_cmpint(ocf_exit_from_dbus_error("org.clusres.Error.Failed"), ==, OCF_ERR_GENERIC);
  g_assert_cmpint(ocf_exit_from_dbus_error("org.freedesktop.DBus.Error.NoReply"), ==,
                  OCF_ERR_GENERIC);
  g_assert_cmpint(ocf_exit_from_dbus_error(NULL), ==, OCF_ERR_GENERIC);
}

/* separate_monitor unreadable: the shared host's answer and the instance's own host's. */
static void test_merge(void)
{
  static const struct {
    OcfExitAction action;
    OcfExit shared, own, expect;
  } rows[] = {
      /* monitor: running in either host is running; in neither, not running */
      {OCF_EXIT_MONITOR, OCF_NOT_RUNNING, OCF_NOT_RUNNING, OCF_NOT_RUNNING},
      {OCF_EXIT_MONITOR, OCF_SUCCESS, OCF_NOT_RUNNING, OCF_SUCCESS},
      {OCF_EXIT_MONITOR, OCF_NOT_RUNNING, OCF_SUCCESS, OCF_SUCCESS},
      {OCF_EXIT_MONITOR, OCF_SUCCESS, OCF_SUCCESS, OCF_SUCCESS},
      {OCF_EXIT_MONITOR, OCF_DEGRADED, OCF_NOT_RUNNING, OCF_DEGRADED},
      {OCF_EXIT_MONITOR, OCF_NOT_RUNNING, OCF_DEGRADED, OCF_DEGRADED},
      {OCF_EXIT_MONITOR, OCF_SUCCESS, OCF_DEGRADED, OCF_DEGRADED},
      {OCF_EXIT_MONITOR, OCF_DEGRADED, OCF_ERR_GENERIC, OCF_ERR_GENERIC},
      /* a failure, or a host that could not answer, is never hidden by the other's answer */
      {OCF_EXIT_MONITOR, OCF_SUCCESS, OCF_ERR_GENERIC, OCF_ERR_GENERIC},
      {OCF_EXIT_MONITOR, OCF_ERR_GENERIC, OCF_NOT_RUNNING, OCF_ERR_GENERIC},
      {OCF_EXIT_MONITOR, OCF_NOT_RUNNING, OCF_ERR_INSTALLED, OCF_ERR_INSTALLED},
      {OCF_EXIT_MONITOR, OCF_ERR_GENERIC, OCF_ERR_INSTALLED, OCF_ERR_GENERIC},
      /* stop: stopped only when both say so */
      {OCF_EXIT_STOP, OCF_SUCCESS, OCF_SUCCESS, OCF_SUCCESS},
      {OCF_EXIT_STOP, OCF_ERR_GENERIC, OCF_SUCCESS, OCF_ERR_GENERIC},
      {OCF_EXIT_STOP, OCF_SUCCESS, OCF_ERR_GENERIC, OCF_ERR_GENERIC},
      {OCF_EXIT_STOP, OCF_SUCCESS, OCF_NOT_RUNNING, OCF_SUCCESS},
      {OCF_EXIT_STOP, OCF_NOT_RUNNING, OCF_NOT_RUNNING, OCF_SUCCESS},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(rows); i++) {
    OcfExit rc = ocf_exit_merge(rows[i].action, rows[i].shared, rows[i].own);
    if (rc != rows[i].expect)
      g_error("row %zu: merge(%d, %d) = %d, want %d", i, rows[i].shared, rows[i].own, rc,
              rows[i].expect);
  }
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/ocf-exit/states", test_states);
  g_test_add_func("/ocf-exit/stop-never-not-running", test_stop_never_7);
  g_test_add_func("/ocf-exit/win32", test_win32);
  g_test_add_func("/ocf-exit/dbus", test_dbus);
  g_test_add_func("/ocf-exit/merge", test_merge);
  return g_test_run();
}
