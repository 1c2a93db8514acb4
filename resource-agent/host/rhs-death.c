/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "rhs-death.h"

#include "rhs-state.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
static char record_path[4096];

/* Decimal digits of @v at @p (no sign), returns the count; async-signal-safe. */
static gsize put_decimal(char *p, gsize room, unsigned long v)
{
  char tmp[24];
  gsize n = 0, i;

  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0 && n < sizeof tmp);
  for (i = 0; i < n && i < room; i++)
    p[i] = tmp[n - 1 - i];
  return i;
}

static gsize put_text(char *p, gsize room, const char *s)
{
  gsize i;

  for (i = 0; s[i] != '\0' && i < room; i++)
    p[i] = s[i];
  return i;
}

gsize rhs_death_format(char *buf, gsize size, long pid, int sig)
{
  gsize n = 0;

  if (size == 0)
    return 0;
  size--; /* the NUL */
  n += put_text(buf + n, size - n, "pid=");
  n += put_decimal(buf + n, size - n, (unsigned long)pid);
  n += put_text(buf + n, size - n, " signal=");
  n += put_decimal(buf + n, size - n, (unsigned long)sig);
  n += put_text(buf + n, size - n, "\n");
  buf[n] = '\0';
  return n;
}

static void on_fatal_signal(int sig)
{
  int saved = errno;
  char line[64];
  gsize n = rhs_death_format(line, sizeof line, (long)getpid(), sig);
  int fd = open(record_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);

  if (fd >= 0) {
    if (write(fd, line, n) < 0) {
      /* nothing more a dying process can do */
    }
    close(fd);
  }
  errno = saved;
  /* Die of the same signal (SA_RESETHAND restored the default): the exit status, the core
   * dump and dmesg stay what they would have been. */
  raise(sig);
}

char *rhs_death_file_name(const char *separate)
{
  if (separate == NULL)
    return g_strdup("rhs.died");
  g_autofree char *esc = rhs_state_escape_name(separate);
  return g_strdup_printf("rhs-%s.died", esc);
}

gboolean rhs_death_install(const char *separate, GError **error)
{
  g_autofree char *name = rhs_death_file_name(separate);
  g_autofree char *path = g_build_filename(rhs_state_run_dir(), name, NULL);
  struct sigaction sa;

  if (strlen(path) >= sizeof record_path) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NAMETOOLONG, "%s: path too long", path);
    return FALSE;
  }
  memcpy(record_path, path, strlen(path) + 1);
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_fatal_signal;
  sa.sa_flags = SA_RESETHAND | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  for (gsize i = 0; i < G_N_ELEMENTS(fatal_signals); i++) {
    if (sigaction(fatal_signals[i], &sa, NULL) != 0) {
      int e = errno;
      g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "sigaction(%d): %s",
                  fatal_signals[i], g_strerror(e));
      return FALSE;
    }
  }
  return TRUE;
}
