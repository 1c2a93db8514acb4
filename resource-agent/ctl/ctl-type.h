/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ctl-type: `clusresctl type add|remove`, WSFC's "add resource type" for one node: the DLL
 * into the types folder and the agent link resource.d/clusres/<type> -> clusres-ocf, after
 * which Pacemaker knows ocf:clusres:<type> (meta-data from the DLL, reload-agent included).
 * `--all-nodes` runs the same on every node through crmsh (ctl_type_all_nodes_argv).
 */
#pragma once

#include <glib.h>

/* Where a type goes; ctl_type_paths_default() fills it from the environment and the build. */
typedef struct {
  char *types_dir;    /* $CLUSRES_TYPES_DIR, else <libdir>/clusres/types */
  char *provider_dir; /* $CLUSRES_OCF_PROVIDER_DIR, else <ocf_dir>/clusres */
  char *agent;        /* $CLUSRES_OCF_AGENT, else <libexecdir>/clusres/clusres-ocf */
} CtlTypePaths;

void ctl_type_paths_default(CtlTypePaths *paths);
void ctl_type_paths_clear(CtlTypePaths *paths);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(CtlTypePaths, ctl_type_paths_clear)

/**
 * ctl_type_add:
 * Checks @name (a type name of the input rules; not "resdll"), copies @dll to
 * <types_dir>/.<name>.so.XXXXXX (mode 0644, root's when run as root, fsynced), loads that copy
 * by the loaders' rules (clusres-dllload: file owners, Startup for @name, its table, its type
 * info), then renames it to <name>.so, so that a host or agent never sees half a file, and
 * makes the link <provider_dir>/<name> -> @paths->agent (replaced atomically; a file there that
 * is no symbolic link is refused).  A DLL already installed is replaced: running hosts keep the
 * one they loaded until they restart.  @report (may be NULL) gets one line per step done.
 */
gboolean ctl_type_add(const CtlTypePaths *paths, const char *name, const char *dll, GString *report,
                      GError **error);

/**
 * ctl_type_remove:
 * Removes the link (if it is a symbolic link) and <name>.so; a type neither has is an error.
 * The caller checks that no running host keeps an instance of it.
 */
gboolean ctl_type_remove(const CtlTypePaths *paths, const char *name, GString *report,
                         GError **error);

/**
 * ctl_type_all_nodes_argv:
 * The crmsh commands that run `clusresctl type add NAME DLL` on every node: first
 * `crm cluster copy DLL` (the same path on the other nodes), then `crm cluster run "<cmd>"`.
 * @crm: the crm binary ($CLUSRES_CRM, else "crm").  @dll NULL: `type remove NAME`, one command.
 * Returns: (transfer full): a NULL-terminated array of argvs.
 */
char ***ctl_type_all_nodes_argv(const char *crm, const char *self, const char *name,
                                const char *dll);
void ctl_type_argvs_free(char ***argvs);
