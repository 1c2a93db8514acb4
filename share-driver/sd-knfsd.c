/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * knfsd backend.  exportfs is run without a shell (argv only) and under timeout(1) so a hung
 * kernel export cache cannot block the resource host past the driver's timeout.
 */
#include "sd-knfsd.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

void sd_knfsd_entry_free(SdKnfsdEntry *entry)
{
  if (entry == NULL)
    return;
  g_free(entry->path);
  g_free(entry->client);
  g_free(entry->options);
  g_free(entry);
}

/* exportfs writes "*" as <world>; IPv6 clients need brackets to be told from the ':' that
 * separates client and path. */
static char *client_arg(const char *client, const char *path)
{
  if (strchr(client, ':') != NULL)
    return g_strdup_printf("[%s]:%s", client, path);
  return g_strdup_printf("%s:%s", client, path);
}

static const char *squash_option(const char *squash)
{
  /* knfsd has no root_id_squash: root_squash is the closest and errs on the safe side. */
  if (g_str_equal(squash, "no_root_squash"))
    return "no_root_squash";
  if (g_str_equal(squash, "all_squash"))
    return "all_squash";
  return "root_squash";
}

static GStrv build_argv(const SdShare *share, const char *mode, const char *options)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new();
  g_auto(GStrv) clients = g_strsplit(share->clients, ",", -1);

  g_strv_builder_add(b, "exportfs");
  g_strv_builder_add(b, mode);
  if (options != NULL)
    g_strv_builder_add(b, options);
  for (guint i = 0; clients[i]; i++) {
    g_autofree char *arg = client_arg(clients[i], share->path);
    g_strv_builder_add(b, arg);
  }
  return g_strv_builder_end(b);
}

GStrv sd_knfsd_export_argv(const SdShare *share)
{
  g_autofree char *options = g_strdup_printf("%s,sync,no_subtree_check,fsid=%u,%s", share->access,
                                             share->export_id, squash_option(share->squash));
  return build_argv(share, "-o", options);
}

GStrv sd_knfsd_unexport_argv(const SdShare *share)
{
  return build_argv(share, "-u", NULL);
}

/* "client(options)" -> entry fields; FALSE when the word has no option list. */
static gboolean parse_client(const char *word, SdKnfsdEntry *entry)
{
  const char *open = strchr(word, '(');
  const char *close = strrchr(word, ')');

  if (open == NULL || close == NULL || close < open)
    return FALSE;
  g_autofree char *client = g_strndup(word, open - word);
  entry->client = g_str_equal(client, "<world>") ? g_strdup("*") : g_steal_pointer(&client);
  entry->options = g_strndup(open + 1, close - open - 1);
  return TRUE;
}

GPtrArray *sd_knfsd_parse_exports(const char *output)
{
  GPtrArray *entries = g_ptr_array_new_with_free_func((GDestroyNotify)sd_knfsd_entry_free);
  g_auto(GStrv) lines = g_strsplit(output, "\n", -1);
  g_autofree char *pending_path = NULL;

  for (guint i = 0; lines[i]; i++) {
    const char *line = lines[i];
    if (*line == '\0')
      continue;
    const char *rest;
    if (!g_ascii_isspace(*line)) {
      /* "path<spaces>client(opts)" or, when the path is long, "path" alone with the client on
       * the next, indented line.  exportfs escapes blanks in paths as \040. */
      const char *end = line;
      while (*end && !g_ascii_isspace(*end))
        end++;
      g_autofree char *raw = g_strndup(line, end - line);
      g_free(pending_path);
      pending_path = g_strcompress(raw);
      rest = end;
    } else {
      rest = line;
    }
    while (g_ascii_isspace(*rest))
      rest++;
    if (*rest == '\0' || pending_path == NULL)
      continue;
    g_autoptr(SdKnfsdEntry) entry = g_new0(SdKnfsdEntry, 1);
    g_autofree char *word = g_strchomp(g_strdup(rest));
    if (!parse_client(word, entry))
      continue;
    entry->path = g_strdup(pending_path);
    g_ptr_array_add(entries, g_steal_pointer(&entry));
  }
  return entries;
}

guint32 sd_knfsd_entry_fsid(const SdKnfsdEntry *entry)
{
  g_auto(GStrv) options = g_strsplit(entry->options ? entry->options : "", ",", -1);

  for (guint i = 0; options[i]; i++) {
    guint64 v;
    if (g_str_has_prefix(options[i], "fsid=") &&
        g_ascii_string_to_unsigned(options[i] + 5, 10, 1, G_MAXUINT32, &v, NULL))
      return (guint32)v;
  }
  return 0;
}

/* Runs argv under timeout(1); stdout is returned in *out when asked for. */
static gboolean run(GStrv argv, guint timeout_ms, char **out, GError **error)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new();
  g_autofree char *secs = g_strdup_printf("%.3f", MAX(timeout_ms, 1) / 1000.0);
  const char *exportfs = g_getenv("CLUSRES_EXPORTFS");
  g_autofree char *std_out = NULL, *std_err = NULL;
  g_autoptr(GError) local = NULL;
  int status;

  g_strv_builder_add_many(b, "timeout", "-k", "1", secs, NULL);
  g_strv_builder_add(b, exportfs && *exportfs ? exportfs : "exportfs");
  g_strv_builder_addv(b, (const char **)argv + 1);
  g_auto(GStrv) full = g_strv_builder_end(b);

  if (!g_spawn_sync(NULL, full, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &std_out, &std_err, &status,
                    &local)) {
    g_set_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_UNAVAILABLE, "cannot run exportfs: %s",
                local->message);
    return FALSE;
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    if (out != NULL)
      *out = g_steal_pointer(&std_out);
    return TRUE;
  }
  if (WIFEXITED(status) && (WEXITSTATUS(status) == 124 || WEXITSTATUS(status) == 137)) {
    g_set_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_TIMEOUT, "exportfs timed out after %u ms",
                timeout_ms);
    return FALSE;
  }
  /* timeout(1) exits 127 when exportfs is not installed: no knfsd tooling on this node. */
  g_set_error(error, SD_DRIVER_ERROR,
              WIFEXITED(status) && WEXITSTATUS(status) == 127 ? SD_DRIVER_ERROR_UNAVAILABLE
                                                              : SD_DRIVER_ERROR_FAILED,
              "exportfs failed (status %d): %s", status, g_strstrip(std_err));
  return FALSE;
}

gboolean sd_knfsd_export(const SdShare *share, guint timeout_ms, GError **error)
{
  /* exportfs -o replaces an existing entry for the same client and path, so this is
   * idempotent by itself. */
  g_auto(GStrv) argv = sd_knfsd_export_argv(share);
  return run(argv, timeout_ms, NULL, error);
}

gboolean sd_knfsd_unexport(const SdShare *share, guint timeout_ms, GError **error)
{
  g_auto(GStrv) argv = sd_knfsd_unexport_argv(share);
  return run(argv, timeout_ms, NULL, error);
}

GHashTable *sd_knfsd_list_exports(guint timeout_ms, GError **error)
{
  char *list_argv[] = {"exportfs", "-v", NULL};
  g_autofree char *out = NULL;

  if (!run(list_argv, timeout_ms, &out, error))
    return NULL;
  g_autoptr(GPtrArray) entries = sd_knfsd_parse_exports(out);
  GHashTable *keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < entries->len; i++) {
    SdKnfsdEntry *e = entries->pdata[i];
    g_hash_table_add(keys, g_strdup_printf("%u\t%s", sd_knfsd_entry_fsid(e), e->path));
  }
  return keys;
}
