/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The share driver ("driver 23" of seed 004): validation of share definitions, the dispatch to
 * the backends and the fake backend.  Backends get a share that has been validated and resolved
 * (defaults filled in), so they can format it into config files and argv without escaping.
 */
#include "sd-driver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "sd-gate.h"
#include "sd-ganesha.h"
#include "sd-knfsd.h"
#include "sd-probe.h"

G_DEFINE_QUARK(sd - driver - error - quark, sd_driver_error)

/* Limits are conservative on purpose: they are far above anything real and keep generated
 * config lines and argv short. */
#define SD_NAME_MAX 64
#define SD_PATH_MAX 1024
#define SD_CLIENTS_MAX 512

typedef enum {
  SD_BACKEND_FAKE,
  SD_BACKEND_GANESHA,
  SD_BACKEND_KNFSD,
} SdBackend;

struct _SdDriver {
  SdBackend backend;
  guint timeout_ms;
  GMutex lock; /* protects everything below */
  SdGanesha *ganesha;
  gboolean counter_enabled;
  guint local_shares;
  /* fake backend */
  GPtrArray *journal;
  GHashTable *fake_exports; /* "id\tpath" */
  GHashTable *fake_fail;    /* op names that fail once */
  char *recovery_root;      /* sd_driver_set_recovery(); NULL: off */
  char *node;
  /* sd_driver_prepare_share(): export id -> the EXPORT block written for it (ganesha) */
  GHashTable *prepared;
  /* sd_driver_vip_left(): vip -> monotonic time it left this node (ganesha) */
  GHashTable *vip_left;
};

/* ---- validation ------------------------------------------------------------------------ */

static gboolean fail_invalid(GError **error, const char *field, const char *why)
{
  g_set_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_INVALID, "share %s: %s", field, why);
  return FALSE;
}

/* Names end up in file names and journal lines: letters, digits and "._-", not leading '.'
 * or '-' (no hidden files, no option look-alikes). */
static gboolean name_ok(const char *name, GError **error)
{
  if (name == NULL || *name == '\0')
    return fail_invalid(error, "name", "is empty");
  if (strlen(name) > SD_NAME_MAX)
    return fail_invalid(error, "name", "is too long");
  if (name[0] == '.' || name[0] == '-')
    return fail_invalid(error, "name", "must not start with '.' or '-'");
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum(*p) && !strchr("._-", *p))
      return fail_invalid(error, "name", "may only hold letters, digits and \"._-\"");
  return TRUE;
}

/* Paths go into a Ganesha config string and an exportfs "client:path" argument.  An allow-list
 * keeps out quotes, braces, semicolons, '#', ':', ',', whitespace and control characters in
 * one rule; '..' components are refused so the path means what it says. */
static gboolean path_ok(const char *field, const char *path, GError **error)
{
  if (path == NULL || *path == '\0')
    return fail_invalid(error, field, "is empty");
  if (path[0] != '/')
    return fail_invalid(error, field, "must be absolute");
  if (strlen(path) > SD_PATH_MAX)
    return fail_invalid(error, field, "is too long");
  for (const char *p = path; *p; p++) {
    if ((unsigned char)*p < 0x20 || *p == 0x7f)
      return fail_invalid(error, field, "holds a control character");
    if (!g_ascii_isalnum(*p) && !strchr("/._-+@~", *p))
      return fail_invalid(error, field, "holds a character outside [A-Za-z0-9/._+@~-]");
  }
  g_auto(GStrv) parts = g_strsplit(path, "/", -1);
  for (guint i = 0; parts[i]; i++)
    if (g_str_equal(parts[i], ".."))
      return fail_invalid(error, field, "holds a '..' component");
  return TRUE;
}

/* Client specs: "*" or a comma list of host names, wildcards, IPv4/IPv6 addresses and
 * prefixes.  Each item is later quoted for Ganesha and passed as one argv word to exportfs. */
static gboolean clients_ok(const char *clients, GError **error)
{
  if (clients == NULL || g_str_equal(clients, "*"))
    return TRUE;
  if (*clients == '\0')
    return fail_invalid(error, "clients", "is empty");
  if (strlen(clients) > SD_CLIENTS_MAX)
    return fail_invalid(error, "clients", "is too long");
  for (const char *p = clients; *p; p++)
    if (!g_ascii_isalnum(*p) && !strchr(".:/*,_-", *p))
      return fail_invalid(error, "clients", "holds a character outside [A-Za-z0-9.:/*,_-]");
  g_auto(GStrv) items = g_strsplit(clients, ",", -1);
  for (guint i = 0; items[i]; i++) {
    if (*items[i] == '\0')
      return fail_invalid(error, "clients", "holds an empty item");
    if (items[i][0] == '-')
      return fail_invalid(error, "clients", "item must not start with '-'");
  }
  return TRUE;
}

static gboolean word_ok(const char *field, const char *value, const char *const *allowed,
                        GError **error)
{
  if (value == NULL || g_strv_contains(allowed, value))
    return TRUE;
  return fail_invalid(error, field, "is not one of the allowed words");
}

gboolean sd_vip_validate(const char *vip, GError **error)
{
  unsigned char buf[sizeof(struct in6_addr)];

  if (vip == NULL || *vip == '\0')
    return fail_invalid(error, "vip", "is empty");
  if (strlen(vip) > INET6_ADDRSTRLEN)
    return fail_invalid(error, "vip", "is too long");
  /* inet_pton accepts exactly the literal forms and nothing else (no zone, no prefix). */
  if (inet_pton(AF_INET, vip, buf) != 1 && inet_pton(AF_INET6, vip, buf) != 1)
    return fail_invalid(error, "vip", "is not an IPv4 or IPv6 literal");
  return TRUE;
}

gboolean sd_share_validate(const SdShare *share, GError **error)
{
  static const char *const access_words[] = {"rw", "ro", NULL};
  static const char *const squash_words[] = {"root_squash", "no_root_squash", "all_squash",
                                             "root_id_squash", NULL};

  g_return_val_if_fail(share != NULL, FALSE);
  if (!name_ok(share->name, error) || !path_ok("path", share->path, error))
    return FALSE;
  if (share->pseudo != NULL && !path_ok("pseudo", share->pseudo, error))
    return FALSE;
  if (share->pseudo != NULL && g_str_equal(share->pseudo, "/"))
    return fail_invalid(error, "pseudo", "must not be the pseudo root");
  if (!clients_ok(share->clients, error))
    return FALSE;
  if (!word_ok("access", share->access, access_words, error) ||
      !word_ok("squash", share->squash, squash_words, error))
    return FALSE;
  if (share->vip != NULL && !sd_vip_validate(share->vip, error))
    return FALSE;
  /* 0 means "derive from the name"; 1 is avoided like the default ids do, >65535 does not fit
   * Ganesha's 16-bit export id. */
  if (share->export_id == 1 || share->export_id > 65535)
    return fail_invalid(error, "export_id", "must be 0 (default) or 2..65535");
  return TRUE;
}

guint32 sd_share_default_export_id(const char *share_name)
{
  /* FNV-1a (32 bit) is fixed by its definition, so every node computes the same id without
   * talking to the others; mod 65533 + 2 lands in 2..65534, away from 0 (Ganesha's pseudo
   * root) and 1. */
  guint32 hash = 2166136261u;

  g_return_val_if_fail(share_name != NULL, 0);
  for (const unsigned char *p = (const unsigned char *)share_name; *p; p++) {
    hash ^= *p;
    hash *= 16777619u;
  }
  return hash % 65533u + 2u;
}

void sd_share_resolve(const SdShare *share, SdShare *out, char **pseudo_buf)
{
  *out = *share;
  *pseudo_buf = NULL;
  if (out->pseudo == NULL)
    out->pseudo = *pseudo_buf = g_strconcat("/", share->name, NULL);
  if (out->clients == NULL)
    out->clients = "*";
  if (out->access == NULL)
    out->access = "rw";
  if (out->squash == NULL)
    out->squash = "root_squash";
  if (out->export_id == 0)
    out->export_id = sd_share_default_export_id(share->name);
}

/* ---- the process-wide export listing cache ------------------------------------------------ */

/* One listing per process, shared by every share's depth-0 monitor: a node with hundreds of
 * shares then asks the backend once per max_age instead of once per share. */
static struct {
  GMutex lock;
  SdBackend backend;
  gint64 fetched_us;
  GHashTable *keys; /* "id\tpath" */
} listing_cache;

void sd_driver_invalidate_cache(void)
{
  g_mutex_lock(&listing_cache.lock);
  g_clear_pointer(&listing_cache.keys, g_hash_table_unref);
  g_mutex_unlock(&listing_cache.lock);
}

static char *export_key(guint32 id, const char *path)
{
  return g_strdup_printf("%u\t%s", id, path);
}

/* ---- driver --------------------------------------------------------------------------------- */

SdDriver *sd_driver_new(const char *backend, guint timeout_ms, GError **error)
{
  SdBackend kind;

  g_return_val_if_fail(backend != NULL, NULL);
  if (g_str_equal(backend, "ganesha"))
    kind = SD_BACKEND_GANESHA;
  else if (g_str_equal(backend, "knfsd"))
    kind = SD_BACKEND_KNFSD;
  else if (g_str_equal(backend, "fake"))
    kind = SD_BACKEND_FAKE;
  else {
    g_set_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_INVALID, "unknown share backend '%s'",
                backend);
    return NULL;
  }

  SdDriver *driver = g_new0(SdDriver, 1);
  driver->backend = kind;
  driver->timeout_ms = timeout_ms ? timeout_ms : 10000;
  g_mutex_init(&driver->lock);
  driver->prepared = g_hash_table_new_full(NULL, NULL, NULL, g_free);
  driver->vip_left = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  if (kind == SD_BACKEND_GANESHA)
    driver->ganesha = sd_ganesha_new(driver->timeout_ms);
  if (kind == SD_BACKEND_FAKE) {
    driver->journal = g_ptr_array_new_with_free_func(g_free);
    driver->fake_exports = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    driver->fake_fail = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  }
  return driver;
}

void sd_driver_free(SdDriver *driver)
{
  if (driver == NULL)
    return;
  g_clear_pointer(&driver->ganesha, sd_ganesha_free);
  g_clear_pointer(&driver->journal, g_ptr_array_unref);
  g_clear_pointer(&driver->fake_exports, g_hash_table_unref);
  g_clear_pointer(&driver->fake_fail, g_hash_table_unref);
  g_clear_pointer(&driver->prepared, g_hash_table_unref);
  g_clear_pointer(&driver->vip_left, g_hash_table_unref);
  g_free(driver->recovery_root);
  g_free(driver->node);
  g_mutex_clear(&driver->lock);
  g_free(driver);
}

const char *sd_driver_backend(SdDriver *driver)
{
  switch (driver->backend) {
  case SD_BACKEND_GANESHA:
    return "ganesha";
  case SD_BACKEND_KNFSD:
    return "knfsd";
  case SD_BACKEND_FAKE:
    return "fake";
  }
  g_assert_not_reached();
}

GPtrArray *sd_driver_fake_journal(SdDriver *driver)
{
  g_return_val_if_fail(driver->backend == SD_BACKEND_FAKE, NULL);
  return driver->journal;
}

void sd_driver_fake_fail_next(SdDriver *driver, const char *op)
{
  g_return_if_fail(driver->backend == SD_BACKEND_FAKE);
  g_mutex_lock(&driver->lock);
  g_hash_table_add(driver->fake_fail, g_strdup(op));
  g_mutex_unlock(&driver->lock);
}

guint sd_driver_local_shares(SdDriver *driver)
{
  g_mutex_lock(&driver->lock);
  guint n = driver->local_shares;
  g_mutex_unlock(&driver->lock);
  return n;
}

/* Records a fake call; returns FALSE (with @error) when the test asked this op to fail. */
static gboolean fake_call(SdDriver *driver, const char *op, const char *arg, GError **error)
{
  g_mutex_lock(&driver->lock);
  g_ptr_array_add(driver->journal, arg ? g_strdup_printf("%s %s", op, arg) : g_strdup(op));
  gboolean fail = g_hash_table_remove(driver->fake_fail, op);
  g_mutex_unlock(&driver->lock);
  if (fail)
    g_set_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_FAILED, "fake %s failed on request", op);
  return !fail;
}

gboolean sd_driver_allow_traffic(SdDriver *driver, const char *vip, GError **error)
{
  if (!sd_vip_validate(vip, error))
    return FALSE;
  if (driver->backend == SD_BACKEND_FAKE)
    return fake_call(driver, "allow_traffic", vip, error);
  return sd_gate_allow(vip, driver->timeout_ms, error);
}

gboolean sd_driver_block_traffic(SdDriver *driver, const char *vip, GError **error)
{
  if (!sd_vip_validate(vip, error))
    return FALSE;
  if (driver->backend == SD_BACKEND_FAKE)
    return fake_call(driver, "block_traffic", vip, error);
  return sd_gate_block(vip, driver->timeout_ms, error);
}

static gboolean set_counter(SdDriver *driver, gboolean on, GError **error)
{
  if (driver->backend == SD_BACKEND_FAKE &&
      !fake_call(driver, on ? "enable_local_counter" : "disable_local_counter", NULL, error))
    return FALSE;
  g_mutex_lock(&driver->lock);
  driver->counter_enabled = on;
  g_mutex_unlock(&driver->lock);
  return TRUE;
}

gboolean sd_driver_enable_local_counter(SdDriver *driver, GError **error)
{
  return set_counter(driver, TRUE, error);
}

gboolean sd_driver_disable_local_counter(SdDriver *driver, GError **error)
{
  return set_counter(driver, FALSE, error);
}

/* Ganesha's grace events: the key names the VIP whose recovery directory is read (takeover)
 * or released.  knfsd has no per-IP grace control: its grace starts with nfsd itself. */
static void recovery_get(SdDriver *driver, char **root, char **node)
{
  g_mutex_lock(&driver->lock);
  *root = g_strdup(driver->recovery_root);
  *node = g_strdup(driver->node);
  g_mutex_unlock(&driver->lock);
}

gboolean sd_driver_set_recovery(SdDriver *driver, const char *shared_root, const char *node,
                                GError **error)
{
  gboolean on = shared_root != NULL && *shared_root != '\0';
  /* Both end up in symlink targets and paths below the shared storage. */
  if (on && (!path_ok("recovery root", shared_root, error) || !name_ok(node, error)))
    return FALSE;
  g_mutex_lock(&driver->lock);
  g_free(driver->recovery_root);
  g_free(driver->node);
  driver->recovery_root = on ? g_strdup(shared_root) : NULL;
  driver->node = on ? g_strdup(node) : NULL;
  g_mutex_unlock(&driver->lock);
  return TRUE;
}

/* The grace of a takeover is for the VIP's clients, and they can only begin to reclaim once the
 * VIP answers here, which is after the shares (the VIP is the group's last member, so that no
 * client reaches a share not exported yet).  Ganesha counts Grace_Period from the takeover
 * call; this restarts it (event 0: grace only, nothing reloaded) the moment the VIP is local, if
 * the server is still in grace (it may have ended it early: every known client reclaimed).  A
 * thread of its own with its own bus connection: it outlives neither the VIP's start (bounded)
 * nor needs the driver, which may be freed meanwhile. */
#define GRACE_HOLD_MAX_US (120 * G_TIME_SPAN_SECOND)

typedef struct {
  char *vip;
  guint timeout_ms;
} GraceHold;

static gpointer grace_hold_thread(gpointer data)
{
  GraceHold *h = data;
  gint64 until = g_get_monotonic_time() + GRACE_HOLD_MAX_US;
  while (!sd_probe_address_is_local(h->vip) && g_get_monotonic_time() < until)
    g_usleep(20 * G_TIME_SPAN_MILLISECOND);
  if (sd_probe_address_is_local(h->vip)) {
    g_autoptr(GError) error = NULL;
    SdGanesha *ganesha = sd_ganesha_new(h->timeout_ms);
    gboolean in_grace = FALSE;
    g_autofree char *key = g_strdup_printf("0:%s", h->vip);
    if (sd_ganesha_get_grace(ganesha, &in_grace, &error) && in_grace &&
        sd_ganesha_grace(ganesha, key, &error))
      g_debug("takeover of %s: grace restarted as the VIP answers here", h->vip);
    else if (error != NULL)
      g_warning("takeover of %s: cannot restart grace as the VIP answers: %s", h->vip,
                error->message);
    sd_ganesha_free(ganesha);
  }
  g_free(h->vip);
  g_free(h);
  return NULL;
}

static void grace_hold_start(SdDriver *driver, const char *vip)
{
  GraceHold *h = g_new0(GraceHold, 1);
  h->vip = g_strdup(vip);
  h->timeout_ms = driver->timeout_ms;
  g_thread_unref(g_thread_new("sd-grace-hold", grace_hold_thread, h));
}

/* How long after a VIP left this node a takeover back waits for this node's Ganesha to drop
 * the clients that left with it (sd_ganesha_recovery_stale): a client lease (Ganesha's default
 * 60 s) and its reaper's period.  Past it, or for a VIP that did not leave this node while this
 * process ran, nothing is waited for: a client that talks to both VIPs' servers (one NFSv4.1
 * client owner per client host) is in both databases for good. */
#define STALE_WAIT_MAX_US (75 * G_TIME_SPAN_SECOND)

void sd_driver_vip_left(SdDriver *driver, const char *vip)
{
  g_mutex_lock(&driver->lock);
  g_hash_table_insert(driver->vip_left, g_strdup(vip),
                      g_memdup2(&(gint64){g_get_monotonic_time()}, sizeof(gint64)));
  g_mutex_unlock(&driver->lock);
}

/* Until when a takeover of @vip waits for stale clients here (0: not at all). */
static gint64 stale_deadline(SdDriver *driver, const char *vip)
{
  g_mutex_lock(&driver->lock);
  const gint64 *left = g_hash_table_lookup(driver->vip_left, vip);
  gint64 until = left != NULL ? *left + STALE_WAIT_MAX_US : 0;
  if (left != NULL && until <= g_get_monotonic_time()) {
    g_hash_table_remove(driver->vip_left, vip);
    until = 0;
  }
  g_mutex_unlock(&driver->lock);
  return until;
}

gboolean sd_driver_enable_failover(SdDriver *driver, const char *vip, GError **error)
{
  if (!sd_vip_validate(vip, error))
    return FALSE;
  switch (driver->backend) {
  case SD_BACKEND_FAKE:
    return fake_call(driver, "enable_failover", vip, error);
  case SD_BACKEND_GANESHA: {
    g_autofree char *root = NULL, *node = NULL;
    recovery_get(driver, &root, &node);
    if (!sd_ganesha_takeover(driver->ganesha, root, node, vip, stale_deadline(driver, vip), error))
      return FALSE;
    grace_hold_start(driver, vip);
    return TRUE;
  }
  case SD_BACKEND_KNFSD:
    return TRUE;
  }
  g_assert_not_reached();
}

/* The VIP leaves this node.  Nothing is sent to Ganesha: its "release IP" event (2) puts the
 * whole server in grace, so that the clients of the VIPs that stay here cannot open files for
 * Grace_Period, and all it releases is the first client whose client id string happens to
 * contain the address.  The state the VIP's clients leave here is their opens and locks, which
 * RemoveExport released with the exports, and their client records, which Ganesha drops when
 * their lease ends; a takeover back to this node waits for that (sd_ganesha_takeover). */
gboolean sd_driver_enable_transition(SdDriver *driver, const char *vip, GError **error)
{
  if (!sd_vip_validate(vip, error))
    return FALSE;
  if (driver->backend == SD_BACKEND_FAKE)
    return fake_call(driver, "enable_transition", vip, error);
  return TRUE;
}

static void count_share(SdDriver *driver, int delta)
{
  g_mutex_lock(&driver->lock);
  if (driver->counter_enabled) {
    if (delta > 0)
      driver->local_shares++;
    else if (driver->local_shares > 0)
      driver->local_shares--;
  }
  g_mutex_unlock(&driver->lock);
}

/* Reads the backend's export list into a set of "id\tpath" keys. */
static GHashTable *list_exports(SdDriver *driver, GError **error)
{
  switch (driver->backend) {
  case SD_BACKEND_FAKE: {
    if (!fake_call(driver, "list_exports", NULL, error))
      return NULL;
    GHashTable *keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_mutex_lock(&driver->lock);
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, driver->fake_exports);
    while (g_hash_table_iter_next(&it, &key, NULL))
      g_hash_table_add(keys, g_strdup(key));
    g_mutex_unlock(&driver->lock);
    return keys;
  }
  case SD_BACKEND_GANESHA:
    return sd_ganesha_show_exports(driver->ganesha, error);
  case SD_BACKEND_KNFSD:
    return sd_knfsd_list_exports(driver->timeout_ms, error);
  }
  g_assert_not_reached();
}

static gboolean fresh_present(SdDriver *driver, const SdShare *r, gboolean *present, GError **error)
{
  /* Ganesha can answer for one export id; a whole ShowExports after every removal made
   * disabling 1000 shares quadratic (11.5 ms per share at 1000 exports). */
  if (driver->backend == SD_BACKEND_GANESHA) {
    g_autofree char *path = NULL;
    if (!sd_ganesha_export_path(driver->ganesha, (guint16)r->export_id, &path, error))
      return FALSE;
    *present = path != NULL && g_str_equal(path, r->path);
    return TRUE;
  }
  g_autoptr(GHashTable) keys = list_exports(driver, error);
  if (keys == NULL)
    return FALSE;
  g_autofree char *key = export_key(r->export_id, r->path);
  *present = g_hash_table_contains(keys, key);
  return TRUE;
}

/* The depth-20 probe reads this file; creating it is best effort (a read-only export still
 * works, the probe then reads another file). */
static void ensure_probe_file(const char *path)
{
  g_autofree char *file = g_build_filename(path, SD_PROBE_FILE, NULL);
  int fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0)
    return;
  static const char text[] = "clusres share probe\n";
  if (write(fd, text, sizeof text - 1) < 0)
    g_debug("cannot write %s: %s", file, g_strerror(errno));
  close(fd);
}

gboolean sd_driver_prepare_share(SdDriver *driver, const SdShare *share, GError **error)
{
  g_autofree char *pseudo_buf = NULL;
  SdShare r;

  if (!sd_share_validate(share, error))
    return FALSE;
  sd_share_resolve(share, &r, &pseudo_buf);
  if (driver->backend == SD_BACKEND_FAKE)
    return TRUE; /* nothing to write: the journal shows calls, not preparations */
  ensure_probe_file(r.path);
  if (driver->backend != SD_BACKEND_GANESHA)
    return TRUE;
  char *block = sd_ganesha_export_block(&r);
  if (!sd_ganesha_write_export(&r, block, error)) {
    g_free(block);
    return FALSE;
  }
  g_mutex_lock(&driver->lock);
  g_hash_table_replace(driver->prepared, GUINT_TO_POINTER(r.export_id), block);
  g_mutex_unlock(&driver->lock);
  return TRUE;
}

/* TRUE if prepare_share() wrote exactly this share's EXPORT file (taken: good once). */
static gboolean take_prepared(SdDriver *driver, const SdShare *r)
{
  g_autofree char *block = sd_ganesha_export_block(r);
  g_mutex_lock(&driver->lock);
  g_autofree char *written = NULL;
  (void)g_hash_table_steal_extended(driver->prepared, GUINT_TO_POINTER(r->export_id), NULL,
                                    (gpointer *)&written);
  g_mutex_unlock(&driver->lock);
  return written != NULL && g_str_equal(written, block);
}

gboolean sd_driver_enable_share(SdDriver *driver, const SdShare *share, GError **error)
{
  g_autofree char *pseudo_buf = NULL;
  SdShare r;

  if (!sd_share_validate(share, error))
    return FALSE;
  sd_share_resolve(share, &r, &pseudo_buf);
  sd_driver_invalidate_cache();

  gboolean ok = FALSE;
  switch (driver->backend) {
  case SD_BACKEND_FAKE:
    ok = fake_call(driver, "enable_share", r.name, error);
    if (ok) {
      g_mutex_lock(&driver->lock);
      g_hash_table_add(driver->fake_exports, export_key(r.export_id, r.path));
      g_mutex_unlock(&driver->lock);
    }
    break;
  case SD_BACKEND_GANESHA: {
    if (take_prepared(driver, &r)) {
      ok = sd_ganesha_add_written_export(driver->ganesha, &r, error);
    } else {
      ensure_probe_file(r.path);
      ok = sd_ganesha_add_export(driver->ganesha, &r, error);
    }
    /* This node serves the VIP now: the node that takes it over next must read our clients. */
    g_autofree char *root = NULL, *node = NULL;
    recovery_get(driver, &root, &node);
    if (ok && root != NULL)
      ok = sd_ganesha_recovery_claim(root, node, r.vip, error);
    break;
  }
  case SD_BACKEND_KNFSD:
    ensure_probe_file(r.path);
    ok = sd_knfsd_export(&r, driver->timeout_ms, error);
    break;
  }
  if (ok)
    count_share(driver, +1);
  return ok;
}

gboolean sd_driver_disable_share(SdDriver *driver, const SdShare *share, GError **error)
{
  g_autofree char *pseudo_buf = NULL;
  g_autoptr(GError) local_error = NULL;
  SdShare r;

  if (!sd_share_validate(share, error))
    return FALSE;
  sd_share_resolve(share, &r, &pseudo_buf);
  sd_driver_invalidate_cache();

  gboolean ok = FALSE;
  switch (driver->backend) {
  case SD_BACKEND_FAKE:
    ok = fake_call(driver, "disable_share", r.name, &local_error);
    if (ok) {
      g_autofree char *key = export_key(r.export_id, r.path);
      g_mutex_lock(&driver->lock);
      g_hash_table_remove(driver->fake_exports, key);
      g_mutex_unlock(&driver->lock);
    }
    break;
  case SD_BACKEND_GANESHA:
    ok = sd_ganesha_remove_export(driver->ganesha, (guint16)r.export_id, &local_error);
    break;
  case SD_BACKEND_KNFSD:
    ok = sd_knfsd_unexport(&r, driver->timeout_ms, &local_error);
    break;
  }

  /* The backend's answer is not trusted either way: "not found" is success if the export is
   * gone (idempotent), and a success must really have removed it. */
  gboolean present = TRUE;
  if (!fresh_present(driver, &r, &present, ok ? error : NULL)) {
    if (!ok)
      g_propagate_error(error, g_steal_pointer(&local_error));
    return FALSE;
  }
  if (present) {
    if (local_error != NULL)
      g_propagate_error(error, g_steal_pointer(&local_error));
    else
      g_set_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_FAILED,
                  "share %s (export %u) is still exported after removal", r.name, r.export_id);
    return FALSE;
  }
  count_share(driver, -1);
  return TRUE;
}

gboolean sd_driver_share_present(SdDriver *driver, const SdShare *share, guint max_age_ms,
                                 gboolean *present, GError **error)
{
  g_autofree char *pseudo_buf = NULL;
  SdShare r;

  if (!sd_share_validate(share, error))
    return FALSE;
  sd_share_resolve(share, &r, &pseudo_buf);
  g_autofree char *key = export_key(r.export_id, r.path);

  /* The lock is held across the listing on purpose: concurrent monitors wait for the one
   * listing in flight instead of all asking the backend at once. */
  g_mutex_lock(&listing_cache.lock);
  gint64 now = g_get_monotonic_time();
  if (listing_cache.keys == NULL || listing_cache.backend != driver->backend ||
      now - listing_cache.fetched_us > (gint64)max_age_ms * 1000) {
    GHashTable *keys = list_exports(driver, error);
    if (keys == NULL) {
      g_mutex_unlock(&listing_cache.lock);
      return FALSE;
    }
    g_clear_pointer(&listing_cache.keys, g_hash_table_unref);
    listing_cache.keys = keys;
    listing_cache.backend = driver->backend;
    listing_cache.fetched_us = now;
  }
  *present = g_hash_table_contains(listing_cache.keys, key);
  g_mutex_unlock(&listing_cache.lock);
  return TRUE;
}
