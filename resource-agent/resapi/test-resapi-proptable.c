/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Property tables and parameter blocks: defaults, REQUIRED, ranges, READ_ONLY, unknown names,
 * ERROR_MORE_DATA, and leak-free dup/free (checked by LeakSanitizer in the ASan build). */
#undef NDEBUG
#include <stddef.h>
#include <string.h>

#include <glib.h>

#include "clusres/resapi.h"

typedef struct {
  char *Path;
  DWORD Port;
  LONG Offset;
  char *Remark;
  char *Clients;
  DWORD cbClients;
  BYTE *Blob;
  DWORD cbBlob;
  DWORD Status;
  char *Renamed;
} Params;

static const BYTE default_blob[] = {0xde, 0xad};

static const RESUTIL_PROPERTY_ITEM table[] = {
    RESUTIL_PROPITEM_SZ("Path", offsetof(Params, Path), NULL, RESUTIL_PROPITEM_REQUIRED),
    RESUTIL_PROPITEM_DWORD("Port", offsetof(Params, Port), 2049, 1, 65535, 0),
    {.Name = "Offset",
     .Format = CLUSPROP_FORMAT_LONG,
     .Default = (DWORD)-5,
     .Minimum = (DWORD)-10,
     .Maximum = 10,
     .Flags = RESUTIL_PROPITEM_SIGNED,
     .Offset = offsetof(Params, Offset)},
    RESUTIL_PROPITEM_SZ("Remark", offsetof(Params, Remark), "none", 0),
    {.Name = "Clients", .Format = CLUSPROP_FORMAT_MULTI_SZ, .Offset = offsetof(Params, Clients)},
    {.Name = "Blob",
     .Format = CLUSPROP_FORMAT_BINARY,
     .lpDefault = default_blob,
     .Minimum = sizeof default_blob,
     .Offset = offsetof(Params, Blob)},
    RESUTIL_PROPITEM_DWORD("Status", offsetof(Params, Status), 0, 0, 0, RESUTIL_PROPITEM_READ_ONLY),
    {.Name = "Renamed",
     .KeyName = "renamed_in_registry",
     .Format = CLUSPROP_FORMAT_SZ,
     .Offset = offsetof(Params, Renamed)},
    {0},
};

static char *reg_dir;
static guint key_serial;

/* A fresh resource key ("Parameters" subkey) per test. */
static HKEY new_params_key(void)
{
  HKEY root = NULL, params = NULL;
  g_autofree char *name = g_strdup_printf("res%u", key_serial++);
  g_assert_cmpuint(ClusterRegOpenResourceKey(name, KEY_ALL_ACCESS, &root), ==, 0);
  g_assert_cmpuint(ClusterRegOpenKey(root, "Parameters", KEY_ALL_ACCESS, &params), ==, 0);
  ClusterRegCloseKey(root);
  return params;
}

static GByteArray *list_of(PCLUSRES_PROPLIST l)
{
  DWORD cb;
  const void *b = ClusResPropListBuffer(l, &cb);
  GByteArray *a = g_byte_array_new();
  g_byte_array_append(a, b, cb);
  ClusResPropListFree(l);
  return a;
}

static void test_defaults_and_required(void)
{
  HKEY key = new_params_key();
  Params p = {0};
  LPSTR bad = NULL;
  g_assert_cmpuint(ResUtilGetPropertiesToParameterBlock(key, table, (LPBYTE)&p, TRUE, &bad), ==,
                   ERROR_INVALID_PARAMETER);
  g_assert_cmpstr(bad, ==, "Path");
  ResUtilFree(bad);
  ResUtilFreeParameterBlock((LPBYTE)&p, NULL, table);

  memset(&p, 0, sizeof p);
  g_assert_cmpuint(ResUtilGetPropertiesToParameterBlock(key, table, (LPBYTE)&p, FALSE, &bad), ==,
                   0);
  g_assert_null(bad);
  g_assert_null(p.Path);
  g_assert_cmpuint(p.Port, ==, 2049);
  g_assert_cmpint(p.Offset, ==, -5);
  g_assert_cmpstr(p.Remark, ==, "none");
  g_assert_null(p.Clients);
  g_assert_cmpmem(p.Blob, p.cbBlob, default_blob, sizeof default_blob);

  /* Values from the registry win; a DWORD written as text by the host is parsed. */
  g_assert_cmpuint(ResUtilSetSzValue(key, "Path", "/srv", NULL), ==, 0);
  g_assert_cmpuint(ResUtilSetSzValue(key, "Port", "12049", NULL), ==, 0);
  g_assert_cmpuint(ResUtilSetSzValue(key, "Offset", "-3", NULL), ==, 0);
  g_assert_cmpuint(ResUtilSetSzValue(key, "renamed_in_registry", "by key name", NULL), ==, 0);
  /* Reading again into a filled block replaces (and frees) the old values. */
  g_assert_cmpuint(ResUtilGetPropertiesToParameterBlock(key, table, (LPBYTE)&p, TRUE, &bad), ==, 0);
  g_assert_cmpstr(p.Path, ==, "/srv");
  g_assert_cmpuint(p.Port, ==, 12049);
  g_assert_cmpint(p.Offset, ==, -3);
  g_assert_cmpstr(p.Renamed, ==, "by key name");

  /* A value of the wrong type names the property in error. */
  g_assert_cmpuint(ResUtilSetSzValue(key, "Port", "many", NULL), ==, 0);
  g_assert_cmpuint(ResUtilGetPropertiesToParameterBlock(key, table, (LPBYTE)&p, TRUE, &bad), ==,
                   ERROR_INVALID_PARAMETER);
  g_assert_cmpstr(bad, ==, "Port");
  ResUtilFree(bad);
  ResUtilFreeParameterBlock((LPBYTE)&p, NULL, table);
  ClusterRegCloseKey(key);
}

static void test_verify(void)
{
  static const char clients[] = "h1\0h2\0";
  PCLUSRES_PROPLIST l = ClusResPropListCreate();
  ClusResPropListAddSz(l, "Path", "/export");
  ClusResPropListAddDword(l, "Port", 65535);
  ClusResPropListAddLong(l, "Offset", -10);
  ClusResPropListAddMultiSz(l, "Clients", clients, sizeof clients);
  g_autoptr(GByteArray) good = list_of(l);

  Params p = {.Path = g_strdup("old"), .Port = 1};
  g_assert_cmpuint(ResUtilVerifyPropertyTable(table, NULL, FALSE, good->data, good->len, NULL), ==,
                   0);
  g_assert_cmpuint(
      ResUtilVerifyPropertyTable(table, NULL, FALSE, good->data, good->len, (LPBYTE)&p), ==, 0);
  g_assert_cmpstr(p.Path, ==, "/export"); /* "old" was freed */
  g_assert_cmpuint(p.Port, ==, 65535);
  g_assert_cmpint(p.Offset, ==, -10);
  g_assert_cmpmem(p.Clients, p.cbClients, clients, sizeof clients);

  struct {
    const char *what;
    PCLUSRES_PROPLIST list;
    DWORD expect;
  } cases[] = {
      {"port above max", ClusResPropListCreate(), ERROR_INVALID_PARAMETER},
      {"port below min", ClusResPropListCreate(), ERROR_INVALID_PARAMETER},
      {"signed below min", ClusResPropListCreate(), ERROR_INVALID_PARAMETER},
      {"signed above max", ClusResPropListCreate(), ERROR_INVALID_PARAMETER},
      {"read-only", ClusResPropListCreate(), ERROR_INVALID_PARAMETER},
      {"unknown", ClusResPropListCreate(), ERROR_INVALID_PARAMETER},
      {"wrong format", ClusResPropListCreate(), ERROR_INVALID_PARAMETER},
      {"required set empty", ClusResPropListCreate(), ERROR_INVALID_PARAMETER},
  };
  ClusResPropListAddDword(cases[0].list, "Port", 65536);
  ClusResPropListAddDword(cases[1].list, "Port", 0);
  ClusResPropListAddLong(cases[2].list, "Offset", -11);
  ClusResPropListAddLong(cases[3].list, "Offset", 11);
  ClusResPropListAddDword(cases[4].list, "Status", 1);
  ClusResPropListAddSz(cases[5].list, "Whatever", "x");
  ClusResPropListAddSz(cases[6].list, "Port", "2049");
  ClusResPropListAddSz(cases[7].list, "Path", "");
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_test_message("case: %s", cases[i].what);
    /* A good property first: a rejected list must not half-apply it. */
    ClusResPropListAddSz(cases[i].list, "Remark", "must not be applied");
    g_autoptr(GByteArray) bad = list_of(cases[i].list);
    g_assert_cmpuint(
        ResUtilVerifyPropertyTable(table, NULL, FALSE, bad->data, bad->len, (LPBYTE)&p), ==,
        cases[i].expect);
    g_assert_null(p.Remark);
  }

  /* Unknown properties pass when allowed, and are not stored. */
  PCLUSRES_PROPLIST u = ClusResPropListCreate();
  ClusResPropListAddSz(u, "Whatever", "x");
  g_autoptr(GByteArray) unknown = list_of(u);
  g_assert_cmpuint(
      ResUtilVerifyPropertyTable(table, NULL, TRUE, unknown->data, unknown->len, (LPBYTE)&p), ==,
      0);

  /* Malformed lists are ERROR_INVALID_DATA. */
  g_assert_cmpuint(ResUtilVerifyPropertyTable(table, NULL, TRUE, good->data, good->len - 4, NULL),
                   ==, ERROR_INVALID_DATA);
  g_assert_cmpuint(ResUtilVerifyPropertyTable(table, NULL, TRUE, NULL, 0, NULL), ==,
                   ERROR_INVALID_DATA);
  /* A bad table is the caller's bug. */
  static const RESUTIL_PROPERTY_ITEM bad_table[] = {
      {.Name = "Odd", .Format = CLUSPROP_FORMAT_FILETIME}, {0}};
  g_assert_cmpuint(ResUtilVerifyPropertyTable(bad_table, NULL, TRUE, good->data, good->len, NULL),
                   ==, ERROR_BAD_ARGUMENTS);
  ResUtilFreeParameterBlock((LPBYTE)&p, NULL, table);
}

static void test_set_parameter_block(void)
{
  HKEY key = new_params_key();
  Params current = {0};
  g_assert_cmpuint(ResUtilSetSzValue(key, "Path", "/before", NULL), ==, 0);
  g_assert_cmpuint(ResUtilGetPropertiesToParameterBlock(key, table, (LPBYTE)&current, TRUE, NULL),
                   ==, 0);

  PCLUSRES_PROPLIST l = ClusResPropListCreate();
  ClusResPropListAddSz(l, "Path", "/after");
  ClusResPropListAddDword(l, "Port", 111);
  ClusResPropListAddSz(l, "Renamed", "r");
  ClusResPropListAddDword(l, "Extra", 9); /* unknown: written as is */
  g_autoptr(GByteArray) list = list_of(l);

  /* The File Share sample's SET_PRIVATE_PROPERTIES sequence. */
  Params scratch = {0};
  g_assert_cmpuint(ResUtilDupParameterBlock((LPBYTE)&scratch, (LPBYTE)&current, table), ==, 0);
  g_assert_cmpuint(
      ResUtilVerifyPropertyTable(table, NULL, TRUE, list->data, list->len, (LPBYTE)&scratch), ==,
      0);
  g_assert_cmpuint(ResUtilSetPropertyParameterBlock(key, table, NULL, (LPBYTE)&scratch, list->data,
                                                    list->len, (LPBYTE)&current),
                   ==, 0);
  ResUtilFreeParameterBlock((LPBYTE)&scratch, (LPBYTE)&current, table);

  g_assert_cmpstr(current.Path, ==, "/after");
  g_assert_cmpuint(current.Port, ==, 111);
  g_assert_cmpstr(current.Remark, ==, "none");

  /* The registry has the new values, under KeyName where given. */
  g_autofree char *path = ResUtilGetSzValue(key, "Path");
  g_assert_cmpstr(path, ==, "/after");
  DWORD v = 0;
  g_assert_cmpuint(ResUtilGetDwordValue(key, "Port", &v, 0), ==, 0);
  g_assert_cmpuint(v, ==, 111);
  g_assert_cmpuint(ResUtilGetDwordValue(key, "Extra", &v, 0), ==, 0);
  g_assert_cmpuint(v, ==, 9);
  g_autofree char *renamed = ResUtilGetSzValue(key, "renamed_in_registry");
  g_assert_cmpstr(renamed, ==, "r");
  g_assert_null(ResUtilGetSzValue(key, "Remark")); /* not in the list: not written */

  /* Without pInParams the list's values are written and parsed directly. */
  PCLUSRES_PROPLIST l2 = ClusResPropListCreate();
  ClusResPropListAddDword(l2, "Port", 222);
  g_autoptr(GByteArray) list2 = list_of(l2);
  g_assert_cmpuint(ResUtilSetPropertyParameterBlock(key, table, NULL, NULL, list2->data, list2->len,
                                                    (LPBYTE)&current),
                   ==, 0);
  g_assert_cmpuint(current.Port, ==, 222);
  g_assert_cmpuint(ResUtilGetDwordValue(key, "Port", &v, 0), ==, 0);
  g_assert_cmpuint(v, ==, 222);

  /* A read-only property is refused and nothing is written. */
  PCLUSRES_PROPLIST l3 = ClusResPropListCreate();
  ClusResPropListAddDword(l3, "Port", 333);
  ClusResPropListAddDword(l3, "Status", 1);
  g_autoptr(GByteArray) list3 = list_of(l3);
  g_assert_cmpuint(ResUtilSetPropertyParameterBlock(key, table, NULL, NULL, list3->data, list3->len,
                                                    (LPBYTE)&current),
                   ==, ERROR_INVALID_PARAMETER);
  g_assert_cmpuint(ResUtilGetDwordValue(key, "Port", &v, 0), ==, 0);
  g_assert_cmpuint(v, ==, 222);

  /* All or nothing on disk: a value that cannot be stored keeps the others from being written. */
  PCLUSRES_PROPLIST l4 = ClusResPropListCreate();
  ClusResPropListAddDword(l4, "Port", 444);
  ClusResPropListAddSz(l4, "Remark", "valid on the wire");
  g_autoptr(GByteArray) list4 = list_of(l4);
  Params broken = {.Port = 444, .Remark = g_strdup("\xff not UTF-8")};
  g_assert_cmpuint(ResUtilSetPropertyParameterBlock(key, table, NULL, (LPBYTE)&broken, list4->data,
                                                    list4->len, NULL),
                   ==, ERROR_INVALID_DATA);
  g_assert_cmpuint(ResUtilGetDwordValue(key, "Port", &v, 0), ==, 0);
  g_assert_cmpuint(v, ==, 222);
  ResUtilFreeParameterBlock((LPBYTE)&broken, NULL, table);

  ResUtilFreeParameterBlock((LPBYTE)&current, NULL, table);
  ClusterRegCloseKey(key);
}

static void test_list_from_block_more_data(void)
{
  static const char clients[] = "h1\0";
  Params p = {.Path = "/p",
              .Port = 7,
              .Offset = -1,
              .Remark = NULL,
              .Clients = (char *)clients,
              .cbClients = sizeof clients};
  DWORD size = 0, returned = 99, required = 0;
  g_assert_cmpuint(
      ResUtilPropertyListFromParameterBlock(table, NULL, &size, (LPBYTE)&p, &returned, &required),
      ==, ERROR_MORE_DATA);
  g_assert_cmpuint(returned, ==, 0);
  g_assert_cmpuint(required, >, 4);
  g_assert_cmpuint(required % 4, ==, 0);

  BYTE *buf = g_malloc(required);
  size = required - 4;
  g_assert_cmpuint(
      ResUtilPropertyListFromParameterBlock(table, buf, &size, (LPBYTE)&p, &returned, &required),
      ==, ERROR_MORE_DATA);
  size = required;
  g_assert_cmpuint(
      ResUtilPropertyListFromParameterBlock(table, buf, &size, (LPBYTE)&p, &returned, &required),
      ==, ERROR_SUCCESS);
  g_assert_cmpuint(returned, ==, size);
  g_assert_cmpuint(ClusResPropListValidate(buf, returned), ==, 0);
  DWORD count;
  memcpy(&count, buf, 4);
  g_assert_cmpuint(count, ==, 8); /* every table property */
  LPSTR s = NULL;
  g_assert_cmpuint(ResUtilFindSzProperty(buf, returned, "Path", &s), ==, 0);
  g_assert_cmpstr(s, ==, "/p");
  ResUtilFree(s);
  g_assert_cmpuint(ResUtilFindSzProperty(buf, returned, "Remark", &s), ==, 0); /* NULL -> "" */
  g_assert_cmpstr(s, ==, "");
  ResUtilFree(s);
  /* The list round-trips through Verify (read-only property excepted). */
  Params back = {0};
  g_assert_cmpuint(ResUtilVerifyPropertyTable(table, NULL, FALSE, buf, returned, (LPBYTE)&back), ==,
                   ERROR_INVALID_PARAMETER); /* Status is READ_ONLY */
  g_free(buf);
}

static void test_enum_properties(void)
{
  DWORD returned = 0, required = 0;
  char small[8];
  g_assert_cmpuint(ResUtilEnumProperties(table, small, sizeof small, &returned, &required), ==,
                   ERROR_MORE_DATA);
  g_assert_cmpuint(returned, ==, 0);
  const char expect[] = "Path\0Port\0Offset\0Remark\0Clients\0Blob\0Status\0Renamed\0";
  g_assert_cmpuint(required, ==, sizeof expect); /* sizeof counts the final NUL */
  char *buf = g_malloc(required);
  g_assert_cmpuint(ResUtilEnumProperties(table, buf, required, &returned, &required), ==, 0);
  g_assert_cmpmem(buf, returned, expect, sizeof expect);
  g_free(buf);
}

static void test_get_all_properties(void)
{
  HKEY key = new_params_key();
  g_assert_cmpuint(ResUtilSetSzValue(key, "Path", "/all", NULL), ==, 0);
  g_assert_cmpuint(ResUtilSetSzValue(key, "ocf_extra", "from pacemaker", NULL), ==, 0);
  DWORD returned = 0, required = 0;
  g_assert_cmpuint(ResUtilGetAllProperties(key, table, NULL, 0, &returned, &required), ==,
                   ERROR_MORE_DATA);
  BYTE *buf = g_malloc(required);
  g_assert_cmpuint(ResUtilGetAllProperties(key, table, buf, required, &returned, &required), ==, 0);
  g_assert_cmpuint(ClusResPropListValidate(buf, returned), ==, 0);
  DWORD port = 0;
  g_assert_cmpuint(ResUtilFindDwordProperty(buf, returned, "Port", &port), ==, 0);
  g_assert_cmpuint(port, ==, 2049); /* default */
  LPSTR s = NULL;
  g_assert_cmpuint(ResUtilFindSzProperty(buf, returned, "Path", &s), ==, 0);
  g_assert_cmpstr(s, ==, "/all");
  ResUtilFree(s);
  g_assert_cmpuint(ResUtilFindSzProperty(buf, returned, "ocf_extra", &s), ==, 0); /* unknown too */
  g_assert_cmpstr(s, ==, "from pacemaker");
  ResUtilFree(s);
  g_free(buf);
  ClusterRegCloseKey(key);
}

static void test_dup_free(void)
{
  static const char clients[] = "a\0b\0";
  static const BYTE blob[] = {1, 2, 3};
  Params src = {.Path = g_strdup("/x"),
                .Port = 3,
                .Remark = g_strdup("r"),
                .Clients = g_memdup2(clients, sizeof clients),
                .cbClients = sizeof clients,
                .Blob = g_memdup2(blob, sizeof blob),
                .cbBlob = sizeof blob};
  Params dup;
  memset(&dup, 0xAA, sizeof dup); /* a fresh block's contents are not freed by Dup */
  g_assert_cmpuint(ResUtilDupParameterBlock((LPBYTE)&dup, (LPBYTE)&src, table), ==, 0);
  g_assert_true(dup.Path != src.Path);
  g_assert_cmpstr(dup.Path, ==, "/x");
  g_assert_cmpuint(dup.Port, ==, 3);
  g_assert_cmpmem(dup.Clients, dup.cbClients, clients, sizeof clients);
  g_assert_cmpmem(dup.Blob, dup.cbBlob, blob, sizeof blob);
  g_assert_null(dup.Renamed);

  /* Free what is not shared: make one pointer shared and check it survives. */
  g_free(dup.Remark);
  dup.Remark = src.Remark;
  ResUtilFreeParameterBlock((LPBYTE)&dup, (LPBYTE)&src, table);
  g_assert_null(dup.Path);
  g_assert_true(dup.Remark == src.Remark);
  g_assert_cmpstr(src.Remark, ==, "r"); /* still alive */
  ResUtilFreeParameterBlock((LPBYTE)&src, NULL, table);
  g_assert_null(src.Remark);
  ResUtilFreeParameterBlock((LPBYTE)&src, NULL, table); /* twice: harmless */
}

static void test_set_property_table(void)
{
  HKEY key = new_params_key();
  PCLUSRES_PROPLIST l = ClusResPropListCreate();
  ClusResPropListAddSz(l, "Path", "/table");
  ClusResPropListAddSz(l, "Renamed", "k");
  ClusResPropListAddDword(l, "Extra", 5); /* not in the table */
  g_autoptr(GByteArray) list = list_of(l);

  /* Unknown names are the caller's choice: refused, and then nothing is written. */
  g_assert_cmpuint(ResUtilSetPropertyTable(key, table, NULL, FALSE, list->data, list->len, NULL),
                   ==, ERROR_INVALID_PARAMETER);
  g_assert_null(ResUtilGetSzValue(key, "Path"));

  Params p = {.Port = 17};
  g_assert_cmpuint(
      ResUtilSetPropertyTable(key, table, NULL, TRUE, list->data, list->len, (LPBYTE)&p), ==, 0);
  g_autofree char *path = ResUtilGetSzValue(key, "Path");
  g_assert_cmpstr(path, ==, "/table");
  g_autofree char *renamed = ResUtilGetSzValue(key, "renamed_in_registry");
  g_assert_cmpstr(renamed, ==, "k");
  DWORD v = 0;
  g_assert_cmpuint(ResUtilGetDwordValue(key, "Extra", &v, 0), ==, 0);
  g_assert_cmpuint(v, ==, 5);
  /* The block gets the listed table values and keeps the others. */
  g_assert_cmpstr(p.Path, ==, "/table");
  g_assert_cmpstr(p.Renamed, ==, "k");
  g_assert_cmpuint(p.Port, ==, 17);

  /* A value out of range writes nothing. */
  PCLUSRES_PROPLIST l2 = ClusResPropListCreate();
  ClusResPropListAddSz(l2, "Path", "/never");
  ClusResPropListAddDword(l2, "Port", 0);
  g_autoptr(GByteArray) list2 = list_of(l2);
  g_assert_cmpuint(ResUtilSetPropertyTable(key, table, NULL, TRUE, list2->data, list2->len, NULL),
                   ==, ERROR_INVALID_PARAMETER);
  g_autofree char *still = ResUtilGetSzValue(key, "Path");
  g_assert_cmpstr(still, ==, "/table");
  g_assert_cmpuint(ResUtilSetPropertyTable(NULL, table, NULL, TRUE, list2->data, list2->len, NULL),
                   ==, ERROR_BAD_ARGUMENTS);
  ResUtilFreeParameterBlock((LPBYTE)&p, NULL, table);
  ClusterRegCloseKey(key);
}

static void test_property_formats(void)
{
  DWORD returned = 99, required = 0;
  g_assert_cmpuint(ResUtilGetPropertyFormats(table, NULL, 0, &returned, &required), ==,
                   ERROR_MORE_DATA);
  g_assert_cmpuint(returned, ==, 0);
  g_assert_cmpuint(required, >, 4);
  DWORD needed = required;
  BYTE *buf = g_malloc(needed);
  g_assert_cmpuint(ResUtilGetPropertyFormats(table, buf, needed, &returned, &required), ==, 0);
  g_assert_cmpuint(returned, ==, needed);
  DWORD count = 0, fmt = 0;
  memcpy(&count, buf, sizeof count);
  g_assert_cmpuint(count, ==, 8);
  g_assert_cmpuint(ResUtilFindDwordProperty(buf, returned, "Offset", &fmt), ==, 0);
  g_assert_cmpuint(fmt, ==, CLUSPROP_FORMAT_LONG);
  g_assert_cmpuint(ResUtilFindDwordProperty(buf, returned, "Clients", &fmt), ==, 0);
  g_assert_cmpuint(fmt, ==, CLUSPROP_FORMAT_MULTI_SZ);
  g_free(buf);
  static const RESUTIL_PROPERTY_ITEM bad[] = {{.Name = "X", .Format = 99}, {0}};
  g_assert_cmpuint(ResUtilGetPropertyFormats(bad, NULL, 0, &returned, &required), ==,
                   ERROR_BAD_ARGUMENTS);
}

static void test_private_properties(void)
{
  static const char multi[] = "x\0y\0";
  HKEY key = new_params_key();
  g_assert_cmpuint(ResUtilSetSzValue(key, "Name", "n", NULL), ==, 0);
  g_assert_cmpuint(ResUtilSetDwordValue(key, "Count", 3, NULL), ==, 0);
  g_assert_cmpuint(
      ClusterRegSetValue(key, "Hosts", REG_MULTI_SZ, (const BYTE *)multi, sizeof multi), ==, 0);
  DWORD returned = 0, required = 0;
  g_assert_cmpuint(ResUtilGetPrivateProperties(key, NULL, 0, &returned, &required), ==,
                   ERROR_MORE_DATA);
  BYTE *buf = g_malloc(required);
  g_assert_cmpuint(ResUtilGetPrivateProperties(key, buf, required, &returned, &required), ==, 0);
  g_assert_cmpuint(ClusResPropListValidate(buf, returned), ==, 0);
  DWORD count = 0, v = 0;
  memcpy(&count, buf, sizeof count);
  g_assert_cmpuint(count, ==, 3); /* every value, no table defaults */
  g_assert_cmpuint(ResUtilFindDwordProperty(buf, returned, "Count", &v), ==, 0);
  g_assert_cmpuint(v, ==, 3);
  LPSTR s = NULL;
  g_assert_cmpuint(ResUtilFindSzProperty(buf, returned, "Name", &s), ==, 0);
  g_assert_cmpstr(s, ==, "n");
  ResUtilFree(s);
  g_free(buf);
  g_assert_cmpuint(ResUtilGetPrivateProperties(NULL, NULL, 0, &returned, &required), ==,
                   ERROR_BAD_ARGUMENTS);
  ClusterRegCloseKey(key);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  reg_dir = g_dir_make_tmp("test-resapi-proptable-XXXXXX", NULL);
  g_assert_nonnull(reg_dir);
  g_setenv("CLUSRES_REGISTRY_DIR", reg_dir, TRUE);
  g_test_add_func("/resapi/proptable/defaults-and-required", test_defaults_and_required);
  g_test_add_func("/resapi/proptable/verify", test_verify);
  g_test_add_func("/resapi/proptable/set-parameter-block", test_set_parameter_block);
  g_test_add_func("/resapi/proptable/list-from-block-more-data", test_list_from_block_more_data);
  g_test_add_func("/resapi/proptable/enum-properties", test_enum_properties);
  g_test_add_func("/resapi/proptable/get-all-properties", test_get_all_properties);
  g_test_add_func("/resapi/proptable/dup-free", test_dup_free);
  g_test_add_func("/resapi/proptable/set-property-table", test_set_property_table);
  g_test_add_func("/resapi/proptable/property-formats", test_property_formats);
  g_test_add_func("/resapi/proptable/private-properties", test_private_properties);
  int rc = g_test_run();
  g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", reg_dir);
  (void)system(cmd);
  g_free(reg_dir);
  return rc;
}
