/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * genapp-proc's held start: the child exists (pid, start time) but runs nothing until it is
 * released; closing the gate instead (what the death of the host does) or discarding it ends
 * the child without the program ever running.
 */
#include "genapp-proc.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static char *tmpdir;

/* Holds "/bin/sh -c 'echo ran > MARK'"; *mark: the file the program would create. */
static void hold_marker(const char *leaf, GenappProcHeld *held, GenappProcId *id, char **mark)
{
  *mark = g_build_filename(tmpdir, leaf, NULL);
  g_autofree char *script = g_strdup_printf("echo ran > %s", *mark);
  char *argv[] = {"/bin/sh", "-c", script, NULL};
  char *envp[] = {"PATH=/usr/bin:/bin", NULL};
  g_assert_cmpint(genapp_proc_spawn_held("/bin/sh", argv, envp, "/", NULL, held, id), ==, 0);
  g_assert_cmpint(id->pid, ==, held->pid);
  g_assert_cmpuint(id->start_time, >, 0);
}

static int wait_exit(pid_t pid)
{
  int status = 0;
  g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
  g_assert_true(WIFEXITED(status));
  return WEXITSTATUS(status);
}

static void test_release(void)
{
  GenappProcHeld held;
  GenappProcId id;
  g_autofree char *mark = NULL;
  hold_marker("released", &held, &id, &mark);
  /* Held: alive, in its own session, and the program has not run. */
  g_assert_true(genapp_proc_alive(&id));
  pid_t sid = 0;
  for (int i = 0; i < 500 && sid != id.pid; i++) {
    g_assert_true(genapp_proc_read_stat(id.pid, NULL, NULL, &sid, NULL));
    if (sid != id.pid)
      g_usleep(10000);
  }
  g_assert_cmpint(sid, ==, id.pid);
  g_usleep(100000);
  g_assert_false(g_file_test(mark, G_FILE_TEST_EXISTS));
  g_assert_cmpint(genapp_proc_release(&held), ==, 0);
  g_assert_cmpint(wait_exit(id.pid), ==, 0);
  g_assert_true(g_file_test(mark, G_FILE_TEST_EXISTS));
  g_unlink(mark);
}

static void test_gate_closed(void)
{
  GenappProcHeld held;
  GenappProcId id;
  g_autofree char *mark = NULL;
  hold_marker("orphaned", &held, &id, &mark);
  /* The host dies before recording it: its end of the gate closes with it. */
  close(held.gate);
  close(held.err);
  g_assert_cmpint(wait_exit(id.pid), ==, 127);
  g_assert_false(g_file_test(mark, G_FILE_TEST_EXISTS));
}

static void test_discard(void)
{
  GenappProcHeld held;
  GenappProcId id;
  g_autofree char *mark = NULL;
  hold_marker("discarded", &held, &id, &mark);
  genapp_proc_discard(&held);
  g_assert_false(genapp_proc_alive(&id));
  g_assert_cmpint(waitpid(id.pid, NULL, WNOHANG), ==, -1); /* reaped already */
  g_assert_false(g_file_test(mark, G_FILE_TEST_EXISTS));
}

static void test_exec_error(void)
{
  GenappProcHeld held;
  GenappProcId id;
  char *argv[] = {"/nonexistent/program", NULL};
  char *envp[] = {NULL};
  g_assert_cmpint(genapp_proc_spawn_held("/nonexistent/program", argv, envp, "/", NULL, &held, &id),
                  ==, 0);
  g_assert_cmpint(genapp_proc_release(&held), ==, ENOENT); /* and reaped */
  g_assert_cmpint(waitpid(id.pid, NULL, WNOHANG), ==, -1);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp("test-genapp-proc-XXXXXX", NULL);
  g_assert_nonnull(tmpdir);
  g_test_add_func("/genapp-proc/held/release", test_release);
  g_test_add_func("/genapp-proc/held/gate-closed", test_gate_closed);
  g_test_add_func("/genapp-proc/held/discard", test_discard);
  g_test_add_func("/genapp-proc/held/exec-error", test_exec_error);
  int rc = g_test_run();
  g_rmdir(tmpdir);
  g_free(tmpdir);
  return rc;
}
