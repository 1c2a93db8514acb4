/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * shareset-params: the private properties of the share-set type (ocf:clusres:shareset): the
 * member list `shares` and the set-wide values every member takes, their table and docs, and
 * their validation, which is share-params' rules applied to each member as a share of its own.
 */
#pragma once

#include <clusres/resapi.h>
#include <glib.h>

#include "share-params.h"

G_BEGIN_DECLS

/* The parameter block described by shareset_params_table (all SZ, as for share). */
typedef struct {
  LPSTR shares;
  LPSTR home_node;
  LPSTR vip;
  LPSTR clients;
  LPSTR access;
  LPSTR squash;
  LPSTR disk;
  LPSTR driver;
  LPSTR recovery_root;
} ShareSetParams;

extern const RESUTIL_PROPERTY_ITEM shareset_params_table[];
extern const CLUSRES_PROPERTY_DOC shareset_params_docs[];

/* One entry of `shares`: NAME=PATH. */
typedef struct {
  char *name;
  char *path;
} ShareSetEntry;

void shareset_params_clear(ShareSetParams *params);

/**
 * shareset_params_validate:
 * @params: [in] the values to check
 * @entries: [out] (optional) the members in the order given (ShareSetEntry *, owned)
 * @error: [out] the parameter, the entry (number and text) and the rule broken
 *
 * `shares` is whitespace (blank or newline) separated NAME=PATH entries, at least one, no
 * duplicate names nor export ids (each member's export id is
 * sd_share_default_export_id(NAME) and its pseudo path /NAME, as for a share primitive of that
 * name).  Each member, with the set-wide values, must pass share_params_validate().  Touches
 * nothing on the system.
 */
gboolean shareset_params_validate(const ShareSetParams *params, GPtrArray **entries,
                                  GError **error);

/**
 * Fills @out with the view of one member as a share's parameters: its strings point into
 * @params and @entry (do not share_params_clear() it).
 */
void shareset_params_member(const ShareSetParams *params, const ShareSetEntry *entry,
                            ShareParams *out);

G_END_DECLS
