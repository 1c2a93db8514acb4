/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * RESUTIL_PROPERTY_ITEM tables: moving private properties between the registry, a DLL's
 * parameter block and property lists.
 *
 * Parameter-block storage by Format (resapi.h): DWORD/LONG -> DWORD; SZ/EXPAND_SZ -> char *;
 * MULTI_SZ/BINARY -> pointer followed by its DWORD byte size.  Every pointer in a block is
 * g_malloc()ed and owned by the block; storing a new value frees the old one.  The default of a
 * MULTI_SZ/BINARY item is lpDefault with Minimum bytes (the Windows table convention).
 *
 * Blocks are accessed with memcpy: the offsets come from a DLL, and UBSan rightly objects to
 * dereferencing a pointer it cannot prove aligned.
 */
#include <stdint.h>
#include <string.h>

#include <glib.h>

#include "resapi-error.h"
#include "resapi-proplist.h"
#include "resapi-proptable.h"
#include "resapi-registry.h"

typedef const RESUTIL_PROPERTY_ITEM *ResapiItem;

/* ---- table and block access ----------------------------------------------------------------- */

static gboolean resapi_item_format_supported(DWORD format)
{
  switch (format) {
  case CLUSPROP_FORMAT_BINARY:
  case CLUSPROP_FORMAT_DWORD:
  case CLUSPROP_FORMAT_LONG:
  case CLUSPROP_FORMAT_SZ:
  case CLUSPROP_FORMAT_EXPAND_SZ:
  case CLUSPROP_FORMAT_MULTI_SZ:
    return TRUE;
  default:
    return FALSE;
  }
}

static gboolean resapi_item_is_sz(ResapiItem it)
{
  return it->Format == CLUSPROP_FORMAT_SZ || it->Format == CLUSPROP_FORMAT_EXPAND_SZ;
}

static gboolean resapi_item_is_buffer(ResapiItem it)
{
  return it->Format == CLUSPROP_FORMAT_MULTI_SZ || it->Format == CLUSPROP_FORMAT_BINARY;
}

static gboolean resapi_item_is_number(ResapiItem it)
{
  return it->Format == CLUSPROP_FORMAT_DWORD || it->Format == CLUSPROP_FORMAT_LONG;
}

/* Bytes an item occupies in a parameter block from its Offset. */
static gsize resapi_item_storage(ResapiItem it)
{
  if (resapi_item_is_number(it))
    return sizeof(DWORD);
  if (resapi_item_is_sz(it))
    return sizeof(char *);
  return sizeof(void *) + sizeof(DWORD);
}

/* A table a DLL got wrong is a programming error: refuse it before touching any block. */
gboolean resapi_table_valid(const RESUTIL_PROPERTY_ITEM *table)
{
  if (table == NULL)
    return FALSE;
  for (ResapiItem it = table; it->Name != NULL; it++) {
    if (it->Name[0] == '\0' || !resapi_item_format_supported(it->Format))
      return FALSE;
  }
  return TRUE;
}

static const char *resapi_item_reg_name(ResapiItem it)
{
  return it->KeyName != NULL ? it->KeyName : it->Name;
}

static ResapiItem resapi_table_find(const RESUTIL_PROPERTY_ITEM *table, const char *name)
{
  for (ResapiItem it = table; it->Name != NULL; it++) {
    if (g_ascii_strcasecmp(it->Name, name) == 0)
      return it;
  }
  return NULL;
}

static DWORD resapi_pb_get_dword(const BYTE *block, ResapiItem it)
{
  DWORD v;
  memcpy(&v, block + it->Offset, sizeof v);
  return v;
}

static void resapi_pb_set_dword(BYTE *block, ResapiItem it, DWORD v)
{
  memcpy(block + it->Offset, &v, sizeof v);
}

static void *resapi_pb_get_ptr(const BYTE *block, ResapiItem it)
{
  void *p;
  memcpy(&p, block + it->Offset, sizeof p);
  return p;
}

static void resapi_pb_set_ptr(BYTE *block, ResapiItem it, void *p)
{
  memcpy(block + it->Offset, &p, sizeof p);
}

static DWORD resapi_pb_get_size(const BYTE *block, ResapiItem it)
{
  DWORD v;
  memcpy(&v, block + it->Offset + sizeof(void *), sizeof v);
  return v;
}

static void resapi_pb_set_size(BYTE *block, ResapiItem it, DWORD v)
{
  memcpy(block + it->Offset + sizeof(void *), &v, sizeof v);
}

/*
 * Stores a copy of a value in a block and frees the value it replaces.  For numbers data holds
 * the DWORD; for strings cb counts the NUL.
 */
static void resapi_pb_store(BYTE *block, ResapiItem it, const BYTE *data, DWORD cb)
{
  if (resapi_item_is_number(it)) {
    DWORD v = 0;
    memcpy(&v, data, MIN(cb, (DWORD)sizeof v));
    resapi_pb_set_dword(block, it, v);
    return;
  }
  void *old = resapi_pb_get_ptr(block, it);
  void *copy;
  if (resapi_item_is_sz(it)) {
    /* Stops at the NUL cb counts; no data stores NULL. */
    copy = data != NULL ? g_strndup((const char *)data, cb) : NULL;
  } else {
    copy = data != NULL && cb > 0 ? g_memdup2(data, cb) : NULL;
    resapi_pb_set_size(block, it, cb);
  }
  resapi_pb_set_ptr(block, it, copy);
  g_free(old);
}

/* Copies one item from src to dst (dst's old value freed unless it is the same pointer). */
static void resapi_pb_copy_item(BYTE *dst, const BYTE *src, ResapiItem it)
{
  if (resapi_item_is_number(it)) {
    resapi_pb_set_dword(dst, it, resapi_pb_get_dword(src, it));
    return;
  }
  void *sp = resapi_pb_get_ptr(src, it);
  if (sp == resapi_pb_get_ptr(dst, it))
    return;
  if (resapi_item_is_sz(it)) {
    resapi_pb_store(dst, it, sp, sp != NULL ? (DWORD)strlen(sp) + 1 : 0);
  } else {
    resapi_pb_store(dst, it, sp, sp != NULL ? resapi_pb_get_size(src, it) : 0);
  }
}

/* ---- value checks ---------------------------------------------------------------------------- */

static gboolean resapi_item_signed(ResapiItem it)
{
  return it->Format == CLUSPROP_FORMAT_LONG || (it->Flags & RESUTIL_PROPITEM_SIGNED) != 0;
}

/* Minimum == Maximum == 0 means "no range" (the SZ macro leaves both 0 as well). */
static gboolean resapi_item_in_range(ResapiItem it, DWORD v)
{
  if (it->Minimum == 0 && it->Maximum == 0)
    return TRUE;
  if (resapi_item_signed(it))
    return (LONG)v >= (LONG)it->Minimum && (LONG)v <= (LONG)it->Maximum;
  return v >= it->Minimum && v <= it->Maximum;
}

/* A REQUIRED property cannot be set to nothing. */
static gboolean resapi_item_value_empty(ResapiItem it, const BYTE *data, DWORD cb)
{
  if (resapi_item_is_sz(it))
    return cb <= 1 || data[0] == '\0';
  if (it->Format == CLUSPROP_FORMAT_MULTI_SZ)
    return cb <= 1;
  if (it->Format == CLUSPROP_FORMAT_BINARY)
    return cb == 0;
  return FALSE;
}

/* Checks one wire value against its item: format, range, READ_ONLY, REQUIRED. */
static DWORD resapi_item_check(ResapiItem it, const ResapiProp *prop)
{
  if ((it->Flags & RESUTIL_PROPITEM_READ_ONLY) != 0)
    return ERROR_INVALID_PARAMETER;
  if (prop->format != it->Format)
    return ERROR_INVALID_PARAMETER;
  if (resapi_item_is_number(it)) {
    DWORD v;
    memcpy(&v, prop->data, sizeof v);
    if (!resapi_item_in_range(it, v))
      return ERROR_INVALID_PARAMETER;
  }
  if ((it->Flags & RESUTIL_PROPITEM_REQUIRED) != 0 &&
      resapi_item_value_empty(it, prop->data, prop->cb_data))
    return ERROR_INVALID_PARAMETER;
  return ERROR_SUCCESS;
}

/* ---- registry I/O ------------------------------------------------------------------------------
 */

/* Reads a whole value into a g_malloc()ed buffer (with a spare NUL after it). */
static DWORD resapi_reg_read(HKEY key, const char *name, DWORD *type, BYTE **data, DWORD *cb)
{
  ResapiRegRead r;
  DWORD err = resapi_reg_query_values(key, &name, 1, &r);
  if (err == ERROR_SUCCESS)
    err = r.err;
  if (err != ERROR_SUCCESS)
    return err;
  *type = r.type;
  *data = r.data;
  *cb = r.cb;
  return ERROR_SUCCESS;
}

/*
 * Converts a registry value to an item's block representation.  DWORD/LONG also accept a
 * decimal or 0x string and MULTI_SZ a single string, because values a host writes from OCF
 * instance attributes (which are all strings) must still reach a typed table.
 * Returns a g_malloc()ed value in *out (4 bytes for numbers).
 */
static DWORD resapi_reg_to_item(ResapiItem it, DWORD type, const BYTE *data, DWORD cb, BYTE **out,
                                DWORD *out_cb)
{
  if (resapi_item_is_number(it)) {
    DWORD v;
    if (type == REG_DWORD && cb == sizeof v) {
      memcpy(&v, data, sizeof v);
    } else if (type == REG_SZ || type == REG_EXPAND_SZ) {
      const char *s = (const char *)data; /* NUL-terminated by resapi_reg_read */
      char *end;
      g_autofree char *trimmed = g_strstrip(g_strdup(s));
      if (trimmed[0] == '\0')
        return ERROR_INVALID_PARAMETER;
      if (resapi_item_signed(it)) {
        gint64 n = g_ascii_strtoll(trimmed, &end, 0);
        if (*end != '\0' || n < G_MININT32 || n > G_MAXINT32)
          return ERROR_INVALID_PARAMETER;
        v = (DWORD)(LONG)n;
      } else {
        guint64 n = g_ascii_strtoull(trimmed, &end, 0);
        if (*end != '\0' || trimmed[0] == '-' || n > G_MAXUINT32)
          return ERROR_INVALID_PARAMETER;
        v = (DWORD)n;
      }
    } else {
      return ERROR_INVALID_PARAMETER;
    }
    *out = g_memdup2(&v, sizeof v);
    *out_cb = sizeof v;
    return ERROR_SUCCESS;
  }
  if (resapi_item_is_sz(it)) {
    if (type != REG_SZ && type != REG_EXPAND_SZ)
      return ERROR_INVALID_PARAMETER;
    gsize len = strnlen((const char *)data, cb);
    *out = (BYTE *)g_strndup((const char *)data, len);
    *out_cb = (DWORD)len + 1;
    return ERROR_SUCCESS;
  }
  if (it->Format == CLUSPROP_FORMAT_MULTI_SZ) {
    if (type == REG_MULTI_SZ) {
      *out = g_memdup2(data, cb);
      *out_cb = cb;
      return ERROR_SUCCESS;
    }
    if (type == REG_SZ || type == REG_EXPAND_SZ) {
      gsize len = strnlen((const char *)data, cb);
      *out = g_malloc0(len + 2); /* "s\0\0", or "\0" for the empty list */
      memcpy(*out, data, len);
      *out_cb = len > 0 ? (DWORD)len + 2 : 1;
      return ERROR_SUCCESS;
    }
    return ERROR_INVALID_PARAMETER;
  }
  if (type != REG_BINARY && type != REG_NONE)
    return ERROR_INVALID_PARAMETER;
  *out = g_memdup2(data, cb);
  *out_cb = cb;
  return ERROR_SUCCESS;
}

static DWORD resapi_reg_type_of_format(DWORD format)
{
  switch (format) {
  case CLUSPROP_FORMAT_DWORD:
  case CLUSPROP_FORMAT_LONG:
    return REG_DWORD;
  case CLUSPROP_FORMAT_SZ:
    return REG_SZ;
  case CLUSPROP_FORMAT_EXPAND_SZ:
  case CLUSPROP_FORMAT_EXPANDED_SZ:
    return REG_EXPAND_SZ;
  case CLUSPROP_FORMAT_MULTI_SZ:
    return REG_MULTI_SZ;
  case CLUSPROP_FORMAT_ULARGE_INTEGER:
  case CLUSPROP_FORMAT_LARGE_INTEGER:
    return REG_QWORD;
  default:
    return REG_BINARY;
  }
}

/* ---- registry -> parameter block ---------------------------------------------------------------
 */

DWORD ResUtilGetPropertiesToParameterBlock(HKEY hkeyClusterKey,
                                           const RESUTIL_PROPERTY_ITEM *pPropertyTable,
                                           LPBYTE pOutParams, BOOL bCheckForRequiredProperties,
                                           LPSTR *pszNameOfPropInError)
{
  if (pszNameOfPropInError != NULL)
    *pszNameOfPropInError = NULL;
  if (hkeyClusterKey == NULL || pOutParams == NULL || !resapi_table_valid(pPropertyTable))
    return resapi_error_set(ERROR_BAD_ARGUMENTS);

  /* All values from one version of the key (one identity check of its file, not two per
   * value), then each converted in table order as before. */
  gsize n = 0;
  while (pPropertyTable[n].Name != NULL)
    n++;
  g_autofree const char **names = g_new0(const char *, n + 1);
  g_autofree ResapiRegRead *reads = g_new0(ResapiRegRead, n + 1);
  for (gsize i = 0; i < n; i++)
    names[i] = resapi_item_reg_name(&pPropertyTable[i]);
  DWORD store_err = resapi_reg_query_values(hkeyClusterKey, names, n, reads);
  if (store_err != ERROR_SUCCESS) {
    if (pszNameOfPropInError != NULL && n > 0)
      *pszNameOfPropInError = g_strdup(pPropertyTable[0].Name);
    return resapi_error_set(store_err);
  }

  DWORD result = ERROR_SUCCESS;
  for (gsize i = 0; i < n; i++) {
    ResapiItem it = &pPropertyTable[i];
    DWORD value_cb;
    g_autofree BYTE *data = g_steal_pointer(&reads[i].data);
    g_autofree BYTE *value = NULL;
    if (result != ERROR_SUCCESS)
      continue; /* only frees the rest */
    DWORD err = reads[i].err;
    if (err == ERROR_SUCCESS)
      err = resapi_reg_to_item(it, reads[i].type, data, reads[i].cb, &value, &value_cb);
    if (err == ERROR_SUCCESS) {
      resapi_pb_store(pOutParams, it, value, value_cb);
      continue;
    }
    if (err == ERROR_FILE_NOT_FOUND && (it->Flags & RESUTIL_PROPITEM_REQUIRED) != 0 &&
        bCheckForRequiredProperties)
      err = ERROR_INVALID_PARAMETER;
    if (err != ERROR_FILE_NOT_FOUND) {
      if (pszNameOfPropInError != NULL)
        *pszNameOfPropInError = g_strdup(it->Name);
      result = err;
      continue;
    }
    /* Missing: the table default. */
    if (resapi_item_is_number(it)) {
      resapi_pb_set_dword(pOutParams, it, it->Default);
    } else if (resapi_item_is_sz(it)) {
      /* No default string: the block holds NULL, as Windows leaves it. */
      const char *dflt = it->lpDefault;
      resapi_pb_store(pOutParams, it, (const BYTE *)dflt,
                      dflt != NULL ? (DWORD)strlen(dflt) + 1 : 0);
    } else {
      resapi_pb_store(pOutParams, it, it->lpDefault, it->lpDefault != NULL ? it->Minimum : 0);
    }
  }
  return result == ERROR_SUCCESS ? ERROR_SUCCESS : resapi_error_set(result);
}

/* ---- property list -> parameter block ----------------------------------------------------------
 */

DWORD ResUtilVerifyPropertyTable(const RESUTIL_PROPERTY_ITEM *pPropertyTable, PVOID Reserved,
                                 BOOL bAllowUnknownProperties, const void *pInPropertyList,
                                 DWORD cbInPropertyListSize, LPBYTE pOutParams)
{
  ResapiPropIter iter;
  ResapiProp prop;

  if (!resapi_table_valid(pPropertyTable))
    return resapi_error_set(ERROR_BAD_ARGUMENTS);
  if (resapi_proplist_iter_init(&iter, pInPropertyList, cbInPropertyListSize) != ERROR_SUCCESS)
    return resapi_error_set(ERROR_INVALID_DATA);

  /* First check everything, so that a rejected list leaves pOutParams untouched. */
  while (resapi_proplist_iter_next(&iter, &prop)) {
    ResapiItem it = resapi_table_find(pPropertyTable, prop.name);
    if (it == NULL) {
      if (!bAllowUnknownProperties)
        return resapi_error_set(ERROR_INVALID_PARAMETER);
      continue;
    }
    DWORD err = resapi_item_check(it, &prop);
    if (err != ERROR_SUCCESS)
      return resapi_error_set(err);
  }

  if (pOutParams != NULL) {
    (void)resapi_proplist_iter_init(&iter, pInPropertyList, cbInPropertyListSize);
    while (resapi_proplist_iter_next(&iter, &prop)) {
      ResapiItem it = resapi_table_find(pPropertyTable, prop.name);
      if (it != NULL)
        resapi_pb_store(pOutParams, it, prop.data, prop.cb_data);
    }
  }
  return ERROR_SUCCESS;
}

/* ---- parameter block -> registry ---------------------------------------------------------------
 */

/* Describes the registry write of one item of a block (pointing into the block; numbers into
 * *number, which must outlive the write). */
static ResapiRegWrite resapi_reg_write_of_item(ResapiItem it, const BYTE *block, DWORD *number)
{
  static const BYTE empty_multi_sz[1] = {0};
  ResapiRegWrite w = {.name = resapi_item_reg_name(it),
                      .type = resapi_reg_type_of_format(it->Format)};
  if (resapi_item_is_number(it)) {
    *number = resapi_pb_get_dword(block, it);
    w.data = (const BYTE *)number;
    w.cb = sizeof *number;
    return w;
  }
  const BYTE *p = resapi_pb_get_ptr(block, it);
  if (resapi_item_is_sz(it)) {
    w.data = p != NULL ? p : (const BYTE *)"";
    w.cb = (DWORD)strlen((const char *)w.data) + 1;
    return w;
  }
  w.data = p;
  w.cb = p != NULL ? resapi_pb_get_size(block, it) : 0;
  if (it->Format == CLUSPROP_FORMAT_MULTI_SZ && w.cb == 0) {
    w.data = empty_multi_sz;
    w.cb = sizeof empty_multi_sz;
  }
  return w;
}

DWORD ResUtilSetPropertyParameterBlock(HKEY hkeyClusterKey,
                                       const RESUTIL_PROPERTY_ITEM *pPropertyTable, PVOID Reserved,
                                       const LPBYTE pInParams, const void *pInPropertyList,
                                       DWORD cbInPropertyListSize, LPBYTE pOutParams)
{
  ResapiPropIter iter;
  ResapiProp prop;

  if (hkeyClusterKey == NULL || !resapi_table_valid(pPropertyTable))
    return resapi_error_set(ERROR_BAD_ARGUMENTS);
  DWORD err = ResUtilVerifyPropertyTable(pPropertyTable, Reserved, TRUE, pInPropertyList,
                                         cbInPropertyListSize, NULL);
  if (err != ERROR_SUCCESS)
    return err;

  /* Write what the list names: table properties from pInParams (the values the caller parsed
   * and may have adjusted), unknown properties as they came; all in one atomic replacement. */
  DWORD count;
  memcpy(&count, pInPropertyList, sizeof count); /* validated: count <= size / 28 */
  g_autofree ResapiRegWrite *writes = g_new0(ResapiRegWrite, MAX(count, 1u));
  g_autofree DWORD *numbers = g_new0(DWORD, MAX(count, 1u));
  gsize n = 0;
  (void)resapi_proplist_iter_init(&iter, pInPropertyList, cbInPropertyListSize);
  while (resapi_proplist_iter_next(&iter, &prop) && n < count) {
    ResapiItem it = resapi_table_find(pPropertyTable, prop.name);
    if (it != NULL && pInParams != NULL) {
      writes[n] = resapi_reg_write_of_item(it, pInParams, &numbers[n]);
    } else {
      writes[n] = (ResapiRegWrite){
          .name = it != NULL ? resapi_item_reg_name(it) : prop.name,
          .type = resapi_reg_type_of_format(prop.format),
          .data = prop.data,
          .cb = prop.cb_data,
      };
    }
    n++;
  }
  err = resapi_reg_set_values(hkeyClusterKey, writes, n);
  if (err != ERROR_SUCCESS)
    return err;

  if (pOutParams != NULL) {
    (void)resapi_proplist_iter_init(&iter, pInPropertyList, cbInPropertyListSize);
    while (resapi_proplist_iter_next(&iter, &prop)) {
      ResapiItem it = resapi_table_find(pPropertyTable, prop.name);
      if (it == NULL)
        continue;
      if (pInParams != NULL)
        resapi_pb_copy_item(pOutParams, pInParams, it);
      else
        resapi_pb_store(pOutParams, it, prop.data, prop.cb_data);
    }
  }
  return ERROR_SUCCESS;
}

DWORD ResUtilSetPropertyTable(HKEY hkeyClusterKey, const RESUTIL_PROPERTY_ITEM *pPropertyTable,
                              PVOID Reserved, BOOL bAllowUnknownProperties,
                              const void *pInPropertyList, DWORD cbInPropertyListSize,
                              LPBYTE pOutParams)
{
  if (hkeyClusterKey == NULL || !resapi_table_valid(pPropertyTable))
    return resapi_error_set(ERROR_BAD_ARGUMENTS);
  /* The caller's verdict on unknown names first: the parameter-block writer accepts them. */
  DWORD err = ResUtilVerifyPropertyTable(pPropertyTable, Reserved, bAllowUnknownProperties,
                                         pInPropertyList, cbInPropertyListSize, NULL);
  if (err != ERROR_SUCCESS)
    return err;
  return ResUtilSetPropertyParameterBlock(hkeyClusterKey, pPropertyTable, Reserved, NULL,
                                          pInPropertyList, cbInPropertyListSize, pOutParams);
}

/* ---- parameter block -> property list ----------------------------------------------------------
 */

static DWORD resapi_proplist_add_item(PCLUSRES_PROPLIST list, ResapiItem it, const BYTE *block)
{
  if (resapi_item_is_number(it)) {
    DWORD v = resapi_pb_get_dword(block, it);
    return resapi_proplist_add(list, it->Name, it->Format, &v, sizeof v);
  }
  const BYTE *p = resapi_pb_get_ptr(block, it);
  if (resapi_item_is_sz(it)) {
    const char *s = p != NULL ? (const char *)p : "";
    return resapi_proplist_add(list, it->Name, it->Format, s, (DWORD)strlen(s) + 1);
  }
  DWORD cb = p != NULL ? resapi_pb_get_size(block, it) : 0;
  if (it->Format == CLUSPROP_FORMAT_MULTI_SZ && cb == 0) {
    static const BYTE empty_multi_sz[1] = {0};
    return resapi_proplist_add(list, it->Name, it->Format, empty_multi_sz, 1);
  }
  return resapi_proplist_add(list, it->Name, it->Format, p, cb);
}

/* Copies a finished list out with the ERROR_MORE_DATA convention. */
static DWORD resapi_copy_out(const void *data, DWORD size, PVOID out, DWORD cb_out,
                             LPDWORD returned, LPDWORD required)
{
  if (returned != NULL)
    *returned = 0;
  if (required != NULL)
    *required = 0;
  if (out == NULL || cb_out < size) {
    if (required != NULL)
      *required = size;
    return resapi_error_set(ERROR_MORE_DATA);
  }
  memcpy(out, data, size);
  if (returned != NULL)
    *returned = size;
  return ERROR_SUCCESS;
}

/* The same for a property list being built. */
static DWORD resapi_list_copy_out(PCLUSRES_PROPLIST list, PVOID out, DWORD cb_out, LPDWORD returned,
                                  LPDWORD required)
{
  DWORD size;
  const void *data = ClusResPropListBuffer(list, &size);
  return resapi_copy_out(data, size, out, cb_out, returned, required);
}

DWORD ResUtilPropertyListFromParameterBlock(const RESUTIL_PROPERTY_ITEM *pPropertyTable,
                                            PVOID pOutPropertyList, LPDWORD pcbOutPropertyListSize,
                                            const LPBYTE pInParams, LPDWORD pcbBytesReturned,
                                            LPDWORD pcbRequired)
{
  if (!resapi_table_valid(pPropertyTable) || pInParams == NULL || pcbOutPropertyListSize == NULL)
    return resapi_error_set(ERROR_BAD_ARGUMENTS);

  PCLUSRES_PROPLIST list = ClusResPropListCreate();
  DWORD err = ERROR_SUCCESS;
  for (ResapiItem it = pPropertyTable; it->Name != NULL && err == ERROR_SUCCESS; it++)
    err = resapi_proplist_add_item(list, it, pInParams);
  if (err == ERROR_SUCCESS) {
    err = resapi_list_copy_out(list, pOutPropertyList, *pcbOutPropertyListSize, pcbBytesReturned,
                               pcbRequired);
  } else {
    err = resapi_error_set(ERROR_INVALID_DATA); /* e.g. a malformed MULTI_SZ in the block */
  }
  ClusResPropListFree(list);
  return err;
}

DWORD ResUtilEnumProperties(const RESUTIL_PROPERTY_ITEM *pPropertyTable, LPSTR pszOutProperties,
                            DWORD cbOutPropertiesSize, LPDWORD pcbBytesReturned,
                            LPDWORD pcbRequired)
{
  if (!resapi_table_valid(pPropertyTable))
    return resapi_error_set(ERROR_BAD_ARGUMENTS);
  /* As Windows: a MULTI_SZ of the names, each NUL-terminated, then one more NUL. */
  GString *names = g_string_new(NULL);
  for (ResapiItem it = pPropertyTable; it->Name != NULL; it++)
    g_string_append_len(names, it->Name, (gssize)strlen(it->Name) + 1);
  g_string_append_c(names, '\0');
  DWORD err = resapi_copy_out(names->str, (DWORD)names->len, pszOutProperties, cbOutPropertiesSize,
                              pcbBytesReturned, pcbRequired);
  g_string_free(names, TRUE);
  return err;
}

DWORD ResUtilGetPropertyFormats(const RESUTIL_PROPERTY_ITEM *pPropertyTable,
                                PVOID pOutPropertyFormatList, DWORD cbPropertyFormatListSize,
                                LPDWORD pcbBytesReturned, LPDWORD pcbRequired)
{
  if (!resapi_table_valid(pPropertyTable))
    return resapi_error_set(ERROR_BAD_ARGUMENTS);
  /* Windows sends a WORD per name; the list builder has no WORD entry, so the same
   * CLUSPROP_FORMAT_* number travels as a DWORD (resapi.h). */
  PCLUSRES_PROPLIST list = ClusResPropListCreate();
  DWORD err = ERROR_SUCCESS;
  for (ResapiItem it = pPropertyTable; it->Name != NULL && err == ERROR_SUCCESS; it++)
    err = ClusResPropListAddDword(list, it->Name, it->Format);
  if (err == ERROR_SUCCESS) {
    err = resapi_list_copy_out(list, pOutPropertyFormatList, cbPropertyFormatListSize,
                               pcbBytesReturned, pcbRequired);
  }
  ClusResPropListFree(list);
  return err;
}

/* ---- registry -> property list -----------------------------------------------------------------
 */

static gboolean resapi_table_has_reg_name(const RESUTIL_PROPERTY_ITEM *table, const char *name)
{
  for (ResapiItem it = table; it->Name != NULL; it++) {
    if (g_ascii_strcasecmp(resapi_item_reg_name(it), name) == 0)
      return TRUE;
  }
  return FALSE;
}

/* Adds the key's values that the table does not describe (Windows returns them too). */
static DWORD resapi_proplist_add_unknown(PCLUSRES_PROPLIST list, HKEY key,
                                         const RESUTIL_PROPERTY_ITEM *table)
{
  for (DWORD i = 0;; i++) {
    char name[1024];
    DWORD cch = sizeof name, type, cb = 0;
    DWORD err = ClusterRegEnumValue(key, i, name, &cch, &type, NULL, &cb);
    if (err == ERROR_NO_MORE_ITEMS)
      return ERROR_SUCCESS;
    if (err == ERROR_MORE_DATA || err == ERROR_INVALID_DATA)
      continue; /* a name too long for a property, or a value we cannot decode: skip it */
    if (err != ERROR_SUCCESS)
      return err;
    if (name[0] == '\0' || resapi_table_has_reg_name(table, name) ||
        !g_utf8_validate(name, -1, NULL))
      continue;
    g_autofree BYTE *data = NULL;
    if (resapi_reg_read(key, name, &type, &data, &cb) != ERROR_SUCCESS)
      continue; /* deleted meanwhile */
    DWORD format;
    switch (type) {
    case REG_DWORD:
      format = CLUSPROP_FORMAT_DWORD;
      break;
    case REG_QWORD:
      format = CLUSPROP_FORMAT_ULARGE_INTEGER;
      break;
    case REG_SZ:
      format = CLUSPROP_FORMAT_SZ;
      break;
    case REG_EXPAND_SZ:
      format = CLUSPROP_FORMAT_EXPAND_SZ;
      break;
    case REG_MULTI_SZ:
      format =
          resapi_multi_sz_is_valid(data, cb) ? CLUSPROP_FORMAT_MULTI_SZ : CLUSPROP_FORMAT_BINARY;
      break;
    default:
      format = CLUSPROP_FORMAT_BINARY;
      break;
    }
    if (resapi_proplist_add(list, name, format, data, cb) != ERROR_SUCCESS)
      continue; /* e.g. a REG_SZ that is not UTF-8: not representable on the wire */
  }
}

gsize resapi_table_block_size(const RESUTIL_PROPERTY_ITEM *table)
{
  gsize size = sizeof(void *);
  for (ResapiItem it = table; it->Name != NULL; it++)
    size = MAX(size, (gsize)it->Offset + resapi_item_storage(it));
  return size;
}

DWORD ResUtilGetAllProperties(HKEY hkeyClusterKey, const RESUTIL_PROPERTY_ITEM *pPropertyTable,
                              PVOID pOutPropertyList, DWORD cbOutPropertyListSize,
                              LPDWORD pcbBytesReturned, LPDWORD pcbRequired)
{
  if (hkeyClusterKey == NULL || !resapi_table_valid(pPropertyTable))
    return resapi_error_set(ERROR_BAD_ARGUMENTS);

  BYTE *block = g_malloc0(resapi_table_block_size(pPropertyTable));
  PCLUSRES_PROPLIST list = ClusResPropListCreate();
  DWORD err =
      ResUtilGetPropertiesToParameterBlock(hkeyClusterKey, pPropertyTable, block, FALSE, NULL);
  for (ResapiItem it = pPropertyTable; it->Name != NULL && err == ERROR_SUCCESS; it++) {
    if (resapi_proplist_add_item(list, it, block) != ERROR_SUCCESS)
      err = ERROR_INVALID_DATA;
  }
  if (err == ERROR_SUCCESS)
    err = resapi_proplist_add_unknown(list, hkeyClusterKey, pPropertyTable);
  if (err == ERROR_SUCCESS) {
    err = resapi_list_copy_out(list, pOutPropertyList, cbOutPropertyListSize, pcbBytesReturned,
                               pcbRequired);
  } else {
    SetLastError(err);
  }
  ClusResPropListFree(list);
  ResUtilFreeParameterBlock(block, NULL, pPropertyTable);
  g_free(block);
  return err;
}

DWORD ResUtilGetPrivateProperties(HKEY hkeyClusterKey, PVOID pOutPropertyList,
                                  DWORD cbOutPropertyListSize, LPDWORD pcbBytesReturned,
                                  LPDWORD pcbRequired)
{
  static const RESUTIL_PROPERTY_ITEM no_table[] = {{0}};

  if (hkeyClusterKey == NULL)
    return resapi_error_set(ERROR_BAD_ARGUMENTS);
  /* Without a table every value is "unknown": its REG_* type gives its format. */
  PCLUSRES_PROPLIST list = ClusResPropListCreate();
  DWORD err = resapi_proplist_add_unknown(list, hkeyClusterKey, no_table);
  if (err == ERROR_SUCCESS) {
    err = resapi_list_copy_out(list, pOutPropertyList, cbOutPropertyListSize, pcbBytesReturned,
                               pcbRequired);
  } else {
    SetLastError(err);
  }
  ClusResPropListFree(list);
  return err;
}

/* ---- block copies ------------------------------------------------------------------------------
 */

DWORD ResUtilDupParameterBlock(LPBYTE pOutParams, const LPBYTE pInParams,
                               const RESUTIL_PROPERTY_ITEM *pPropertyTable)
{
  if (pOutParams == NULL || pInParams == NULL || !resapi_table_valid(pPropertyTable))
    return resapi_error_set(ERROR_BAD_ARGUMENTS);
  for (ResapiItem it = pPropertyTable; it->Name != NULL; it++) {
    if (resapi_item_is_number(it)) {
      resapi_pb_set_dword(pOutParams, it, resapi_pb_get_dword(pInParams, it));
      continue;
    }
    /* pOutParams is a fresh block: its old contents are not ours to free. */
    const void *p = resapi_pb_get_ptr(pInParams, it);
    if (resapi_item_is_sz(it)) {
      resapi_pb_set_ptr(pOutParams, it, g_strdup(p));
    } else {
      DWORD cb = resapi_pb_get_size(pInParams, it);
      resapi_pb_set_ptr(pOutParams, it, p != NULL && cb > 0 ? g_memdup2(p, cb) : NULL);
      resapi_pb_set_size(pOutParams, it, p != NULL ? cb : 0);
    }
  }
  return ERROR_SUCCESS;
}

VOID ResUtilFreeParameterBlock(LPBYTE pOutParams, const LPBYTE pInParams,
                               const RESUTIL_PROPERTY_ITEM *pPropertyTable)
{
  if (pOutParams == NULL || !resapi_table_valid(pPropertyTable))
    return;
  for (ResapiItem it = pPropertyTable; it->Name != NULL; it++) {
    if (resapi_item_is_number(it))
      continue;
    void *p = resapi_pb_get_ptr(pOutParams, it);
    if (pInParams != NULL && p == resapi_pb_get_ptr(pInParams, it))
      continue; /* shared with the block it was copied to */
    g_free(p);
    /* Cleared so that a second free, or a later Get into the block, is harmless. */
    resapi_pb_set_ptr(pOutParams, it, NULL);
    if (resapi_item_is_buffer(it))
      resapi_pb_set_size(pOutParams, it, 0);
  }
}
