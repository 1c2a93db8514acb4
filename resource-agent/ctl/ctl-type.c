/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ctl-type.h"

#include "clusres-config.h"
#include "clusres-dllload.h"
#include "clusres-input.h"

#include <gio/gio.h>

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *env_or(const char *var, const char *fallback)
{
  const char *v = g_getenv(var);
  return g_strdup(v != NULL && *v != '\0' ? v : fallback);
}

void ctl_type_paths_default(CtlTypePaths *paths)
{
  paths->types_dir = env_or("CLUSRES_TYPES_DIR", CLUSRES_TYPES_DIR);
  paths->provider_dir =
      env_or("CLUSRES_OCF_PROVIDER_DIR", CLUSRES_OCF_DIR "/" CLUSRES_OCF_PROVIDER);
  paths->agent = env_or("CLUSRES_OCF_AGENT", CLUSRES_LIBEXEC_DIR "/clusres-ocf");
}

void ctl_type_paths_clear(CtlTypePaths *paths)
{
  g_clear_pointer(&paths->types_dir, g_free);
  g_clear_pointer(&paths->provider_dir, g_free);
  g_clear_pointer(&paths->agent, g_free);
}

static gboolean check_type_name(const char *name, GError **error)
{
  if (!clusres_input_check_name("type name", name, error))
    return FALSE;
  /* resdll is the generic agent (dll= and type=); a leading dot would hide the files. */
  if (strcmp(name, "resdll") == 0 || name[0] == '.') {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "type name \"%s\" is reserved",
                name);
    return FALSE;
  }
  return TRUE;
}

static gboolean copy_fd(int from, int to, const char *what, GError **error)
{
  char buf[65536];
  ssize_t n;

  while ((n = read(from, buf, sizeof buf)) != 0) {
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 || write(to, buf, (size_t)n) != n) {
      int e = errno;
      g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e), "copying %s: %s", what,
                  g_strerror(e));
      return FALSE;
    }
  }
  return TRUE;
}

/* The new DLL beside its final name, complete and on disk before anyone can see it. */
static char *write_temp_copy(const char *types_dir, const char *name, const char *dll,
                             GError **error)
{
  g_autofree char *tmpl = g_strdup_printf("%s/.%s.so.XXXXXX", types_dir, name);
  int in = open(dll, O_RDONLY | O_CLOEXEC);
  if (in < 0) {
    int e = errno;
    g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e), "%s: %s", dll, g_strerror(e));
    return NULL;
  }
  int out = g_mkstemp_full(tmpl, O_WRONLY | O_CLOEXEC, 0600);
  if (out < 0) {
    int e = errno;
    close(in);
    g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e), "%s: %s", types_dir, g_strerror(e));
    return NULL;
  }
  gboolean ok = copy_fd(in, out, dll, error);
  /* Root's alone, readable by all: the loaders' file rules (clusres-dllfile). */
  if (ok &&
      ((geteuid() == 0 && fchown(out, 0, 0) != 0) || fchmod(out, 0644) != 0 || fsync(out) != 0)) {
    int e = errno;
    g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e), "%s: %s", tmpl, g_strerror(e));
    ok = FALSE;
  }
  close(in);
  if (close(out) != 0 && ok) {
    int e = errno;
    g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e), "%s: %s", tmpl, g_strerror(e));
    ok = FALSE;
  }
  if (!ok) {
    g_unlink(tmpl);
    return NULL;
  }
  return g_steal_pointer(&tmpl);
}

static DWORD WINAPI check_set_status(RESOURCE_HANDLE h, PRESOURCE_STATUS s)
{
  (void)h;
  (void)s;
  return ResourceExitStateContinue;
}

static VOID WINAPI check_log_event(RESOURCE_HANDLE h, LOG_LEVEL level, LPCSTR format, ...)
{
  (void)h;
  (void)level;
  (void)format; /* Startup of a type has nothing to say to the admin here */
}

/* The loaders' checks, in this process: the file rules, Startup for @name, table, type info.
 * The DLL stays mapped until clusresctl exits (a DLL may have started threads). */
static gboolean check_loads(const char *path, const char *name, GError **error)
{
  void *handle = NULL;
  const CLUSRES_TYPE_INFO *info = NULL;
  PSTARTUP_ROUTINE startup = clusres_dllload_open(path, &handle, error);
  if (startup == NULL)
    return FALSE;
  const CLRES_V1_FUNCTIONS *fn =
      clusres_dllload_startup(startup, name, path, check_set_status, check_log_event, error);
  return fn != NULL && clusres_dllload_type_info(fn, name, &info, error);
}

/* <provider_dir>/<name> -> agent, replacing a link (never a file) in one rename. */
static gboolean make_link(const CtlTypePaths *paths, const char *name, GError **error)
{
  g_autofree char *link = g_build_filename(paths->provider_dir, name, NULL);
  g_autofree char *tmp = g_strdup_printf("%s/.%s.link.%d", paths->provider_dir, name, getpid());
  GStatBuf st;

  if (g_lstat(link, &st) == 0 && !S_ISLNK(st.st_mode)) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                "%s exists and is not a link to the clusres agent: not replaced", link);
    return FALSE;
  }
  if (g_mkdir_with_parents(paths->provider_dir, 0755) != 0) {
    int e = errno;
    g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e), "%s: %s", paths->provider_dir,
                g_strerror(e));
    return FALSE;
  }
  g_unlink(tmp);
  if (symlink(paths->agent, tmp) != 0 || rename(tmp, link) != 0) {
    int e = errno;
    g_unlink(tmp);
    g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e), "%s: %s", link, g_strerror(e));
    return FALSE;
  }
  return TRUE;
}

gboolean ctl_type_add(const CtlTypePaths *paths, const char *name, const char *dll, GString *report,
                      GError **error)
{
  g_autofree char *final = NULL;

  if (!check_type_name(name, error))
    return FALSE;
  if (g_mkdir_with_parents(paths->types_dir, 0755) != 0) {
    int e = errno;
    g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e), "%s: %s", paths->types_dir,
                g_strerror(e));
    return FALSE;
  }
  g_autofree char *tmp = write_temp_copy(paths->types_dir, name, dll, error);
  if (tmp == NULL)
    return FALSE;
  if (!check_loads(tmp, name, error)) {
    g_unlink(tmp);
    g_prefix_error(error, "%s is not installed: ", dll);
    return FALSE;
  }
  final = g_strdup_printf("%s/%s.so", paths->types_dir, name);
  if (rename(tmp, final) != 0) {
    int e = errno;
    g_unlink(tmp);
    g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e), "%s: %s", final, g_strerror(e));
    return FALSE;
  }
  if (report != NULL)
    g_string_append_printf(report, "installed %s (loads, Startup answers %s)\n", final, name);
  if (!make_link(paths, name, error))
    return FALSE;
  if (report != NULL)
    g_string_append_printf(report, "linked %s/%s -> %s: Pacemaker knows ocf:%s:%s\n",
                           paths->provider_dir, name, paths->agent, CLUSRES_OCF_PROVIDER, name);
  return TRUE;
}

gboolean ctl_type_remove(const CtlTypePaths *paths, const char *name, GString *report,
                         GError **error)
{
  g_autofree char *link = g_build_filename(paths->provider_dir, name, NULL);
  g_autofree char *so = g_strdup_printf("%s/%s.so", paths->types_dir, name);
  GStatBuf st;
  gboolean any = FALSE;

  if (!check_type_name(name, error))
    return FALSE;
  if (g_lstat(link, &st) == 0) {
    if (!S_ISLNK(st.st_mode)) {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_EXISTS, "%s is not a link: not removed", link);
      return FALSE;
    }
    if (g_unlink(link) != 0) {
      int e = errno;
      g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e), "%s: %s", link, g_strerror(e));
      return FALSE;
    }
    any = TRUE;
    if (report != NULL)
      g_string_append_printf(report, "removed %s\n", link);
  }
  if (g_unlink(so) == 0) {
    any = TRUE;
    if (report != NULL)
      g_string_append_printf(report, "removed %s\n", so);
  } else if (errno != ENOENT) {
    int e = errno;
    g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e), "%s: %s", so, g_strerror(e));
    return FALSE;
  }
  if (!any) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no type %s on this node (%s, %s)", name,
                link, so);
    return FALSE;
  }
  return TRUE;
}

char ***ctl_type_all_nodes_argv(const char *crm, const char *self, const char *name,
                                const char *dll)
{
  GPtrArray *argvs = g_ptr_array_new();
  g_autofree char *qself = g_shell_quote(self);
  g_autofree char *qname = g_shell_quote(name);

  if (dll != NULL) {
    /* crmsh copies to the same path on every other node, then runs on every node. */
    g_autofree char *qdll = g_shell_quote(dll);
    char *copy[] = {(char *)crm, (char *)"cluster", (char *)"copy", (char *)dll, NULL};
    g_autofree char *cmd = g_strdup_printf("%s type add %s %s", qself, qname, qdll);
    char *run[] = {(char *)crm, (char *)"cluster", (char *)"run", cmd, NULL};
    g_ptr_array_add(argvs, g_strdupv(copy));
    g_ptr_array_add(argvs, g_strdupv(run));
  } else {
    g_autofree char *cmd = g_strdup_printf("%s type remove %s", qself, qname);
    char *run[] = {(char *)crm, (char *)"cluster", (char *)"run", cmd, NULL};
    g_ptr_array_add(argvs, g_strdupv(run));
  }
  g_ptr_array_add(argvs, NULL);
  return (char ***)g_ptr_array_free(argvs, FALSE);
}

void ctl_type_argvs_free(char ***argvs)
{
  for (gsize i = 0; argvs != NULL && argvs[i] != NULL; i++)
    g_strfreev(argvs[i]);
  g_free(argvs);
}
