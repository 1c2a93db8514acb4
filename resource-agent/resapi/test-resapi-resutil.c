/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The DLL skeleton helpers: Startup's checks and negotiation, and one answer per case of the
 * common resource and resource-type control codes. */
#undef NDEBUG
#include <stddef.h>
#include <string.h>

#include <glib.h>

#include "clusres/resapi.h"

static DWORD WINAPI fake_set_status(RESOURCE_HANDLE h, PRESOURCE_STATUS s)
{
  return ResourceExitStateContinue;
}

static VOID WINAPI fake_log(RESOURCE_HANDLE h, LOG_LEVEL l, LPCSTR f, ...)
{
}

/* ---- Startup ----------------------------------------------------------------------------------
 */

static CLRES_FUNCTION_TABLE table_alpha = {CLRES_V1_FUNCTION_SIZE, CLRES_VERSION_V1_00, {{0}}};
static CLRES_FUNCTION_TABLE table_beta = {CLRES_V1_FUNCTION_SIZE, CLRES_VERSION_V1_00, {{0}}};
/* A version this library knows no table size for, and a V1 table of the wrong size. */
static CLRES_FUNCTION_TABLE table_v2 = {CLRES_V1_FUNCTION_SIZE, 0x200u, {{0}}};
static CLRES_FUNCTION_TABLE table_short = {CLRES_V1_FUNCTION_SIZE - 8, CLRES_VERSION_V1_00, {{0}}};

static const CLUSRES_RESOURCE_TYPE_ENTRY types[] = {
    {"Alpha", &table_alpha}, {"beta", &table_v2},  {"beta", &table_beta},
    {"Gamma", &table_short}, {"Delta", &table_v2}, {NULL, NULL},
};

static void test_startup_checks(void)
{
  PCLRES_FUNCTION_TABLE t = NULL;
  /* NULL arguments are a bad call, before anything else is looked at. */
  g_assert_cmpuint(ClusResUtilStartup(types, NULL, 0x100, 0x100, fake_set_status, fake_log, &t), ==,
                   ERROR_INVALID_PARAMETER);
  g_assert_cmpuint(ClusResUtilStartup(types, "Alpha", 0x100, 0x100, NULL, fake_log, &t), ==,
                   ERROR_INVALID_PARAMETER);
  g_assert_cmpuint(ClusResUtilStartup(types, "Alpha", 0x100, 0x100, fake_set_status, NULL, &t), ==,
                   ERROR_INVALID_PARAMETER);
  g_assert_cmpuint(
      ClusResUtilStartup(types, "Alpha", 0x100, 0x100, fake_set_status, fake_log, NULL), ==,
      ERROR_INVALID_PARAMETER);
  g_assert_cmpuint(ClusResUtilStartup(NULL, "Alpha", 0x100, 0x100, fake_set_status, fake_log, &t),
                   ==, ERROR_INVALID_PARAMETER);
  g_assert_null(t);

  /* A name no entry has, then the version rules for a name that is there. */
  g_assert_cmpuint(ClusResUtilStartup(types, "Omega", 0x100, 0x100, fake_set_status, fake_log, &t),
                   ==, ERROR_CLUSTER_RESNAME_NOT_FOUND);
  g_assert_cmpuint(GetLastError(), ==, ERROR_CLUSTER_RESNAME_NOT_FOUND);
  g_assert_cmpuint(ClusResUtilStartup(types, "Alpha", 0x200, 0x300, fake_set_status, fake_log, &t),
                   ==, ERROR_REVISION_MISMATCH);
  g_assert_cmpuint(ClusResUtilStartup(types, "Gamma", 0x100, 0x100, fake_set_status, fake_log, &t),
                   ==, ERROR_REVISION_MISMATCH); /* wrong TableSize for V1 */
  g_assert_cmpuint(ClusResUtilStartup(types, "Delta", 0x100, 0x200, fake_set_status, fake_log, &t),
                   ==, ERROR_REVISION_MISMATCH); /* a version without a known size */
  g_assert_null(t);
}

static void test_startup_selects(void)
{
  PCLRES_FUNCTION_TABLE t = NULL;
  /* Type names are compared ignoring case; each type gets its own table. */
  g_assert_cmpuint(ClusResUtilStartup(types, "ALPHA", 0x100, 0x100, fake_set_status, fake_log, &t),
                   ==, ERROR_SUCCESS);
  g_assert_true(t == &table_alpha);
  /* "beta" has a 0x200 table this library cannot accept and a V1 one: V1 is chosen even when
   * the host would take 0x200. */
  g_assert_cmpuint(ClusResUtilStartup(types, "Beta", 0x100, 0x200, fake_set_status, fake_log, &t),
                   ==, ERROR_SUCCESS);
  g_assert_true(t == &table_beta);
}

/* The macro defines the exported Startup of this test program. */
static PSET_RESOURCE_STATUS_ROUTINE stored_set_status;
static PLOG_EVENT_ROUTINE stored_log;
CLUSRES_DEFINE_STARTUP(types, stored_set_status, stored_log)

static void test_define_startup(void)
{
  PCLRES_FUNCTION_TABLE t = NULL;
  g_assert_cmpuint(Startup("alpha", 0x200, 0x200, fake_set_status, fake_log, &t), ==,
                   ERROR_REVISION_MISMATCH);
  g_assert_null(stored_set_status); /* a failed Startup stores nothing */
  g_assert_null(stored_log);
  g_assert_cmpuint(Startup("alpha", 0x100, 0x100, fake_set_status, fake_log, &t), ==, 0);
  g_assert_true(t == &table_alpha);
  g_assert_true(stored_set_status == fake_set_status);
  g_assert_true(stored_log == fake_log);
}

/* ---- resource control codes ------------------------------------------------------------------ */

typedef struct {
  char *Name;
  DWORD Size;
  char *Note;
  DWORD NotInTable; /* a DLL's own field beside the table's */
} Block;

static const RESUTIL_PROPERTY_ITEM props[] = {
    RESUTIL_PROPITEM_SZ("Name", offsetof(Block, Name), NULL, RESUTIL_PROPITEM_REQUIRED),
    RESUTIL_PROPITEM_DWORD("Size", offsetof(Block, Size), 5, 1, 10, 0),
    RESUTIL_PROPITEM_SZ("Note", offsetof(Block, Note), "none", 0),
    RESUTIL_PROPITEM_END,
};

typedef struct {
  Block live;
  guint checks, applies;
  DWORD seen_size; /* Size of the block CheckParameters saw */
  gboolean saw_null_block;
  DWORD apply_answer;
} Instance;

/* Cross-property rule: Size 7 needs a Note other than "none". */
static DWORD WINAPI check_params(PVOID ctx, const BYTE *params)
{
  Instance *inst = ctx;
  inst->checks++;
  if (params == NULL) {
    inst->saw_null_block = TRUE;
    return ERROR_SUCCESS;
  }
  Block b;
  memcpy(&b, params, sizeof b);
  inst->seen_size = b.Size;
  return b.Size == 7 && g_strcmp0(b.Note, "none") == 0 ? ERROR_PATH_NOT_FOUND : ERROR_SUCCESS;
}

/* Swaps the blocks, as a DLL whose block holds only table fields does under its lock. */
static DWORD WINAPI apply_params(PVOID ctx, LPBYTE next)
{
  Instance *inst = ctx;
  inst->applies++;
  Block old = inst->live;
  memcpy(&inst->live, next, sizeof old);
  memcpy(next, &old, sizeof old);
  return inst->apply_answer;
}

static char *reg_dir;
static guint key_serial;

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

static DWORD control(const CLUSRES_PRIVATE_PROPERTIES *p, DWORD code, GByteArray *in, void *out,
                     DWORD out_size, DWORD *returned)
{
  return ClusResUtilResourceControl(p, code, in ? in->data : NULL, in ? in->len : 0, out, out_size,
                                    returned);
}

static void test_control_reads(void)
{
  Instance inst = {0};
  HKEY key = new_params_key();
  g_assert_cmpuint(ResUtilSetSzValue(key, "Name", "n1", NULL), ==, 0);
  CLUSRES_PRIVATE_PROPERTIES p = {
      props, key, (LPBYTE)&inst.live, sizeof(Block), check_params, apply_params, &inst};
  DWORD returned = 99;
  BYTE buf[512];

  /* No instance: the MSCS answer, and nothing returned. */
  g_assert_cmpuint(
      control(NULL, CLUSCTL_RESOURCE_ENUM_PRIVATE_PROPERTIES, NULL, buf, sizeof buf, &returned), ==,
      ERROR_RESOURCE_NOT_FOUND);
  g_assert_cmpuint(returned, ==, 0);
  g_assert_cmpuint(control(&p, CLUSCTL_RESOURCE_UNKNOWN, NULL, buf, sizeof buf, &returned), ==,
                   ERROR_SUCCESS);
  g_assert_cmpuint(returned, ==, 0);

  /* ENUM: MORE_DATA tells the size needed in *BytesReturned, then the names come back. */
  const char names[] = "Name\0Size\0Note\0";
  g_assert_cmpuint(control(&p, CLUSCTL_RESOURCE_ENUM_PRIVATE_PROPERTIES, NULL, buf, 4, &returned),
                   ==, ERROR_MORE_DATA);
  g_assert_cmpuint(returned, ==, sizeof names);
  g_assert_cmpuint(
      control(&p, CLUSCTL_RESOURCE_ENUM_PRIVATE_PROPERTIES, NULL, buf, sizeof buf, &returned), ==,
      ERROR_SUCCESS);
  g_assert_cmpmem(buf, returned, names, sizeof names);

  /* GET: the key's values with the table's defaults. */
  g_assert_cmpuint(control(&p, CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTIES, NULL, NULL, 0, &returned),
                   ==, ERROR_MORE_DATA);
  g_assert_cmpuint(returned, >, 4);
  g_assert_cmpuint(
      control(&p, CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTIES, NULL, buf, sizeof buf, &returned), ==,
      ERROR_SUCCESS);
  DWORD size = 0;
  LPSTR name = NULL;
  g_assert_cmpuint(ResUtilFindDwordProperty(buf, returned, "Size", &size), ==, 0);
  g_assert_cmpuint(size, ==, 5);
  g_assert_cmpuint(ResUtilFindSzProperty(buf, returned, "Name", &name), ==, 0);
  g_assert_cmpstr(name, ==, "n1");
  ResUtilFree(name);

  /* FMTS: each name with its format. */
  g_assert_cmpuint(
      control(&p, CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTY_FMTS, NULL, buf, sizeof buf, &returned), ==,
      ERROR_SUCCESS);
  DWORD fmt = 0;
  g_assert_cmpuint(ResUtilFindDwordProperty(buf, returned, "Size", &fmt), ==, 0);
  g_assert_cmpuint(fmt, ==, CLUSPROP_FORMAT_DWORD);

  /* Codes that are the type's own (or nobody's) are left to the caller. */
  g_assert_cmpuint(
      control(&p, CLUSCTL_RESOURCE_GET_RO_PRIVATE_PROPERTIES, NULL, buf, sizeof buf, &returned), ==,
      ERROR_INVALID_FUNCTION);
  g_assert_cmpuint(
      control(&p, CLUSCTL_RESOURCE_GET_CHARACTERISTICS, NULL, buf, sizeof buf, &returned), ==,
      ERROR_INVALID_FUNCTION);
  g_assert_cmpuint(returned, ==, 0);
  g_assert_cmpuint(inst.checks + inst.applies, ==, 0);
  ClusterRegCloseKey(key);
}

static void test_control_validate(void)
{
  Instance inst = {.live = {.Name = g_strdup("cur"), .Size = 2, .Note = g_strdup("none")}};
  HKEY key = new_params_key();
  CLUSRES_PRIVATE_PROPERTIES p = {
      props, key, (LPBYTE)&inst.live, sizeof(Block), check_params, apply_params, &inst};
  DWORD returned = 0;

  /* No list at all. */
  g_assert_cmpuint(
      control(&p, CLUSCTL_RESOURCE_VALIDATE_PRIVATE_PROPERTIES, NULL, NULL, 0, &returned), ==,
      ERROR_INVALID_DATA);
  /* The table refuses: out of range, unknown name; the DLL's check is not reached. */
  PCLUSRES_PROPLIST l = ClusResPropListCreate();
  ClusResPropListAddDword(l, "Size", 11);
  g_autoptr(GByteArray) range = list_of(l);
  g_assert_cmpuint(
      control(&p, CLUSCTL_RESOURCE_VALIDATE_PRIVATE_PROPERTIES, range, NULL, 0, &returned), ==,
      ERROR_INVALID_PARAMETER);
  l = ClusResPropListCreate();
  ClusResPropListAddSz(l, "Other", "x");
  g_autoptr(GByteArray) unknown = list_of(l);
  g_assert_cmpuint(
      control(&p, CLUSCTL_RESOURCE_VALIDATE_PRIVATE_PROPERTIES, unknown, NULL, 0, &returned), ==,
      ERROR_INVALID_PARAMETER);
  g_assert_cmpuint(inst.checks, ==, 0);

  /* The DLL's check sees the current values with the list applied, and its answer counts. */
  l = ClusResPropListCreate();
  ClusResPropListAddDword(l, "Size", 7);
  g_autoptr(GByteArray) seven = list_of(l);
  g_assert_cmpuint(
      control(&p, CLUSCTL_RESOURCE_VALIDATE_PRIVATE_PROPERTIES, seven, NULL, 0, &returned), ==,
      ERROR_PATH_NOT_FOUND);
  g_assert_cmpuint(inst.seen_size, ==, 7);
  l = ClusResPropListCreate();
  ClusResPropListAddDword(l, "Size", 7);
  ClusResPropListAddSz(l, "Note", "set");
  g_autoptr(GByteArray) ok = list_of(l);
  g_assert_cmpuint(
      control(&p, CLUSCTL_RESOURCE_VALIDATE_PRIVATE_PROPERTIES, ok, NULL, 0, &returned), ==,
      ERROR_SUCCESS);
  g_assert_cmpuint(inst.checks, ==, 2);
  /* Validation writes nothing and changes nothing. */
  g_assert_cmpuint(inst.applies, ==, 0);
  g_assert_cmpuint(inst.live.Size, ==, 2);
  g_assert_cmpstr(inst.live.Note, ==, "none");
  g_assert_null(ResUtilGetSzValue(key, "Note"));

  /* A block smaller than the table says is refused before anything is written into it. */
  CLUSRES_PRIVATE_PROPERTIES small = p;
  small.cbParams = sizeof(char *);
  g_assert_cmpuint(
      control(&small, CLUSCTL_RESOURCE_VALIDATE_PRIVATE_PROPERTIES, ok, NULL, 0, &returned), ==,
      ERROR_BAD_ARGUMENTS);
  ResUtilFreeParameterBlock((LPBYTE)&inst.live, NULL, props);
  ClusterRegCloseKey(key);
}

static void test_control_set(void)
{
  Instance inst = {
      .live = {.Name = g_strdup("cur"), .Size = 2, .Note = g_strdup("none"), .NotInTable = 42},
      .apply_answer = ERROR_SUCCESS};
  HKEY key = new_params_key();
  CLUSRES_PRIVATE_PROPERTIES p = {
      props, key, (LPBYTE)&inst.live, sizeof(Block), check_params, apply_params, &inst};
  DWORD returned = 0, v = 0;

  /* Refused by the DLL's check: nothing written, nothing applied. */
  PCLUSRES_PROPLIST l = ClusResPropListCreate();
  ClusResPropListAddDword(l, "Size", 7);
  g_autoptr(GByteArray) seven = list_of(l);
  g_assert_cmpuint(control(&p, CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES, seven, NULL, 0, &returned),
                   ==, ERROR_PATH_NOT_FOUND);
  g_assert_cmpuint(ResUtilGetDwordValue(key, "Size", &v, 0), ==, 0);
  g_assert_cmpuint(v, ==, 0);
  g_assert_cmpuint(inst.applies, ==, 0);

  /* Accepted: the listed values are stored, then the DLL takes the merged block. */
  l = ClusResPropListCreate();
  ClusResPropListAddDword(l, "Size", 9);
  g_autoptr(GByteArray) nine = list_of(l);
  g_assert_cmpuint(control(&p, CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES, nine, NULL, 0, &returned),
                   ==, ERROR_SUCCESS);
  g_assert_cmpuint(inst.applies, ==, 1);
  g_assert_cmpuint(inst.live.Size, ==, 9);
  g_assert_cmpstr(inst.live.Name, ==, "cur"); /* unlisted: the current value */
  g_assert_cmpuint(ResUtilGetDwordValue(key, "Size", &v, 0), ==, 0);
  g_assert_cmpuint(v, ==, 9);
  g_assert_null(ResUtilGetSzValue(key, "Name")); /* unlisted: not written */

  /* The DLL's answer is SET's answer. */
  inst.apply_answer = ERROR_RESOURCE_PROPERTIES_STORED;
  l = ClusResPropListCreate();
  ClusResPropListAddSz(l, "Note", "later");
  g_autoptr(GByteArray) note = list_of(l);
  g_assert_cmpuint(control(&p, CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES, note, NULL, 0, &returned),
                   ==, ERROR_RESOURCE_PROPERTIES_STORED);
  g_assert_cmpstr(inst.live.Note, ==, "later");

  /* Without ApplyParameters the helper updates the table's fields of the block (the DLL's own
   * fields stay) and answers "stored". */
  p.ApplyParameters = NULL;
  inst.live.NotInTable = 42; /* apply_params swapped whole blocks, this field with them */
  l = ClusResPropListCreate();
  ClusResPropListAddDword(l, "Size", 3);
  g_autoptr(GByteArray) three = list_of(l);
  g_assert_cmpuint(control(&p, CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES, three, NULL, 0, &returned),
                   ==, ERROR_RESOURCE_PROPERTIES_STORED);
  g_assert_cmpuint(inst.live.Size, ==, 3);
  g_assert_cmpstr(inst.live.Note, ==, "later");
  g_assert_cmpuint(inst.live.NotInTable, ==, 42);
  g_assert_cmpuint(ResUtilGetDwordValue(key, "Size", &v, 0), ==, 0);
  g_assert_cmpuint(v, ==, 3);
  ResUtilFreeParameterBlock((LPBYTE)&inst.live, NULL, props);
  ClusterRegCloseKey(key);
}

/* A DLL that keeps no block (it reads its key when it needs a value). */
static void test_control_no_block(void)
{
  Instance inst = {0};
  HKEY key = new_params_key();
  CLUSRES_PRIVATE_PROPERTIES p = {props, key, NULL, 0, check_params, NULL, &inst};
  DWORD returned = 0, v = 0;

  PCLUSRES_PROPLIST l = ClusResPropListCreate();
  ClusResPropListAddDword(l, "Size", 4);
  g_autoptr(GByteArray) four = list_of(l);
  g_assert_cmpuint(
      control(&p, CLUSCTL_RESOURCE_VALIDATE_PRIVATE_PROPERTIES, four, NULL, 0, &returned), ==,
      ERROR_SUCCESS);
  g_assert_true(inst.saw_null_block);
  g_assert_cmpuint(control(&p, CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES, four, NULL, 0, &returned),
                   ==, ERROR_RESOURCE_PROPERTIES_STORED);
  g_assert_cmpuint(ResUtilGetDwordValue(key, "Size", &v, 0), ==, 0);
  g_assert_cmpuint(v, ==, 4);
  /* Still the table's judge: out of range is refused and not written. */
  l = ClusResPropListCreate();
  ClusResPropListAddDword(l, "Size", 0);
  g_autoptr(GByteArray) zero = list_of(l);
  g_assert_cmpuint(control(&p, CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES, zero, NULL, 0, &returned),
                   ==, ERROR_INVALID_PARAMETER);
  g_assert_cmpuint(ResUtilGetDwordValue(key, "Size", &v, 0), ==, 0);
  g_assert_cmpuint(v, ==, 4);
  ClusterRegCloseKey(key);
}

/* ---- resource-type control codes ------------------------------------------------------------- */

static const CLUSRES_TYPE_INFO info = {
    .Version = CLUSRES_TYPE_INFO_VERSION,
    .ShortDesc = "test",
    .Properties = props,
};

/* What a type without type-level codes of its own writes instead of a ResourceTypeControl. */
CLUSRES_DEFINE_RESOURCE_TYPE_CONTROL(macro_type_control, info)

static void test_type_control(void)
{
  const CLUSRES_TYPE_INFO *got = NULL;
  DWORD returned = 99;
  BYTE buf[256];

  g_assert_cmpuint(ClusResUtilResourceTypeControl(&info,
                                                  CLUSCTL_RESOURCE_TYPE_CLUSRES_GET_TYPE_INFO, NULL,
                                                  0, &got, 4, &returned),
                   ==, ERROR_MORE_DATA);
  g_assert_cmpuint(returned, ==, sizeof got);
  g_assert_cmpuint(ClusResUtilResourceTypeControl(&info,
                                                  CLUSCTL_RESOURCE_TYPE_CLUSRES_GET_TYPE_INFO, NULL,
                                                  0, &got, sizeof got, &returned),
                   ==, ERROR_SUCCESS);
  g_assert_true(got == &info);
  g_assert_cmpuint(returned, ==, sizeof got);

  g_assert_cmpuint(ClusResUtilResourceTypeControl(
                       &info, CLUSCTL_RESOURCE_TYPE_GET_PRIVATE_RESOURCE_PROPERTY_FMTS, NULL, 0,
                       buf, 8, &returned),
                   ==, ERROR_MORE_DATA);
  g_assert_cmpuint(returned, >, 8);
  g_assert_cmpuint(ClusResUtilResourceTypeControl(
                       &info, CLUSCTL_RESOURCE_TYPE_GET_PRIVATE_RESOURCE_PROPERTY_FMTS, NULL, 0,
                       buf, sizeof buf, &returned),
                   ==, ERROR_SUCCESS);
  DWORD fmt = 0;
  g_assert_cmpuint(ResUtilFindDwordProperty(buf, returned, "Note", &fmt), ==, 0);
  g_assert_cmpuint(fmt, ==, CLUSPROP_FORMAT_SZ);

  /* The type's own private properties: a clusres type has none, default processing. */
  g_assert_cmpuint(ClusResUtilResourceTypeControl(&info,
                                                  CLUSCTL_RESOURCE_TYPE_ENUM_PRIVATE_PROPERTIES,
                                                  NULL, 0, buf, sizeof buf, &returned),
                   ==, ERROR_INVALID_FUNCTION);
  g_assert_cmpuint(returned, ==, 0);
  g_assert_cmpuint(ClusResUtilResourceTypeControl(&info, CLUSCTL_RESOURCE_TYPE_STARTING_PHASE1,
                                                  NULL, 0, NULL, 0, &returned),
                   ==, ERROR_INVALID_FUNCTION);
  static const CLUSRES_TYPE_INFO no_table = {.Version = CLUSRES_TYPE_INFO_VERSION};
  g_assert_cmpuint(ClusResUtilResourceTypeControl(
                       &no_table, CLUSCTL_RESOURCE_TYPE_GET_PRIVATE_RESOURCE_PROPERTY_FMTS, NULL, 0,
                       buf, sizeof buf, &returned),
                   ==, ERROR_INVALID_FUNCTION);
  got = NULL;
  g_assert_cmpuint(macro_type_control("test", CLUSCTL_RESOURCE_TYPE_CLUSRES_GET_TYPE_INFO, NULL, 0,
                                      &got, sizeof got, &returned),
                   ==, ERROR_SUCCESS);
  g_assert_true(got == &info);
  g_assert_cmpuint(ClusResUtilResourceTypeControl(NULL, CLUSCTL_RESOURCE_TYPE_CLUSRES_GET_TYPE_INFO,
                                                  NULL, 0, &got, sizeof got, &returned),
                   ==, ERROR_INVALID_PARAMETER);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  reg_dir = g_dir_make_tmp("test-resapi-resutil-XXXXXX", NULL);
  g_assert_nonnull(reg_dir);
  g_setenv("CLUSRES_REGISTRY_DIR", reg_dir, TRUE);
  g_test_add_func("/resapi/resutil/startup-checks", test_startup_checks);
  g_test_add_func("/resapi/resutil/startup-selects", test_startup_selects);
  g_test_add_func("/resapi/resutil/define-startup", test_define_startup);
  g_test_add_func("/resapi/resutil/control-reads", test_control_reads);
  g_test_add_func("/resapi/resutil/control-validate", test_control_validate);
  g_test_add_func("/resapi/resutil/control-set", test_control_set);
  g_test_add_func("/resapi/resutil/control-no-block", test_control_no_block);
  g_test_add_func("/resapi/resutil/type-control", test_type_control);
  int rc = g_test_run();
  g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", reg_dir);
  (void)system(cmd);
  g_free(reg_dir);
  return rc;
}
