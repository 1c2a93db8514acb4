/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rhs-death: a host killed by a fatal signal leaves "pid=<pid> signal=<n>" for the agent and
 * still dies of that signal. */
#undef NDEBUG
#include "rhs-death.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static void test_format(void)
{
  char buf[64];
  char small[8];

  g_assert_cmpuint(rhs_death_format(buf, sizeof buf, 4242, 11), ==, strlen("pid=4242 signal=11\n"));
  g_assert_cmpstr(buf, ==, "pid=4242 signal=11\n");
  g_assert_cmpuint(rhs_death_format(buf, sizeof buf, 0, 6), ==, 15);
  g_assert_cmpstr(buf, ==, "pid=0 signal=6\n");
  rhs_death_format(small, sizeof small, 4242, 11); /* cut, NUL-terminated */
  g_assert_cmpstr(small, ==, "pid=424");
}

static void test_file_name(void)
{
  g_autofree char *shared = rhs_death_file_name(NULL);
  g_autofree char *sep = rhs_death_file_name("sep-1");

  g_assert_cmpstr(shared, ==, "rhs.died");
  g_assert_cmpstr(sep, ==, "rhs-sep_2d1.died"); /* the escaping of its socket and bus name */
}

/* A child installs the handlers and segfaults: it dies of SIGSEGV, and its record says so. */
static void test_record(gconstpointer data)
{
  int sig = GPOINTER_TO_INT(data);
  g_autofree char *run = g_dir_make_tmp("rhs-death-XXXXXX", NULL);
  g_autofree char *path = g_build_filename(run, "rhs-r1.died", NULL);
  g_autofree char *text = NULL;
  int status = 0;

  g_assert_nonnull(run);
  g_setenv("CLUSRES_RUN_DIR", run, TRUE);
  pid_t pid = fork();
  g_assert_cmpint(pid, >=, 0);
  if (pid == 0) {
    if (!rhs_death_install("r1", NULL))
      _exit(3);
    raise(sig);
    _exit(4); /* not reached: the handler re-raises with the default action */
  }
  g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
  g_assert_true(WIFSIGNALED(status));
  g_assert_cmpint(WTERMSIG(status), ==, sig);
  g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
  g_autofree char *want = g_strdup_printf("pid=%d signal=%d\n", (int)pid, sig);
  g_assert_cmpstr(text, ==, want);
  g_unlink(path);
  g_rmdir(run);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/rhs-death/format", test_format);
  g_test_add_func("/rhs-death/file-name", test_file_name);
  g_test_add_data_func("/rhs-death/segv", GINT_TO_POINTER(SIGSEGV), test_record);
  g_test_add_data_func("/rhs-death/abort", GINT_TO_POINTER(SIGABRT), test_record);
  return g_test_run();
}
