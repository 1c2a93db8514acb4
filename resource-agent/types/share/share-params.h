/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * share-params: the share resource's private properties (the OCF parameters), their table,
 * validation against injection, and resolution into an SdShare.
 */
#pragma once

#include <clusres/resapi.h>
#include <glib.h>

#include "sd-driver.h"

G_BEGIN_DECLS

/* The parameter block described by share_params_table (every property is an SZ: Pacemaker
 * passes strings, and parsing export_id ourselves keeps its errors ours). */
typedef struct {
  LPSTR share_name;
  LPSTR path;
  LPSTR home_node;
  LPSTR vip;
  LPSTR pseudo;
  LPSTR export_id;
  LPSTR clients;
  LPSTR access;
  LPSTR squash;
  LPSTR disk;
  LPSTR driver;
  LPSTR recovery_root;
} ShareParams;

extern const RESUTIL_PROPERTY_ITEM share_params_table[];
extern const CLUSRES_PROPERTY_DOC share_params_docs[];

/** Frees the strings of @params (not @params itself) and zeroes it. */
void share_params_clear(ShareParams *params);

/**
 * share_params_validate:
 * @params: [in] the values to check (unset optional ones take their defaults)
 * @error: [out] which parameter is wrong and why
 *
 * Everything that could inject into an export definition, a D-Bus call, an exportfs command
 * or a path: quotes, braces, semicolons, whitespace, control bytes, "..", relative paths,
 * unknown access/squash/driver values, export ids out of range.  Also runs
 * sd_share_validate() on the resolved share.  Touches nothing on the system.
 */
gboolean share_params_validate(const ShareParams *params, GError **error);

/**
 * share_params_resolve:
 * @params: [in] validated parameters
 * @out: [out] the share with every default applied; its strings point into @params or into
 *   *@pseudo_buf (free with g_free())
 */
void share_params_resolve(const ShareParams *params, SdShare *out, char **pseudo_buf);

/** The driver backend to use: $CLUSRES_SHARE_DRIVER when set (tests: "fake"), else the
 * "driver" parameter, else "ganesha". */
const char *share_params_backend(const ShareParams *params);

/**
 * share_params_mounted:
 * @mountinfo: [in] path of a mountinfo file (NULL: /proc/self/mountinfo)
 * @mount_point: [in] absolute mount point
 *
 * Returns: TRUE if @mount_point is a mount point listed in @mountinfo.
 */
gboolean share_params_mounted(const char *mountinfo, const char *mount_point);

G_END_DECLS
