/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Library-private facts about property tables, for the control-code helpers of
 * resapi-resutil.c (not exported: see libclusres-resapi.map).
 */
#ifndef RESAPI_PROPTABLE_H
#define RESAPI_PROPTABLE_H

#include <glib.h>

#include "clusres/resapi.h"

/** FALSE for a NULL table, an empty name or a format the block functions do not store. */
gboolean resapi_table_valid(const RESUTIL_PROPERTY_ITEM *table);

/** The smallest parameter block that holds every item of a valid table. */
gsize resapi_table_block_size(const RESUTIL_PROPERTY_ITEM *table);

#endif /* RESAPI_PROPTABLE_H */
