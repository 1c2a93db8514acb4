/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for the property-list parser: everything a control code's InBuffer reaches
 * (ClusResPropListValidate, the Find helpers, ResUtilVerifyPropertyTable with and without a
 * parameter block).  The input is copied into an exactly sized heap buffer so that ASan sees
 * any read past its end.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "clusres/resapi.h"
#include "fuzz-proplist.h"

typedef struct {
  char *Path;
  DWORD Port;
  LONG Offset;
  char *Remark;
  char *Multi;
  DWORD cbMulti;
  BYTE *Blob;
  DWORD cbBlob;
  DWORD Status;
} FuzzParams;

static const RESUTIL_PROPERTY_ITEM fuzz_table[] = {
    RESUTIL_PROPITEM_SZ("Path", offsetof(FuzzParams, Path), NULL, RESUTIL_PROPITEM_REQUIRED),
    RESUTIL_PROPITEM_DWORD("Port", offsetof(FuzzParams, Port), 2049, 1, 65535, 0),
    {.Name = "Offset",
     .Format = CLUSPROP_FORMAT_LONG,
     .Default = (DWORD)-5,
     .Minimum = (DWORD)-10,
     .Maximum = 10,
     .Flags = RESUTIL_PROPITEM_SIGNED,
     .Offset = offsetof(FuzzParams, Offset)},
    RESUTIL_PROPITEM_SZ("Remark", offsetof(FuzzParams, Remark), "none", 0),
    {.Name = "Multi", .Format = CLUSPROP_FORMAT_MULTI_SZ, .Offset = offsetof(FuzzParams, Multi)},
    {.Name = "Blob", .Format = CLUSPROP_FORMAT_BINARY, .Offset = offsetof(FuzzParams, Blob)},
    RESUTIL_PROPITEM_DWORD("Status", offsetof(FuzzParams, Status), 0, 0, 0,
                           RESUTIL_PROPITEM_READ_ONLY),
    {0},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size > 1u << 20)
    return 0;
  /* malloc(0) may return NULL; keep at least one byte but pass the real size. */
  uint8_t *buf = malloc(size > 0 ? size : 1);
  if (buf == NULL)
    return 0;
  if (size > 0)
    memcpy(buf, data, size);
  DWORD cb = (DWORD)size;

  DWORD valid = ClusResPropListValidate(buf, cb);
  if (valid != ERROR_SUCCESS && valid != ERROR_INVALID_DATA)
    abort();

  LPSTR s = NULL;
  DWORD err = ResUtilFindSzProperty(buf, cb, "Path", &s);
  if ((err == ERROR_SUCCESS) != (s != NULL) || (err == ERROR_SUCCESS && valid != ERROR_SUCCESS))
    abort();
  ResUtilFree(s);
  DWORD port;
  err = ResUtilFindDwordProperty(buf, cb, "Port", &port);
  if (err == ERROR_SUCCESS && valid != ERROR_SUCCESS)
    abort();

  err = ResUtilVerifyPropertyTable(fuzz_table, NULL, TRUE, buf, cb, NULL);
  if (err == ERROR_SUCCESS && valid != ERROR_SUCCESS)
    abort();
  (void)ResUtilVerifyPropertyTable(fuzz_table, NULL, FALSE, buf, cb, NULL);

  /* Parse into a block twice (the second replaces and frees the first values), then round-trip
   * the block through a property list, which must validate. */
  FuzzParams params = {0};
  if (ResUtilVerifyPropertyTable(fuzz_table, NULL, TRUE, buf, cb, (LPBYTE)&params) ==
      ERROR_SUCCESS) {
    (void)ResUtilVerifyPropertyTable(fuzz_table, NULL, TRUE, buf, cb, (LPBYTE)&params);
    DWORD out_size = 0, returned = 0, required = 0;
    err = ResUtilPropertyListFromParameterBlock(fuzz_table, NULL, &out_size, (LPBYTE)&params,
                                                &returned, &required);
    if (err != ERROR_MORE_DATA || required == 0)
      abort();
    void *out = malloc(required);
    out_size = required;
    err = ResUtilPropertyListFromParameterBlock(fuzz_table, out, &out_size, (LPBYTE)&params,
                                                &returned, &required);
    if (err != ERROR_SUCCESS || returned != out_size ||
        ClusResPropListValidate(out, returned) != ERROR_SUCCESS)
      abort();
    free(out);
  }
  ResUtilFreeParameterBlock((LPBYTE)&params, NULL, fuzz_table);

  free(buf);
  return 0;
}
