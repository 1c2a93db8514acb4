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

typedef struct {
  DWORD err;  /* ERROR_SUCCESS, ERROR_FILE_NOT_FOUND (no such value) or ERROR_INVALID_DATA */
  DWORD type; /* REG_* */
  BYTE *data; /* g_malloc()ed with a spare NUL after the value; NULL unless err is SUCCESS */
  DWORD cb;
} ResapiRegRead;

/**
 * Reads the values names[0..n_names) of one key from one version of its file: one identity
 * check of the file for all of them (ClusterRegQueryValue makes one per call, two per value
 * for a caller that asks the size first), and values that belong together.  Returns a store
 * error (then out[] is untouched) or ERROR_SUCCESS with each value's outcome in out[i]; the
 * caller g_free()s every out[i].data.
 */
DWORD resapi_reg_query_values(HKEY key, const char *const *names, gsize n_names,
                              ResapiRegRead *out);

#endif /* RESAPI_REGISTRY_H */
