/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The CLUSPROP wire format: builder round trips, alignment, strict rejection of bad buffers. */
#undef NDEBUG
#include <string.h>

#include <glib.h>

#include "clusres/resapi.h"

/* Validates a copy in an exactly sized heap block, so ASan catches any read past the end. */
static DWORD validate_exact(const void *data, gsize size)
{
  void *copy = g_malloc(size > 0 ? size : 1);
  if (size > 0)
    memcpy(copy, data, size);
  DWORD err = ClusResPropListValidate(copy, (DWORD)size);
  g_free(copy);
  return err;
}

static GByteArray *build_sample(void)
{
  PCLUSRES_PROPLIST list = ClusResPropListCreate();
  static const char multi[] = "a\0bc\0"; /* 6 bytes with the closing NUL */
  static const BYTE bin[] = {1, 2, 3, 4, 5};
  g_assert_cmpuint(ClusResPropListAddSz(list, "Path", "/srv/share"), ==, 0);
  g_assert_cmpuint(ClusResPropListAddExpandSz(list, "Env", "%HOME%"), ==, 0);
  g_assert_cmpuint(ClusResPropListAddMultiSz(list, "Clients", multi, sizeof multi), ==, 0);
  g_assert_cmpuint(ClusResPropListAddDword(list, "Port", 2049), ==, 0);
  g_assert_cmpuint(ClusResPropListAddLong(list, "Offset", -7), ==, 0);
  g_assert_cmpuint(ClusResPropListAddBinary(list, "Blob", bin, sizeof bin), ==, 0);
  g_assert_cmpuint(ClusResPropListAddBinary(list, "Empty", NULL, 0), ==, 0);
  DWORD cb;
  const void *buf = ClusResPropListBuffer(list, &cb);
  GByteArray *copy = g_byte_array_new();
  g_byte_array_append(copy, buf, cb);
  ClusResPropListFree(list);
  return copy;
}

static void test_round_trip(void)
{
  g_autoptr(GByteArray) l = build_sample();
  g_assert_cmpuint(l->len % 4, ==, 0);
  g_assert_cmpuint(validate_exact(l->data, l->len), ==, ERROR_SUCCESS);
  DWORD count;
  memcpy(&count, l->data, 4);
  g_assert_cmpuint(count, ==, 7);

  LPSTR s = NULL;
  g_assert_cmpuint(ResUtilFindSzProperty(l->data, l->len, "Path", &s), ==, 0);
  g_assert_cmpstr(s, ==, "/srv/share");
  ResUtilFree(s);
  g_assert_cmpuint(ResUtilFindSzProperty(l->data, l->len, "path", &s), ==,
                   0); /* case-insensitive */
  ResUtilFree(s);
  g_assert_cmpuint(ResUtilFindSzProperty(l->data, l->len, "Env", &s), ==, 0);
  g_assert_cmpstr(s, ==, "%HOME%");
  ResUtilFree(s);
  DWORD port = 0;
  g_assert_cmpuint(ResUtilFindDwordProperty(l->data, l->len, "Port", &port), ==, 0);
  g_assert_cmpuint(port, ==, 2049);

  /* Absent and wrong-format lookups. */
  s = NULL;
  g_assert_cmpuint(ResUtilFindSzProperty(l->data, l->len, "Nope", &s), ==, ERROR_FILE_NOT_FOUND);
  g_assert_null(s);
  g_assert_cmpuint(ResUtilFindSzProperty(l->data, l->len, "Port", &s), ==, ERROR_INVALID_DATA);
  g_assert_cmpuint(ResUtilFindDwordProperty(l->data, l->len, "Path", &port), ==,
                   ERROR_INVALID_DATA);
  g_assert_cmpuint(ResUtilFindDwordProperty(l->data, l->len, "Offset", &port), ==,
                   ERROR_INVALID_DATA);
  g_assert_cmpuint(ResUtilFindDwordProperty(l->data, l->len - 4, "Port", &port), ==,
                   ERROR_INVALID_DATA);

  /* An empty list is 4 bytes of zero count. */
  PCLUSRES_PROPLIST empty = ClusResPropListCreate();
  DWORD cb = 0;
  const void *buf = ClusResPropListBuffer(empty, &cb);
  g_assert_cmpuint(cb, ==, 4);
  g_assert_cmpuint(validate_exact(buf, cb), ==, ERROR_SUCCESS);
  ClusResPropListFree(empty);
}

/* Exact layout: header, data, zero padding to 4. */
static void test_alignment_layout(void)
{
  PCLUSRES_PROPLIST list = ClusResPropListCreate();
  g_assert_cmpuint(ClusResPropListAddSz(list, "abcd", "xyz"), ==, 0); /* name 5 bytes, value 4 */
  DWORD cb;
  const BYTE *b = ClusResPropListBuffer(list, &cb);
  /* count + name(8+8) + value(8+4) + endmark(8) */
  g_assert_cmpuint(cb, ==, 4 + 16 + 12 + 8);
  CLUSPROP_VALUE hdr;
  memcpy(&hdr, b + 4, sizeof hdr);
  g_assert_cmphex(hdr.Syntax, ==, CLUSPROP_SYNTAX_NAME);
  g_assert_cmpuint(hdr.cbLength, ==, 5);
  g_assert_cmpmem(b + 12, 8, "abcd\0\0\0\0", 8);
  memcpy(&hdr, b + 20, sizeof hdr);
  g_assert_cmphex(hdr.Syntax, ==, CLUSPROP_SYNTAX_LIST_VALUE_SZ);
  g_assert_cmpuint(hdr.cbLength, ==, 4);
  memcpy(&hdr, b + 32, sizeof hdr);
  g_assert_cmphex(hdr.Syntax, ==, CLUSPROP_SYNTAX_ENDMARK);
  g_assert_cmpuint(hdr.cbLength, ==, 0);
  ClusResPropListFree(list);
}

static void test_builder_rejects(void)
{
  PCLUSRES_PROPLIST list = ClusResPropListCreate();
  g_assert_cmpuint(ClusResPropListAddSz(list, NULL, "x"), ==, ERROR_INVALID_PARAMETER);
  g_assert_cmpuint(ClusResPropListAddSz(list, "", "x"), ==, ERROR_INVALID_PARAMETER);
  g_assert_cmpuint(ClusResPropListAddSz(list, "n", NULL), ==, ERROR_INVALID_PARAMETER);
  g_assert_cmpuint(ClusResPropListAddSz(list, "n", "\xff"), ==, ERROR_INVALID_PARAMETER);
  g_assert_cmpuint(ClusResPropListAddSz(list, "\xc3", "x"), ==, ERROR_INVALID_PARAMETER);
  g_assert_cmpuint(ClusResPropListAddMultiSz(list, "m", "a\0b", 3), ==, ERROR_INVALID_PARAMETER);
  g_assert_cmpuint(ClusResPropListAddMultiSz(list, "m", "a\0\0b\0\0", 6), ==,
                   ERROR_INVALID_PARAMETER);
  g_assert_cmpuint(ClusResPropListAddMultiSz(list, "m", "", 0), ==, ERROR_INVALID_PARAMETER);
  g_assert_cmpuint(ClusResPropListAddMultiSz(list, "m", "", 1), ==, ERROR_SUCCESS); /* empty list */
  g_assert_cmpuint(ClusResPropListAddBinary(list, "b", NULL, 3), ==, ERROR_INVALID_PARAMETER);
  g_assert_cmpuint(ClusResPropListAddDword(NULL, "d", 1), ==, ERROR_INVALID_PARAMETER);
  DWORD cb;
  const void *buf = ClusResPropListBuffer(list, &cb);
  DWORD count;
  memcpy(&count, buf, 4);
  g_assert_cmpuint(count, ==, 1); /* failed adds left nothing behind */
  g_assert_cmpuint(validate_exact(buf, cb), ==, ERROR_SUCCESS);
  ClusResPropListFree(list);
}

/* ---- malformed buffers -------------------------------------------------------------------- */

static void put32(GByteArray *a, DWORD v)
{
  g_byte_array_append(a, (const guint8 *)&v, 4);
}

static void put_entry(GByteArray *a, DWORD syntax, DWORD cb_declared, const void *data, gsize len)
{
  put32(a, syntax);
  put32(a, cb_declared);
  if (len > 0)
    g_byte_array_append(a, data, (guint)len);
  static const guint8 zeros[4] = {0};
  g_byte_array_append(a, zeros, (guint)((4 - len % 4) % 4));
}

/* One property with a DWORD value, every field given explicitly. */
static GByteArray *one_prop(DWORD count, DWORD name_syntax, const char *name, gsize name_len,
                            DWORD value_syntax, const void *value, gsize value_len,
                            DWORD end_syntax, DWORD end_len)
{
  GByteArray *a = g_byte_array_new();
  put32(a, count);
  put_entry(a, name_syntax, (DWORD)name_len, name, name_len);
  put_entry(a, value_syntax, (DWORD)value_len, value, value_len);
  put32(a, end_syntax);
  put32(a, end_len);
  return a;
}

static void test_malformed_rejected(void)
{
  DWORD four = 4;
  const DWORD vdw = CLUSPROP_SYNTAX_LIST_VALUE_DWORD, vsz = CLUSPROP_SYNTAX_LIST_VALUE_SZ;
  const DWORD name = CLUSPROP_SYNTAX_NAME;
  struct {
    const char *what;
    GByteArray *buf;
  } cases[] = {
      {"count 2, one property", one_prop(2, name, "ab", 3, vdw, &four, 4, 0, 0)},
      {"count 0, trailing property", one_prop(0, name, "ab", 3, vdw, &four, 4, 0, 0)},
      {"name without NUL", one_prop(1, name, "abc", 3, vdw, &four, 4, 0, 0)},
      {"name with inner NUL", one_prop(1, name, "a\0b", 4, vdw, &four, 4, 0, 0)},
      {"empty name", one_prop(1, name, "", 1, vdw, &four, 4, 0, 0)},
      {"name not UTF-8", one_prop(1, name, "\xff\xfe", 3, vdw, &four, 4, 0, 0)},
      {"name entry has value syntax", one_prop(1, vsz, "ab", 3, vdw, &four, 4, 0, 0)},
      {"value entry has name syntax", one_prop(1, name, "ab", 3, name, "x", 2, 0, 0)},
      {"value of type ENDMARK", one_prop(1, name, "ab", 3, CLUSPROP_FORMAT_DWORD, &four, 4, 0, 0)},
      {"unknown value format",
       one_prop(1, name, "ab", 3, CLUSPROP_SYNTAX_VALUE(1, 99), &four, 4, 0, 0)},
      {"DWORD of 3 bytes", one_prop(1, name, "ab", 3, vdw, &four, 3, 0, 0)},
      {"DWORD of 8 bytes", one_prop(1, name, "ab", 3, vdw, "12345678", 8, 0, 0)},
      {"SZ without NUL", one_prop(1, name, "ab", 3, vsz, "xyz", 3, 0, 0)},
      {"SZ of 0 bytes", one_prop(1, name, "ab", 3, vsz, "", 0, 0, 0)},
      {"SZ not UTF-8", one_prop(1, name, "ab", 3, vsz, "\xc3\x28", 3, 0, 0)},
      {"MULTI_SZ without final empty string",
       one_prop(1, name, "ab", 3, CLUSPROP_SYNTAX_LIST_VALUE_MULTI_SZ, "a\0b", 4, 0, 0)},
      {"MULTI_SZ with empty string inside",
       one_prop(1, name, "ab", 3, CLUSPROP_SYNTAX_LIST_VALUE_MULTI_SZ, "a\0\0b\0", 6, 0, 0)},
      {"missing ENDMARK (other syntax)", one_prop(1, name, "ab", 3, vdw, &four, 4, vdw, 0)},
      {"ENDMARK with a length", one_prop(1, name, "ab", 3, vdw, &four, 4, 0, 4)},
  };

  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_test_message("case: %s", cases[i].what);
    g_assert_cmpuint(validate_exact(cases[i].buf->data, cases[i].buf->len), ==, ERROR_INVALID_DATA);
    g_byte_array_unref(cases[i].buf);
  }

  /* Hand-made buffers the helper cannot express. */
  g_autoptr(GByteArray) good = one_prop(1, name, "ab", 3, vdw, &four, 4, 0, 0);
  g_assert_cmpuint(validate_exact(good->data, good->len), ==, ERROR_SUCCESS);

  /* Every proper prefix of a valid list is invalid. */
  g_autoptr(GByteArray) sample = build_sample();
  for (guint len = 0; len < sample->len; len++)
    g_assert_cmpuint(validate_exact(sample->data, len), ==, ERROR_INVALID_DATA);
  /* Trailing garbage, even aligned zeros (an extra ENDMARK), is refused. */
  g_autoptr(GByteArray) trailing = g_byte_array_new();
  g_byte_array_append(trailing, good->data, good->len);
  put32(trailing, 0);
  put32(trailing, 0);
  g_assert_cmpuint(validate_exact(trailing->data, trailing->len), ==, ERROR_INVALID_DATA);
  /* Non-zero padding after the name "ab\0". */
  g_autoptr(GByteArray) padding = g_byte_array_new();
  g_byte_array_append(padding, good->data, good->len);
  padding->data[4 + 8 + 3] = 'X';
  g_assert_cmpuint(validate_exact(padding->data, padding->len), ==, ERROR_INVALID_DATA);
  /* Lengths that would run past the end or wrap around 32 bits. */
  g_autoptr(GByteArray) huge = g_byte_array_new();
  g_byte_array_append(huge, good->data, good->len);
  DWORD big = 0xFFFFFFFFu;
  memcpy(huge->data + 8, &big, 4); /* name cbLength */
  g_assert_cmpuint(validate_exact(huge->data, huge->len), ==, ERROR_INVALID_DATA);
  big = 0xFFFFFFFDu; /* + padding would wrap a 32-bit sum to a small number */
  memcpy(huge->data + 8, &big, 4);
  g_assert_cmpuint(validate_exact(huge->data, huge->len), ==, ERROR_INVALID_DATA);
  /* Huge count with nothing behind it. */
  DWORD huge_count = 0xFFFFFFFFu;
  g_assert_cmpuint(validate_exact(&huge_count, 4), ==, ERROR_INVALID_DATA);
  /* Unaligned total size, NULL buffer, short buffers. */
  g_assert_cmpuint(validate_exact(good->data, good->len + 1), ==, ERROR_INVALID_DATA);
  g_assert_cmpuint(ClusResPropListValidate(NULL, 0), ==, ERROR_INVALID_DATA);
  g_assert_cmpuint(ClusResPropListValidate(NULL, 16), ==, ERROR_INVALID_DATA);
  g_assert_cmpuint(validate_exact("", 0), ==, ERROR_INVALID_DATA);
  g_assert_cmpuint(validate_exact("\0\0", 2), ==, ERROR_INVALID_DATA);
}

/* Random corruption of a valid list: never a crash or an over-read (ASan), and whatever is
 * accepted can be searched. */
static void test_random_corruption(void)
{
  g_autoptr(GByteArray) sample = build_sample();
  GRand *rand = g_rand_new_with_seed(0x5eed);
  guint accepted = 0;
  for (int i = 0; i < 20000; i++) {
    guint8 *copy = g_memdup2(sample->data, sample->len);
    guint len = sample->len;
    int flips = g_rand_int_range(rand, 1, 4);
    for (int f = 0; f < flips; f++)
      copy[g_rand_int_range(rand, 0, (gint32)len)] = (guint8)g_rand_int(rand);
    if (g_rand_boolean(rand))
      len = (guint)g_rand_int_range(rand, 0, (gint32)len + 1);
    if (ClusResPropListValidate(copy, len) == ERROR_SUCCESS) {
      accepted++;
      LPSTR s = NULL;
      if (ResUtilFindSzProperty(copy, len, "Path", &s) == ERROR_SUCCESS)
        g_assert_true(g_utf8_validate(s, -1, NULL));
      ResUtilFree(s);
    }
    g_free(copy);
  }
  g_test_message("%u of 20000 corrupted lists still valid", accepted);
  g_rand_free(rand);
}

/* ClusResPropListReturn: the ResourceControl convention in one place. */
static void test_return(void)
{
  PCLUSRES_PROPLIST l = ClusResPropListCreate();
  g_assert_cmpuint(ClusResPropListAddDword(l, "A", 1), ==, 0);
  DWORD size = 0;
  const void *data = ClusResPropListBuffer(l, &size);
  BYTE out[256];
  DWORD returned = 0;

  /* Too small (or no buffer): ERROR_MORE_DATA and the size needed in *BytesReturned. */
  g_assert_cmpuint(ClusResPropListReturn(l, out, size - 1, &returned), ==, ERROR_MORE_DATA);
  g_assert_cmpuint(returned, ==, size);
  g_assert_cmpuint(GetLastError(), ==, ERROR_MORE_DATA);
  returned = 0;
  g_assert_cmpuint(ClusResPropListReturn(l, NULL, sizeof out, &returned), ==, ERROR_MORE_DATA);
  g_assert_cmpuint(returned, ==, size);
  /* Large enough: the bytes copied. */
  memset(out, 0xEE, sizeof out);
  g_assert_cmpuint(ClusResPropListReturn(l, out, sizeof out, &returned), ==, ERROR_SUCCESS);
  g_assert_cmpuint(returned, ==, size);
  g_assert_cmpmem(out, returned, data, size);
  g_assert_cmpuint(out[size], ==, 0xEE); /* nothing past the list */
  /* BytesReturned may be NULL; a NULL list is a bad call. */
  g_assert_cmpuint(ClusResPropListReturn(l, out, sizeof out, NULL), ==, ERROR_SUCCESS);
  returned = 7;
  g_assert_cmpuint(ClusResPropListReturn(NULL, out, sizeof out, &returned), ==,
                   ERROR_INVALID_PARAMETER);
  g_assert_cmpuint(returned, ==, 0);
  ClusResPropListFree(l);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/resapi/proplist/round-trip", test_round_trip);
  g_test_add_func("/resapi/proplist/alignment-layout", test_alignment_layout);
  g_test_add_func("/resapi/proplist/builder-rejects", test_builder_rejects);
  g_test_add_func("/resapi/proplist/malformed-rejected", test_malformed_rejected);
  g_test_add_func("/resapi/proplist/random-corruption", test_random_corruption);
  g_test_add_func("/resapi/proplist/return", test_return);
  return g_test_run();
}
