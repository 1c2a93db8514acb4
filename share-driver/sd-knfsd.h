/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * knfsd backend: the kernel NFS server driven with exportfs(8).  Every export carries
 * fsid=<export id> so file handles are the same on every node.
 */
#pragma once

#include <glib.h>

#include "sd-driver.h"

G_BEGIN_DECLS

/* One line of `exportfs -v`. */
typedef struct {
  char *path;
  char *client;
  char *options; /* without the parentheses */
} SdKnfsdEntry;

void sd_knfsd_entry_free(SdKnfsdEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SdKnfsdEntry, sd_knfsd_entry_free)

/** argv (NULL-terminated) of `exportfs -o <options> <client>:<path>...` for a resolved share. */
GStrv sd_knfsd_export_argv(const SdShare *share);
/** argv of `exportfs -u <client>:<path>...`. */
GStrv sd_knfsd_unexport_argv(const SdShare *share);
/** Parses `exportfs -v` output into SdKnfsdEntry items (wrapped long lines included). */
GPtrArray *sd_knfsd_parse_exports(const char *output);
/** The fsid= option of an options string, 0 when absent or not a number. */
guint32 sd_knfsd_entry_fsid(const SdKnfsdEntry *entry);

gboolean sd_knfsd_export(const SdShare *share, guint timeout_ms, GError **error);
gboolean sd_knfsd_unexport(const SdShare *share, guint timeout_ms, GError **error);
/** `exportfs -v` as a set of "fsid\tpath" strings. */
GHashTable *sd_knfsd_list_exports(guint timeout_ms, GError **error);

G_END_DECLS
