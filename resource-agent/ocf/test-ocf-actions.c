/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * stop and monitor check only what they use (the id, separate_monitor) and start keeps every
 * rule: the actions run in a subprocess on a node without a host (an empty run directory, no
 * bus, $CLUSRES_RHS a program that does not exist), so every answer comes from the agent
 * itself, and any attempt to reach a host that keeps a record of the instance shows as
 * "cannot run /nonexistent/clusres-rhs" in the answer of that host.
 */
#include "ocf-actions.h"

#include <glib/gstdio.h>

#include <stdio.h>
#include <stdlib.h>

#undef NDEBUG

#define NO_RHS "/nonexistent/clusres-rhs"

typedef enum {
  RECORD_NONE,
  RECORD_SHARED, /* instances/r.conf: the shared host keeps r */
  RECORD_OWN,    /* instances-r/r.conf: r's own host keeps it */
} Record;

typedef struct {
  const char *path;
  const char *action;
  const char *env[8];
  Record record;
  int rc;
  const char *err;     /* g_pattern_match_simple() pattern of stderr */
  const char *not_err; /* a pattern stderr must not match, or NULL */
} Case;

#define BAD_PARAMS                                                                                 \
  "OCF_RESKEY_looks_alive_interval=0", "OCF_RESKEY_#x=1", "OCF_RESKEY_Label=caf\xe9",              \
      "OCF_RESKEY_CRM_meta_timeout=20s", "OCF_CHECK_LEVEL=deep"
#define BAD_WARNED                                                                                 \
  "*warning: OCF_RESKEY_looks_alive_interval=\"0\"*ignored*"                                       \
  "*warning: OCF_RESKEY_#x*ignored*"                                                               \
  "*warning: OCF_RESKEY_Label*not valid UTF-8*ignored*"                                            \
  "*warning: OCF_CHECK_LEVEL*depth 0*"                                                             \
  "*warning: OCF_RESKEY_CRM_meta_timeout*default timeout*"
#define SEP_WARNED "*warning: OCF_RESKEY_separate_monitor=\"banana\"*both*"

static const Case cases[] = {
    /* Bad parameters of a resource (resdll without dll= and type= too): stop and monitor warn
     * and answer; start refuses them. */
    {"/ocf-actions/bad-params/stop",
     "stop",
     {"OCF_RESOURCE_INSTANCE=r", BAD_PARAMS},
     RECORD_NONE,
     0,
     BAD_WARNED},
    {"/ocf-actions/bad-params/monitor",
     "monitor",
     {"OCF_RESOURCE_INSTANCE=r", BAD_PARAMS},
     RECORD_NONE,
     7,
     BAD_WARNED},
    {"/ocf-actions/bad-params/probe",
     "monitor",
     {"OCF_RESOURCE_INSTANCE=r", "OCF_RESKEY_CRM_meta_interval=0", BAD_PARAMS},
     RECORD_NONE,
     7,
     BAD_WARNED},
    {"/ocf-actions/bad-params/start",
     "start",
     {"OCF_RESOURCE_INSTANCE=r", "OCF_RESKEY_dll=ocftest", "OCF_RESKEY_type=ocftest", BAD_PARAMS},
     RECORD_NONE,
     6,
     "resdll start: OCF_RESKEY_looks_alive_interval=\"0\" is not a number*"},
    /* An id the host refuses: no instance can have it. */
    {"/ocf-actions/bad-id/stop",
     "stop",
     {"OCF_RESOURCE_INSTANCE=r\xff"},
     RECORD_NONE,
     0,
     "*OCF_RESOURCE_INSTANCE \"r\xef\xbf\xbd\" is not a valid name*no instance can have it*"},
    {"/ocf-actions/bad-id/monitor",
     "monitor",
     {"OCF_RESOURCE_INSTANCE=a/b"},
     RECORD_NONE,
     7,
     "*OCF_RESOURCE_INSTANCE \"a/b\" is not a valid name*no instance can have it*"},
    {"/ocf-actions/bad-id/start",
     "start",
     {"OCF_RESOURCE_INSTANCE=r\xff", "OCF_RESKEY_dll=ocftest", "OCF_RESKEY_type=ocftest"},
     RECORD_NONE,
     6,
     "*OCF_RESOURCE_INSTANCE*is not a valid name*"},
    {"/ocf-actions/no-id/stop",
     "stop",
     {"OCF_RESKEY_Path=/x"},
     RECORD_NONE,
     6,
     "*OCF_RESOURCE_INSTANCE is not set*"},
    /* separate_monitor unreadable: both hosts are asked, and neither is started for nothing. */
    {"/ocf-actions/separate-unknown/none/stop",
     "stop",
     {"OCF_RESOURCE_INSTANCE=r", "OCF_RESKEY_separate_monitor=banana"},
     RECORD_NONE,
     0,
     SEP_WARNED},
    {"/ocf-actions/separate-unknown/none/monitor",
     "monitor",
     {"OCF_RESOURCE_INSTANCE=r", "OCF_RESKEY_separate_monitor=banana"},
     RECORD_NONE,
     7,
     SEP_WARNED},
    {"/ocf-actions/separate-unknown/own/stop",
     "stop",
     {"OCF_RESOURCE_INSTANCE=r", "OCF_RESKEY_separate_monitor=banana"},
     RECORD_OWN,
     1,
     SEP_WARNED "resdll stop r: in its own host: cannot run " NO_RHS "*"},
    {"/ocf-actions/separate-unknown/own/monitor",
     "monitor",
     {"OCF_RESOURCE_INSTANCE=r", "OCF_RESKEY_separate_monitor=banana"},
     RECORD_OWN,
     1,
     SEP_WARNED "resdll monitor r: in its own host: cannot run " NO_RHS "*"},
    {"/ocf-actions/separate-unknown/shared/stop",
     "stop",
     {"OCF_RESOURCE_INSTANCE=r", "OCF_RESKEY_separate_monitor=banana"},
     RECORD_SHARED,
     1,
     SEP_WARNED "resdll stop r: in the shared host: cannot run " NO_RHS "*"},
    {"/ocf-actions/separate-unknown/shared/monitor",
     "monitor",
     {"OCF_RESOURCE_INSTANCE=r", "OCF_RESKEY_separate_monitor=\xff"},
     RECORD_SHARED,
     1,
     "*warning: OCF_RESKEY_separate_monitor*both*"
     "resdll monitor r: in the shared host: cannot run " NO_RHS "*"},
    /* A readable separate_monitor names the one host asked. */
    {"/ocf-actions/separate-known/false",
     "stop",
     {"OCF_RESOURCE_INSTANCE=r", "OCF_RESKEY_separate_monitor=no"},
     RECORD_OWN,
     0,
     ""},
    {"/ocf-actions/separate-known/true",
     "monitor",
     {"OCF_RESOURCE_INSTANCE=r", "OCF_RESKEY_separate_monitor=yes"},
     RECORD_SHARED,
     7,
     ""},
    {"/ocf-actions/separate-known/true-own",
     "monitor",
     {"OCF_RESOURCE_INSTANCE=r", "OCF_RESKEY_separate_monitor=yes"},
     RECORD_OWN,
     1,
     "resdll monitor r: cannot run " NO_RHS "*"},
    /* OCF 1.1 exit reasons (crm_mon shows them): a failure ends with one, the line the
     * message is on first; 0 and 7 are no failures and have none. */
    {"/ocf-actions/exit-reason/start",
     "start",
     {"OCF_RESOURCE_INSTANCE=r", "OCF_RESKEY_dll=ocftest", "OCF_RESKEY_type=ocftest",
      "OCF_RESKEY_looks_alive_interval=0"},
     RECORD_NONE,
     6,
     "resdll start: OCF_RESKEY_looks_alive_interval=\"0\" is not a number*\n"
     "ocf-exit-reason:OCF_RESKEY_looks_alive_interval=\"0\" is not a number*\n"},
    {"/ocf-actions/exit-reason/monitor-failed",
     "monitor",
     {"OCF_RESOURCE_INSTANCE=r"},
     RECORD_SHARED,
     1,
     "resdll monitor r: cannot run " NO_RHS "*\nocf-exit-reason:cannot run " NO_RHS "*"},
    {"/ocf-actions/exit-reason/monitor-stopped",
     "monitor",
     {"OCF_RESOURCE_INSTANCE=r", BAD_PARAMS},
     RECORD_NONE,
     7,
     BAD_WARNED,
     "*ocf-exit-reason*"},
};

static char *make_record(const char *run, Record record)
{
  if (record == RECORD_NONE)
    return NULL;
  g_autofree char *dir =
      g_build_filename(run, record == RECORD_OWN ? "instances-r" : "instances", NULL);
  char *conf = g_build_filename(dir, "r.conf", NULL);
  g_assert_cmpint(g_mkdir(dir, 0755), ==, 0);
  g_assert_true(g_file_set_contents(conf, "[instance]\n", -1, NULL));
  return conf;
}

static void drop_record(char *conf)
{
  if (conf == NULL)
    return;
  g_autofree char *dir = g_path_get_dirname(conf);
  g_unlink(conf);
  g_rmdir(dir);
  g_free(conf);
}

static void run_case(gconstpointer data)
{
  const Case *c = data;

  if (g_test_subprocess()) {
    char *argv[] = {(char *)"resdll", (char *)c->action, NULL};
    int rc = ocf_actions_run("resdll", argv, c->env);
    printf("rc=%d\n", rc);
    fflush(stdout);
    exit(0);
  }
  g_autofree char *run = g_dir_make_tmp("ocf-actions-XXXXXX", NULL);
  g_autofree char *bus = g_strdup_printf("unix:path=%s/no-bus-socket", run);
  g_autofree char *log = g_build_filename(run, "rhs.log", NULL);
  g_autofree char *want = g_strdup_printf("rc=%d\n", c->rc);
  char *conf = make_record(run, c->record);

  g_setenv("CLUSRES_RUN_DIR", run, TRUE);
  g_setenv("CLUSRES_RHS", NO_RHS, TRUE);
  g_setenv("DBUS_SYSTEM_BUS_ADDRESS", bus, TRUE);
  g_test_trap_subprocess(NULL, 10 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed();
  g_test_trap_assert_stdout(want);
  g_test_trap_assert_stderr(c->err);
  if (c->not_err != NULL)
    g_test_trap_assert_stderr_unmatched(c->not_err);
  /* No host was started: none could be, and none was tried where no record says so. */
  g_assert_false(g_file_test(log, G_FILE_TEST_EXISTS));
  drop_record(conf);
  g_assert_cmpint(g_rmdir(run), ==, 0);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
    g_test_add_data_func(cases[i].path, &cases[i], run_case);
  return g_test_run();
}
