/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "clusres-params.h"

#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK(clusres - params - error - quark, clusres_params_error)

const RESUTIL_PROPERTY_ITEM *clusres_params_find(const CLUSRES_TYPE_INFO *info, const char *name)
{
  for (const RESUTIL_PROPERTY_ITEM *it = info->Properties; it != NULL && it->Name != NULL; it++) {
    if (strcmp(it->Name, name) == 0)
      return it;
  }
  return NULL;
}

const CLUSRES_PROPERTY_DOC *clusres_params_find_doc(const CLUSRES_TYPE_INFO *info, const char *name)
{
  for (const CLUSRES_PROPERTY_DOC *d = info->Docs; d != NULL && d->Name != NULL; d++) {
    if (strcmp(d->Name, name) == 0)
      return d;
  }
  return NULL;
}

static gboolean bad_value(GError **error, const char *name, const char *value, const char *why)
{
  g_set_error(error, CLUSRES_PARAMS_ERROR, CLUSRES_PARAMS_ERROR_INVALID, "parameter %s=\"%s\": %s",
              name, value, why);
  return FALSE;
}

static gboolean check_path(const char *name, const char *value, GError **error)
{
  if (!g_path_is_absolute(value))
    return bad_value(error, name, value, "must be an absolute path");
  g_auto(GStrv) parts = g_strsplit(value, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++) {
    if (strcmp(parts[i], "..") == 0)
      return bad_value(error, name, value, "must not contain \"..\"");
  }
  return TRUE;
}

gboolean clusres_params_parse_number(const RESUTIL_PROPERTY_ITEM *item, const char *value,
                                     gint64 *out)
{
  guint base = 10;

  if (g_str_has_prefix(value, "0x") || g_str_has_prefix(value, "0X")) {
    value += 2;
    base = 16;
  }
  if (item->Format == CLUSPROP_FORMAT_LONG)
    return g_ascii_string_to_signed(value, base, G_MININT32, G_MAXINT32, out, NULL);
  return g_ascii_string_to_signed(value, base, 0, G_MAXUINT32, out, NULL);
}

static gboolean add_number(PCLUSRES_PROPLIST list, const RESUTIL_PROPERTY_ITEM *it,
                           const char *value, DWORD *st, GError **error)
{
  gint64 v = 0;

  if (!clusres_params_parse_number(it, value, &v))
    return bad_value(error, it->Name, value,
                     it->Format == CLUSPROP_FORMAT_LONG ? "must be an integer"
                                                        : "must be an unsigned integer");
  *st = it->Format == CLUSPROP_FORMAT_LONG ? ClusResPropListAddLong(list, it->Name, (LONG)v)
                                           : ClusResPropListAddDword(list, it->Name, (DWORD)v);
  return TRUE;
}

static gboolean add_multi_sz(PCLUSRES_PROPLIST list, const RESUTIL_PROPERTY_ITEM *it,
                             const char *value, DWORD *st)
{
  g_auto(GStrv) parts = g_strsplit(value, ",", -1);
  g_autoptr(GString) buf = g_string_new(NULL);

  for (guint i = 0; parts[i] != NULL; i++) {
    g_strstrip(parts[i]);
    if (*parts[i] != '\0')
      g_string_append_len(buf, parts[i], (gssize)strlen(parts[i]) + 1);
  }
  g_string_append_c(buf, '\0');
  *st = ClusResPropListAddMultiSz(list, it->Name, buf->str, (DWORD)buf->len);
  return TRUE;
}

static gboolean add_binary(PCLUSRES_PROPLIST list, const RESUTIL_PROPERTY_ITEM *it,
                           const char *value, DWORD *st, GError **error)
{
  gsize n = strlen(value);
  g_autofree BYTE *bytes = g_malloc0(n / 2 + 1);

  if (n % 2 != 0)
    return bad_value(error, it->Name, value, "must be hexadecimal bytes");
  for (gsize i = 0; i < n; i += 2) {
    int hi = g_ascii_xdigit_value(value[i]), lo = g_ascii_xdigit_value(value[i + 1]);
    if (hi < 0 || lo < 0)
      return bad_value(error, it->Name, value, "must be hexadecimal bytes");
    bytes[i / 2] = (BYTE)(hi * 16 + lo);
  }
  *st = ClusResPropListAddBinary(list, it->Name, bytes, (DWORD)(n / 2));
  return TRUE;
}

/* Appends one parameter string as a property of the item's format. */
static gboolean add_value(PCLUSRES_PROPLIST list, const RESUTIL_PROPERTY_ITEM *it,
                          const char *value, GError **error)
{
  DWORD st = ERROR_SUCCESS;
  gboolean ok = TRUE;

  switch (it->Format) {
  case CLUSPROP_FORMAT_DWORD:
  case CLUSPROP_FORMAT_LONG:
    ok = add_number(list, it, value, &st, error);
    break;
  case CLUSPROP_FORMAT_EXPAND_SZ:
    st = ClusResPropListAddExpandSz(list, it->Name, value);
    break;
  case CLUSPROP_FORMAT_MULTI_SZ:
    ok = add_multi_sz(list, it, value, &st);
    break;
  case CLUSPROP_FORMAT_BINARY:
    ok = add_binary(list, it, value, &st, error);
    break;
  default:
    st = ClusResPropListAddSz(list, it->Name, value);
    break;
  }
  if (ok && st != ERROR_SUCCESS) {
    g_set_error(error, CLUSRES_PARAMS_ERROR, CLUSRES_PARAMS_ERROR_FAILED,
                "parameter %s: cannot build list (%u)", it->Name, st);
    return FALSE;
  }
  return ok;
}

static const char *range_text(const RESUTIL_PROPERTY_ITEM *it, char *buf, gsize size)
{
  if (it->Format == CLUSPROP_FORMAT_DWORD && it->Maximum > it->Minimum) {
    g_snprintf(buf, size, "out of range (%u to %u)", it->Minimum, it->Maximum);
    return buf;
  }
  return "rejected by the property table";
}

/* One property alone through the table check, so that the message can name it. */
static gboolean verify_one(const CLUSRES_TYPE_INFO *info, const RESUTIL_PROPERTY_ITEM *it,
                           const char *value, GError **error)
{
  g_autoptr(ClusresPropList) one = ClusResPropListCreate();
  DWORD cb = 0;

  if (!add_value(one, it, value, error))
    return FALSE;
  const void *buf = ClusResPropListBuffer(one, &cb);
  DWORD st = ResUtilVerifyPropertyTable(info->Properties, NULL, FALSE, buf, cb, NULL);
  char why[64];
  if (st != ERROR_SUCCESS)
    return bad_value(error, it->Name, value, range_text(it, why, sizeof(why)));
  return TRUE;
}

static gboolean check_required(const CLUSRES_TYPE_INFO *info, GHashTable *params, GError **error)
{
  for (const RESUTIL_PROPERTY_ITEM *it = info->Properties; it != NULL && it->Name != NULL; it++) {
    if ((it->Flags & RESUTIL_PROPITEM_REQUIRED) && !g_hash_table_contains(params, it->Name)) {
      g_set_error(error, CLUSRES_PARAMS_ERROR, CLUSRES_PARAMS_ERROR_INVALID,
                  "required parameter %s is missing", it->Name);
      return FALSE;
    }
  }
  return TRUE;
}

static int compare_names(gconstpointer a, gconstpointer b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

ClusresPropList *clusres_params_build(const CLUSRES_TYPE_INFO *info, GHashTable *params,
                                      gboolean reloadable_only, GError **error)
{
  g_autoptr(ClusresPropList) list = ClusResPropListCreate();
  /* Sorted, so that messages and lists do not depend on hash order. */
  g_autofree const char **names = (const char **)g_hash_table_get_keys_as_array(params, NULL);
  guint n = g_hash_table_size(params);

  qsort(names, n, sizeof(*names), compare_names);
  if (!reloadable_only && !check_required(info, params, error))
    return NULL;
  for (guint i = 0; i < n; i++) {
    const char *value = g_hash_table_lookup(params, names[i]);
    const RESUTIL_PROPERTY_ITEM *it = clusres_params_find(info, names[i]);
    const CLUSRES_PROPERTY_DOC *doc = clusres_params_find_doc(info, names[i]);
    guint32 flags = doc != NULL ? doc->Flags : 0;

    if (it == NULL) {
      g_set_error(error, CLUSRES_PARAMS_ERROR, CLUSRES_PARAMS_ERROR_INVALID, "unknown parameter %s",
                  names[i]);
      return NULL;
    }
    if (reloadable_only && !(flags & CLUSRES_PROPDOC_RELOADABLE))
      continue;
    if ((flags & CLUSRES_PROPDOC_PATH) && !check_path(it->Name, value, error))
      return NULL;
    if (!verify_one(info, it, value, error) || !add_value(list, it, value, error))
      return NULL;
  }
  DWORD cb = 0;
  const void *buf = ClusResPropListBuffer(list, &cb);
  DWORD st = ResUtilVerifyPropertyTable(info->Properties, NULL, FALSE, buf, cb, NULL);
  if (st != ERROR_SUCCESS) {
    g_set_error(error, CLUSRES_PARAMS_ERROR, CLUSRES_PARAMS_ERROR_INVALID,
                "the parameters do not match the property table (status %u)", st);
    return NULL;
  }
  return g_steal_pointer(&list);
}
