/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The failure push runs a real child process: a script stands in for crm_resource. */
#include "cg-pacemaker.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

static char *tmpdir;

static char *make_script(const char *name, const char *body)
{
  g_autofree char *path = g_build_filename(tmpdir, name, NULL);
  g_autofree char *text = g_strdup_printf("#!/bin/sh\n%s\n", body);
  g_assert_true(g_file_set_contents(path, text, -1, NULL));
  g_chmod(path, 0755);
  return g_steal_pointer(&path);
}

typedef struct {
  gboolean done;
  gboolean ok;
  GError *error;
} Result;

static void on_done(GObject *source, GAsyncResult *res, gpointer data)
{
  Result *r = data;
  r->ok = cg_pacemaker_push_failure_finish(res, &r->error);
  r->done = TRUE;
}

static Result push(const char *script, guint timeout_ms)
{
  g_setenv("CLUSRES_CRM_RESOURCE", script, TRUE);
  Result r = {0};
  cg_pacemaker_push_failure("web", "node1", timeout_ms, NULL, on_done, &r);
  while (!r.done)
    g_main_context_iteration(NULL, TRUE);
  return r;
}

static void test_success_args(void)
{
  g_autofree char *out = g_build_filename(tmpdir, "args", NULL);
  g_autofree char *body = g_strdup_printf("echo \"$*\" > '%s'", out);
  g_autofree char *script = make_script("ok.sh", body);
  Result r = push(script, 5000);
  g_assert_no_error(r.error);
  g_assert_true(r.ok);
  g_autofree char *args = NULL;
  g_assert_true(g_file_get_contents(out, &args, NULL, NULL));
  g_assert_cmpstr(args, ==, "--fail --resource web --node node1\n");
}

static void test_failure_reported(void)
{
  g_autofree char *script = make_script("fail.sh", "echo 'no cluster' >&2; exit 3");
  Result r = push(script, 5000);
  g_assert_false(r.ok);
  g_assert_error(r.error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_nonnull(strstr(r.error->message, "no cluster"));
  g_error_free(r.error);
}

static void test_timeout(void)
{
  g_autofree char *script = make_script("hang.sh", "exec sleep 30");
  gint64 t0 = g_get_monotonic_time();
  Result r = push(script, 200);
  g_assert_false(r.ok);
  g_assert_error(r.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpint(g_get_monotonic_time() - t0, <, 5 * G_USEC_PER_SEC);
  g_error_free(r.error);
}

static void test_missing_binary(void)
{
  Result r = push("/nonexistent/crm_resource", 1000);
  g_assert_false(r.ok);
  g_assert_nonnull(r.error);
  g_error_free(r.error);
}

static void test_node_name(void)
{
  g_autofree char *hint = cg_node_name("nodeX");
  g_assert_cmpstr(hint, ==, "nodeX");
  g_autofree char *own = cg_node_name(NULL);
  g_assert_nonnull(own);
  g_assert_cmpuint(strlen(own), >, 0);
  g_autofree char *empty = cg_node_name("");
  g_assert_cmpstr(empty, ==, own);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp("test-cg-XXXXXX", NULL);
  g_test_add_func("/cg/push/success", test_success_args);
  g_test_add_func("/cg/push/failure", test_failure_reported);
  g_test_add_func("/cg/push/timeout", test_timeout);
  g_test_add_func("/cg/push/missing", test_missing_binary);
  g_test_add_func("/cg/node-name", test_node_name);
  int rc = g_test_run();
  g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmpdir);
  if (system(cmd) != 0)
    rc = 1;
  g_free(tmpdir);
  return rc;
}
