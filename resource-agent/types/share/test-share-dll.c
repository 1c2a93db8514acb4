/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tests of the share resource DLL driven the way a resource host drives it: share.so is
 * dlopen()ed, Startup gets callbacks that record SetResourceStatus, the cluster registry lives
 * in a temporary directory (CLUSRES_REGISTRY_DIR) and the share driver is the fake one
 * (CLUSRES_SHARE_DRIVER=fake), whose call journal the DLL returns through its private control
 * code.
 */
#undef NDEBUG
#include <clusres/resapi.h>

#include <dlfcn.h>
#include <stdarg.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "sd-driver.h"
#include "share.h"
#include "shareset.h"

/* ---- the tiny host ------------------------------------------------------------------------- */

typedef struct {
  GMutex lock;
  GCond cond;
  GString *states; /* every reported state, ',' separated */
  CLUSTER_RESOURCE_STATE last;
  DWORD checkpoint;
} Host;

static PCLRES_FUNCTION_TABLE table;     /* type share */
static PCLRES_FUNCTION_TABLE set_table; /* type shareset, the same DLL */
static char *registry_dir;
static char *share_dir;
static char *run_dir; /* CLUSRES_RUN_DIR: the volatile registry lives below it */

static const char *state_name(CLUSTER_RESOURCE_STATE s)
{
  switch ((int)s) {
  case ClusterResourceOnline:
    return "Online";
  case ClusterResourceOffline:
    return "Offline";
  case ClusterResourceFailed:
    return "Failed";
  case ClusterResourceOnlinePending:
    return "OnlinePending";
  case ClusterResourceOfflinePending:
    return "OfflinePending";
  default:
    return "Other";
  }
}

static DWORD WINAPI host_set_status(RESOURCE_HANDLE handle, PRESOURCE_STATUS status)
{
  Host *h = (Host *)handle;
  g_mutex_lock(&h->lock);
  g_assert_cmpuint(status->CheckPoint, >, h->checkpoint);
  h->checkpoint = status->CheckPoint;
  h->last = status->ResourceState;
  if (h->states->len)
    g_string_append_c(h->states, ',');
  g_string_append(h->states, state_name(status->ResourceState));
  g_cond_broadcast(&h->cond);
  g_mutex_unlock(&h->lock);
  return ResourceExitStateContinue;
}

static VOID WINAPI host_log(RESOURCE_HANDLE handle, LOG_LEVEL level, LPCSTR format, ...)
{
  /* The DLL logs with a single string insert. */
  g_assert_cmpstr(format, ==, "%1!s!");
  va_list ap;
  va_start(ap, format);
  g_test_message("LogEvent(%d): %s", (int)level, va_arg(ap, const char *));
  va_end(ap);
}

/* Waits until @state was reported last; returns (and resets) the states seen. */
static char *host_wait(Host *h, CLUSTER_RESOURCE_STATE state)
{
  gint64 end = g_get_monotonic_time() + 20 * G_TIME_SPAN_SECOND;
  g_mutex_lock(&h->lock);
  while (h->last != state) {
    if (!g_cond_wait_until(&h->cond, &h->lock, end))
      break;
  }
  g_assert_cmpint(h->last, ==, state);
  char *seen = g_strdup(h->states->str);
  g_string_truncate(h->states, 0);
  h->last = ClusterResourceStateUnknown;
  g_mutex_unlock(&h->lock);
  return seen;
}

/* ---- resources in the registry --------------------------------------------------------------- */

typedef struct {
  char *name;
  HKEY key;
  HKEY params;
  RESID id;
  Host host;
  PCLRES_FUNCTION_TABLE fn; /* its type's entry points */
} Res;

static void set_sz(HKEY key, const char *name, const char *value)
{
  g_assert_cmpuint(
      ClusterRegSetValue(key, name, REG_SZ, (const BYTE *)value, (DWORD)strlen(value) + 1), ==,
      ERROR_SUCCESS);
}

static char *get_sz(HKEY key, const char *name)
{
  char buf[512];
  DWORD type = 0, cb = sizeof buf;
  DWORD st = ClusterRegQueryValue(key, name, &type, (LPBYTE)buf, &cb);
  if (st != ERROR_SUCCESS)
    return NULL;
  return g_strndup(buf, cb);
}

/* A resource named @name with valid parameters (home node @home, VIP by home), then the
 * '\0'-free overrides "k=v" (a value of "-" deletes k). */
static Res *res_new(const char *name, const char *home, const char *const *overrides)
{
  Res *r = g_new0(Res, 1);
  r->fn = table;
  r->name = g_strdup(name);
  g_mutex_init(&r->host.lock);
  g_cond_init(&r->host.cond);
  r->host.states = g_string_new(NULL);
  r->host.last = ClusterResourceStateUnknown;
  g_assert_cmpuint(ClusterRegOpenResourceKey(name, KEY_ALL_ACCESS, &r->key), ==, ERROR_SUCCESS);
  g_assert_cmpuint(ClusterRegOpenKey(r->key, "Parameters", KEY_ALL_ACCESS, &r->params), ==,
                   ERROR_SUCCESS);
  set_sz(r->key, "NodeName", "n1");
  g_autofree char *path = g_build_filename(share_dir, name, NULL);
  g_assert_cmpint(g_mkdir_with_parents(path, 0755), ==, 0);
  g_autofree char *vip = g_strdup_printf("198.18.0.%c", home[1]);
  set_sz(r->params, "share_name", name);
  set_sz(r->params, "path", path);
  set_sz(r->params, "home_node", home);
  set_sz(r->params, "vip", vip);
  set_sz(r->params, "disk", "/");
  for (guint i = 0; overrides && overrides[i]; i++) {
    g_auto(GStrv) kv = g_strsplit(overrides[i], "=", 2);
    if (g_str_equal(kv[1], "-"))
      (void)ClusterRegDeleteValue(r->params, kv[0]);
    else
      set_sz(r->params, kv[0], kv[1]);
  }
  return r;
}

static RESID res_open(Res *r)
{
  SetLastError(ERROR_SUCCESS);
  r->host.checkpoint = 0; /* a new instance counts its CheckPoints from 0 again */
  r->id = r->fn->V1Functions.Open(r->name, r->key, (RESOURCE_HANDLE)&r->host);
  return r->id;
}

static void res_free(Res *r)
{
  ClusterRegCloseKey(r->params);
  ClusterRegCloseKey(r->key);
  (void)ClusterRegDeleteResourceKey(r->name);
  g_string_free(r->host.states, TRUE);
  g_mutex_clear(&r->host.lock);
  g_cond_clear(&r->host.cond);
  g_free(r->name);
  g_free(r);
}

static void res_online(Res *r)
{
  g_assert_cmpuint(r->fn->V1Functions.Online(r->id, NULL), ==, ERROR_IO_PENDING);
  g_autofree char *seen = host_wait(&r->host, ClusterResourceOnline);
  g_assert_cmpstr(seen, ==, "Online");
}

static void res_offline(Res *r)
{
  g_assert_cmpuint(r->fn->V1Functions.Offline(r->id), ==, ERROR_IO_PENDING);
  g_autofree char *seen = host_wait(&r->host, ClusterResourceOffline);
  /* FIG. 8A block 97 then FIG. 8B block 108. */
  g_assert_cmpstr(seen, ==, "OfflinePending,Offline");
}

/* ---- property lists ------------------------------------------------------------------------ */

/* Finds property @name in a property list: its syntax, data and length. */
static gboolean find_prop(const BYTE *buf, DWORD size, const char *name, DWORD *syntax,
                          const BYTE **data, DWORD *len)
{
  if (size < 4)
    return FALSE;
  DWORD count;
  memcpy(&count, buf, 4);
  DWORD off = 4;
  for (DWORD i = 0; i < count; i++) {
    const char *pname = NULL;
    for (;;) {
      CLUSPROP_VALUE v;
      g_assert_cmpuint(off + sizeof v, <=, size);
      memcpy(&v, buf + off, sizeof v);
      off += sizeof v;
      const BYTE *d = buf + off;
      off += (v.cbLength + 3u) & ~3u;
      if (v.Syntax == CLUSPROP_SYNTAX_ENDMARK)
        break;
      if (v.Syntax == CLUSPROP_SYNTAX_NAME) {
        pname = (const char *)d;
      } else if (pname && g_str_equal(pname, name)) {
        *syntax = v.Syntax;
        *data = d;
        *len = v.cbLength;
        return TRUE;
      }
    }
  }
  return FALSE;
}

typedef struct {
  BYTE *buf;
  DWORD size;
} Blob;

static Blob control(Res *r, DWORD code, const void *in, DWORD in_size, DWORD *status)
{
  DWORD needed = 0;
  Blob b = {NULL, 0};
  *status = r->fn->V1Functions.ResourceControl(r->id, code, (PVOID)in, in_size, NULL, 0, &needed);
  if (*status == ERROR_MORE_DATA) {
    b.buf = g_malloc0(needed);
    *status =
        r->fn->V1Functions.ResourceControl(r->id, code, (PVOID)in, in_size, b.buf, needed, &b.size);
  }
  return b;
}

static char *status_sz(Res *r, const char *name)
{
  DWORD st;
  Blob b = control(r, CLUSCTL_RESOURCE_GET_RO_PRIVATE_PROPERTIES, NULL, 0, &st);
  g_assert_cmpuint(st, ==, ERROR_SUCCESS);
  DWORD syntax, len;
  const BYTE *data;
  g_assert_true(find_prop(b.buf, b.size, name, &syntax, &data, &len));
  char *out;
  if (syntax == CLUSPROP_SYNTAX_LIST_VALUE_DWORD) {
    DWORD v;
    memcpy(&v, data, 4);
    out = g_strdup_printf("%u", v);
  } else if (syntax == CLUSPROP_SYNTAX_LIST_VALUE_MULTI_SZ) {
    GString *s = g_string_new(NULL);
    for (const char *p = (const char *)data; *p; p += strlen(p) + 1) {
      if (s->len)
        g_string_append_c(s, ',');
      g_string_append(s, p);
    }
    out = g_string_free(s, FALSE);
  } else {
    out = g_strdup((const char *)data);
  }
  g_free(b.buf);
  return out;
}

/* "GSM/CUG/Node/OPNode(per home)/LSM" in one string, for compact assertions. */
static char *status_line(Res *r)
{
  g_autofree char *gsm = status_sz(r, "GlobalState");
  g_autofree char *cug = status_sz(r, "CallUserGroup");
  g_autofree char *node = status_sz(r, "NodeShareCount");
  g_autofree char *op = status_sz(r, "OPNodeShareCount");
  g_autofree char *per = status_sz(r, "OPNodeShareCounts");
  g_autofree char *lsm = status_sz(r, "LocalState");
  return g_strdup_printf("%s cug=%s node=%s op=%s[%s] lsm=%s", gsm, cug, node, op, per, lsm);
}

/* The fake driver's journal from @from on, '|' separated; *@from is advanced. */
static char *journal(Res *r, guint *from)
{
  DWORD st;
  Blob b = control(r, CLUSCTL_RESOURCE_SHARE_GET_DRIVER_JOURNAL, NULL, 0, &st);
  g_assert_cmpuint(st, ==, ERROR_SUCCESS);
  DWORD syntax, len;
  const BYTE *data;
  g_assert_true(find_prop(b.buf, b.size, "Journal", &syntax, &data, &len));
  GString *s = g_string_new(NULL);
  guint i = 0;
  for (const char *p = (const char *)data; *p; p += strlen(p) + 1, i++) {
    if (i < *from)
      continue;
    if (s->len)
      g_string_append_c(s, '|');
    g_string_append(s, p);
  }
  *from = i;
  g_free(b.buf);
  return g_string_free(s, FALSE);
}

/* ---- tests --------------------------------------------------------------------------------- */

static void test_startup(void)
{
  PCLRES_FUNCTION_TABLE t = NULL;
  PSTARTUP_ROUTINE startup = (PSTARTUP_ROUTINE)dlsym(
      dlopen(g_getenv("SHARE_DLL"), RTLD_NOW | RTLD_NOLOAD), CLUSRES_STARTUP_ROUTINE);
  g_assert_nonnull(startup);
  g_assert_cmpuint(
      startup("genapp", CLRES_VERSION_V1_00, CLRES_VERSION_V1_00, host_set_status, host_log, &t),
      ==, ERROR_CLUSTER_RESNAME_NOT_FOUND);
  g_assert_cmpuint(startup("share", 0x200, 0x200, host_set_status, host_log, &t), ==,
                   ERROR_REVISION_MISMATCH);
  g_assert_cmpuint(table->TableSize, ==, CLRES_V1_FUNCTION_SIZE);
  g_assert_cmpuint(table->Version, ==, CLRES_VERSION_V1_00);

  /* Type info for meta-data. */
  const CLUSRES_TYPE_INFO *info = NULL;
  DWORD ret = 0;
  g_assert_cmpuint(
      table->V1Functions.ResourceTypeControl("share", CLUSCTL_RESOURCE_TYPE_CLUSRES_GET_TYPE_INFO,
                                             NULL, 0, &info, sizeof info, &ret),
      ==, ERROR_SUCCESS);
  g_assert_cmpuint(ret, ==, sizeof info);
  g_assert_cmpuint(info->Version, ==, CLUSRES_TYPE_INFO_VERSION);
  g_assert_cmpuint(info->MaxCheckLevel, ==, 20);
  guint checked = 0;
  for (const CLUSRES_PROPERTY_DOC *d = info->Docs; d->Name; d++) {
    if (g_str_equal(d->Name, "share_name")) {
      g_assert_true(d->Flags & CLUSRES_PROPDOC_UNIQUE);
      checked++;
    }
    if (g_str_equal(d->Name, "path") || g_str_equal(d->Name, "disk")) {
      g_assert_true(d->Flags & CLUSRES_PROPDOC_PATH);
      checked++;
    }
  }
  g_assert_cmpuint(checked, ==, 3);
  guint required = 0;
  for (const RESUTIL_PROPERTY_ITEM *p = info->Properties; p->Name; p++)
    required += (p->Flags & RESUTIL_PROPITEM_REQUIRED) != 0;
  g_assert_cmpuint(required, ==, 4); /* share_name, path, home_node, vip */

  BYTE fmts[1024];
  g_assert_cmpuint(table->V1Functions.ResourceTypeControl(
                       "share", CLUSCTL_RESOURCE_TYPE_GET_PRIVATE_RESOURCE_PROPERTY_FMTS, NULL, 0,
                       fmts, sizeof fmts, &ret),
                   ==, ERROR_SUCCESS);
  g_assert_cmpuint(ClusResPropListValidate(fmts, ret), ==, ERROR_SUCCESS);
}

static void test_lifecycle(void)
{
  Res *r = res_new("s1", "n1", NULL);
  g_assert_nonnull(res_open(r));
  guint pos = 0;

  /* FIG. 4: the resource entry is in the registry; nothing was driven but a listing. */
  HKEY entry;
  g_assert_cmpuint(ClusterRegOpenKey(r->key, SHARE_ENTRY_KEY, KEY_READ, &entry), ==, ERROR_SUCCESS);
  g_autofree char *ename = get_sz(entry, "Name");
  g_autofree char *ehome = get_sz(entry, "HomeNode");
  g_autofree char *edisk = get_sz(entry, "DiskDependency");
  /* The LSM is run-time state: in the volatile ShareState key, a file of the run-time store. */
  HKEY state;
  g_assert_cmpuint(ClusterRegOpenKey(r->key, SHARE_STATE_KEY, KEY_READ, &state), ==, ERROR_SUCCESS);
  g_autofree char *elsm = get_sz(state, "LSM");
  g_autofree char *nolsm = get_sz(entry, "LSM");
  g_assert_null(nolsm);
  g_autofree char *state_file = g_build_filename(run_dir, "registry", NULL);
  g_autofree char *state_cmd = g_strdup_printf("grep -rqs '^LSM=sz:Offline$' '%s'", state_file);
  g_assert_cmpint(system(state_cmd), ==, 0);
  g_assert_cmpstr(ename, ==, "s1");
  g_assert_cmpstr(ehome, ==, "n1");
  g_assert_cmpstr(edisk, ==, "/");
  g_assert_cmpstr(elsm, ==, "Offline");
  g_autofree char *j0 = journal(r, &pos);
  g_assert_cmpstr(j0, ==, "");
  g_assert_false(table->V1Functions.LooksAlive(r->id));

  /* FIG. 5 + 6A/6B. */
  res_online(r);
  g_autofree char *s1 = status_line(r);
  g_assert_cmpstr(s1, ==, "Online cug=0 node=1 op=0[] lsm=Online");
  g_autofree char *j1 = journal(r, &pos);
  g_assert_cmpstr(
      j1, ==,
      "allow_traffic 198.18.0.1|enable_local_counter|enable_failover 198.18.0.1|enable_share s1|"
      "disable_local_counter");
  g_free(elsm);
  elsm = get_sz(state, "LSM");
  g_assert_cmpstr(elsm, ==, "Online");
  g_assert_true(table->V1Functions.LooksAlive(r->id));
  g_assert_true(table->V1Functions.IsAlive(r->id));
  g_assert_true(table->V1Functions.LooksAlive(r->id));
  /* One export listing served all three checks (the driver's process-wide cache). */
  g_autofree char *jm = journal(r, &pos);
  g_assert_cmpstr(jm, ==, "list_exports");

  /* SET while online: stored, effective at the next online; a bad value is refused. */
  PCLUSRES_PROPLIST list = ClusResPropListCreate();
  g_assert_cmpuint(ClusResPropListAddSz(list, "clients", "198.18.0.0/24"), ==, ERROR_SUCCESS);
  DWORD cb;
  const void *buf = ClusResPropListBuffer(list, &cb);
  DWORD ret;
  g_assert_cmpuint(table->V1Functions.ResourceControl(r->id,
                                                      CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES,
                                                      (PVOID)buf, cb, NULL, 0, &ret),
                   ==, ERROR_RESOURCE_PROPERTIES_STORED);
  ClusResPropListFree(list);
  g_autofree char *clients = get_sz(r->params, "clients");
  g_assert_cmpstr(clients, ==, "198.18.0.0/24");

  /* FIG. 7 + 8A/8B. */
  res_offline(r);
  g_autofree char *s2 = status_line(r);
  g_assert_cmpstr(s2, ==, "Offline cug=1 node=0 op=0[] lsm=Offline");
  g_autofree char *j2 = journal(r, &pos);
  g_assert_cmpstr(j2, ==,
                  "enable_local_counter|disable_share s1|list_exports|disable_local_counter");
  g_assert_false(table->V1Functions.LooksAlive(r->id));
  g_assert_false(table->V1Functions.IsAlive(r->id));

  /* Online again, then Terminate: offline without reports. */
  res_online(r);
  table->V1Functions.Terminate(r->id);
  g_autofree char *s3 = status_line(r);
  g_assert_cmpstr(s3, ==, "Offline cug=1 node=0 op=0[] lsm=Offline");

  /* FIG. 9: Close deletes our entry, not the host's Parameters. */
  table->V1Functions.Close(r->id);
  g_free(ename);
  ename = get_sz(entry, "Name");
  g_assert_null(ename);
  g_free(elsm);
  elsm = get_sz(state, "LSM");
  g_assert_null(elsm);
  g_autofree char *pname = get_sz(r->params, "share_name");
  g_assert_cmpstr(pname, ==, "s1");
  ClusterRegCloseKey(state);
  ClusterRegCloseKey(entry);
  res_free(r);
}

/* OCF_CHECK_LEVEL 10 and 20 go through the VIP as an NFS client: with no NFS server on the
 * VIP they fail (quickly: connection refused on loopback), while depth 0 only asks the driver. */
static void test_check_levels(void)
{
  const char *overrides[] = {"vip=127.0.0.1", NULL};
  Res *r = res_new("lv", "n1", overrides);
  g_assert_nonnull(res_open(r));
  res_online(r);
  ClusResSetCheckLevel(0);
  g_assert_true(table->V1Functions.IsAlive(r->id));
  gint64 start = g_get_monotonic_time();
  ClusResSetCheckLevel(10);
  g_assert_false(table->V1Functions.IsAlive(r->id));
  ClusResSetCheckLevel(20);
  g_assert_false(table->V1Functions.IsAlive(r->id));
  ClusResSetCheckLevel(0);
  g_assert_cmpint(g_get_monotonic_time() - start, <, 12 * G_TIME_SPAN_SECOND);
  g_assert_true(table->V1Functions.IsAlive(r->id));
  res_offline(r);
  table->V1Functions.Close(r->id);
  res_free(r);
}

typedef struct {
  const char *param;
  const char *value;
} Bad;

static const Bad bad_values[] = {
    {"share_name", "a\"b"},
    {"share_name", "a'b"},
    {"share_name", "a{b}"},
    {"share_name", "a\nb"},
    {"share_name", "a b"},
    {"share_name", "a;b"},
    {"share_name", "../x"},
    {"share_name", "-"},
    {"path", "relative/dir"},
    {"path", "/srv/../etc"},
    {"path", "/srv/a\"b"},
    {"path", "/srv/{x}"},
    {"path", "/srv/a\nb"},
    {"path", "/srv/$(reboot)"},
    {"path", "/"},
    {"path", "-"},
    {"pseudo", "/p\"q"},
    {"pseudo", "/p/../q"},
    {"pseudo", "p"},
    {"pseudo", "/"},
    {"clients", "*\"; rm"},
    {"clients", "a{b}"},
    {"clients", "a\nb"},
    {"access", "rwx"},
    {"access", "RW"},
    {"squash", "none"},
    {"squash", "root_squash}"},
    {"vip", "198.18.0.1/24"},
    {"vip", "fe80::1%eth0"},
    {"vip", "1.2.3"},
    {"vip", "-"},
    {"export_id", "1"},
    {"export_id", "70000"},
    {"export_id", "12a"},
    {"disk", "relative"},
    {"disk", "/x/../y"},
    {"disk", "/elsewhere"}, /* path not inside disk */
    {"driver", "nfs"},
    {"home_node", "n1;x"},
    {"home_node", "n1\n"},
    {"home_node", "-"},
};

static void test_validation(void)
{
  /* A valid instance stays open throughout, so the fake driver (and its journal) lives on
   * and proves that no refused request drove anything. */
  Res *good = res_new("good", "n1", NULL);
  g_assert_nonnull(res_open(good));
  guint pos = 0;
  g_free(journal(good, &pos));

  for (guint i = 0; i < G_N_ELEMENTS(bad_values); i++) {
    const Bad *b = &bad_values[i];
    g_test_message("bad %s=%s", b->param, b->value);
    g_autofree char *kv = g_strdup_printf("%s=%s", b->param, b->value);
    const char *overrides[] = {kv, NULL};

    /* Open refuses, writing nothing. */
    Res *r = res_new("bad", "n1", overrides);
    g_assert_null(res_open(r));
    g_assert_cmpuint(GetLastError(), ==, ERROR_INVALID_PARAMETER);
    HKEY entry;
    g_assert_cmpuint(ClusterRegOpenKey(r->key, SHARE_ENTRY_KEY, KEY_READ, &entry), ==,
                     ERROR_SUCCESS);
    g_autofree char *ename = get_sz(entry, "Name");
    g_assert_null(ename);
    ClusterRegCloseKey(entry);
    res_free(r);

    /* VALIDATE (and SET) refuse the value on a valid instance; nothing stored. */
    if (!g_str_equal(b->value, "-")) {
      PCLUSRES_PROPLIST list = ClusResPropListCreate();
      g_assert_cmpuint(ClusResPropListAddSz(list, b->param, b->value), ==, ERROR_SUCCESS);
      DWORD cb, ret;
      const void *buf = ClusResPropListBuffer(list, &cb);
      g_assert_cmpuint(
          table->V1Functions.ResourceControl(good->id, CLUSCTL_RESOURCE_VALIDATE_PRIVATE_PROPERTIES,
                                             (PVOID)buf, cb, NULL, 0, &ret),
          ==, ERROR_INVALID_PARAMETER);
      g_assert_cmpuint(table->V1Functions.ResourceControl(good->id,
                                                          CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES,
                                                          (PVOID)buf, cb, NULL, 0, &ret),
                       ==, ERROR_INVALID_PARAMETER);
      ClusResPropListFree(list);
      g_autofree char *stored = get_sz(good->params, b->param);
      g_assert_cmpstr(stored, !=, b->value);
    }
  }

  /* Online re-validates: a bad value written behind the DLL's back (a CIB edit) is refused
   * before anything is driven. */
  set_sz(good->params, "path", "/srv/a\"b");
  g_assert_cmpuint(table->V1Functions.Online(good->id, NULL), ==, ERROR_INVALID_PARAMETER);
  g_autofree char *path = g_build_filename(share_dir, "good", NULL);
  set_sz(good->params, "path", path);
  /* A disk that is not mounted: not ready, nothing driven. */
  set_sz(good->params, "disk", "/nonexistent-clusres-disk");
  set_sz(good->params, "path", "/nonexistent-clusres-disk/good");
  g_assert_cmpuint(table->V1Functions.Online(good->id, NULL), ==, ERROR_NOT_READY);
  set_sz(good->params, "disk", "/");
  set_sz(good->params, "path", path);

  g_autofree char *j1 = journal(good, &pos);
  g_assert_cmpstr(j1, ==, "");
  g_autofree char *s = status_line(good);
  g_assert_cmpstr(s, ==, "Unknown cug=0 node=0 op=0[] lsm=Offline");

  /* A valid VALIDATE passes. */
  PCLUSRES_PROPLIST list = ClusResPropListCreate();
  g_assert_cmpuint(ClusResPropListAddSz(list, "access", "ro"), ==, ERROR_SUCCESS);
  DWORD cb, ret;
  const void *buf = ClusResPropListBuffer(list, &cb);
  g_assert_cmpuint(table->V1Functions.ResourceControl(good->id,
                                                      CLUSCTL_RESOURCE_VALIDATE_PRIVATE_PROPERTIES,
                                                      (PVOID)buf, cb, NULL, 0, &ret),
                   ==, ERROR_SUCCESS);
  ClusResPropListFree(list);

  /* share_name is unique among open instances. */
  const char *same[] = {"share_name=good", NULL};
  Res *dup = res_new("dup", "n1", same);
  g_assert_null(res_open(dup));
  g_assert_cmpuint(GetLastError(), ==, ERROR_ALREADY_EXISTS);
  res_free(dup);

  /* ... the current one: SET_PRIVATE_PROPERTIES frees the old name and takes the new. */
  list = ClusResPropListCreate();
  g_assert_cmpuint(ClusResPropListAddSz(list, "share_name", "good2"), ==, ERROR_SUCCESS);
  buf = ClusResPropListBuffer(list, &cb);
  g_assert_cmpuint(table->V1Functions.ResourceControl(good->id,
                                                      CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES,
                                                      (PVOID)buf, cb, NULL, 0, &ret),
                   ==, ERROR_SUCCESS);
  ClusResPropListFree(list);
  const char *renamed[] = {"share_name=good2", NULL};
  Res *dup2 = res_new("dup2", "n1", renamed);
  g_assert_null(res_open(dup2));
  g_assert_cmpuint(GetLastError(), ==, ERROR_ALREADY_EXISTS);
  res_free(dup2);
  Res *reuse = res_new("reuse", "n1", same);
  g_assert_nonnull(res_open(reuse));
  table->V1Functions.Close(reuse->id);
  res_free(reuse);

  table->V1Functions.Close(good->id);
  res_free(good);

  /* Closed: its name is free again. */
  Res *after = res_new("after", "n1", renamed);
  g_assert_nonnull(res_open(after));
  table->V1Functions.Close(after->id);
  res_free(after);
}

static void test_rebuild(void)
{
  Res *a = res_new("ra", "n1", NULL);
  Res *x = res_new("rx", "n2", NULL);
  Res *z = res_new("rz", "n3", NULL);
  Res *y = res_new("ry", "n2", NULL);
  Res *all[] = {a, x, z, y};
  for (guint i = 0; i < 3; i++) {
    g_assert_nonnull(res_open(all[i]));
    res_online(all[i]);
  }
  g_autofree char *before = status_line(x);
  g_assert_cmpstr(before, ==, "Failover cug=0 node=1 op=2[n2=1,n3=1] lsm=Failover");

  guint pos = 0;
  g_free(journal(a, &pos));

  /* The host dies: instances and state machines are gone, the exports are not. */
  DWORD ret;
  g_assert_cmpuint(
      table->V1Functions.ResourceTypeControl(
          "share", CLUSCTL_RESOURCE_TYPE_SHARE_SIMULATE_HOST_CRASH, NULL, 0, NULL, 0, &ret),
      ==, ERROR_SUCCESS);

  /* ry's entry says Online but it was never exported: it must not count. */
  HKEY entry;
  g_assert_cmpuint(ClusterRegOpenKey(y->key, SHARE_STATE_KEY, KEY_ALL_ACCESS, &entry), ==,
                   ERROR_SUCCESS);
  set_sz(entry, "LSM", "Failover");
  ClusterRegCloseKey(entry);

  for (guint i = 0; i < 4; i++)
    g_assert_nonnull(res_open(all[i]));
  g_autofree char *j = journal(a, &pos);
  /* Re-adoption only looks: no enable, no disable, no traffic call. */
  g_assert_null(strstr(j, "able_"));
  g_assert_null(strstr(j, "traffic"));

  g_autofree char *sa = status_line(a);
  g_assert_cmpstr(sa, ==, "Failover cug=0 node=1 op=2[n2=1,n3=1] lsm=Online");
  g_autofree char *sx = status_line(x);
  g_assert_cmpstr(sx, ==, "Failover cug=0 node=1 op=2[n2=1,n3=1] lsm=Failover");
  g_autofree char *sy = status_line(y);
  g_assert_cmpstr(sy, ==, "Failover cug=0 node=1 op=2[n2=1,n3=1] lsm=Offline");
  g_assert_true(table->V1Functions.LooksAlive(x->id));
  g_assert_false(table->V1Functions.LooksAlive(y->id));

  /* The rebuilt counts drive the offline flows exactly as before the restart. */
  res_offline(x);
  g_autofree char *j2 = journal(a, &pos);
  g_assert_cmpstr(j2, ==, "enable_transition 198.18.0.2|disable_share rx|list_exports");
  res_offline(z);
  g_autofree char *s2 = status_line(a);
  g_assert_cmpstr(s2, ==, "Offline cug=0 node=1 op=0[] lsm=Online");
  res_offline(a);
  g_autofree char *s3 = status_line(a);
  g_assert_cmpstr(s3, ==, "Offline cug=1 node=0 op=0[] lsm=Offline");

  for (guint i = 0; i < 4; i++) {
    table->V1Functions.Close(all[i]->id);
    res_free(all[i]);
  }
}

/* Many instances online and offline at once through the entry points: the workers run in
 * parallel, persist their LSMs, and the counts end exact. */
static void test_parallel(void)
{
  enum { N = 60 };
  static const char *const homes[] = {"n1", "n2", "n3"};
  Res *rs[N];
  guint per_home[3] = {0};
  for (guint i = 0; i < N; i++) {
    g_autofree char *name = g_strdup_printf("p%02u", i);
    rs[i] = res_new(name, homes[i % 3], NULL);
    per_home[i % 3]++;
    g_assert_nonnull(res_open(rs[i]));
  }
  for (guint i = 0; i < N; i++)
    g_assert_cmpuint(table->V1Functions.Online(rs[i]->id, NULL), ==, ERROR_IO_PENDING);
  for (guint i = 0; i < N; i++)
    g_free(host_wait(&rs[i]->host, ClusterResourceOnline));
  g_autofree char *expected =
      g_strdup_printf("Failover cug=0 node=%u op=%u[n2=%u,n3=%u] lsm=Online", per_home[0],
                      per_home[1] + per_home[2], per_home[1], per_home[2]);
  g_autofree char *s1 = status_line(rs[0]);
  g_assert_cmpstr(s1, ==, expected);
  for (guint i = 0; i < N; i++) {
    HKEY entry;
    g_assert_cmpuint(ClusterRegOpenKey(rs[i]->key, SHARE_STATE_KEY, KEY_READ, &entry), ==,
                     ERROR_SUCCESS);
    g_autofree char *lsm = get_sz(entry, "LSM");
    g_assert_cmpstr(lsm, ==, i % 3 == 0 ? "Online" : "Failover");
    ClusterRegCloseKey(entry);
  }
  for (guint i = 0; i < N; i++)
    g_assert_cmpuint(table->V1Functions.Offline(rs[i]->id), ==, ERROR_IO_PENDING);
  for (guint i = 0; i < N; i++)
    g_free(host_wait(&rs[i]->host, ClusterResourceOffline));
  g_autofree char *s2 = status_line(rs[0]);
  g_assert_cmpstr(s2, ==, "Offline cug=1 node=0 op=0[] lsm=Offline");
  for (guint i = 0; i < N; i++) {
    table->V1Functions.Close(rs[i]->id);
    res_free(rs[i]);
  }
}

/* ---- the share set (type shareset of the same DLL) ---------------------------------------- */

/* A directory for member @name of set @set (made unless @missing); its NAME=PATH entry. */
static char *member_entry(const char *set, const char *name, gboolean missing)
{
  g_autofree char *path = g_build_filename(share_dir, set, name, NULL);
  if (!missing)
    g_assert_cmpint(g_mkdir_with_parents(path, 0755), ==, 0);
  return g_strdup_printf("%s=%s", name, path);
}

/* A set resource homed on @home with @shares (newline separated, as an admin may write it). */
static Res *set_new(const char *name, const char *home, const char *shares)
{
  const char *const overrides[] = {"share_name=-", "path=-", NULL};
  Res *r = res_new(name, home, overrides);
  r->fn = set_table;
  set_sz(r->params, "shares", shares);
  return r;
}

/* Entries m<first>..m<last> of set @set, @missing (or -1) without its directory. */
static char *member_list(const char *set, guint first, guint last, gint missing)
{
  GString *s = g_string_new(NULL);
  for (guint i = first; i <= last; i++) {
    g_autofree char *name = g_strdup_printf("%s-m%02u", set, i);
    g_autofree char *e = member_entry(set, name, (gint)i == missing);
    g_string_append_printf(s, "%s%s", s->len ? "\n" : "", e);
  }
  return g_string_free(s, FALSE);
}

/* How many journal entries ('|' separated) start with @op and name a member of @set. */
static guint count_ops(const char *journal_text, const char *op)
{
  guint n = 0;
  g_auto(GStrv) calls = g_strsplit(journal_text, "|", -1);
  for (guint i = 0; calls[i]; i++)
    n += g_str_has_prefix(calls[i], op);
  return n;
}

static DWORD set_shares(Res *r, const char *shares)
{
  PCLUSRES_PROPLIST list = ClusResPropListCreate();
  g_assert_cmpuint(ClusResPropListAddSz(list, "shares", shares), ==, ERROR_SUCCESS);
  DWORD cb = 0;
  const void *buf = ClusResPropListBuffer(list, &cb);
  DWORD st;
  Blob b = control(r, CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES, buf, cb, &st);
  g_free(b.buf);
  ClusResPropListFree(list);
  return st;
}

/* LooksAlive/IsAlive of @r and the degraded reason it left (NULL: none). */
static BOOL set_health(Res *r, gboolean deep, char **reason)
{
  ResUtilFree(ClusResTakeDegraded());
  BOOL ok = deep ? r->fn->V1Functions.IsAlive(r->id) : r->fn->V1Functions.LooksAlive(r->id);
  char *d = ClusResTakeDegraded();
  *reason = g_strdup(d);
  ResUtilFree(d);
  return ok;
}

static void test_set_members(void)
{
  guint from = 0;
  /* A plain share homed elsewhere: the set's members count in the same GSM as it does. */
  Res *solo = res_new("solo", "n2", NULL);
  g_assert_nonnull(res_open(solo));
  res_online(solo);

  /* Ten members, m05 without its directory. */
  g_autofree char *shares = member_list("s1", 0, 9, 5);
  Res *set = set_new("set1", "n1", shares);
  g_assert_nonnull(res_open(set));
  g_free(journal(set, &from));
  res_online(set); /* one report for the set: Online */
  g_autofree char *j1 = journal(set, &from);
  g_test_message("online: %s", j1);
  g_assert_cmpuint(count_ops(j1, "enable_share s1-m"), ==, 9);
  g_assert_cmpuint(count_ops(j1, "enable_share s1-m05"), ==, 0);
  g_assert_cmpuint(count_ops(j1, "enable_failover 198.18.0.1"), ==, 1); /* once per VIP */
  g_assert_cmpuint(count_ops(j1, "allow_traffic 198.18.0.1"), ==, 1);
  g_autofree char *node = status_sz(set, "NodeShareCount");
  g_autofree char *per = status_sz(set, "OPNodeShareCounts");
  g_autofree char *online = status_sz(set, "MembersOnline");
  g_autofree char *failed = status_sz(set, "MembersFailed");
  g_assert_cmpstr(node, ==, "9");
  g_assert_cmpstr(per, ==, "n2=1");
  g_assert_cmpstr(online, ==, "9");
  g_assert_cmpstr(failed, ==, "1");
  g_autofree char *members = status_sz(set, "Members");
  /* "NAME\tLSM\tPSEUDO\tEXPORT_ID[\tREASON]" per member. */
  g_autofree char *m05_reason = g_strdup_printf("\tdirectory %s/s1/s1-m05 is missing", share_dir);
  const char *m05 = strstr(members, "s1-m05\tOffline\t/s1-m05\t");
  g_assert_nonnull(m05);
  g_assert_nonnull(strstr(m05, m05_reason));
  g_assert_nonnull(strstr(members, "s1-m00\tOnline\t/s1-m00\t"));
  /* The plain share sees the set's members in its counts too. */
  g_autofree char *solo_line = status_line(solo);
  g_assert_cmpstr(solo_line, ==, "Failover cug=0 node=9 op=1[n2=1] lsm=Failover");
  /* Its persisted LSM, per member: the rebuild reads it. */
  HKEY state;
  g_assert_cmpuint(ClusterRegOpenKey(set->key, SHARESET_STATE_KEY, KEY_READ, &state), ==,
                   ERROR_SUCCESS);
  g_autofree char *lsm00 = get_sz(state, "s1-m00");
  g_autofree char *lsm05 = get_sz(state, "s1-m05");
  g_assert_cmpstr(lsm00, ==, "Online");
  g_assert_null(lsm05);

  /* Alive, degraded: the broken member named with its reason. */
  g_autofree char *reason = NULL;
  g_assert_true(set_health(set, FALSE, &reason));
  g_assert_nonnull(reason);
  g_assert_true(g_str_has_prefix(reason, "1 of 10 shares failed: s1-m05 (directory "));

  /* Reload: m01 removed, m02 moved, m10 added; the others untouched (no driver call names
   * them), no grace, no gate change. */
  g_autofree char *e02 = member_entry("s1b", "s1-m02", FALSE);
  g_autofree char *keep = member_list("s1", 3, 10, 5);
  g_autofree char *m00e = member_entry("s1", "s1-m00", FALSE);
  g_autofree char *shares2 = g_strdup_printf("%s %s\n%s", m00e, e02, keep);
  g_assert_cmpuint(set_shares(set, shares2), ==, ERROR_SUCCESS);
  g_autofree char *j2 = journal(set, &from);
  g_test_message("reload: %s", j2);
  g_assert_cmpuint(count_ops(j2, "disable_share s1-m01"), ==, 1);
  g_assert_cmpuint(count_ops(j2, "disable_share s1-m02"), ==, 1);
  g_assert_cmpuint(count_ops(j2, "enable_share s1-m02"), ==, 1);
  g_assert_cmpuint(count_ops(j2, "enable_share s1-m10"), ==, 1);
  g_assert_cmpuint(count_ops(j2, "enable_share"), ==, 2);
  g_assert_cmpuint(count_ops(j2, "disable_share"), ==, 2);
  g_assert_cmpuint(count_ops(j2, "enable_failover"), ==, 0);
  g_assert_cmpuint(count_ops(j2, "allow_traffic"), ==, 0);
  g_assert_cmpuint(count_ops(j2, "block_traffic"), ==, 0);
  g_free(node);
  node = status_sz(set, "NodeShareCount");
  g_assert_cmpstr(node, ==, "9"); /* 10 members, m05 still broken */
  /* A name another resource uses is refused, and nothing changes. */
  g_autofree char *solo_entry = member_entry("s1", "solo", FALSE);
  g_autofree char *shares3 = g_strdup_printf("%s\n%s", shares2, solo_entry);
  g_assert_cmpuint(set_shares(set, shares3), ==, ERROR_ALREADY_EXISTS);
  g_autofree char *j3 = journal(set, &from);
  g_assert_cmpuint(count_ops(j3, "enable_share"), ==, 0);

  /* m05's directory comes back: the next IsAlive exports it, nothing else. */
  g_autofree char *m05e = member_entry("s1", "s1-m05", FALSE);
  g_clear_pointer(&reason, g_free);
  g_assert_true(set_health(set, TRUE, &reason));
  g_assert_null(reason);
  g_autofree char *j4 = journal(set, &from);
  g_assert_cmpuint(count_ops(j4, "enable_share"), ==, 1);
  g_assert_cmpuint(count_ops(j4, "enable_share s1-m05"), ==, 1);
  g_free(node);
  node = status_sz(set, "NodeShareCount");
  g_assert_cmpstr(node, ==, "10");

  /* A killed host: the next one re-adopts every member from its persisted LSM and the export
   * list, with no enable. */
  g_assert_cmpuint(set_table->V1Functions.ResourceTypeControl(
                       SHARESET_TYPE_NAME, CLUSCTL_RESOURCE_TYPE_SHARE_SIMULATE_HOST_CRASH, NULL, 0,
                       NULL, 0, NULL),
                   ==, ERROR_SUCCESS);
  g_assert_nonnull(res_open(set));
  g_assert_nonnull(res_open(solo));
  g_autofree char *j5 = journal(set, &from);
  g_assert_cmpuint(count_ops(j5, "enable_share"), ==, 0);
  g_free(node);
  node = status_sz(set, "NodeShareCount");
  g_assert_cmpstr(node, ==, "10");
  g_free(online);
  online = status_sz(set, "MembersOnline");
  g_assert_cmpstr(online, ==, "10");
  g_clear_pointer(&reason, g_free);
  g_assert_true(set_health(set, FALSE, &reason));
  g_assert_null(reason);

  /* Offline: every member disabled, the counts of the set gone, the plain share's stay. */
  res_offline(set);
  g_autofree char *j6 = journal(set, &from);
  g_assert_cmpuint(count_ops(j6, "disable_share s1-m"), ==, 10);
  g_free(node);
  node = status_sz(set, "NodeShareCount");
  g_assert_cmpstr(node, ==, "0");
  g_free(per);
  per = status_sz(set, "OPNodeShareCounts");
  g_assert_cmpstr(per, ==, "n2=1");
  g_free(lsm00);
  lsm00 = get_sz(state, "s1-m00");
  g_assert_cmpstr(lsm00, ==, "Offline");
  ClusterRegCloseKey(state);
  g_clear_pointer(&reason, g_free);
  g_assert_false(set_health(set, FALSE, &reason));

  set->fn->V1Functions.Close(set->id);
  res_offline(solo);
  table->V1Functions.Close(solo->id);
  res_free(set);
  res_free(solo);
}

static void test_set_validation(void)
{
  g_autofree char *good = member_entry("s2", "s2-a", FALSE);
  static const struct {
    const char *shares;
    const char *why;
  } bad[] = {
      {"", "no entry"},
      {"s2-a", "no '='"},
      {"s2-a=relative/dir", "relative path"},
      {"s2-a=/srv/../etc", "'..'"},
      {"s2-a=/srv/x s2-a=/srv/y", "duplicate name"},
      {".hidden=/srv/x", "bad name"},
      {"s2-a=/srv/x;rm", "injection"},
  };
  for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
    Res *r = set_new("set2", "n1", bad[i].shares);
    g_test_message("shares '%s' (%s)", bad[i].shares, bad[i].why);
    g_assert_null(res_open(r));
    g_assert_cmpuint(GetLastError(), ==, ERROR_INVALID_PARAMETER);
    res_free(r);
  }
  /* A name a share primitive has is refused. */
  Res *solo = res_new("s2-a", "n1", NULL);
  g_assert_nonnull(res_open(solo));
  Res *r = set_new("set2", "n1", good);
  g_assert_null(res_open(r));
  g_assert_cmpuint(GetLastError(), ==, ERROR_ALREADY_EXISTS);
  res_free(r);
  table->V1Functions.Close(solo->id);
  res_free(solo);

  /* 500 members: one Online, all exported, one listing for the health of all. */
  /* Export ids derive from names (1..65535): 500 names collide about twice, and the set
   * refuses that (a member would shadow another's file handles), so skip colliding names. */
  g_autoptr(GString) list = g_string_new(NULL);
  g_autoptr(GHashTable) ids = g_hash_table_new(g_direct_hash, g_direct_equal);
  for (guint i = 0, n = 0; n < 500; i++) {
    g_autofree char *name = g_strdup_printf("s3-m%03u", i);
    if (!g_hash_table_add(ids, GUINT_TO_POINTER(sd_share_default_export_id(name))))
      continue;
    g_autofree char *e = member_entry("s3", name, FALSE);
    g_string_append_printf(list, "%s%s", n++ ? "\n" : "", e);
  }
  const char *many = list->str;
  g_assert_cmpuint(strlen(many), >, 500 * 10);
  r = set_new("set3", "n1", many);
  g_assert_nonnull(res_open(r));
  guint from = 0;
  g_free(journal(r, &from));
  gint64 t0 = g_get_monotonic_time();
  res_online(r);
  g_test_message("500 members online (fake driver) in %.1f ms",
                 (double)(g_get_monotonic_time() - t0) / 1000.0);
  g_autofree char *online = status_sz(r, "MembersOnline");
  g_assert_cmpstr(online, ==, "500");
  g_free(journal(r, &from));
  g_autofree char *reason = NULL;
  g_assert_true(set_health(r, FALSE, &reason));
  g_assert_null(reason);
  g_autofree char *j = journal(r, &from);
  g_assert_cmpuint(count_ops(j, "list_exports"), ==, 1);
  res_offline(r);
  r->fn->V1Functions.Close(r->id);
  res_free(r);
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);

  g_autoptr(GError) error = NULL;
  registry_dir = g_dir_make_tmp("share-registry-XXXXXX", &error);
  g_assert_no_error(error);
  share_dir = g_dir_make_tmp("share-dirs-XXXXXX", &error);
  g_assert_no_error(error);
  run_dir = g_dir_make_tmp("share-run-XXXXXX", &error);
  g_assert_no_error(error);
  g_setenv("CLUSRES_REGISTRY_DIR", registry_dir, TRUE);
  g_setenv("CLUSRES_RUN_DIR", run_dir, TRUE);
  g_setenv("CLUSRES_SHARE_DRIVER", "fake", TRUE);

  const char *path = g_getenv("SHARE_DLL");
  g_assert_nonnull(path);
  void *dll = dlopen(path, RTLD_NOW);
  if (!dll)
    g_error("dlopen %s: %s", path, dlerror());
  PSTARTUP_ROUTINE startup = (PSTARTUP_ROUTINE)dlsym(dll, CLUSRES_STARTUP_ROUTINE);
  g_assert_nonnull(startup);
  g_assert_cmpuint(
      startup("share", CLRES_VERSION_V1_00, CLRES_VERSION_V1_00, host_set_status, host_log, &table),
      ==, ERROR_SUCCESS);
  g_assert_cmpuint(startup(SHARESET_TYPE_NAME, CLRES_VERSION_V1_00, CLRES_VERSION_V1_00,
                           host_set_status, host_log, &set_table),
                   ==, ERROR_SUCCESS);

  g_test_add_func("/share-dll/startup", test_startup);
  g_test_add_func("/share-dll/lifecycle", test_lifecycle);
  g_test_add_func("/share-dll/check-levels", test_check_levels);
  g_test_add_func("/share-dll/validation", test_validation);
  g_test_add_func("/share-dll/rebuild", test_rebuild);
  g_test_add_func("/share-dll/parallel", test_parallel);
  g_test_add_func("/share-dll/set/members", test_set_members);
  g_test_add_func("/share-dll/set/validation", test_set_validation);
  int rc = g_test_run();

  g_autofree char *cmd = g_strdup_printf("rm -rf '%s' '%s' '%s'", registry_dir, share_dir, run_dir);
  (void)!system(cmd);
  g_free(run_dir);
  g_free(registry_dir);
  g_free(share_dir);
  return rc;
}
