/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "clusres-propvar.h"

#include <string.h>

static gsize align4(gsize n)
{
  return (n + 3) & ~(gsize)3;
}

GVariant *clusres_propvar_from_list(const void *buf, gsize size)
{
  const guint8 *b = buf;
  if (size < 4)
    return NULL;
  DWORD count;
  memcpy(&count, b, 4);
  gsize pos = 4;
  g_auto(GVariantBuilder) vb = G_VARIANT_BUILDER_INIT(G_VARIANT_TYPE_VARDICT);
  for (DWORD i = 0; i < count; i++) {
    const char *name = NULL;
    GVariant *value = NULL;
    for (;;) {
      if (pos + 8 > size)
        goto bad;
      DWORD syntax, cb;
      memcpy(&syntax, b + pos, 4);
      memcpy(&cb, b + pos + 4, 4);
      pos += 8;
      if (cb > size - pos)
        goto bad;
      const guint8 *data = b + pos;
      pos += align4(cb);
      if (pos > size)
        goto bad;
      if (syntax == CLUSPROP_SYNTAX_ENDMARK)
        break;
      if (syntax == CLUSPROP_SYNTAX_NAME) {
        if (cb == 0 || data[cb - 1] != '\0')
          goto bad;
        name = (const char *)data;
        continue;
      }
      if (value != NULL)
        continue; /* only the first value of a property is shown */
      switch (syntax & 0xFFFFu) {
      case CLUSPROP_FORMAT_DWORD:
        if (cb == 4) {
          DWORD d;
          memcpy(&d, data, 4);
          value = g_variant_new_uint32(d);
        }
        break;
      case CLUSPROP_FORMAT_LONG:
        if (cb == 4) {
          gint32 l;
          memcpy(&l, data, 4);
          value = g_variant_new_int32(l);
        }
        break;
      case CLUSPROP_FORMAT_SZ:
      case CLUSPROP_FORMAT_EXPAND_SZ:
      case CLUSPROP_FORMAT_EXPANDED_SZ:
        if (cb > 0 && data[cb - 1] == '\0' && g_utf8_validate((const char *)data, -1, NULL))
          value = g_variant_new_string((const char *)data);
        break;
      case CLUSPROP_FORMAT_MULTI_SZ: {
        g_autoptr(GPtrArray) strs = g_ptr_array_new();
        gsize off = 0;
        while (off < cb && data[off] != '\0') {
          const char *s = (const char *)data + off;
          gsize len = strnlen(s, cb - off);
          if (off + len >= cb || !g_utf8_validate(s, (gssize)len, NULL))
            break;
          g_ptr_array_add(strs, (gpointer)s);
          off += len + 1;
        }
        value = g_variant_new_strv((const char *const *)strs->pdata, strs->len);
        break;
      }
      default:
        value = g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, data, cb, 1);
        break;
      }
    }
    if (name != NULL && value != NULL)
      g_variant_builder_add(&vb, "{sv}", name, value);
    else if (value != NULL)
      g_variant_unref(g_variant_ref_sink(value));
  }
  return g_variant_builder_end(&vb);
bad:
  return NULL;
}
