/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "clusres-dllfile.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

G_DEFINE_QUARK(clusres - dllfile - error - quark, clusres_dllfile_error)

#define RULE                                                                                       \
  "a resource DLL and every directory above it must be owned by root and writable by root only"

/* One file or directory of the resolved path: lstat, since nothing on it may be a link now. */
static gboolean check_one(const char *dll, const char *path, gboolean is_dir, gboolean allow_sticky,
                          GError **error)
{
  struct stat st;
  uid_t me = geteuid();

  if (lstat(path, &st) != 0) {
    int err = errno;
    g_set_error(error, CLUSRES_DLLFILE_ERROR, CLUSRES_DLLFILE_ERROR_MISSING,
                "resource DLL %s: %s: %s", dll, path, g_strerror(err));
    return FALSE;
  }
  if (is_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
    g_set_error(error, CLUSRES_DLLFILE_ERROR,
                is_dir ? CLUSRES_DLLFILE_ERROR_UNSAFE : CLUSRES_DLLFILE_ERROR_MISSING,
                "resource DLL %s: %s is not a %s", dll, path,
                is_dir ? "directory" : "regular file");
    return FALSE;
  }
  if (st.st_uid != 0 && st.st_uid != me) {
    g_set_error(error, CLUSRES_DLLFILE_ERROR, CLUSRES_DLLFILE_ERROR_UNSAFE,
                "refusing to load resource DLL %s: %s is owned by uid %u, not root (%s)", dll, path,
                (guint)st.st_uid, RULE);
    return FALSE;
  }
  /* Above the DLL's own directory, a root-owned sticky directory (/tmp, where a checkout may
   * live) may be writable by anyone: there only an entry's owner can remove or rename it, so the
   * root-owned, root-only directory below it (checked in turn) cannot be swapped. */
  gboolean sticky_root_dir =
      allow_sticky && is_dir && st.st_uid == 0 && (st.st_mode & S_ISVTX) != 0;
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && !sticky_root_dir) {
    g_set_error(error, CLUSRES_DLLFILE_ERROR, CLUSRES_DLLFILE_ERROR_UNSAFE,
                "refusing to load resource DLL %s: %s is writable by %s (mode %04o; %s)", dll, path,
                (st.st_mode & S_IWOTH) != 0 ? "others" : "its group", (guint)(st.st_mode & 07777),
                RULE);
    return FALSE;
  }
  return TRUE;
}

char *clusres_dllfile_check(const char *path, GError **error)
{
  char *real = realpath(path, NULL);

  if (real == NULL) {
    int err = errno;
    g_set_error(error, CLUSRES_DLLFILE_ERROR, CLUSRES_DLLFILE_ERROR_MISSING, "resource DLL %s: %s",
                path, g_strerror(err));
    return NULL;
  }
  g_autofree char *resolved = g_strdup(real);
  free(real);
  if (!check_one(path, resolved, FALSE, FALSE, error))
    return NULL;
  /* Every directory up to and including "/": realpath gave an absolute, clean path. */
  g_autofree char *dir = g_path_get_dirname(resolved);
  for (gboolean own_dir = TRUE;; own_dir = FALSE) {
    if (!check_one(path, dir, TRUE, !own_dir, error))
      return NULL;
    if (strcmp(dir, "/") == 0)
      break;
    char *up = g_path_get_dirname(dir);
    g_free(dir);
    dir = up;
  }
  return g_steal_pointer(&resolved);
}

void *clusres_dllfile_open(const char *path, GError **error)
{
  g_autofree char *resolved = clusres_dllfile_check(path, error);

  if (resolved == NULL)
    return NULL;
  void *handle = dlopen(resolved, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL)
    g_set_error(error, CLUSRES_DLLFILE_ERROR, CLUSRES_DLLFILE_ERROR_LOAD,
                "cannot load resource DLL %s: %s", path, dlerror());
  return handle;
}
