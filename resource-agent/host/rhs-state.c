/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "rhs-state.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <string.h>

#include "clusres-config.h"

void rhs_state_record_free(RhsStateRecord *rec)
{
  if (rec == NULL)
    return;
  g_free(rec->name);
  g_free(rec->type);
  g_free(rec->dll);
  g_free(rec->state);
  g_clear_pointer(&rec->params, g_hash_table_unref);
  g_clear_pointer(&rec->meta, g_hash_table_unref);
  g_free(rec);
}

const char *rhs_state_run_dir(void)
{
  const char *dir = g_getenv("CLUSRES_RUN_DIR");
  return dir != NULL && *dir != '\0' ? dir : CLUSRES_RUN_DIR;
}

char *rhs_state_escape_name(const char *name)
{
  GString *s = g_string_new(NULL);
  for (const char *p = name; *p != '\0'; p++) {
    guchar c = (guchar)*p;
    gboolean keep = g_ascii_isalnum(c) || c == '_';
    if (p == name && g_ascii_isdigit(c))
      keep = FALSE;
    if (keep)
      g_string_append_c(s, (char)c);
    else
      g_string_append_printf(s, "_%02x", c);
  }
  return g_string_free(s, FALSE);
}

gboolean rhs_state_name_fits(const char *name, gsize *escaped_len)
{
  gsize len = 0;
  for (const char *p = name; *p != '\0'; p++) {
    gboolean keep = g_ascii_isalnum(*p) || *p == '_';
    len += keep && !(p == name && g_ascii_isdigit(*p)) ? 1 : 3;
  }
  if (escaped_len != NULL)
    *escaped_len = len;
  return len <= RHS_STATE_MAX_ESCAPED;
}

char *rhs_state_dir(const char *separate)
{
  if (separate == NULL)
    return g_build_filename(rhs_state_run_dir(), "instances", NULL);
  g_autofree char *esc = rhs_state_escape_name(separate);
  g_autofree char *leaf = g_strconcat("instances-", esc, NULL);
  return g_build_filename(rhs_state_run_dir(), leaf, NULL);
}

int rhs_state_lock(const char *separate, guint wait_ms, GError **error)
{
  const char *dir = rhs_state_run_dir();
  if (g_mkdir_with_parents(dir, 0755) != 0) {
    int err = errno;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err), "cannot create %s: %s", dir,
                g_strerror(err));
    return -1;
  }
  g_autofree char *esc = separate != NULL ? rhs_state_escape_name(separate) : NULL;
  g_autofree char *leaf = esc != NULL ? g_strdup_printf("rhs-%s.lock", esc) : g_strdup("rhs.lock");
  g_autofree char *path = g_build_filename(dir, leaf, NULL);
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    int err = errno;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err), "cannot open %s: %s", path,
                g_strerror(err));
    return -1;
  }
  /* Polled rather than a blocking flock: the wait is bounded without signals or threads, and
   * a 10 ms step costs nothing next to a host's shutdown. */
  gint64 deadline = g_get_monotonic_time() + (gint64)wait_ms * 1000;
  while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    if (err == EWOULDBLOCK && g_get_monotonic_time() < deadline) {
      g_usleep(10000);
      continue;
    }
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err),
                "%s is locked: another clusres-rhs serves %s (waited %u ms)", path,
                separate != NULL ? separate : "this node", wait_ms);
    close(fd);
    return -1;
  }
  return fd;
}

static char *record_path(const char *dir, const char *name)
{
  g_autofree char *esc = rhs_state_escape_name(name);
  g_autofree char *leaf = g_strconcat(esc, ".conf", NULL);
  return g_build_filename(dir, leaf, NULL);
}

static void put_table(GKeyFile *kf, const char *group, GHashTable *table)
{
  if (table == NULL)
    return;
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init(&it, table);
  while (g_hash_table_iter_next(&it, &k, &v))
    g_key_file_set_string(kf, group, k, v);
}

gboolean rhs_state_save(const char *dir, const RhsStateRecord *rec, GError **error)
{
  gsize esc_len;
  if (!rhs_state_name_fits(rec->name, &esc_len)) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NAMETOOLONG,
                "the name escapes to %" G_GSIZE_FORMAT " bytes, more than the %d of a file name",
                esc_len, RHS_STATE_MAX_ESCAPED);
    return FALSE;
  }
  if (g_mkdir_with_parents(dir, 0700) != 0) {
    int err = errno;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err), "cannot create %s: %s", dir,
                g_strerror(err));
    return FALSE;
  }
  g_autoptr(GKeyFile) kf = g_key_file_new();
  g_key_file_set_string(kf, "instance", "name", rec->name);
  g_key_file_set_string(kf, "instance", "type", rec->type);
  g_key_file_set_string(kf, "instance", "dll", rec->dll);
  g_key_file_set_string(kf, "instance", "state", rec->state);
  put_table(kf, "params", rec->params);
  put_table(kf, "meta", rec->meta);
  gsize len;
  g_autofree char *data = g_key_file_to_data(kf, &len, NULL);
  g_autofree char *path = record_path(dir, rec->name);
  /* CONSISTENT = write a temporary file and rename it: a reader never sees half a record. */
  return g_file_set_contents_full(path, data, (gssize)len, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                                  error);
}

gboolean rhs_state_remove(const char *dir, const char *name, GError **error)
{
  g_autofree char *path = record_path(dir, name);
  if (g_unlink(path) != 0 && errno != ENOENT) {
    int err = errno;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err), "cannot remove %s: %s", path,
                g_strerror(err));
    return FALSE;
  }
  return TRUE;
}

static GHashTable *get_table(GKeyFile *kf, const char *group)
{
  GHashTable *t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
  for (gsize i = 0; keys != NULL && keys[i] != NULL; i++) {
    char *v = g_key_file_get_string(kf, group, keys[i], NULL);
    if (v != NULL)
      g_hash_table_insert(t, g_strdup(keys[i]), v);
  }
  return t;
}

GPtrArray *rhs_state_load_all(const char *dir)
{
  GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)rhs_state_record_free);
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  if (d == NULL)
    return out;
  const char *leaf;
  while ((leaf = g_dir_read_name(d)) != NULL) {
    if (!g_str_has_suffix(leaf, ".conf"))
      continue; /* includes the temporary files of an interrupted save */
    g_autofree char *path = g_build_filename(dir, leaf, NULL);
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) error = NULL;
    if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &error)) {
      g_warning("ignoring state file %s: %s", path, error->message);
      continue;
    }
    g_autoptr(RhsStateRecord) rec = g_new0(RhsStateRecord, 1);
    rec->name = g_key_file_get_string(kf, "instance", "name", NULL);
    rec->type = g_key_file_get_string(kf, "instance", "type", NULL);
    rec->dll = g_key_file_get_string(kf, "instance", "dll", NULL);
    rec->state = g_key_file_get_string(kf, "instance", "state", NULL);
    if (rec->name == NULL || rec->type == NULL || rec->dll == NULL || rec->state == NULL) {
      g_warning("ignoring incomplete state file %s", path);
      continue;
    }
    rec->params = get_table(kf, "params");
    rec->meta = get_table(kf, "meta");
    g_ptr_array_add(out, g_steal_pointer(&rec));
  }
  return out;
}
