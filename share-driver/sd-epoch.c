/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sd-epoch.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "sd-driver.h"

static gboolean fail_errno(GError **error, int err, const char *what, const char *path)
{
  g_set_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_FAILED, "epoch: cannot %s %s: %s", what, path,
              g_strerror(err));
  return FALSE;
}

/* Reads the last epoch handed out (0 when there is no counter yet). */
static gboolean read_last(const char *file, guint64 *last, GError **error)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) local = NULL;
  *last = 0;
  if (!g_file_get_contents(file, &text, NULL, &local)) {
    if (g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
      return TRUE;
    g_set_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_FAILED, "epoch: %s", local->message);
    return FALSE;
  }
  g_strstrip(text);
  if (!g_ascii_string_to_unsigned(text, 10, 1, G_MAXUINT32, last, NULL)) {
    g_set_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_INVALID,
                "epoch: %s does not hold an epoch (1..%u): '%s'; repair or remove it", file,
                G_MAXUINT32, text);
    return FALSE;
  }
  return TRUE;
}

static gboolean write_durably(const char *dir, const char *file, guint64 value, GError **error)
{
  g_autofree char *tmp = g_strdup_printf("%s.tmp-%d", file, (int)getpid());
  g_autofree char *text = g_strdup_printf("%" G_GUINT64_FORMAT "\n", value);
  int fd = g_open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return fail_errno(error, errno, "create", tmp);
  gsize len = strlen(text);
  gboolean ok = write(fd, text, len) == (gssize)len && fsync(fd) == 0;
  int err = errno;
  if (close(fd) != 0 && ok) {
    ok = FALSE;
    err = errno;
  }
  if (!ok || g_rename(tmp, file) != 0) {
    err = ok ? errno : err;
    (void)g_unlink(tmp);
    return fail_errno(error, err, "write", file);
  }
  /* The rename itself must survive a crash, or a restart could hand out the old value. */
  int dfd = g_open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (dfd < 0)
    return fail_errno(error, errno, "open", dir);
  ok = fsync(dfd) == 0;
  err = errno;
  close(dfd);
  return ok || fail_errno(error, err, "sync", dir);
}

gboolean sd_epoch_next(const char *dir, guint64 now, guint32 *epoch, GError **error)
{
  if (g_mkdir_with_parents(dir, 0755) != 0)
    return fail_errno(error, errno, "create", dir);
  g_autofree char *lock_path = g_build_filename(dir, SD_EPOCH_LOCK, NULL);
  g_autofree char *file = g_build_filename(dir, SD_EPOCH_FILE, NULL);
  int lfd = g_open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lfd < 0)
    return fail_errno(error, errno, "open", lock_path);
  /* Held until close: another node's allocation waits here (flock is cluster-wide on the
   * cluster file systems shared storage uses). */
  if (flock(lfd, LOCK_EX) != 0) {
    int err = errno;
    close(lfd);
    return fail_errno(error, err, "lock", lock_path);
  }
  guint64 last = 0;
  gboolean ok = read_last(file, &last, error);
  guint64 next = MAX(now, last + 1);
  if (ok && next > G_MAXUINT32) {
    g_set_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_FAILED,
                "epoch: the counter in %s is exhausted (%" G_GUINT64_FORMAT ")", file, last);
    ok = FALSE;
  }
  ok = ok && write_durably(dir, file, next, error);
  close(lfd);
  if (ok)
    *epoch = (guint32)next;
  return ok;
}
