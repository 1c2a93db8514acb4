/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Library-private access to the CLUSPROP wire format for resapi-proptable.c (not exported:
 * see libclusres-resapi.map).
 */
#ifndef RESAPI_PROPLIST_H
#define RESAPI_PROPLIST_H

#include <glib.h>

#include "clusres/resapi.h"

/** One property of a validated list; pointers point into the list buffer. */
typedef struct {
  const char *name;
  DWORD syntax; /* of the value entry */
  DWORD format; /* CLUSPROP_FORMAT_* of the value entry */
  const BYTE *data;
  DWORD cb_data;
} ResapiProp;

typedef struct {
  const BYTE *buf;
  gsize size;
  gsize pos;
  DWORD left; /* properties not yet returned */
} ResapiPropIter;

/**
 * Validates the list (as ClusResPropListValidate) and prepares to iterate it.
 * Returns ERROR_SUCCESS or ERROR_INVALID_DATA.
 */
DWORD resapi_proplist_iter_init(ResapiPropIter *iter, const void *list, DWORD cb_list);
/** The next property; FALSE after the last. */
gboolean resapi_proplist_iter_next(ResapiPropIter *iter, ResapiProp *prop);

/** TRUE if data[0..cb) is a well-formed MULTI_SZ: strings each NUL-ended, then one more NUL. */
gboolean resapi_multi_sz_is_valid(const BYTE *data, DWORD cb);

/** Adds one property with any value syntax (checked like the typed ClusResPropListAdd*). */
DWORD resapi_proplist_add(PCLUSRES_PROPLIST list, const char *name, DWORD format, const void *data,
                          DWORD cb_data);

#endif /* RESAPI_PROPLIST_H */
