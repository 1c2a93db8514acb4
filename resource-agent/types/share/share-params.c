/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The share resource's parameters.  Validation is deliberately stricter than what NFS servers
 * accept: every value ends up in a Ganesha EXPORT block, a D-Bus call or an exportfs command
 * line, so only the bytes we know to be inert there are allowed.
 */
#include "share-params.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define P(field) offsetof(ShareParams, field)

const RESUTIL_PROPERTY_ITEM share_params_table[] = {
    RESUTIL_PROPITEM_SZ("share_name", P(share_name), NULL, RESUTIL_PROPITEM_REQUIRED),
    RESUTIL_PROPITEM_SZ("path", P(path), NULL, RESUTIL_PROPITEM_REQUIRED),
    RESUTIL_PROPITEM_SZ("home_node", P(home_node), NULL, RESUTIL_PROPITEM_REQUIRED),
    RESUTIL_PROPITEM_SZ("vip", P(vip), NULL, RESUTIL_PROPITEM_REQUIRED),
    RESUTIL_PROPITEM_SZ("pseudo", P(pseudo), NULL, 0),
    RESUTIL_PROPITEM_SZ("export_id", P(export_id), NULL, 0),
    RESUTIL_PROPITEM_SZ("clients", P(clients), "*", 0),
    RESUTIL_PROPITEM_SZ("access", P(access), "rw", 0),
    RESUTIL_PROPITEM_SZ("squash", P(squash), "root_squash", 0),
    RESUTIL_PROPITEM_SZ("disk", P(disk), NULL, 0),
    RESUTIL_PROPITEM_SZ("driver", P(driver), "ganesha", 0),
    RESUTIL_PROPITEM_SZ("recovery_root", P(recovery_root), NULL, 0),
    {0},
};

const CLUSRES_PROPERTY_DOC share_params_docs[] = {
    {"share_name", "Share name",
     "Name of the share, unique in the cluster ([A-Za-z0-9_.-], at most 64 bytes). The default "
     "pseudo path and export id derive from it.",
     CLUSRES_PROPDOC_UNIQUE},
    {"path", "Exported directory", "Absolute path of the directory exported (no '..').",
     CLUSRES_PROPDOC_PATH},
    {"home_node", "Home node",
     "Node that owns the share. Online on another node is a failover (takeover grace for the "
     "VIP), offline there a failback.",
     0},
    {"vip", "Virtual IP", "IPv4 or IPv6 literal clients mount the share through.", 0},
    {"pseudo", "NFSv4 pseudo path", "Pseudo path of the export (default /<share_name>).",
     CLUSRES_PROPDOC_PATH},
    {"export_id", "Export id",
     "Export id, identical on every node (2..65535; default derived from share_name).", 0},
    {"clients", "Clients", "Client specification (default *).", 0},
    {"access", "Access", "rw or ro (default rw).", 0},
    {"squash", "Squash",
     "root_squash, no_root_squash, all_squash or root_id_squash (default root_squash).", 0},
    {"disk", "Disk mount point",
     "Mount point the share depends on: it must be mounted for the share to come online, and "
     "path must be inside it.",
     CLUSRES_PROPDOC_PATH},
    {"driver", "Share driver", "ganesha (NFS-Ganesha over D-Bus) or knfsd (exportfs).", 0},
    {"recovery_root", "Ganesha recovery root on shared storage",
     "Directory on shared storage below which every node's NFS-Ganesha keeps its client "
     "recovery database: Ganesha must run with RecoveryRoot = <recovery_root>/<node name>. "
     "With it, the node that takes the share's VIP over lets the previous server's clients "
     "reclaim their state during the takeover grace. Empty: plain takeover grace. Use the same "
     "value for every share.",
     CLUSRES_PROPDOC_PATH},
    {NULL, NULL, NULL, 0},
};

void share_params_clear(ShareParams *params)
{
  ResUtilFreeParameterBlock((LPBYTE)params, NULL, share_params_table);
  memset(params, 0, sizeof(*params));
}

static gboolean fail(GError **error, const char *param, const char *why)
{
  g_set_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_INVALID, "%s %s", param, why);
  return FALSE;
}

static gboolean bytes_in(const char *s, const char *extra)
{
  for (const char *p = s; *p; p++) {
    if (!g_ascii_isalnum(*p) && strchr(extra, *p) == NULL)
      return FALSE;
  }
  return TRUE;
}

static gboolean empty(const char *s)
{
  return s == NULL || *s == '\0';
}

/* An absolute path made of inert bytes, without "." or ".." components or empty ones. */
static gboolean path_check(const char *param, const char *value, GError **error)
{
  if (empty(value))
    return fail(error, param, "is empty");
  if (strlen(value) > 1024)
    return fail(error, param, "is too long");
  if (value[0] != '/')
    return fail(error, param, "must be an absolute path");
  if (!bytes_in(value, "/_.-+@:,%"))
    return fail(error, param, "contains a forbidden character (quote, brace, space, ...)");
  g_auto(GStrv) parts = g_strsplit(value + 1, "/", -1);
  for (guint i = 0; parts[i]; i++) {
    gboolean last = parts[i + 1] == NULL;
    if (g_str_equal(parts[i], "..") || g_str_equal(parts[i], "."))
      return fail(error, param, "must not contain '.' or '..' components");
    if (*parts[i] == '\0' && !(last && i == 0))
      return fail(error, param, "must not contain empty components or a trailing '/'");
  }
  return TRUE;
}

gboolean share_params_validate(const ShareParams *params, GError **error)
{
  if (empty(params->share_name))
    return fail(error, "share_name", "is required");
  if (strlen(params->share_name) > 64 || !bytes_in(params->share_name, "_.-") ||
      params->share_name[0] == '.' || params->share_name[0] == '-')
    return fail(error, "share_name",
                "must be [A-Za-z0-9_.-], at most 64 bytes, not start with . or -");
  if (!path_check("path", params->path, error))
    return FALSE;
  if (g_str_equal(params->path, "/"))
    return fail(error, "path", "must not be /");
  if (empty(params->home_node))
    return fail(error, "home_node", "is required");
  if (strlen(params->home_node) > 253 || !bytes_in(params->home_node, "_.-") ||
      params->home_node[0] == '-')
    return fail(error, "home_node", "must be a node name ([A-Za-z0-9_.-])");
  if (empty(params->vip))
    return fail(error, "vip", "is required");
  if (!sd_vip_validate(params->vip, error))
    return FALSE;
  if (!empty(params->pseudo) && !path_check("pseudo", params->pseudo, error))
    return FALSE;
  if (!empty(params->export_id)) {
    guint64 id = 0;
    if (!g_ascii_string_to_unsigned(params->export_id, 10, 0, 65535, &id, NULL) ||
        (id != 0 && id < 2))
      return fail(error, "export_id", "must be a decimal number 2..65535");
  }
  if (!empty(params->clients) &&
      (strlen(params->clients) > 256 || !bytes_in(params->clients, "*.:/,_-")))
    return fail(error, "clients", "contains a forbidden character");
  if (!empty(params->access) && !g_str_equal(params->access, "rw") &&
      !g_str_equal(params->access, "ro"))
    return fail(error, "access", "must be rw or ro");
  if (!empty(params->disk)) {
    if (!path_check("disk", params->disk, error))
      return FALSE;
    /* The share lives on its disk: an export outside it would survive the disk's failover
     * on the wrong node. */
    if (!g_str_equal(params->disk, "/") && !(g_str_has_prefix(params->path, params->disk) &&
                                             (params->path[strlen(params->disk)] == '/' ||
                                              params->path[strlen(params->disk)] == '\0')))
      return fail(error, "path", "must be inside disk");
  }
  if (!empty(params->recovery_root) && !path_check("recovery_root", params->recovery_root, error))
    return FALSE;
  if (!empty(params->driver) && !g_str_equal(params->driver, "ganesha") &&
      !g_str_equal(params->driver, "knfsd"))
    return fail(error, "driver", "must be ganesha or knfsd");

  /* The driver's own rules (squash words, clients syntax, pseudo root, ...) on top. */
  SdShare resolved;
  g_autofree char *pseudo_buf = NULL;
  share_params_resolve(params, &resolved, &pseudo_buf);
  return sd_share_validate(&resolved, error);
}

void share_params_resolve(const ShareParams *params, SdShare *out, char **pseudo_buf)
{
  SdShare in = {
      .name = params->share_name,
      .path = params->path,
      .pseudo = empty(params->pseudo) ? NULL : params->pseudo,
      .clients = empty(params->clients) ? NULL : params->clients,
      .access = empty(params->access) ? NULL : params->access,
      .squash = empty(params->squash) ? NULL : params->squash,
      .vip = params->vip,
      .export_id = 0,
  };
  guint64 id = 0;
  if (!empty(params->export_id) &&
      g_ascii_string_to_unsigned(params->export_id, 10, 0, 65535, &id, NULL))
    in.export_id = (guint32)id;
  sd_share_resolve(&in, out, pseudo_buf);
}

const char *share_params_backend(const ShareParams *params)
{
  const char *env = g_getenv("CLUSRES_SHARE_DRIVER");
  if (!empty(env))
    return env;
  return empty(params->driver) ? "ganesha" : params->driver;
}

/* Undoes mountinfo's octal escapes (\040 for a space, ...). */
static char *unescape_mount_point(const char *s)
{
  GString *out = g_string_new(NULL);
  for (const char *p = s; *p; p++) {
    if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' && p[3] >= '0' &&
        p[3] <= '7') {
      g_string_append_c(out, (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0')));
      p += 3;
    } else {
      g_string_append_c(out, *p);
    }
  }
  return g_string_free(out, FALSE);
}

gboolean share_params_mounted(const char *mountinfo, const char *mount_point)
{
  g_autofree char *contents = NULL;
  if (!g_file_get_contents(mountinfo ? mountinfo : "/proc/self/mountinfo", &contents, NULL, NULL))
    return FALSE;
  g_auto(GStrv) lines = g_strsplit(contents, "\n", -1);
  for (guint i = 0; lines[i]; i++) {
    /* "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw": field 5 is the mount
     * point. */
    g_auto(GStrv) fields = g_strsplit(lines[i], " ", 6);
    if (g_strv_length(fields) < 5)
      continue;
    g_autofree char *mp = unescape_mount_point(fields[4]);
    if (g_str_equal(mp, mount_point))
      return TRUE;
  }
  return FALSE;
}
