/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The CLUSPROP property-list wire format (see resapi.h): building, strict validation, lookup.
 *
 * The validator parses data that arrives over D-Bus from other processes, so it trusts nothing:
 * every length is checked against the bytes left before it is used, in 64-bit arithmetic so
 * that no DWORD sum can wrap, and everything it accepts (alignment, zero padding, NUL
 * termination, UTF-8, exact size) is what the builder produces.  The other readers here only
 * walk lists that passed it.
 */
#include <string.h>

#include "resapi-error.h"
#include "resapi-proplist.h"

#define RESAPI_ALIGN4(n) (((n) + 3u) & ~(gsize)3u)

struct _CLUSRES_PROPLIST {
  GByteArray *bytes; /* starts with the DWORD count */
  DWORD count;
};

/* ---- builder ------------------------------------------------------------------------------ */

PCLUSRES_PROPLIST ClusResPropListCreate(void)
{
  PCLUSRES_PROPLIST list = g_new0(struct _CLUSRES_PROPLIST, 1);
  list->bytes = g_byte_array_sized_new(256);
  DWORD zero = 0;
  g_byte_array_append(list->bytes, (const guint8 *)&zero, sizeof zero);
  return list;
}

VOID ClusResPropListFree(PCLUSRES_PROPLIST List)
{
  if (List == NULL)
    return;
  g_byte_array_unref(List->bytes);
  g_free(List);
}

static void resapi_proplist_append_entry(GByteArray *bytes, DWORD syntax, const void *data,
                                         DWORD cb)
{
  CLUSPROP_VALUE hdr = {.Syntax = syntax, .cbLength = cb};
  static const guint8 zeros[4] = {0};
  g_byte_array_append(bytes, (const guint8 *)&hdr, sizeof hdr);
  if (cb > 0)
    g_byte_array_append(bytes, data, cb);
  g_byte_array_append(bytes, zeros, (guint)(RESAPI_ALIGN4(cb) - cb));
}

static gboolean resapi_sz_is_valid(const BYTE *data, DWORD cb)
{
  /* Exactly one NUL, at the end, and UTF-8 before it. */
  return cb >= 1 && data[cb - 1] == '\0' && memchr(data, '\0', cb - 1) == NULL &&
         g_utf8_validate((const char *)data, (gssize)cb - 1, NULL);
}

gboolean resapi_multi_sz_is_valid(const BYTE *data, DWORD cb)
{
  gsize pos = 0;
  while (pos < cb) {
    const BYTE *nul = memchr(data + pos, '\0', cb - pos);
    if (nul == NULL)
      return FALSE;
    gsize len = (gsize)(nul - (data + pos));
    if (len == 0)
      return pos + 1 == cb; /* the closing empty string must be the last byte */
    if (!g_utf8_validate((const char *)data + pos, (gssize)len, NULL))
      return FALSE;
    pos += len + 1;
  }
  return FALSE;
}

/* Checks a value of a format against the rules the validator applies to received lists. */
static gboolean resapi_value_is_valid(DWORD format, const BYTE *data, DWORD cb)
{
  switch (format) {
  case CLUSPROP_FORMAT_BINARY:
  case CLUSPROP_FORMAT_SECURITY_DESCRIPTOR:
    return TRUE;
  case CLUSPROP_FORMAT_DWORD:
  case CLUSPROP_FORMAT_LONG:
    return cb == 4;
  case CLUSPROP_FORMAT_WORD:
    return cb == 2;
  case CLUSPROP_FORMAT_ULARGE_INTEGER:
  case CLUSPROP_FORMAT_LARGE_INTEGER:
  case CLUSPROP_FORMAT_FILETIME:
    return cb == 8;
  case CLUSPROP_FORMAT_SZ:
  case CLUSPROP_FORMAT_EXPAND_SZ:
  case CLUSPROP_FORMAT_EXPANDED_SZ:
    return resapi_sz_is_valid(data, cb);
  case CLUSPROP_FORMAT_MULTI_SZ:
    return resapi_multi_sz_is_valid(data, cb);
  default:
    return FALSE;
  }
}

DWORD resapi_proplist_add(PCLUSRES_PROPLIST list, const char *name, DWORD format, const void *data,
                          DWORD cb_data)
{
  if (list == NULL || name == NULL || name[0] == '\0' || (data == NULL && cb_data > 0))
    return resapi_error_set(ERROR_INVALID_PARAMETER);
  gsize name_len = strlen(name);
  if (name_len >= G_MAXUINT32 || !g_utf8_validate(name, (gssize)name_len, NULL) ||
      !resapi_value_is_valid(format, data, cb_data))
    return resapi_error_set(ERROR_INVALID_PARAMETER);
  /* Keep the whole list addressable by a DWORD size. */
  gsize added = 3 * sizeof(CLUSPROP_VALUE) + RESAPI_ALIGN4(name_len + 1) + RESAPI_ALIGN4(cb_data);
  if ((gsize)list->bytes->len + added > G_MAXUINT32 || list->count == G_MAXUINT32)
    return resapi_error_set(ERROR_NOT_ENOUGH_MEMORY);

  resapi_proplist_append_entry(list->bytes, CLUSPROP_SYNTAX_NAME, name, (DWORD)name_len + 1);
  resapi_proplist_append_entry(list->bytes, CLUSPROP_SYNTAX_VALUE(CLUSPROP_TYPE_LIST_VALUE, format),
                               data, cb_data);
  resapi_proplist_append_entry(list->bytes, CLUSPROP_SYNTAX_ENDMARK, NULL, 0);
  list->count++;
  memcpy(list->bytes->data, &list->count, sizeof list->count);
  return ERROR_SUCCESS;
}

static DWORD resapi_proplist_add_string(PCLUSRES_PROPLIST list, const char *name, DWORD format,
                                        const char *value)
{
  if (value == NULL)
    return resapi_error_set(ERROR_INVALID_PARAMETER);
  gsize len = strlen(value);
  if (len >= G_MAXUINT32)
    return resapi_error_set(ERROR_INVALID_PARAMETER);
  return resapi_proplist_add(list, name, format, value, (DWORD)len + 1);
}

DWORD ClusResPropListAddSz(PCLUSRES_PROPLIST List, LPCSTR Name, LPCSTR Value)
{
  return resapi_proplist_add_string(List, Name, CLUSPROP_FORMAT_SZ, Value);
}

DWORD ClusResPropListAddExpandSz(PCLUSRES_PROPLIST List, LPCSTR Name, LPCSTR Value)
{
  return resapi_proplist_add_string(List, Name, CLUSPROP_FORMAT_EXPAND_SZ, Value);
}

DWORD ClusResPropListAddMultiSz(PCLUSRES_PROPLIST List, LPCSTR Name, LPCSTR Values, DWORD cbValues)
{
  return resapi_proplist_add(List, Name, CLUSPROP_FORMAT_MULTI_SZ, Values, cbValues);
}

DWORD ClusResPropListAddDword(PCLUSRES_PROPLIST List, LPCSTR Name, DWORD Value)
{
  return resapi_proplist_add(List, Name, CLUSPROP_FORMAT_DWORD, &Value, sizeof Value);
}

DWORD ClusResPropListAddLong(PCLUSRES_PROPLIST List, LPCSTR Name, LONG Value)
{
  return resapi_proplist_add(List, Name, CLUSPROP_FORMAT_LONG, &Value, sizeof Value);
}

DWORD ClusResPropListAddBinary(PCLUSRES_PROPLIST List, LPCSTR Name, const BYTE *Value,
                               DWORD cbValue)
{
  return resapi_proplist_add(List, Name, CLUSPROP_FORMAT_BINARY, Value, cbValue);
}

const void *ClusResPropListBuffer(PCLUSRES_PROPLIST List, LPDWORD cbList)
{
  if (List == NULL) {
    SetLastError(ERROR_INVALID_PARAMETER);
    return NULL;
  }
  if (cbList != NULL)
    *cbList = List->bytes->len;
  return List->bytes->data;
}

DWORD ClusResPropListReturn(PCLUSRES_PROPLIST List, PVOID OutBuffer, DWORD OutBufferSize,
                            LPDWORD BytesReturned)
{
  if (BytesReturned != NULL)
    *BytesReturned = 0;
  if (List == NULL)
    return resapi_error_set(ERROR_INVALID_PARAMETER);
  DWORD size = List->bytes->len;
  /* The caller retries with the size it is told, so it is reported even on failure. */
  if (BytesReturned != NULL)
    *BytesReturned = size;
  if (OutBuffer == NULL || OutBufferSize < size)
    return resapi_error_set(ERROR_MORE_DATA);
  memcpy(OutBuffer, List->bytes->data, size);
  return ERROR_SUCCESS;
}

/* ---- validation and iteration --------------------------------------------------------------- */

/* Reads one entry at *pos: header and padded data must lie within the buffer. */
static gboolean resapi_read_entry(const BYTE *buf, gsize size, gsize *pos, DWORD *syntax,
                                  const BYTE **data, DWORD *cb)
{
  CLUSPROP_VALUE hdr;
  if (size - *pos < sizeof hdr)
    return FALSE;
  memcpy(&hdr, buf + *pos, sizeof hdr); /* memcpy: the caller's buffer may be unaligned */
  gsize start = *pos + sizeof hdr;
  gsize padded = RESAPI_ALIGN4((gsize)hdr.cbLength); /* 64-bit: cannot wrap */
  if (padded > size - start)
    return FALSE;
  for (gsize i = hdr.cbLength; i < padded; i++) {
    if (buf[start + i] != 0)
      return FALSE; /* non-zero padding: not something our builder or Windows writes */
  }
  *syntax = hdr.Syntax;
  *data = buf + start;
  *cb = hdr.cbLength;
  *pos = start + padded;
  return TRUE;
}

/* Parses one property at *pos; fills prop if non-NULL. */
static gboolean resapi_read_property(const BYTE *buf, gsize size, gsize *pos, ResapiProp *prop)
{
  DWORD syntax, cb, vsyntax, vcb;
  const BYTE *data, *vdata;

  if (!resapi_read_entry(buf, size, pos, &syntax, &data, &cb) || syntax != CLUSPROP_SYNTAX_NAME ||
      cb < 2 || !resapi_sz_is_valid(data, cb))
    return FALSE;
  const char *name = (const char *)data;

  if (!resapi_read_entry(buf, size, pos, &vsyntax, &vdata, &vcb) ||
      (vsyntax >> 16) != CLUSPROP_TYPE_LIST_VALUE ||
      !resapi_value_is_valid(vsyntax & 0xFFFFu, vdata, vcb))
    return FALSE;

  if (!resapi_read_entry(buf, size, pos, &syntax, &data, &cb) ||
      syntax != CLUSPROP_SYNTAX_ENDMARK || cb != 0)
    return FALSE;

  if (prop != NULL) {
    prop->name = name;
    prop->syntax = vsyntax;
    prop->format = vsyntax & 0xFFFFu;
    prop->data = vdata;
    prop->cb_data = vcb;
  }
  return TRUE;
}

DWORD ClusResPropListValidate(const void *pPropertyList, DWORD cbPropertyListSize)
{
  const BYTE *buf = pPropertyList;
  gsize size = cbPropertyListSize;
  DWORD count;

  if (buf == NULL || size < sizeof count || size % 4 != 0)
    return ERROR_INVALID_DATA;
  memcpy(&count, buf, sizeof count);
  gsize pos = sizeof count;
  for (DWORD i = 0; i < count; i++) {
    /* The loop is bounded by the buffer too: every property consumes at least 28 bytes. */
    if (!resapi_read_property(buf, size, &pos, NULL))
      return ERROR_INVALID_DATA;
  }
  return pos == size ? ERROR_SUCCESS : ERROR_INVALID_DATA; /* no trailing bytes */
}

DWORD resapi_proplist_iter_init(ResapiPropIter *iter, const void *list, DWORD cb_list)
{
  DWORD err = ClusResPropListValidate(list, cb_list);
  if (err != ERROR_SUCCESS)
    return err;
  iter->buf = list;
  iter->size = cb_list;
  iter->pos = sizeof(DWORD);
  memcpy(&iter->left, list, sizeof iter->left);
  return ERROR_SUCCESS;
}

gboolean resapi_proplist_iter_next(ResapiPropIter *iter, ResapiProp *prop)
{
  if (iter->left == 0)
    return FALSE;
  /* Validated by iter_init: this cannot fail, but stay bounded if a caller got that wrong. */
  if (!resapi_read_property(iter->buf, iter->size, &iter->pos, prop)) {
    iter->left = 0;
    return FALSE;
  }
  iter->left--;
  return TRUE;
}

/* ---- lookup ---------------------------------------------------------------------------------- */

/* Finds the last property called name (case-insensitive, like Windows property names). */
static DWORD resapi_proplist_find(const void *list, DWORD cb, const char *name, ResapiProp *found)
{
  ResapiPropIter iter;
  ResapiProp prop;
  gboolean have = FALSE;

  if (name == NULL)
    return ERROR_INVALID_PARAMETER;
  DWORD err = resapi_proplist_iter_init(&iter, list, cb);
  if (err != ERROR_SUCCESS)
    return err;
  while (resapi_proplist_iter_next(&iter, &prop)) {
    if (g_ascii_strcasecmp(prop.name, name) == 0) {
      *found = prop;
      have = TRUE;
    }
  }
  return have ? ERROR_SUCCESS : ERROR_FILE_NOT_FOUND;
}

DWORD ResUtilFindSzProperty(const void *pPropertyList, DWORD cbPropertyListSize,
                            LPCSTR pszPropertyName, LPSTR *pszPropertyValue)
{
  ResapiProp prop;
  DWORD err = resapi_proplist_find(pPropertyList, cbPropertyListSize, pszPropertyName, &prop);
  if (err != ERROR_SUCCESS)
    return resapi_error_set(err);
  if (prop.format != CLUSPROP_FORMAT_SZ && prop.format != CLUSPROP_FORMAT_EXPAND_SZ &&
      prop.format != CLUSPROP_FORMAT_EXPANDED_SZ)
    return resapi_error_set(ERROR_INVALID_DATA);
  if (pszPropertyValue != NULL)
    *pszPropertyValue = g_strdup((const char *)prop.data);
  return ERROR_SUCCESS;
}

DWORD ResUtilFindDwordProperty(const void *pPropertyList, DWORD cbPropertyListSize,
                               LPCSTR pszPropertyName, LPDWORD pdwPropertyValue)
{
  ResapiProp prop;
  DWORD err = resapi_proplist_find(pPropertyList, cbPropertyListSize, pszPropertyName, &prop);
  if (err != ERROR_SUCCESS)
    return resapi_error_set(err);
  if (prop.format != CLUSPROP_FORMAT_DWORD)
    return resapi_error_set(ERROR_INVALID_DATA);
  if (pdwPropertyValue != NULL)
    memcpy(pdwPropertyValue, prop.data, sizeof *pdwPropertyValue);
  return ERROR_SUCCESS;
}
