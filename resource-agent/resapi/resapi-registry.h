/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Library-private extensions of resapi-registry.c (not exported: see libclusres-resapi.map). */
#ifndef RESAPI_REGISTRY_H
#define RESAPI_REGISTRY_H

#include <glib.h>

#include "clusres/resapi.h"

typedef struct {
  const char *name; /* value name; NULL or "" = the default value */
  DWORD type;       /* REG_* */
  const BYTE *data;
  DWORD cb;
} ResapiRegWrite;

/**
 * Sets several values of one key in a single atomic, durable file replacement: either all of
 * them are stored or none (SET_PRIVATE_PROPERTIES must not leave half a change on disk).
 * Returns ERROR_SUCCESS or the error of ClusterRegSetValue for the first bad value.
 */
DWORD resapi_reg_set_values(HKEY key, const ResapiRegWrite *writes, gsize n_writes);

#endif /* RESAPI_REGISTRY_H */
