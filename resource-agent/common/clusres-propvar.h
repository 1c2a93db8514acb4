/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * clusres-propvar: a CLUSPROP property list (resapi.h's wire format) as a GVariant, for
 * everything that shows a DLL's properties: the host's status (ListInstances' "private") and
 * clusresctl get/control.
 */
#pragma once

#include <clusres/resapi.h>
#include <glib.h>

/**
 * clusres_propvar_from_list:
 * Parses a property list into a{sv}: DWORD u, LONG i, SZ/EXPAND_SZ s, MULTI_SZ as, anything
 * else ay (the first value of each property).
 *
 * Returns: (transfer floating): the dictionary, or NULL if @buf is malformed.
 */
GVariant *clusres_propvar_from_list(const void *buf, gsize size);
