/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The cluster registry: typed values, Win32 query semantics, atomic files, other processes. */
#undef NDEBUG
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "clusres/resapi.h"

static char *reg_dir;
static char *run_dir; /* CLUSRES_RUN_DIR: the volatile store is below it */

static char *reg_file_path(const char *escaped)
{
  g_autofree char *base = g_strconcat(escaped, ".conf", NULL);
  return g_build_filename(reg_dir, base, NULL);
}

static HKEY open_key(const char *resource)
{
  HKEY key = NULL;
  g_assert_cmpuint(ClusterRegOpenResourceKey(resource, KEY_ALL_ACCESS, &key), ==, ERROR_SUCCESS);
  g_assert_nonnull(key);
  return key;
}

static void test_typed_values(void)
{
  HKEY key = open_key("typed");
  DWORD dw = 12, type = 0, cb;
  guint64 qw = G_GUINT64_CONSTANT(0x1122334455667788);
  static const BYTE bin[] = {0, 1, 2, 0xff, 0};
  static const char multi[] = "one\0two\0"; /* sizeof counts the closing NUL: 9 bytes */

  g_assert_cmpuint(ClusterRegSetValue(key, "dw", REG_DWORD, (BYTE *)&dw, sizeof dw), ==, 0);
  g_assert_cmpuint(ClusterRegSetValue(key, "qw", REG_QWORD, (BYTE *)&qw, sizeof qw), ==, 0);
  g_assert_cmpuint(ClusterRegSetValue(key, "sz", REG_SZ, (BYTE *)"hello\nworld", 12), ==, 0);
  g_assert_cmpuint(ClusterRegSetValue(key, "esz", REG_EXPAND_SZ, (BYTE *)"%HOME%/x", 9), ==, 0);
  g_assert_cmpuint(ClusterRegSetValue(key, "multi", REG_MULTI_SZ, (BYTE *)multi, sizeof multi), ==,
                   0);
  g_assert_cmpuint(ClusterRegSetValue(key, "bin", REG_BINARY, bin, sizeof bin), ==, 0);
  g_assert_cmpuint(ClusterRegSetValue(key, "empty", REG_BINARY, NULL, 0), ==, 0);
  g_assert_cmpuint(ClusterRegSetValue(key, "nosz", REG_SZ, NULL, 0), ==, 0); /* "" */

  DWORD out_dw = 0;
  cb = sizeof out_dw;
  g_assert_cmpuint(ClusterRegQueryValue(key, "dw", &type, (BYTE *)&out_dw, &cb), ==, 0);
  g_assert_cmpuint(type, ==, REG_DWORD);
  g_assert_cmpuint(cb, ==, 4);
  g_assert_cmpuint(out_dw, ==, 12);

  guint64 out_qw = 0;
  cb = sizeof out_qw;
  g_assert_cmpuint(ClusterRegQueryValue(key, "qw", &type, (BYTE *)&out_qw, &cb), ==, 0);
  g_assert_cmpuint(type, ==, REG_QWORD);
  g_assert_cmpuint(out_qw, ==, qw);

  char buf[64];
  cb = sizeof buf;
  g_assert_cmpuint(ClusterRegQueryValue(key, "sz", &type, (BYTE *)buf, &cb), ==, 0);
  g_assert_cmpuint(type, ==, REG_SZ);
  g_assert_cmpuint(cb, ==, 12); /* includes the NUL */
  g_assert_cmpstr(buf, ==, "hello\nworld");

  cb = sizeof buf;
  g_assert_cmpuint(ClusterRegQueryValue(key, "esz", &type, (BYTE *)buf, &cb), ==, 0);
  g_assert_cmpuint(type, ==, REG_EXPAND_SZ);
  g_assert_cmpstr(buf, ==, "%HOME%/x");

  cb = sizeof buf;
  g_assert_cmpuint(ClusterRegQueryValue(key, "multi", &type, (BYTE *)buf, &cb), ==, 0);
  g_assert_cmpuint(type, ==, REG_MULTI_SZ);
  g_assert_cmpmem(buf, cb, multi, sizeof multi);

  cb = sizeof buf;
  g_assert_cmpuint(ClusterRegQueryValue(key, "bin", &type, (BYTE *)buf, &cb), ==, 0);
  g_assert_cmpuint(type, ==, REG_BINARY);
  g_assert_cmpmem(buf, cb, bin, sizeof bin);

  cb = sizeof buf;
  g_assert_cmpuint(ClusterRegQueryValue(key, "empty", &type, (BYTE *)buf, &cb), ==, 0);
  g_assert_cmpuint(cb, ==, 0);

  cb = sizeof buf;
  g_assert_cmpuint(ClusterRegQueryValue(key, "nosz", &type, (BYTE *)buf, &cb), ==, 0);
  g_assert_cmpuint(cb, ==, 1);
  g_assert_cmpstr(buf, ==, "");

  /* Strings survive the key file exactly: blanks at either end, escapes, '#', '=', ';'. */
  const char *tricky[] = {"  both ends  ", "\ttab\\back\r\n", "#not a comment", "a=b;c", ""};
  for (guint i = 0; i < G_N_ELEMENTS(tricky); i++) {
    g_assert_cmpuint(ResUtilSetSzValue(key, "tricky", tricky[i], NULL), ==, 0);
    g_assert_cmpuint(ClusterRegDeleteValue(key, "unrelated"), ==, ERROR_FILE_NOT_FOUND);
    HKEY again = open_key("typed");
    g_autofree char *back = ResUtilGetSzValue(again, "tricky");
    g_assert_cmpstr(back, ==, tricky[i]);
    ClusterRegCloseKey(again);
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autofree char *path = reg_file_path("typed");
    g_assert_true(g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL));
    g_autofree char *raw = g_key_file_get_string(kf, "Resource", "tricky", NULL);
    g_autofree char *expect = g_strconcat("sz:", tricky[i], NULL);
    g_assert_cmpstr(raw, ==, expect);
  }

  /* Bad sizes and types are refused. */
  g_assert_cmpuint(ClusterRegSetValue(key, "dw", REG_DWORD, (BYTE *)&dw, 3), ==,
                   ERROR_INVALID_PARAMETER);
  g_assert_cmpuint(ClusterRegSetValue(key, "x", 99, (BYTE *)&dw, 4), ==, ERROR_INVALID_PARAMETER);
  g_assert_cmpuint(ClusterRegSetValue(key, "x", REG_SZ, (BYTE *)"\xff\xfe", 3), ==,
                   ERROR_INVALID_DATA);
  ClusterRegCloseKey(key);
}

static void test_query_semantics(void)
{
  HKEY key = open_key("query");
  g_assert_cmpuint(ClusterRegSetValue(key, "name", REG_SZ, (BYTE *)"abcdef", 7), ==, 0);

  DWORD type = 0, cb = 0;
  /* Size query: no buffer. */
  g_assert_cmpuint(ClusterRegQueryValue(key, "name", &type, NULL, &cb), ==, ERROR_SUCCESS);
  g_assert_cmpuint(cb, ==, 7);
  g_assert_cmpuint(type, ==, REG_SZ);
  /* Too small: ERROR_MORE_DATA with the size needed, buffer untouched. */
  char small[4] = "xyz";
  cb = sizeof small;
  type = 0;
  g_assert_cmpuint(ClusterRegQueryValue(key, "name", &type, (BYTE *)small, &cb), ==,
                   ERROR_MORE_DATA);
  g_assert_cmpuint(GetLastError(), ==, ERROR_MORE_DATA);
  g_assert_cmpuint(cb, ==, 7);
  g_assert_cmpuint(type, ==, REG_SZ);
  g_assert_cmpstr(small, ==, "xyz");
  /* Exactly big enough. */
  char exact[7];
  cb = sizeof exact;
  g_assert_cmpuint(ClusterRegQueryValue(key, "name", NULL, (BYTE *)exact, &cb), ==, ERROR_SUCCESS);
  g_assert_cmpstr(exact, ==, "abcdef");
  /* Data without a size is a caller bug. */
  g_assert_cmpuint(ClusterRegQueryValue(key, "name", NULL, (BYTE *)exact, NULL), ==,
                   ERROR_INVALID_PARAMETER);
  /* Missing. */
  cb = sizeof exact;
  g_assert_cmpuint(ClusterRegQueryValue(key, "nope", NULL, (BYTE *)exact, &cb), ==,
                   ERROR_FILE_NOT_FOUND);
  /* Delete. */
  g_assert_cmpuint(ClusterRegDeleteValue(key, "name"), ==, ERROR_SUCCESS);
  g_assert_cmpuint(ClusterRegQueryValue(key, "name", NULL, NULL, &cb), ==, ERROR_FILE_NOT_FOUND);
  g_assert_cmpuint(ClusterRegDeleteValue(key, "name"), ==, ERROR_FILE_NOT_FOUND);
  /* Bad handles. */
  g_assert_cmpuint(ClusterRegQueryValue(NULL, "name", NULL, NULL, &cb), ==, ERROR_INVALID_HANDLE);
  g_assert_cmpuint(ClusterRegCloseKey(NULL), ==, ERROR_INVALID_HANDLE);
  ClusterRegCloseKey(key);
}

static void test_enum_and_names(void)
{
  HKEY key = open_key("enum");
  HKEY params = NULL;
  g_assert_cmpuint(ClusterRegOpenKey(key, "Parameters", KEY_ALL_ACCESS, &params), ==, 0);
  const char *names[] = {"plain", "", "we=ird [name] %", "utf8-\xc3\xa9"};
  for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
    DWORD v = i;
    g_assert_cmpuint(ClusterRegSetValue(params, names[i], REG_DWORD, (BYTE *)&v, 4), ==, 0);
  }
  for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
    char name[64];
    DWORD cch = sizeof name, type, v, cb = sizeof v;
    g_assert_cmpuint(ClusterRegEnumValue(params, i, name, &cch, &type, (BYTE *)&v, &cb), ==, 0);
    g_assert_cmpstr(name, ==, names[i]);
    g_assert_cmpuint(cch, ==, strlen(names[i]));
    g_assert_cmpuint(type, ==, REG_DWORD);
    g_assert_cmpuint(v, ==, i);
  }
  char name[64];
  DWORD cch = sizeof name;
  g_assert_cmpuint(ClusterRegEnumValue(params, G_N_ELEMENTS(names), name, &cch, NULL, NULL, NULL),
                   ==, ERROR_NO_MORE_ITEMS);
  cch = 3;
  g_assert_cmpuint(ClusterRegEnumValue(params, 0, name, &cch, NULL, NULL, NULL), ==,
                   ERROR_MORE_DATA);
  g_assert_cmpuint(cch, ==, strlen("plain") + 1);

  /* The root key and a sub-subkey are separate. */
  cch = sizeof name;
  g_assert_cmpuint(ClusterRegEnumValue(key, 0, name, &cch, NULL, NULL, NULL), ==,
                   ERROR_NO_MORE_ITEMS);
  HKEY sub = NULL, sub2 = NULL;
  g_assert_cmpuint(ClusterRegCreateKey(params, "Sub", KEY_ALL_ACCESS, &sub), ==, 0);
  g_assert_cmpuint(ResUtilSetSzValue(sub, "x", "in sub", NULL), ==, 0);
  g_assert_cmpuint(ClusterRegOpenKey(key, "Parameters\\Sub", KEY_READ, &sub2), ==, 0);
  g_autofree char *x = ResUtilGetSzValue(sub2, "x");
  g_assert_cmpstr(x, ==, "in sub");
  g_assert_null(ResUtilGetSzValue(params, "x"));
  g_assert_cmpuint(GetLastError(), ==, ERROR_FILE_NOT_FOUND);

  /* Subkey names the file cannot hold, or that alias the root, are refused. */
  HKEY bad = NULL;
  g_assert_cmpuint(ClusterRegOpenKey(key, "a[b]", KEY_READ, &bad), ==, ERROR_INVALID_PARAMETER);
  g_assert_cmpuint(ClusterRegOpenKey(key, "a//b", KEY_READ, &bad), ==, ERROR_INVALID_PARAMETER);
  g_assert_cmpuint(ClusterRegOpenKey(key, "Resource", KEY_READ, &bad), ==, ERROR_INVALID_PARAMETER);
  g_assert_cmpuint(ClusterRegOpenKey(key, "", KEY_READ, &bad), ==, ERROR_INVALID_PARAMETER);
  g_assert_null(bad);

  /* The file is a readable key file with one group per key. */
  g_autofree char *path = reg_file_path("enum");
  g_autoptr(GKeyFile) kf = g_key_file_new();
  g_assert_true(g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL));
  g_assert_true(g_key_file_has_group(kf, "Parameters"));
  g_assert_true(g_key_file_has_group(kf, "Parameters/Sub"));
  g_autofree char *plain = g_key_file_get_string(kf, "Parameters", "plain", NULL);
  g_assert_cmpstr(plain, ==, "dword:0");

  ClusterRegCloseKey(sub2);
  ClusterRegCloseKey(sub);
  ClusterRegCloseKey(params);
  ClusterRegCloseKey(key);
}

static void test_files_atomic_and_private(void)
{
  HKEY key = open_key("atomic");
  for (DWORD i = 0; i < 20; i++)
    g_assert_cmpuint(ResUtilSetDwordValue(key, "counter", i, NULL), ==, 0);
  g_autofree char *path = reg_file_path("atomic");
  struct stat st;
  g_assert_cmpint(g_stat(path, &st), ==, 0);
  g_assert_cmpuint(st.st_mode & 0777, ==, 0600);

  /* No temporary files are left behind: only *.conf in the directory. */
  g_autoptr(GDir) dir = g_dir_open(reg_dir, 0, NULL);
  const char *name;
  while ((name = g_dir_read_name(dir)) != NULL)
    g_assert_true(g_str_has_suffix(name, ".conf"));

  /* Every write replaces the file (a new inode), so readers never see a half-written one. */
  g_assert_cmpuint(ResUtilSetDwordValue(key, "counter", 100, NULL), ==, 0);
  struct stat st2;
  g_assert_cmpint(g_stat(path, &st2), ==, 0);
  g_assert_cmpuint(st.st_ino, !=, st2.st_ino);
  ClusterRegCloseKey(key);
}

static void test_resource_name_escaping(void)
{
  const char *names[] = {"../../etc/passwd", ".hidden", "a/b", "sp ace%", "nfs-share_1.x:y"};
  for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
    HKEY key = open_key(names[i]);
    g_assert_cmpuint(ResUtilSetSzValue(key, "name", names[i], NULL), ==, 0);
    ClusterRegCloseKey(key);
  }
  /* Everything stayed inside the directory, with no hidden files. */
  g_autoptr(GDir) dir = g_dir_open(reg_dir, 0, NULL);
  const char *name;
  while ((name = g_dir_read_name(dir)) != NULL) {
    g_assert_cmpint(name[0], !=, '.');
    g_assert_null(strchr(name, '/'));
  }
  g_autofree char *plain = reg_file_path("nfs-share_1.x:y");
  g_assert_true(g_file_test(plain, G_FILE_TEST_IS_REGULAR));
  g_autofree char *dotted = reg_file_path("%2Ehidden");
  g_assert_true(g_file_test(dotted, G_FILE_TEST_IS_REGULAR));
  /* And reads back under the same name. */
  HKEY key = open_key("../../etc/passwd");
  g_autofree char *v = ResUtilGetSzValue(key, "name");
  g_assert_cmpstr(v, ==, "../../etc/passwd");
  ClusterRegCloseKey(key);

  HKEY bad = NULL;
  g_assert_cmpuint(ClusterRegOpenResourceKey("", KEY_READ, &bad), ==, ERROR_INVALID_PARAMETER);
  g_assert_cmpuint(ClusterRegOpenResourceKey(NULL, KEY_READ, &bad), ==, ERROR_INVALID_PARAMETER);
  g_autofree char *huge = g_strnfill(300, 'x');
  g_assert_cmpuint(ClusterRegOpenResourceKey(huge, KEY_READ, &bad), ==, ERROR_INVALID_PARAMETER);
}

/* The "other process" of the reload test: run in a real child process. */
static void other_process_writes(void)
{
  HKEY key = open_key("shared");
  HKEY params = NULL;
  g_assert_cmpuint(ClusterRegOpenKey(key, "Parameters", KEY_ALL_ACCESS, &params), ==, 0);
  g_autofree char *seen = ResUtilGetSzValue(params, "from_parent");
  g_assert_cmpstr(seen, ==, "1");
  g_assert_cmpuint(ResUtilSetSzValue(params, "from_child", "2", NULL), ==, 0);
  ClusterRegCloseKey(params);
  ClusterRegCloseKey(key);
}

static void test_reload_across_processes(void)
{
  if (g_test_subprocess()) {
    other_process_writes();
    return;
  }
  HKEY key = open_key("shared");
  HKEY params = NULL;
  g_assert_cmpuint(ClusterRegOpenKey(key, "Parameters", KEY_ALL_ACCESS, &params), ==, 0);
  g_assert_cmpuint(ResUtilSetSzValue(params, "from_parent", "1", NULL), ==, 0);
  g_assert_null(ResUtilGetSzValue(params, "from_child")); /* cached: not there yet */

  g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed();

  /* The key stayed open here: the read notices the file changed and reloads it. */
  g_autofree char *child = ResUtilGetSzValue(params, "from_child");
  g_assert_cmpstr(child, ==, "2");
  /* A write merges with what the other process wrote instead of overwriting it. */
  g_assert_cmpuint(ResUtilSetSzValue(params, "again", "3", NULL), ==, 0);
  g_autoptr(GKeyFile) kf = g_key_file_new();
  g_autofree char *path = reg_file_path("shared");
  g_assert_true(g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL));
  g_assert_true(g_key_file_has_key(kf, "Parameters", "from_child", NULL));
  g_assert_true(g_key_file_has_key(kf, "Parameters", "from_parent", NULL));
  g_assert_true(g_key_file_has_key(kf, "Parameters", "again", NULL));
  ClusterRegCloseKey(params);
  ClusterRegCloseKey(key);
}

/* Another writer replaces the file (rename, as every writer does) with one of the same size:
 * the next read of a key that stayed open sees it (the identity check is one stat of the
 * path); a deleted file reads as an empty key. */
static void test_reload_after_replace(void)
{
  HKEY key = open_key("replaced");
  g_assert_cmpuint(ResUtilSetSzValue(key, "v", "aaaa", NULL), ==, 0);
  g_autofree char *first = ResUtilGetSzValue(key, "v");
  g_assert_cmpstr(first, ==, "aaaa");

  g_autofree char *path = reg_file_path("replaced");
  g_autofree char *data = NULL;
  gsize len;
  g_assert_true(g_file_get_contents(path, &data, &len, NULL));
  char *at = strstr(data, "sz:aaaa");
  g_assert_nonnull(at);
  memcpy(at, "sz:bbbb", 7); /* same size */
  g_assert_true(g_file_set_contents(path, data, (gssize)len, NULL));
  g_autofree char *second = ResUtilGetSzValue(key, "v");
  g_assert_cmpstr(second, ==, "bbbb");

  g_assert_cmpint(g_unlink(path), ==, 0);
  g_assert_null(ResUtilGetSzValue(key, "v"));
  g_assert_cmpuint(GetLastError(), ==, ERROR_FILE_NOT_FOUND);
  g_assert_cmpuint(ResUtilSetSzValue(key, "v", "cccc", NULL), ==, 0);
  ClusterRegCloseKey(key);

  /* The library keeps files no handle uses cached: a new handle still sees a replacement
   * made while none was open. */
  g_clear_pointer(&data, g_free);
  g_assert_true(g_file_get_contents(path, &data, &len, NULL));
  at = strstr(data, "sz:cccc");
  g_assert_nonnull(at);
  memcpy(at, "sz:dddd", 7);
  g_assert_true(g_file_set_contents(path, data, (gssize)len, NULL));
  key = open_key("replaced");
  g_autofree char *third = ResUtilGetSzValue(key, "v");
  g_assert_cmpstr(third, ==, "dddd");
  ClusterRegCloseKey(key);
}

static gpointer writer_thread(gpointer data)
{
  HKEY key = open_key("threads");
  for (int i = 0; i < 15; i++) {
    g_autofree char *name = g_strdup_printf("t%u-v%d", GPOINTER_TO_UINT(data), i);
    g_assert_cmpuint(ResUtilSetDwordValue(key, name, (DWORD)i, NULL), ==, 0);
  }
  ClusterRegCloseKey(key);
  return NULL;
}

static void test_concurrent_writers(void)
{
  GThread *threads[4];
  for (guint i = 0; i < G_N_ELEMENTS(threads); i++)
    threads[i] = g_thread_new("writer", writer_thread, GUINT_TO_POINTER(i));
  for (guint i = 0; i < G_N_ELEMENTS(threads); i++)
    g_thread_join(threads[i]);
  HKEY key = open_key("threads");
  DWORD count = 0;
  char name[64];
  DWORD cch = sizeof name;
  while (ClusterRegEnumValue(key, count, name, &cch, NULL, NULL, NULL) == ERROR_SUCCESS) {
    count++;
    cch = sizeof name;
  }
  g_assert_cmpuint(count, ==, 4 * 15); /* no write lost */
  ClusterRegCloseKey(key);
}

static void test_resutil_helpers(void)
{
  HKEY key = open_key("helpers");
  DWORD v = 0;
  g_assert_cmpuint(ResUtilGetDwordValue(key, "missing", &v, 77), ==, ERROR_SUCCESS);
  g_assert_cmpuint(v, ==, 77);
  DWORD out = 0;
  g_assert_cmpuint(ResUtilSetDwordValue(key, "d", 5, &out), ==, 0);
  g_assert_cmpuint(out, ==, 5);
  g_assert_cmpuint(ResUtilGetDwordValue(key, "d", &v, 77), ==, 0);
  g_assert_cmpuint(v, ==, 5);

  char *str = g_strdup("old");
  g_assert_cmpuint(ResUtilSetSzValue(key, "s", "new", &str), ==, 0);
  g_assert_cmpstr(str, ==, "new"); /* the old string was freed (ASan would see a leak) */
  ResUtilFree(str);
  /* Type mismatch: a string is not a DWORD. */
  g_assert_cmpuint(ResUtilGetDwordValue(key, "s", &v, 0), ==, ERROR_INVALID_PARAMETER);
  g_assert_null(ResUtilGetSzValue(key, "d"));
  g_assert_cmpuint(GetLastError(), ==, ERROR_INVALID_DATA);
  ClusterRegCloseKey(key);
}

static void test_delete_resource_key(void)
{
  HKEY key = open_key("doomed");
  g_assert_cmpuint(ResUtilSetSzValue(key, "a", "b", NULL), ==, 0);
  g_autofree char *path = reg_file_path("doomed");
  g_assert_true(g_file_test(path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint(ClusterRegDeleteResourceKey("doomed"), ==, ERROR_SUCCESS);
  g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
  g_assert_null(ResUtilGetSzValue(key, "a")); /* open keys see an empty key */
  g_assert_cmpuint(ClusterRegDeleteResourceKey("doomed"), ==, ERROR_FILE_NOT_FOUND);
  ClusterRegCloseKey(key);

  /* Open with read access only does not create the file; write access does. */
  HKEY ro = NULL;
  g_assert_cmpuint(ClusterRegOpenResourceKey("readonly", KEY_READ, &ro), ==, 0);
  g_autofree char *ro_path = reg_file_path("readonly");
  g_assert_false(g_file_test(ro_path, G_FILE_TEST_EXISTS));
  ClusterRegCloseKey(ro);
  HKEY rw = open_key("created");
  g_autofree char *rw_path = reg_file_path("created");
  g_assert_true(g_file_test(rw_path, G_FILE_TEST_EXISTS));
  ClusterRegCloseKey(rw);
}

static void test_damaged_file(void)
{
  g_autofree char *path = reg_file_path("damaged");
  g_assert_true(g_file_set_contents(path, "[Resource\nnot a key file", -1, NULL));
  HKEY key = NULL;
  g_assert_cmpuint(ClusterRegOpenResourceKey("damaged", KEY_READ, &key), ==, ERROR_INVALID_DATA);
  g_assert_null(key);
  /* A value we did not write (unknown type prefix) reads as invalid, not as garbage. */
  g_autofree char *path2 = reg_file_path("odd");
  g_assert_true(g_file_set_contents(path2, "[Resource]\nx=float:1.5\n", -1, NULL));
  key = open_key("odd");
  DWORD cb = 0;
  g_assert_cmpuint(ClusterRegQueryValue(key, "x", NULL, NULL, &cb), ==, ERROR_INVALID_DATA);
  ClusterRegCloseKey(key);
}

/* ---- volatile keys, batches, no-op writes ----------------------------------------------- */

/* Counts the file replacements (renames onto a name) in a directory between two calls. */
typedef struct {
  int fd;
} Replacements;

static Replacements replacements_watch(const char *dir)
{
  Replacements r = {.fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)};
  g_assert_cmpint(r.fd, >=, 0);
  g_assert_cmpint(inotify_add_watch(r.fd, dir, IN_MOVED_TO | IN_DELETE), >=, 0);
  return r;
}

/* Returns the number of replacements of file name base since the last call. */
static guint replacements_count(Replacements *r, const char *base)
{
  guint n = 0;
  char buf[8192] __attribute__((aligned(__alignof__(struct inotify_event))));
  ssize_t len;
  while ((len = read(r->fd, buf, sizeof buf)) > 0) {
    for (char *p = buf; p < buf + len;) {
      const struct inotify_event *ev = (const struct inotify_event *)(void *)p;
      if ((ev->mask & IN_MOVED_TO) != 0 && ev->len > 0 && strcmp(ev->name, base) == 0)
        n++;
      p += sizeof *ev + ev->len;
    }
  }
  return n;
}

static void replacements_close(Replacements *r)
{
  close(r->fd);
}

/* The volatile store's directory of this test's durable registry (there is exactly one). */
static char *volatile_dir(void)
{
  g_autofree char *base = g_build_filename(run_dir, "registry", NULL);
  g_autoptr(GDir) dir = g_dir_open(base, 0, NULL);
  g_assert_nonnull(dir);
  const char *name = g_dir_read_name(dir);
  g_assert_nonnull(name);
  g_assert_true(g_str_has_prefix(name, "store-"));
  g_assert_null(g_dir_read_name(dir));
  return g_build_filename(base, name, NULL);
}

static gboolean file_has_line(const char *path, const char *line)
{
  g_autofree char *text = NULL;
  if (!g_file_get_contents(path, &text, NULL, NULL))
    return FALSE;
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  return g_strv_contains((const char *const *)lines, line);
}

/* The "other process" of the volatile test: finds the volatile key with its value. */
static void other_process_reads_volatile(void)
{
  HKEY key = open_key("vol");
  HKEY state = NULL;
  g_assert_cmpuint(ClusterRegOpenKey(key, "State", KEY_ALL_ACCESS, &state), ==, 0);
  g_autofree char *lsm = ResUtilGetSzValue(state, "LSM");
  g_assert_cmpstr(lsm, ==, "Online");
  g_assert_cmpuint(ResUtilSetDwordValue(state, "Child", 7, NULL), ==, 0);
  ClusterRegCloseKey(state);
  ClusterRegCloseKey(key);
}

static void test_volatile_keys(void)
{
  if (g_test_subprocess()) {
    other_process_reads_volatile();
    return;
  }
  HKEY key = open_key("vol");
  HKEY params = NULL, state = NULL, again = NULL, sub = NULL;
  DWORD disp = 0;
  g_assert_cmpuint(ClusterRegOpenKey(key, "Parameters", KEY_ALL_ACCESS, &params), ==, 0);
  g_assert_cmpuint(ResUtilSetSzValue(params, "path", "/srv", NULL), ==, 0);

  g_assert_cmpuint(ClusterRegCreateKeyEx(key, "State", 2u, KEY_ALL_ACCESS, &state, &disp), ==,
                   ERROR_INVALID_PARAMETER);
  g_assert_cmpuint(
      ClusterRegCreateKeyEx(key, "State", REG_OPTION_VOLATILE, KEY_ALL_ACCESS, &state, &disp), ==,
      0);
  g_assert_cmpuint(disp, ==, REG_CREATED_NEW_KEY);
  g_assert_cmpuint(ResUtilSetSzValue(state, "LSM", "Online", NULL), ==, 0);
  g_assert_cmpuint(
      ClusterRegCreateKeyEx(key, "State", REG_OPTION_VOLATILE, KEY_ALL_ACCESS, &again, &disp), ==,
      0);
  g_assert_cmpuint(disp, ==, REG_OPENED_EXISTING_KEY);
  ClusterRegCloseKey(again);
  /* An existing durable key is opened as it is (Windows): its values stay durable. */
  g_assert_cmpuint(
      ClusterRegCreateKeyEx(key, "Parameters", REG_OPTION_VOLATILE, KEY_ALL_ACCESS, &again, &disp),
      ==, 0);
  g_assert_cmpuint(disp, ==, REG_OPENED_EXISTING_KEY);
  g_assert_cmpuint(ResUtilSetSzValue(again, "port", "2049", NULL), ==, 0);
  ClusterRegCloseKey(again);
  /* Below a volatile key everything is volatile. */
  g_assert_cmpuint(
      ClusterRegCreateKeyEx(key, "State\\Sub", REG_OPTION_NON_VOLATILE, KEY_ALL_ACCESS, &sub, NULL),
      ==, 0);
  g_assert_cmpuint(ResUtilSetDwordValue(sub, "Deep", 1, NULL), ==, 0);

  /* Where things are: run-time state in the run-time store only, configuration on disk. */
  g_autofree char *vdir = volatile_dir();
  g_autofree char *vpath = g_build_filename(vdir, "vol.conf", NULL);
  g_autofree char *dpath = reg_file_path("vol");
  g_assert_true(file_has_line(vpath, "[State]"));
  g_assert_true(file_has_line(vpath, "LSM=sz:Online"));
  g_assert_true(file_has_line(vpath, "[State/Sub]"));
  g_assert_true(file_has_line(vpath, "Deep=dword:1"));
  g_assert_false(file_has_line(vpath, "path=sz:/srv"));
  g_assert_true(file_has_line(dpath, "path=sz:/srv"));
  g_assert_true(file_has_line(dpath, "port=sz:2049"));
  g_assert_false(file_has_line(dpath, "LSM=sz:Online"));
  g_assert_false(file_has_line(dpath, "[State]"));
  struct stat st;
  g_assert_cmpint(stat(vpath, &st), ==, 0);
  g_assert_cmpuint(st.st_mode & 0777, ==, 0600);
  /* No temporary file left behind by the replacement. */
  g_autoptr(GDir) d = g_dir_open(vdir, 0, NULL);
  g_assert_cmpstr(g_dir_read_name(d), ==, "vol.conf");
  g_assert_null(g_dir_read_name(d));

  /* Survives closing every handle: a new key (as after a host restart) finds it. */
  ClusterRegCloseKey(sub);
  ClusterRegCloseKey(state);
  ClusterRegCloseKey(params);
  ClusterRegCloseKey(key);
  key = open_key("vol");
  g_assert_cmpuint(ClusterRegOpenKey(key, "State", KEY_READ, &state), ==, 0);
  g_autofree char *lsm = ResUtilGetSzValue(state, "LSM");
  g_assert_cmpstr(lsm, ==, "Online");
  g_assert_cmpuint(ClusterRegOpenKey(key, "State/Sub", KEY_READ, &sub), ==, 0);
  DWORD deep = 0;
  g_assert_cmpuint(ResUtilGetDwordValue(sub, "Deep", &deep, 0), ==, 0);
  g_assert_cmpuint(deep, ==, 1);
  ClusterRegCloseKey(sub);

  /* And another process finds it, and writes to it. */
  g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed();
  DWORD child = 0;
  g_assert_cmpuint(ResUtilGetDwordValue(state, "Child", &child, 0), ==, 0);
  g_assert_cmpuint(child, ==, 7);

  /* Deleting the resource removes both parts; a handle still open sees an empty key. */
  g_assert_cmpuint(ClusterRegDeleteResourceKey("vol"), ==, 0);
  g_assert_false(g_file_test(vpath, G_FILE_TEST_EXISTS));
  g_assert_false(g_file_test(dpath, G_FILE_TEST_EXISTS));
  g_autofree char *gone = ResUtilGetSzValue(state, "LSM");
  g_assert_null(gone);
  ClusterRegCloseKey(state);
  ClusterRegCloseKey(key);
  g_assert_cmpuint(ClusterRegDeleteResourceKey("vol"), ==, ERROR_FILE_NOT_FOUND);

  /* Re-created, State is no longer volatile until created so again. */
  key = open_key("vol");
  g_assert_cmpuint(
      ClusterRegCreateKeyEx(key, "State", REG_OPTION_NON_VOLATILE, KEY_ALL_ACCESS, &state, &disp),
      ==, 0);
  g_assert_cmpuint(disp, ==, REG_CREATED_NEW_KEY);
  g_assert_cmpuint(ResUtilSetSzValue(state, "LSM", "Offline", NULL), ==, 0);
  g_assert_true(file_has_line(dpath, "LSM=sz:Offline"));
  ClusterRegCloseKey(state);
  ClusterRegCloseKey(key);
  g_assert_cmpuint(ClusterRegDeleteResourceKey("vol"), ==, 0);
}

static void test_batch(void)
{
  HKEY key = open_key("batch");
  HKEY vkey = NULL;
  g_assert_cmpuint(ResUtilSetSzValue(key, "old", "x", NULL), ==, 0);
  g_assert_cmpuint(ResUtilSetSzValue(key, "keep", "k", NULL), ==, 0);
  Replacements r = replacements_watch(reg_dir);
  replacements_count(&r, "batch.conf");

  /* All commands in one durable replacement. */
  HREGBATCH b = NULL;
  DWORD dw = 5;
  LONG failed = 42;
  g_assert_cmpuint(ClusterRegCreateBatch(key, &b), ==, 0);
  g_assert_cmpuint(ClusterRegBatchAddCommand(b, CLUSREG_SET_VALUE, "a", REG_SZ, "alpha", 6), ==, 0);
  g_assert_cmpuint(ClusterRegBatchAddCommand(b, CLUSREG_SET_VALUE, "n", REG_DWORD, &dw, sizeof dw),
                   ==, 0);
  g_assert_cmpuint(ClusterRegBatchAddCommand(b, CLUSREG_DELETE_VALUE, "old", 0, NULL, 0), ==, 0);
  g_assert_cmpuint(ClusterRegBatchAddCommand(b, CLUSREG_DELETE_VALUE, "never", 0, NULL, 0), ==, 0);
  g_assert_cmpuint(replacements_count(&r, "batch.conf"), ==, 0); /* nothing before the commit */
  g_assert_null(ResUtilGetSzValue(key, "a"));
  g_assert_cmpuint(ClusterRegCloseBatch(b, TRUE, &failed), ==, 0);
  g_assert_cmpint(failed, ==, 42); /* untouched on success */
  g_assert_cmpuint(replacements_count(&r, "batch.conf"), ==, 1);
  g_autofree char *a = ResUtilGetSzValue(key, "a");
  g_assert_cmpstr(a, ==, "alpha");
  DWORD n = 0;
  g_assert_cmpuint(ResUtilGetDwordValue(key, "n", &n, 0), ==, 0);
  g_assert_cmpuint(n, ==, 5);
  g_assert_null(ResUtilGetSzValue(key, "old"));

  /* All or nothing: a bad command fails the whole batch, at its index. */
  g_assert_cmpuint(ClusterRegCreateBatch(key, &b), ==, 0);
  g_assert_cmpuint(ClusterRegBatchAddCommand(b, CLUSREG_SET_VALUE, "a", REG_SZ, "beta", 5), ==, 0);
  g_assert_cmpuint(ClusterRegBatchAddCommand(b, CLUSREG_DELETE_VALUE, "keep", 0, NULL, 0), ==, 0);
  g_assert_cmpuint(ClusterRegBatchAddCommand(b, CLUSREG_SET_VALUE, "bad", REG_DWORD, &dw, 3), ==,
                   ERROR_INVALID_PARAMETER);
  g_assert_cmpuint(ClusterRegBatchAddCommand(b, 99u, "x", 0, NULL, 0), ==, ERROR_INVALID_PARAMETER);
  g_assert_cmpuint(ClusterRegCloseBatch(b, TRUE, &failed), ==, ERROR_INVALID_PARAMETER);
  g_assert_cmpint(failed, ==, 2);
  g_assert_cmpuint(replacements_count(&r, "batch.conf"), ==, 0);
  g_free(a);
  a = ResUtilGetSzValue(key, "a");
  g_assert_cmpstr(a, ==, "alpha");
  g_autofree char *keep = ResUtilGetSzValue(key, "keep");
  g_assert_cmpstr(keep, ==, "k");

  /* Not committed: nothing written.  Empty: nothing written.  Bad handles refused. */
  g_assert_cmpuint(ClusterRegCreateBatch(key, &b), ==, 0);
  g_assert_cmpuint(ClusterRegBatchAddCommand(b, CLUSREG_SET_VALUE, "a", REG_SZ, "gamma", 6), ==, 0);
  g_assert_cmpuint(ClusterRegCloseBatch(b, FALSE, NULL), ==, 0);
  g_assert_cmpuint(ClusterRegCreateBatch(key, &b), ==, 0);
  g_assert_cmpuint(ClusterRegCloseBatch(b, TRUE, NULL), ==, 0);
  g_assert_cmpuint(replacements_count(&r, "batch.conf"), ==, 0);
  g_assert_cmpuint(ClusterRegCreateBatch(NULL, &b), ==, ERROR_INVALID_HANDLE);
  g_assert_cmpuint(ClusterRegCloseBatch(NULL, TRUE, NULL), ==, ERROR_INVALID_HANDLE);

  /* A batch outlives the key handle it was made from. */
  HKEY sub = NULL;
  g_assert_cmpuint(ClusterRegOpenKey(key, "Sub", KEY_ALL_ACCESS, &sub), ==, 0);
  g_assert_cmpuint(ClusterRegCreateBatch(sub, &b), ==, 0);
  ClusterRegCloseKey(sub);
  g_assert_cmpuint(ClusterRegBatchAddCommand(b, CLUSREG_SET_VALUE, "s", REG_SZ, "1", 2), ==, 0);
  g_assert_cmpuint(ClusterRegCloseBatch(b, TRUE, NULL), ==, 0);
  g_assert_cmpuint(replacements_count(&r, "batch.conf"), ==, 1);

  /* CLUSREG_CREATE_KEY: a key and its subkeys in one replacement (the host's Open). */
  g_assert_cmpuint(ClusterRegCreateBatch(key, &b), ==, 0);
  g_assert_cmpuint(ClusterRegBatchAddCommand(b, CLUSREG_SET_VALUE, "Type", REG_SZ, "share", 6), ==,
                   0);
  g_assert_cmpuint(ClusterRegBatchAddCommand(b, CLUSREG_CREATE_KEY, "Parameters", 0, NULL, 0), ==,
                   0);
  g_assert_cmpuint(ClusterRegBatchAddCommand(b, CLUSREG_SET_VALUE, "vip", REG_SZ, "198.18.0.1", 11),
                   ==, 0);
  g_assert_cmpuint(ClusterRegBatchAddCommand(b, CLUSREG_DELETE_VALUE, "stale", 0, NULL, 0), ==, 0);
  g_assert_cmpuint(ClusterRegBatchAddCommand(b, CLUSREG_CREATE_KEY, NULL, 0, NULL, 0), ==, 0);
  g_assert_cmpuint(ClusterRegBatchAddCommand(b, CLUSREG_SET_VALUE, "Node", REG_SZ, "n1", 3), ==, 0);
  g_assert_cmpuint(ClusterRegCloseBatch(b, TRUE, NULL), ==, 0);
  g_assert_cmpuint(replacements_count(&r, "batch.conf"), ==, 1);
  HKEY params = NULL;
  g_assert_cmpuint(ClusterRegOpenKey(key, "Parameters", KEY_READ, &params), ==, 0);
  g_autofree char *vip = ResUtilGetSzValue(params, "vip");
  g_assert_cmpstr(vip, ==, "198.18.0.1");
  g_assert_null(ResUtilGetSzValue(params, "Node"));
  g_autofree char *node = ResUtilGetSzValue(key, "Node");
  g_assert_cmpstr(node, ==, "n1");
  ClusterRegCloseKey(params);
  replacements_close(&r);

  /* A batch on a volatile key: one replacement in the run-time store. */
  g_assert_cmpuint(
      ClusterRegCreateKeyEx(key, "Run", REG_OPTION_VOLATILE, KEY_ALL_ACCESS, &vkey, NULL), ==, 0);
  g_autofree char *vdir = volatile_dir();
  r = replacements_watch(vdir);
  g_assert_cmpuint(ClusterRegCreateBatch(vkey, &b), ==, 0);
  g_assert_cmpuint(ClusterRegBatchAddCommand(b, CLUSREG_SET_VALUE, "Pid", REG_DWORD, &dw, 4), ==,
                   0);
  g_assert_cmpuint(ClusterRegBatchAddCommand(b, CLUSREG_SET_VALUE, "Start", REG_SZ, "9", 2), ==, 0);
  g_assert_cmpuint(ClusterRegCloseBatch(b, TRUE, NULL), ==, 0);
  g_assert_cmpuint(replacements_count(&r, "batch.conf"), ==, 1);
  replacements_close(&r);
  ClusterRegCloseKey(vkey);
  /* One batch, one file: a durable batch cannot reach a volatile subkey. */
  g_assert_cmpuint(ClusterRegCreateBatch(key, &b), ==, 0);
  g_assert_cmpuint(ClusterRegBatchAddCommand(b, CLUSREG_CREATE_KEY, "Run", 0, NULL, 0), ==,
                   ERROR_NOT_SUPPORTED);
  g_assert_cmpuint(ClusterRegCloseBatch(b, TRUE, &failed), ==, ERROR_NOT_SUPPORTED);
  g_assert_cmpint(failed, ==, 0);
  ClusterRegCloseKey(key);
  g_assert_cmpuint(ClusterRegDeleteResourceKey("batch"), ==, 0);
}

/* Setting what is already there writes nothing: same inode, same mtime, no rename. */
static void test_unchanged_no_rewrite(void)
{
  HKEY key = open_key("same");
  DWORD dw = 3;
  g_assert_cmpuint(ClusterRegSetValue(key, "d", REG_DWORD, (BYTE *)&dw, sizeof dw), ==, 0);
  g_assert_cmpuint(ClusterRegSetValue(key, "s", REG_SZ, (BYTE *)"v", 2), ==, 0);
  g_autofree char *path = reg_file_path("same");
  struct stat before, after;
  g_assert_cmpint(stat(path, &before), ==, 0);
  Replacements r = replacements_watch(reg_dir);

  g_assert_cmpuint(ClusterRegSetValue(key, "d", REG_DWORD, (BYTE *)&dw, sizeof dw), ==, 0);
  g_assert_cmpuint(ClusterRegSetValue(key, "s", REG_SZ, (BYTE *)"v", 2), ==, 0);
  g_assert_cmpuint(ResUtilSetSzValue(key, "s", "v", NULL), ==, 0);
  g_assert_cmpuint(ClusterRegDeleteValue(key, "absent"), ==, ERROR_FILE_NOT_FOUND);
  HREGBATCH b = NULL;
  g_assert_cmpuint(ClusterRegCreateBatch(key, &b), ==, 0);
  g_assert_cmpuint(ClusterRegBatchAddCommand(b, CLUSREG_SET_VALUE, "s", REG_SZ, "v", 2), ==, 0);
  g_assert_cmpuint(ClusterRegBatchAddCommand(b, CLUSREG_DELETE_VALUE, "absent", 0, NULL, 0), ==, 0);
  g_assert_cmpuint(ClusterRegCloseBatch(b, TRUE, NULL), ==, 0);
  g_assert_cmpint(stat(path, &after), ==, 0);
  g_assert_cmpuint(after.st_ino, ==, before.st_ino);
  g_assert_cmpint(after.st_mtim.tv_sec, ==, before.st_mtim.tv_sec);
  g_assert_cmpint(after.st_mtim.tv_nsec, ==, before.st_mtim.tv_nsec);
  g_assert_cmpuint(replacements_count(&r, "same.conf"), ==, 0);

  /* The same bytes with another type is a change. */
  g_assert_cmpuint(ClusterRegSetValue(key, "s", REG_EXPAND_SZ, (BYTE *)"v", 2), ==, 0);
  g_assert_cmpuint(replacements_count(&r, "same.conf"), ==, 1);
  replacements_close(&r);
  ClusterRegCloseKey(key);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  /* Subprocesses re-run main: they must use the directory of their parent. */
  const char *inherited = g_getenv("CLUSRES_REGISTRY_DIR");
  if (inherited != NULL && g_str_has_prefix(inherited, g_get_tmp_dir()) &&
      strstr(inherited, "test-resapi-registry") != NULL) {
    reg_dir = g_strdup(inherited);
    run_dir = g_strdup(g_getenv("CLUSRES_RUN_DIR"));
  } else {
    reg_dir = g_dir_make_tmp("test-resapi-registry-XXXXXX", NULL);
    g_assert_nonnull(reg_dir);
    g_setenv("CLUSRES_REGISTRY_DIR", reg_dir, TRUE);
    run_dir = g_dir_make_tmp("test-resapi-registry-run-XXXXXX", NULL);
    g_assert_nonnull(run_dir);
    g_setenv("CLUSRES_RUN_DIR", run_dir, TRUE);
  }
  g_test_add_func("/resapi/registry/typed-values", test_typed_values);
  g_test_add_func("/resapi/registry/query-semantics", test_query_semantics);
  g_test_add_func("/resapi/registry/enum-and-names", test_enum_and_names);
  g_test_add_func("/resapi/registry/atomic-private-files", test_files_atomic_and_private);
  g_test_add_func("/resapi/registry/resource-name-escaping", test_resource_name_escaping);
  g_test_add_func("/resapi/registry/reload-across-processes", test_reload_across_processes);
  g_test_add_func("/resapi/registry/reload-after-replace", test_reload_after_replace);
  g_test_add_func("/resapi/registry/concurrent-writers", test_concurrent_writers);
  g_test_add_func("/resapi/registry/resutil-helpers", test_resutil_helpers);
  g_test_add_func("/resapi/registry/delete-resource-key", test_delete_resource_key);
  g_test_add_func("/resapi/registry/damaged-file", test_damaged_file);
  g_test_add_func("/resapi/registry/volatile-keys", test_volatile_keys);
  g_test_add_func("/resapi/registry/batch", test_batch);
  g_test_add_func("/resapi/registry/unchanged-no-rewrite", test_unchanged_no_rewrite);
  int rc = g_test_run();
  if (!g_test_subprocess()) {
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s' '%s'", reg_dir, run_dir);
    (void)system(cmd);
  }
  g_free(run_dir);
  g_free(reg_dir);
  return rc;
}
