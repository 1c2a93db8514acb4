/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The share set's parameters.  A member is exactly the share a `share` primitive of the same
 * name would be (pseudo /NAME, export id from NAME), so moving a share between a primitive and
 * a set keeps its clients' file handles, and it is checked by the same rules.
 */
#include "shareset-params.h"

#include <stddef.h>
#include <string.h>

#include "sd-driver.h"

#define P(field) offsetof(ShareSetParams, field)

const RESUTIL_PROPERTY_ITEM shareset_params_table[] = {
    RESUTIL_PROPITEM_SZ("shares", P(shares), NULL, RESUTIL_PROPITEM_REQUIRED),
    RESUTIL_PROPITEM_SZ("home_node", P(home_node), NULL, RESUTIL_PROPITEM_REQUIRED),
    RESUTIL_PROPITEM_SZ("vip", P(vip), NULL, RESUTIL_PROPITEM_REQUIRED),
    RESUTIL_PROPITEM_SZ("clients", P(clients), "*", 0),
    RESUTIL_PROPITEM_SZ("access", P(access), "rw", 0),
    RESUTIL_PROPITEM_SZ("squash", P(squash), "root_squash", 0),
    RESUTIL_PROPITEM_SZ("disk", P(disk), NULL, 0),
    RESUTIL_PROPITEM_SZ("driver", P(driver), "ganesha", 0),
    RESUTIL_PROPITEM_SZ("recovery_root", P(recovery_root), NULL, 0),
    {0},
};

const CLUSRES_PROPERTY_DOC shareset_params_docs[] = {
    {"shares", "Member shares",
     "The shares of the set, separated by blanks or newlines: NAME=PATH each (NAME as a "
     "share's share_name, unique in the cluster; PATH an absolute directory). Each member is "
     "exported with pseudo path /NAME and the export id derived from NAME, exactly as a share "
     "primitive of that name. Reloadable: reload-agent enables the added members and disables "
     "the removed ones (and a member whose PATH changed) without touching the others.",
     CLUSRES_PROPDOC_RELOADABLE},
    {"home_node", "Home node",
     "Node that owns the set's shares. Online on another node is a failover (takeover grace "
     "for the VIP), offline there a failback.",
     0},
    {"vip", "Virtual IP", "IPv4 or IPv6 literal clients mount every member through.", 0},
    {"clients", "Clients", "Client specification of every member (default *).", 0},
    {"access", "Access", "rw or ro for every member (default rw).", 0},
    {"squash", "Squash",
     "root_squash, no_root_squash, all_squash or root_id_squash for every member (default "
     "root_squash).",
     0},
    {"disk", "Disk mount point",
     "Mount point the set depends on: it must be mounted for the set to come online, and "
     "every member's path must be inside it.",
     CLUSRES_PROPDOC_PATH},
    {"driver", "Share driver", "ganesha (NFS-Ganesha over D-Bus) or knfsd (exportfs).", 0},
    {"recovery_root", "Ganesha recovery root on shared storage",
     "As for ocf:clusres:share: the directory on shared storage below which every node's "
     "NFS-Ganesha keeps its RecoveryRoot as <recovery_root>/<node name>. Use the same value "
     "for every share and set.",
     CLUSRES_PROPDOC_PATH},
    {NULL, NULL, NULL, 0},
};

void shareset_params_clear(ShareSetParams *params)
{
  ResUtilFreeParameterBlock((LPBYTE)params, NULL, shareset_params_table);
  memset(params, 0, sizeof(*params));
}

static void entry_free(gpointer p)
{
  ShareSetEntry *e = p;
  g_free(e->name);
  g_free(e->path);
  g_free(e);
}

void shareset_params_member(const ShareSetParams *params, const ShareSetEntry *entry,
                            ShareParams *out)
{
  memset(out, 0, sizeof(*out));
  out->share_name = entry->name;
  out->path = entry->path;
  out->home_node = params->home_node;
  out->vip = params->vip;
  out->clients = params->clients;
  out->access = params->access;
  out->squash = params->squash;
  out->disk = params->disk;
  out->driver = params->driver;
  out->recovery_root = params->recovery_root;
}

static gboolean entry_fail(GError **error, guint n, const char *text, const char *why)
{
  g_set_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_INVALID, "shares entry %u (%s): %s", n, text,
              why);
  return FALSE;
}

gboolean shareset_params_validate(const ShareSetParams *params, GPtrArray **entries, GError **error)
{
  if (params->shares == NULL || *params->shares == '\0')
    return entry_fail(error, 0, "", "shares is required: NAME=PATH entries");
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(entry_free);
  g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);
  g_autoptr(GHashTable) ids = g_hash_table_new(g_direct_hash, g_direct_equal);
  /* The set-wide values first, on a stand-in member, so that their errors name them alone. */
  ShareSetEntry probe = {
      .name = (char *)"set",
      .path = (char *)(params->disk && *params->disk && !g_str_equal(params->disk, "/")
                           ? params->disk
                           : "/clusres-set"),
  };
  ShareParams view;
  shareset_params_member(params, &probe, &view);
  if (!share_params_validate(&view, error))
    return FALSE;
  g_auto(GStrv) words = g_strsplit_set(params->shares, " \t\r\n", -1);
  guint n = 0;
  for (guint i = 0; words[i]; i++) {
    const char *w = words[i];
    if (*w == '\0')
      continue;
    n++;
    const char *eq = strchr(w, '=');
    if (eq == NULL || eq == w || eq[1] == '\0')
      return entry_fail(error, n, w, "must be NAME=PATH");
    ShareSetEntry *e = g_new0(ShareSetEntry, 1);
    e->name = g_strndup(w, (gsize)(eq - w));
    e->path = g_strdup(eq + 1);
    g_ptr_array_add(list, e);
    /* The member as a share primitive of that name: share_name, path and every set-wide value
     * checked by share's rules (the messages name share's parameter: share_name, path). */
    shareset_params_member(params, e, &view);
    g_autoptr(GError) local = NULL;
    if (!share_params_validate(&view, &local))
      return entry_fail(error, n, w, local->message);
    if (g_hash_table_contains(names, e->name))
      return entry_fail(error, n, w, "the name is listed twice");
    g_hash_table_add(names, e->name);
    guint32 id = sd_share_default_export_id(e->name);
    const char *other = g_hash_table_lookup(ids, GUINT_TO_POINTER(id));
    if (other != NULL) {
      g_autofree char *why = g_strdup_printf(
          "its export id %u (derived from the name) is also %s's: rename one", id, other);
      return entry_fail(error, n, w, why);
    }
    g_hash_table_insert(ids, GUINT_TO_POINTER(id), e->name);
  }
  if (n == 0)
    return entry_fail(error, 0, "", "shares is required: NAME=PATH entries");
  if (entries)
    *entries = g_steal_pointer(&list);
  return TRUE;
}
