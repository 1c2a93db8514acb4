/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The cluster registry: one GKeyFile per resource, <dir>/<escaped resource name>.conf, where
 * <dir> is $CLUSRES_REGISTRY_DIR or CLUSRES_STATE_DIR/registry.
 *
 *   [Resource]                   the resource's own key
 *   [Parameters]                 its "Parameters" subkey (OCF instance attributes)
 *   [Parameters/Sub]             deeper subkeys
 *   name=dword:12 | qword:7 | sz:text | expand_sz:text | multi_sz:<base64> | binary:<base64>
 *
 * Value names are kept readable: [A-Za-z0-9_.-] as is, other bytes as %XX, the unnamed
 * (default) value as "@".
 *
 * Several processes use the same files (the host, clusresctl, a separate-monitor host), so:
 *  - every write is a read-modify-write under a process-wide mutex and an flock() on the
 *    directory (serialising writers of all processes), and replaces the file atomically and
 *    durably (g_file_set_contents_full CONSISTENT|DURABLE, then fsync of the directory so the
 *    rename itself survives a crash);
 *  - every read first checks the file's identity (inode, size, mtime, ctime) with one stat() and
 *    reloads it if it changed, so a process sees the others' writes.  A replaced file always
 *    gets a new inode, and the identity kept is taken from the descriptor the data is read from;
 *  - a write that changes nothing (same value set again, absent value deleted) is not written.
 *
 * Volatile subkeys (ClusterRegCreateKeyEx REG_OPTION_VOLATILE) live in a second file of the same
 * format in the run-time store (resapi_reg_volatile_dir()), whose [Resource] group is not a key
 * but lists the volatile roots ("VolatileKeys=ShareState;Process;"); every group at or below a
 * root is volatile.  That file is replaced atomically (temporary file + rename) but never
 * fsynced: run-time state must survive a host restart, not a reboot, and the fsyncs were what an
 * Online cost (~26 durable replacements, ~76 fsyncs each time).
 */
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "clusres-config.h"
#include "resapi-error.h"
#include "resapi-registry.h"

#define RESAPI_REG_ROOT_GROUP "Resource"
#define RESAPI_REG_VOLATILE_LIST "VolatileKeys" /* in the volatile file's root group */
#define RESAPI_HREGBATCH_MAGIC 0x42415443u      /* "BATC" */
#define RESAPI_HKEY_MAGIC 0x484b4559u           /* "HKEY" */
/* Files no handle uses that stay cached (see resapi_reg_file_unref): a key file is a few KiB. */
#define RESAPI_REG_IDLE_MAX 1024
/* NAME_MAX minus ".conf" and the ".XXXXXX" of g_file_set_contents' temporary file, rounded. */
#define RESAPI_REG_MAX_FILE_NAME 200

typedef struct {
  gboolean exists;
  dev_t dev;
  ino_t ino;
  off_t size;
  struct timespec mtime;
  struct timespec ctime;
} ResapiRegFileId;

typedef struct {
  char *path;
  char *dir;
  gboolean durable; /* FALSE: the run-time store, replaced without fsync */
  GKeyFile *kf;     /* what the file held when last loaded or written (empty if no file) */
  gboolean loaded;
  ResapiRegFileId id;
  guint refs;
  GList idle_link; /* in resapi_reg_idle while refs == 0 (data = this file) */
} ResapiRegFile;

struct _CLUSRES_HKEY {
  guint32 magic;
  ResapiRegFile *file; /* where this key's values are: the durable or the volatile file */
  char *group;
  char *vdir; /* the resource's volatile file, for opening subkeys */
  char *vpath;
};

typedef struct {
  char *group; /* the key it applies to; NULL = the key of the batch */
  char *key;   /* key-file key of the value name */
  char *text;  /* encoded value; NULL = delete */
} ResapiRegCmd;

struct _CLUSRES_HREGBATCH {
  guint32 magic;
  HKEY key;        /* a private handle on the batch's key */
  GArray *cmds;    /* ResapiRegCmd */
  char *group;     /* CLUSREG_CREATE_KEY: the subkey the next commands apply to (NULL: key) */
  LONG bad_index;  /* first command that could not be queued, or -1 */
  DWORD bad_error; /* and its error */
};

static GMutex resapi_reg_lock;
static GHashTable *resapi_reg_files;          /* path -> ResapiRegFile: in use, or idle */
static GQueue resapi_reg_idle = G_QUEUE_INIT; /* unused files, most recently released first */

/* ---- names ---------------------------------------------------------------------------------- */

static const char *resapi_reg_dir(void)
{
  const char *dir = g_getenv("CLUSRES_REGISTRY_DIR");
  return (dir != NULL && dir[0] != '\0') ? dir : CLUSRES_STATE_DIR "/registry";
}

/*
 * The run-time store: $CLUSRES_RUN_DIR/registry (default /run/clusres/registry).  A volatile key
 * belongs to its durable registry, so when $CLUSRES_REGISTRY_DIR moves the durable store (tests,
 * a benchmark, and ocf validate-all's throw-away instance in a temporary directory) the
 * volatile files move to a subdirectory named after it: a throw-away instance must never see,
 * or overwrite, the run-time state of the live instance of the same name.
 */
static char *resapi_reg_volatile_dir(void)
{
  const char *run = g_getenv("CLUSRES_RUN_DIR");
  g_autofree char *base =
      g_build_filename((run != NULL && run[0] != '\0') ? run : CLUSRES_RUN_DIR, "registry", NULL);
  const char *durable = g_getenv("CLUSRES_REGISTRY_DIR");
  if (durable == NULL || durable[0] == '\0')
    return g_steal_pointer(&base);
  g_autofree char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, durable, -1);
  g_autofree char *sub = g_strdup_printf("store-%.16s", sum);
  return g_build_filename(base, sub, NULL);
}

static gboolean resapi_reg_is_plain(char c, const char *extra)
{
  return g_ascii_isalnum(c) || (c != '\0' && strchr(extra, c) != NULL);
}

/* Escapes s so the result contains only [A-Za-z0-9] and the bytes of extra, plus %XX. */
static char *resapi_reg_escape(const char *s, const char *extra, gboolean no_leading_dot)
{
  GString *out = g_string_sized_new(strlen(s) + 8);
  for (const char *p = s; *p != '\0'; p++) {
    gboolean plain = resapi_reg_is_plain(*p, extra) && !(no_leading_dot && p == s && *p == '.');
    if (plain)
      g_string_append_c(out, *p);
    else
      g_string_append_printf(out, "%%%02X", (guint)(guchar)*p);
  }
  return g_string_free(out, FALSE);
}

static char *resapi_reg_unescape(const char *s)
{
  GString *out = g_string_sized_new(strlen(s));
  for (const char *p = s; *p != '\0'; p++) {
    if (p[0] == '%' && g_ascii_isxdigit(p[1]) && g_ascii_isxdigit(p[2])) {
      g_string_append_c(out, (char)(g_ascii_xdigit_value(p[1]) * 16 + g_ascii_xdigit_value(p[2])));
      p += 2;
    } else {
      g_string_append_c(out, *p);
    }
  }
  return g_string_free(out, FALSE);
}

/* The key-file key of a value name: never empty, never '=', '[', ']', '@' or blanks. */
static char *resapi_reg_value_key(const char *value_name)
{
  if (value_name == NULL || value_name[0] == '\0')
    return g_strdup("@");
  return resapi_reg_escape(value_name, "_.-", FALSE);
}

static char *resapi_reg_value_name(const char *key)
{
  if (strcmp(key, "@") == 0)
    return g_strdup("");
  return resapi_reg_unescape(key);
}

/* ---- files ----------------------------------------------------------------------------------- */

static void resapi_reg_file_free(ResapiRegFile *f)
{
  g_free(f->path);
  g_free(f->dir);
  g_key_file_unref(f->kf);
  g_free(f);
}

static void resapi_reg_file_reset(ResapiRegFile *f)
{
  g_key_file_unref(f->kf);
  f->kf = g_key_file_new();
  f->id = (ResapiRegFileId){0};
  f->loaded = TRUE;
}

static void resapi_reg_id_from_stat(ResapiRegFileId *id, const struct stat *st)
{
  *id = (ResapiRegFileId){
      .exists = TRUE,
      .dev = st->st_dev,
      .ino = st->st_ino,
      .size = st->st_size,
      .mtime = st->st_mtim,
      .ctime = st->st_ctim,
  };
}

static gboolean resapi_reg_id_equal(const ResapiRegFileId *a, const ResapiRegFileId *b)
{
  return a->exists == b->exists && a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
         a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec &&
         a->ctime.tv_sec == b->ctime.tv_sec && a->ctime.tv_nsec == b->ctime.tv_nsec;
}

/* Loads f from the file on disk.  Called with resapi_reg_lock held. */
static DWORD resapi_reg_file_load(ResapiRegFile *f)
{
  int fd = open(f->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT)
      return resapi_error_from_errno(errno);
    resapi_reg_file_reset(f); /* deleted by someone else since the stat */
    return ERROR_SUCCESS;
  }

  struct stat st;
  if (fstat(fd, &st) < 0) {
    DWORD err = resapi_error_from_errno(errno);
    close(fd);
    return err;
  }
  ResapiRegFileId id;
  resapi_reg_id_from_stat(&id, &st);

  /* Read from the descriptor we took the identity from, so data and identity match. */
  GString *data = g_string_sized_new((gsize)st.st_size + 1);
  char chunk[4096];
  for (;;) {
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      DWORD err = resapi_error_from_errno(errno);
      close(fd);
      g_string_free(data, TRUE);
      return err;
    }
    if (n == 0)
      break;
    g_string_append_len(data, chunk, n);
  }
  close(fd);

  g_autoptr(GKeyFile) kf = g_key_file_new();
  gboolean ok = g_key_file_load_from_data(kf, data->str, data->len, G_KEY_FILE_NONE, NULL);
  g_string_free(data, TRUE);
  if (!ok)
    return ERROR_INVALID_DATA; /* a damaged file: refuse rather than silently lose values */
  g_key_file_unref(f->kf);
  f->kf = g_steal_pointer(&kf);
  f->id = id;
  f->loaded = TRUE;
  return ERROR_SUCCESS;
}

/*
 * Brings f->kf up to date with the file on disk.  Called with resapi_reg_lock held.
 * The common case, nothing changed, costs one stat(): every writer replaces the file by
 * rename, so any write by anyone changes the identity (new inode, and mtime/ctime/size), and
 * only then is the file opened and parsed (its identity then taken from that descriptor).  The
 * host reads a resource's values dozens of times per Online; open+fstat+close for each was
 * ~14 % of an Online's CPU.
 */
static DWORD resapi_reg_file_refresh(ResapiRegFile *f)
{
  struct stat st;
  if (stat(f->path, &st) < 0) {
    if (errno != ENOENT)
      return resapi_error_from_errno(errno);
    if (!f->loaded || f->id.exists)
      resapi_reg_file_reset(f); /* deleted by someone else (or never written) */
    return ERROR_SUCCESS;
  }
  ResapiRegFileId id;
  resapi_reg_id_from_stat(&id, &st);
  if (f->loaded && resapi_reg_id_equal(&id, &f->id))
    return ERROR_SUCCESS;
  return resapi_reg_file_load(f);
}

/* Takes the cross-process writer lock (flock on the directory) and refreshes f. */
static DWORD resapi_reg_write_begin(ResapiRegFile *f, int *dir_fd)
{
  /* The directory normally exists: only create it when it does not (g_mkdir_with_parents
   * first cost a mkdir and a stat per write). */
  int fd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    if (g_mkdir_with_parents(f->dir, 0700) < 0)
      return resapi_error_from_errno(errno);
    fd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  }
  if (fd < 0)
    return resapi_error_from_errno(errno);
  while (flock(fd, LOCK_EX) < 0) {
    if (errno != EINTR) {
      DWORD err = resapi_error_from_errno(errno);
      close(fd);
      return err;
    }
  }
  DWORD err = resapi_reg_file_refresh(f);
  if (err != ERROR_SUCCESS) {
    close(fd);
    return err;
  }
  *dir_fd = fd;
  return ERROR_SUCCESS;
}

/* Replaces path atomically (temporary file + rename) without any fsync: for the run-time store,
 * where a crash of the host must see the old or the new file, and a crash of the node loses the
 * tmpfs anyway.  (G_FILE_SET_CONTENTS_CONSISTENT alone still fsyncs an existing file.) */
static gboolean resapi_reg_replace_volatile(const char *path, const char *data, gsize len,
                                            GError **error)
{
  g_autofree char *tmp = g_strconcat(path, ".XXXXXX", NULL);
  int fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) {
    int saved = errno;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved), "%s", g_strerror(saved));
    return FALSE;
  }
  gsize done = 0;
  while (done < len) {
    ssize_t n = write(fd, data + done, len - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      break;
    done += (gsize)n;
  }
  int saved = errno;
  if (close(fd) < 0 && done == len)
    saved = errno, done = 0;
  if (done == len && rename(tmp, path) == 0)
    return TRUE;
  if (done == len)
    saved = errno;
  (void)g_unlink(tmp);
  g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved), "%s", g_strerror(saved));
  return FALSE;
}

/* Writes f->kf to disk atomically (and, with durable, durably), then releases the writer
 * lock. */
static DWORD resapi_reg_write_commit_full(ResapiRegFile *f, int dir_fd, gboolean durable)
{
  DWORD err = ERROR_SUCCESS;
  gsize len;
  g_autofree char *data = g_key_file_to_data(f->kf, &len, NULL);
  g_autoptr(GError) error = NULL;

  gboolean ok =
      durable
          ? g_file_set_contents_full(f->path, data, (gssize)len,
                                     G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                     0600, &error)
          : resapi_reg_replace_volatile(f->path, data, len, &error);
  if (!ok) {
    err = error->domain == G_FILE_ERROR && error->code == G_FILE_ERROR_NOSPC
              ? ERROR_NOT_ENOUGH_MEMORY
              : ERROR_GEN_FAILURE;
    f->loaded = FALSE; /* memory now differs from disk: reload on next use */
  } else {
    /* The rename is durable only once the directory is synced. */
    if (durable)
      (void)fsync(dir_fd);
    struct stat st;
    if (stat(f->path, &st) == 0)
      resapi_reg_id_from_stat(&f->id, &st); /* we hold the writer lock: this is our file */
    else
      f->loaded = FALSE;
  }
  close(dir_fd); /* releases the flock */
  return err;
}

/* Writes f->kf as its store does: durably for the durable store, not for the run-time one. */
static DWORD resapi_reg_write_commit(ResapiRegFile *f, int dir_fd)
{
  return resapi_reg_write_commit_full(f, dir_fd, f->durable);
}

static void resapi_reg_write_abort(int dir_fd)
{
  close(dir_fd);
}

/* Returns the shared entry for path, with a new reference.  Called with the lock held. */
static ResapiRegFile *resapi_reg_file_get(const char *dir, const char *path, gboolean durable)
{
  if (resapi_reg_files == NULL)
    resapi_reg_files = g_hash_table_new(g_str_hash, g_str_equal);
  ResapiRegFile *f = g_hash_table_lookup(resapi_reg_files, path);
  if (f == NULL) {
    f = g_new0(ResapiRegFile, 1);
    f->path = g_strdup(path);
    f->dir = g_strdup(dir);
    f->durable = durable;
    f->kf = g_key_file_new();
    f->idle_link.data = f;
    g_hash_table_insert(resapi_reg_files, f->path, f);
  } else if (f->refs == 0) {
    g_queue_unlink(&resapi_reg_idle, &f->idle_link);
  }
  f->refs++;
  return f;
}

static void resapi_reg_file_drop(ResapiRegFile *f)
{
  g_hash_table_remove(resapi_reg_files, f->path);
  resapi_reg_file_free(f);
}

/*
 * The last handle on f is gone.  A loaded file stays cached, idle, so that the next handle on
 * it (the same resource's next Open, or the volatile file a subkey lookup takes and releases
 * several times per Open) costs one stat() instead of open+read+parse.  Safe because every use
 * checks the file's identity first, as for a file in use.  The idle cache is bounded (least
 * recently released dropped first).
 */
static void resapi_reg_file_unref(ResapiRegFile *f)
{
  if (--f->refs > 0)
    return;
  if (!f->loaded) {
    resapi_reg_file_drop(f); /* memory differs from disk: nothing worth keeping */
    return;
  }
  g_queue_push_head_link(&resapi_reg_idle, &f->idle_link);
  while (resapi_reg_idle.length > RESAPI_REG_IDLE_MAX)
    resapi_reg_file_drop(g_queue_pop_tail_link(&resapi_reg_idle)->data);
}

/* The resource's durable file (dir, path) and its volatile one (vdir, vpath). */
static DWORD resapi_reg_resource_path(const char *name, char **dir, char **path, char **vdir,
                                      char **vpath)
{
  if (name == NULL || name[0] == '\0')
    return ERROR_INVALID_PARAMETER;
  /* No '/', no leading '.', nothing a shell or a glob would trip over. */
  g_autofree char *escaped = resapi_reg_escape(name, "_.:-", TRUE);
  if (strlen(escaped) > RESAPI_REG_MAX_FILE_NAME)
    return ERROR_INVALID_PARAMETER;
  *dir = g_strdup(resapi_reg_dir());
  g_autofree char *base = g_strconcat(escaped, ".conf", NULL);
  *path = g_build_filename(*dir, base, NULL);
  *vdir = resapi_reg_volatile_dir();
  *vpath = g_build_filename(*vdir, base, NULL);
  return ERROR_SUCCESS;
}

/* ---- keys ------------------------------------------------------------------------------------ */

static gboolean resapi_hkey_valid(HKEY h)
{
  return h != NULL && h->magic == RESAPI_HKEY_MAGIC;
}

/* Takes over the caller's reference on f. */
static HKEY resapi_hkey_new(ResapiRegFile *f, const char *group, const char *vdir,
                            const char *vpath)
{
  HKEY h = g_new0(struct _CLUSRES_HKEY, 1);
  h->magic = RESAPI_HKEY_MAGIC;
  h->file = f;
  h->group = g_strdup(group);
  h->vdir = g_strdup(vdir);
  h->vpath = g_strdup(vpath);
  return h;
}

DWORD ClusterRegOpenResourceKey(LPCSTR ResourceName, DWORD samDesired, HKEY *phkResult)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *vdir = NULL;
  g_autofree char *vpath = NULL;

  if (phkResult == NULL)
    return resapi_error_set(ERROR_INVALID_PARAMETER);
  *phkResult = NULL;
  DWORD err = resapi_reg_resource_path(ResourceName, &dir, &path, &vdir, &vpath);
  if (err != ERROR_SUCCESS)
    return resapi_error_set(err);

  g_mutex_lock(&resapi_reg_lock);
  ResapiRegFile *f = resapi_reg_file_get(dir, path, TRUE);
  err = resapi_reg_file_refresh(f);
  /* "Created if missing": with write access the key is made to exist on disk now, so the
   * resource shows up for other processes (clusresctl) before it writes a value. */
  if (err == ERROR_SUCCESS && !f->id.exists && (samDesired & (KEY_WRITE & 0xFFFFu)) != 0) {
    int dir_fd;
    err = resapi_reg_write_begin(f, &dir_fd);
    if (err == ERROR_SUCCESS && f->id.exists) {
      resapi_reg_write_abort(dir_fd); /* another process created it meanwhile */
    } else if (err == ERROR_SUCCESS) {
      g_key_file_set_comment(f->kf, NULL, NULL,
                             " clusres registry key; written by libclusres-resapi", NULL);
      /* Not fsynced: an empty key is worth nothing after a crash (its creator creates it
       * again), and the first value written makes the file durable (file and directory).
       * This is one fsync pair less for every new resource. */
      err = resapi_reg_write_commit_full(f, dir_fd, FALSE);
    }
  }
  if (err != ERROR_SUCCESS) {
    resapi_reg_file_unref(f);
    g_mutex_unlock(&resapi_reg_lock);
    return resapi_error_set(err);
  }
  *phkResult = resapi_hkey_new(f, RESAPI_REG_ROOT_GROUP, vdir, vpath);
  g_mutex_unlock(&resapi_reg_lock);
  return ERROR_SUCCESS;
}

/* Builds the group of a subkey: "Parameters", "Parameters/Sub".  '\\' separates like '/'. */
static DWORD resapi_reg_subkey_group(const char *parent, const char *subkey, char **group)
{
  if (subkey == NULL || subkey[0] == '\0')
    return ERROR_INVALID_PARAMETER;
  g_autofree char *norm = g_strdup(subkey);
  g_strdelimit(norm, "\\", '/');
  g_auto(GStrv) parts = g_strsplit(norm, "/", -1);
  for (char **p = parts; *p != NULL; p++) {
    if ((*p)[0] == '\0' || !g_utf8_validate(*p, -1, NULL))
      return ERROR_INVALID_PARAMETER;
    for (const char *c = *p; *c != '\0'; c++) {
      if (*c == '[' || *c == ']' || *c == ';' || g_ascii_iscntrl(*c))
        return ERROR_INVALID_PARAMETER; /* not representable as a key-file group (or list) */
    }
  }
  g_autofree char *joined = g_strjoinv("/", parts);
  if (strcmp(parent, RESAPI_REG_ROOT_GROUP) == 0) {
    if (strcmp(parts[0], RESAPI_REG_ROOT_GROUP) == 0)
      return ERROR_INVALID_PARAMETER; /* would alias the resource's own key */
    *group = g_steal_pointer(&joined);
  } else {
    *group = g_strconcat(parent, "/", joined, NULL);
  }
  return ERROR_SUCCESS;
}

/* TRUE if group is at or below root. */
static gboolean resapi_reg_group_below(const char *group, const char *root)
{
  gsize n = strlen(root);
  return strncmp(group, root, n) == 0 && (group[n] == '\0' || group[n] == '/');
}

/* TRUE if the (up-to-date) volatile file makes group volatile.  Called with the lock held. */
static gboolean resapi_reg_is_volatile(ResapiRegFile *vf, const char *group)
{
  g_auto(GStrv) roots = g_key_file_get_string_list(vf->kf, RESAPI_REG_ROOT_GROUP,
                                                   RESAPI_REG_VOLATILE_LIST, NULL, NULL);
  for (char **r = roots; r != NULL && *r != NULL; r++)
    if (resapi_reg_group_below(group, *r))
      return TRUE;
  return FALSE;
}

/* TRUE if kf has group or a group below it (the key exists). */
static gboolean resapi_reg_group_exists(GKeyFile *kf, const char *group)
{
  g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);
  for (char **g = groups; *g != NULL; g++)
    if (resapi_reg_group_below(*g, group))
      return TRUE;
  return FALSE;
}

/*
 * Opens subkey lpszSubKey of hKey: in the volatile file if the parent is volatile or the subkey
 * is (at or below) a registered volatile root, else in the durable file.  With create, a subkey
 * that exists nowhere is created volatile (registered as a root: one non-durable replacement)
 * when options has REG_OPTION_VOLATILE.
 */
static DWORD resapi_reg_open_subkey(HKEY hKey, LPCSTR lpszSubKey, gboolean create, DWORD options,
                                    HKEY *phkResult, LPDWORD disposition)
{
  g_autofree char *group = NULL;

  if (phkResult == NULL || !resapi_hkey_valid(hKey))
    return resapi_error_set(phkResult == NULL ? ERROR_INVALID_PARAMETER : ERROR_INVALID_HANDLE);
  *phkResult = NULL;
  if (create && (options & ~REG_OPTION_VOLATILE) != 0)
    return resapi_error_set(ERROR_INVALID_PARAMETER);
  DWORD err = resapi_reg_subkey_group(hKey->group, lpszSubKey, &group);
  if (err != ERROR_SUCCESS)
    return resapi_error_set(err);

  g_mutex_lock(&resapi_reg_lock);
  ResapiRegFile *target = NULL;
  gboolean existed = TRUE;
  if (!hKey->file->durable) {
    target = hKey->file; /* below a volatile key everything is volatile */
    target->refs++;
    if (disposition != NULL && resapi_reg_file_refresh(target) == ERROR_SUCCESS)
      existed = resapi_reg_group_exists(target->kf, group);
  } else {
    ResapiRegFile *vf = resapi_reg_file_get(hKey->vdir, hKey->vpath, FALSE);
    err = resapi_reg_file_refresh(vf);
    if (err == ERROR_SUCCESS && resapi_reg_is_volatile(vf, group)) {
      target = vf;
    } else if (err == ERROR_SUCCESS) {
      if (create) {
        err = resapi_reg_file_refresh(hKey->file);
        existed = err == ERROR_SUCCESS && resapi_reg_group_exists(hKey->file->kf, group);
      }
      if (err == ERROR_SUCCESS && create && !existed && (options & REG_OPTION_VOLATILE) != 0) {
        int dir_fd;
        err = resapi_reg_write_begin(vf, &dir_fd);
        if (err == ERROR_SUCCESS && resapi_reg_is_volatile(vf, group)) {
          resapi_reg_write_abort(dir_fd); /* another process registered it meanwhile */
        } else if (err == ERROR_SUCCESS) {
          g_auto(GStrv) roots = g_key_file_get_string_list(vf->kf, RESAPI_REG_ROOT_GROUP,
                                                           RESAPI_REG_VOLATILE_LIST, NULL, NULL);
          g_autoptr(GStrvBuilder) b = g_strv_builder_new();
          if (roots != NULL)
            g_strv_builder_addv(b, (const char **)roots);
          g_strv_builder_add(b, group);
          g_auto(GStrv) next = g_strv_builder_end(b);
          g_key_file_set_string_list(vf->kf, RESAPI_REG_ROOT_GROUP, RESAPI_REG_VOLATILE_LIST,
                                     (const char *const *)next, g_strv_length(next));
          err = resapi_reg_write_commit(vf, dir_fd);
        }
        if (err == ERROR_SUCCESS)
          target = vf;
      }
      if (err == ERROR_SUCCESS && target == NULL) {
        target = hKey->file;
        target->refs++;
      }
    }
    if (target != vf)
      resapi_reg_file_unref(vf);
  }
  if (err == ERROR_SUCCESS)
    *phkResult = resapi_hkey_new(target, group, hKey->vdir, hKey->vpath);
  g_mutex_unlock(&resapi_reg_lock);
  if (err != ERROR_SUCCESS)
    return resapi_error_set(err);
  if (disposition != NULL)
    *disposition = existed ? REG_OPENED_EXISTING_KEY : REG_CREATED_NEW_KEY;
  return ERROR_SUCCESS;
}

DWORD ClusterRegOpenKey(HKEY hKey, LPCSTR lpszSubKey, DWORD samDesired, HKEY *phkResult)
{
  return resapi_reg_open_subkey(hKey, lpszSubKey, FALSE, 0, phkResult, NULL);
}

DWORD ClusterRegCreateKey(HKEY hKey, LPCSTR lpszSubKey, DWORD samDesired, HKEY *phkResult)
{
  /* Subkeys are groups of the resource's file: they exist once they hold a value. */
  return resapi_reg_open_subkey(hKey, lpszSubKey, FALSE, 0, phkResult, NULL);
}

DWORD ClusterRegCreateKeyEx(HKEY hKey, LPCSTR lpszSubKey, DWORD dwOptions, DWORD samDesired,
                            HKEY *phkResult, LPDWORD lpdwDisposition)
{
  return resapi_reg_open_subkey(hKey, lpszSubKey, TRUE, dwOptions, phkResult, lpdwDisposition);
}

static void resapi_hkey_free(HKEY hKey)
{
  g_mutex_lock(&resapi_reg_lock);
  resapi_reg_file_unref(hKey->file);
  g_mutex_unlock(&resapi_reg_lock);
  hKey->magic = 0;
  g_free(hKey->group);
  g_free(hKey->vdir);
  g_free(hKey->vpath);
  g_free(hKey);
}

DWORD ClusterRegCloseKey(HKEY hKey)
{
  if (!resapi_hkey_valid(hKey))
    return resapi_error_set(ERROR_INVALID_HANDLE);
  resapi_hkey_free(hKey);
  return ERROR_SUCCESS;
}

/* Removes one file of a resource (ERROR_FILE_NOT_FOUND if it does not exist).  Called with the
 * lock held. */
static DWORD resapi_reg_delete_file(const char *dir, const char *path, gboolean durable)
{
  ResapiRegFile *f = resapi_reg_file_get(dir, path, durable);
  int dir_fd;
  DWORD err = resapi_reg_write_begin(f, &dir_fd);
  if (err == ERROR_SUCCESS) {
    if (g_unlink(path) < 0) {
      err = resapi_error_from_errno(errno);
    } else {
      if (durable)
        (void)fsync(dir_fd);
      resapi_reg_file_reset(f); /* open keys of the resource now see an empty key */
    }
    resapi_reg_write_abort(dir_fd);
  }
  resapi_reg_file_unref(f);
  return err;
}

DWORD ClusterRegDeleteResourceKey(LPCSTR ResourceName)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *vdir = NULL;
  g_autofree char *vpath = NULL;
  DWORD err = resapi_reg_resource_path(ResourceName, &dir, &path, &vdir, &vpath);
  if (err != ERROR_SUCCESS)
    return resapi_error_set(err);

  g_mutex_lock(&resapi_reg_lock);
  /* The run-time state first: a crash in between leaves configuration without state, never
   * state of a resource that no longer exists. */
  DWORD verr = g_file_test(vpath, G_FILE_TEST_EXISTS) ? resapi_reg_delete_file(vdir, vpath, FALSE)
                                                      : ERROR_FILE_NOT_FOUND;
  if (verr == ERROR_SUCCESS || verr == ERROR_FILE_NOT_FOUND) {
    err = resapi_reg_delete_file(dir, path, TRUE);
    /* Deleting a key that exists nowhere is an error, as before. */
    if (err == ERROR_FILE_NOT_FOUND && verr == ERROR_SUCCESS)
      err = ERROR_SUCCESS;
  } else {
    err = verr;
  }
  g_mutex_unlock(&resapi_reg_lock);
  return err == ERROR_SUCCESS ? ERROR_SUCCESS : resapi_error_set(err);
}

/* ---- values ---------------------------------------------------------------------------------- */

typedef struct {
  DWORD type;
  guint8 *data;
  gsize len;
} ResapiRegValue;

static void resapi_reg_value_clear(ResapiRegValue *v)
{
  g_free(v->data);
  v->data = NULL;
}

static gboolean resapi_reg_has_prefix(const char *s, const char *prefix, const char **rest)
{
  gsize n = strlen(prefix);
  if (strncmp(s, prefix, n) != 0)
    return FALSE;
  *rest = s + n;
  return TRUE;
}

/* Decodes "type:text" into a value; FALSE for text we did not write. */
static gboolean resapi_reg_decode(const char *text, ResapiRegValue *v)
{
  const char *rest;
  char *end;

  if (resapi_reg_has_prefix(text, "dword:", &rest)) {
    guint64 n = g_ascii_strtoull(rest, &end, 0);
    if (rest[0] == '\0' || rest[0] == '-' || *end != '\0' || n > G_MAXUINT32)
      return FALSE;
    DWORD d = (DWORD)n;
    v->type = REG_DWORD;
    v->data = g_memdup2(&d, sizeof d);
    v->len = sizeof d;
  } else if (resapi_reg_has_prefix(text, "qword:", &rest)) {
    guint64 n = g_ascii_strtoull(rest, &end, 0);
    if (rest[0] == '\0' || rest[0] == '-' || *end != '\0')
      return FALSE;
    v->type = REG_QWORD;
    v->data = g_memdup2(&n, sizeof n);
    v->len = sizeof n;
  } else if (resapi_reg_has_prefix(text, "sz:", &rest) ||
             resapi_reg_has_prefix(text, "expand_sz:", &rest)) {
    v->type = text[0] == 's' ? REG_SZ : REG_EXPAND_SZ;
    v->len = strlen(rest) + 1; /* Win32: string data counts its NUL */
    v->data = g_memdup2(rest, v->len);
  } else if (resapi_reg_has_prefix(text, "multi_sz:", &rest) ||
             resapi_reg_has_prefix(text, "binary:", &rest) ||
             resapi_reg_has_prefix(text, "none:", &rest)) {
    v->type = text[0] == 'm' ? REG_MULTI_SZ : text[0] == 'b' ? REG_BINARY : REG_NONE;
    if (rest[0] == '\0') {
      v->data = NULL;
      v->len = 0;
    } else {
      v->data = g_base64_decode(rest, &v->len);
    }
  } else {
    return FALSE;
  }
  return TRUE;
}

static DWORD resapi_reg_encode(DWORD type, const BYTE *data, DWORD cb, char **text)
{
  if (data == NULL && cb > 0)
    return ERROR_INVALID_PARAMETER;
  switch (type) {
  case REG_DWORD: {
    DWORD d;
    if (cb != sizeof d)
      return ERROR_INVALID_PARAMETER;
    memcpy(&d, data, sizeof d);
    *text = g_strdup_printf("dword:%u", d);
    return ERROR_SUCCESS;
  }
  case REG_QWORD: {
    guint64 q;
    if (cb != sizeof q)
      return ERROR_INVALID_PARAMETER;
    memcpy(&q, data, sizeof q);
    *text = g_strdup_printf("qword:%" G_GUINT64_FORMAT, q);
    return ERROR_SUCCESS;
  }
  case REG_SZ:
  case REG_EXPAND_SZ: {
    /* The string ends at its first NUL (or at cbData); it must be UTF-8. */
    const char *str = cb > 0 ? (const char *)data : "";
    gsize len = strnlen(str, cb);
    if (!g_utf8_validate(str, (gssize)len, NULL))
      return ERROR_INVALID_DATA;
    g_autofree char *s = g_strndup(str, len);
    *text = g_strconcat(type == REG_SZ ? "sz:" : "expand_sz:", s, NULL);
    return ERROR_SUCCESS;
  }
  case REG_MULTI_SZ:
  case REG_BINARY:
  case REG_NONE: {
    /* Base64 keeps the exact bytes (embedded NULs, any encoding) through the text file. */
    g_autofree char *b64 = cb > 0 ? g_base64_encode(data, cb) : g_strdup("");
    *text = g_strconcat(type == REG_MULTI_SZ ? "multi_sz:"
                        : type == REG_BINARY ? "binary:"
                                             : "none:",
                        b64, NULL);
    return ERROR_SUCCESS;
  }
  default:
    return ERROR_INVALID_PARAMETER;
  }
}

/* Looks up a value of an up-to-date key.  Called with the lock held. */
static DWORD resapi_reg_get(HKEY h, const char *key, ResapiRegValue *v)
{
  g_autofree char *text = g_key_file_get_string(h->file->kf, h->group, key, NULL);
  if (text == NULL)
    return ERROR_FILE_NOT_FOUND;
  return resapi_reg_decode(text, v) ? ERROR_SUCCESS : ERROR_INVALID_DATA;
}

/* Copies a value out with RegQueryValueEx semantics. */
static DWORD resapi_reg_copy_out(const ResapiRegValue *v, LPDWORD type, LPBYTE data, LPDWORD cb)
{
  if (type != NULL)
    *type = v->type;
  if (data == NULL) {
    if (cb != NULL)
      *cb = (DWORD)v->len;
    return ERROR_SUCCESS;
  }
  if (cb == NULL)
    return ERROR_INVALID_PARAMETER;
  if (*cb < v->len) {
    *cb = (DWORD)v->len;
    return ERROR_MORE_DATA;
  }
  if (v->len > 0)
    memcpy(data, v->data, v->len);
  *cb = (DWORD)v->len;
  return ERROR_SUCCESS;
}

DWORD ClusterRegQueryValue(HKEY hKey, LPCSTR lpszValueName, LPDWORD lpdwValueType, LPBYTE lpData,
                           LPDWORD lpcbData)
{
  if (!resapi_hkey_valid(hKey))
    return resapi_error_set(ERROR_INVALID_HANDLE);
  g_autofree char *key = resapi_reg_value_key(lpszValueName);
  ResapiRegValue v = {0};

  g_mutex_lock(&resapi_reg_lock);
  DWORD err = resapi_reg_file_refresh(hKey->file);
  if (err == ERROR_SUCCESS)
    err = resapi_reg_get(hKey, key, &v);
  g_mutex_unlock(&resapi_reg_lock);

  if (err == ERROR_SUCCESS)
    err = resapi_reg_copy_out(&v, lpdwValueType, lpData, lpcbData);
  resapi_reg_value_clear(&v);
  return err == ERROR_SUCCESS ? ERROR_SUCCESS : resapi_error_set(err);
}

DWORD resapi_reg_query_values(HKEY key, const char *const *names, gsize n_names, ResapiRegRead *out)
{
  if (!resapi_hkey_valid(key))
    return resapi_error_set(ERROR_INVALID_HANDLE);
  if (names == NULL || out == NULL)
    return resapi_error_set(ERROR_INVALID_PARAMETER);
  g_mutex_lock(&resapi_reg_lock);
  DWORD err = resapi_reg_file_refresh(key->file);
  for (gsize i = 0; err == ERROR_SUCCESS && i < n_names; i++) {
    g_autofree char *vkey = resapi_reg_value_key(names[i]);
    ResapiRegValue v = {0};
    out[i] = (ResapiRegRead){.err = resapi_reg_get(key, vkey, &v)};
    if (out[i].err == ERROR_SUCCESS) {
      out[i].type = v.type;
      out[i].cb = (DWORD)v.len;
      out[i].data = g_malloc0(v.len + 1);
      if (v.len > 0)
        memcpy(out[i].data, v.data, v.len);
    }
    resapi_reg_value_clear(&v);
  }
  g_mutex_unlock(&resapi_reg_lock);
  return err == ERROR_SUCCESS ? ERROR_SUCCESS : resapi_error_set(err);
}

/* TRUE if applying cmd to group of kf would change it. */
static gboolean resapi_reg_cmd_changes(GKeyFile *kf, const char *group, const ResapiRegCmd *cmd)
{
  if (cmd->group != NULL)
    group = cmd->group;
  g_autofree char *old = g_key_file_get_string(kf, group, cmd->key, NULL);
  if (cmd->text == NULL)
    return old != NULL;
  return old == NULL || strcmp(old, cmd->text) != 0;
}

/*
 * Applies cmds to key's group in one atomic replacement of its file, or writes nothing at all
 * when no command changes anything (the same value set again costs a read, not an fsync).
 */
static DWORD resapi_reg_apply(HKEY key, const ResapiRegCmd *cmds, guint n)
{
  ResapiRegFile *f = key->file;
  g_mutex_lock(&resapi_reg_lock);
  /* Cheap check first, without the cross-process lock: most rewrites change nothing. */
  DWORD err = resapi_reg_file_refresh(f);
  gboolean changes = FALSE;
  for (guint i = 0; err == ERROR_SUCCESS && i < n && !changes; i++)
    changes = resapi_reg_cmd_changes(f->kf, key->group, &cmds[i]);
  if (err == ERROR_SUCCESS && changes) {
    int dir_fd;
    err = resapi_reg_write_begin(f, &dir_fd); /* refreshes again, under the flock */
    if (err == ERROR_SUCCESS) {
      changes = FALSE;
      for (guint i = 0; i < n; i++) {
        if (!resapi_reg_cmd_changes(f->kf, key->group, &cmds[i]))
          continue;
        changes = TRUE;
        const char *group = cmds[i].group != NULL ? cmds[i].group : key->group;
        if (cmds[i].text != NULL)
          g_key_file_set_string(f->kf, group, cmds[i].key, cmds[i].text);
        else
          g_key_file_remove_key(f->kf, group, cmds[i].key, NULL);
      }
      if (changes)
        err = resapi_reg_write_commit(f, dir_fd);
      else
        resapi_reg_write_abort(dir_fd); /* another process wrote the same meanwhile */
    }
  }
  g_mutex_unlock(&resapi_reg_lock);
  return err;
}

static void resapi_reg_cmd_clear(gpointer p)
{
  ResapiRegCmd *cmd = p;
  g_free(cmd->group);
  g_free(cmd->key);
  g_free(cmd->text);
}

DWORD resapi_reg_set_values(HKEY key, const ResapiRegWrite *writes, gsize n_writes)
{
  if (!resapi_hkey_valid(key))
    return resapi_error_set(ERROR_INVALID_HANDLE);
  /* Encode everything first: a bad value must not leave the others written. */
  g_autoptr(GArray) cmds = g_array_sized_new(FALSE, TRUE, sizeof(ResapiRegCmd), (guint)n_writes);
  g_array_set_clear_func(cmds, resapi_reg_cmd_clear);
  for (gsize i = 0; i < n_writes; i++) {
    ResapiRegCmd cmd = {0};
    DWORD err = resapi_reg_encode(writes[i].type, writes[i].data, writes[i].cb, &cmd.text);
    if (err != ERROR_SUCCESS)
      return resapi_error_set(err);
    cmd.key = resapi_reg_value_key(writes[i].name);
    g_array_append_val(cmds, cmd);
  }
  DWORD err = resapi_reg_apply(key, (const ResapiRegCmd *)(void *)cmds->data, cmds->len);
  return err == ERROR_SUCCESS ? ERROR_SUCCESS : resapi_error_set(err);
}

DWORD ClusterRegSetValue(HKEY hKey, LPCSTR lpszValueName, DWORD dwType, const BYTE *lpData,
                         DWORD cbData)
{
  const ResapiRegWrite write = {
      .name = lpszValueName, .type = dwType, .data = lpData, .cb = cbData};
  return resapi_reg_set_values(hKey, &write, 1);
}

DWORD ClusterRegDeleteValue(HKEY hKey, LPCSTR lpszValueName)
{
  if (!resapi_hkey_valid(hKey))
    return resapi_error_set(ERROR_INVALID_HANDLE);
  g_autofree char *key = resapi_reg_value_key(lpszValueName);

  g_mutex_lock(&resapi_reg_lock);
  int dir_fd;
  /* Cheap check first: deleting an absent value must not take the writer lock. */
  DWORD err = resapi_reg_file_refresh(hKey->file);
  if (err == ERROR_SUCCESS && !g_key_file_has_key(hKey->file->kf, hKey->group, key, NULL))
    err = ERROR_FILE_NOT_FOUND;
  if (err == ERROR_SUCCESS)
    err = resapi_reg_write_begin(hKey->file, &dir_fd);
  if (err == ERROR_SUCCESS) {
    if (!g_key_file_has_key(hKey->file->kf, hKey->group, key, NULL)) {
      resapi_reg_write_abort(dir_fd);
      err = ERROR_FILE_NOT_FOUND;
    } else {
      g_key_file_remove_key(hKey->file->kf, hKey->group, key, NULL);
      err = resapi_reg_write_commit(hKey->file, dir_fd);
    }
  }
  g_mutex_unlock(&resapi_reg_lock);
  return err == ERROR_SUCCESS ? ERROR_SUCCESS : resapi_error_set(err);
}

/* ---- batches --------------------------------------------------------------------------------- */

static gboolean resapi_batch_valid(HREGBATCH b)
{
  return b != NULL && b->magic == RESAPI_HREGBATCH_MAGIC;
}

DWORD ClusterRegCreateBatch(HKEY hKey, HREGBATCH *pHREGBATCH)
{
  if (pHREGBATCH == NULL)
    return resapi_error_set(ERROR_INVALID_PARAMETER);
  *pHREGBATCH = NULL;
  if (!resapi_hkey_valid(hKey))
    return resapi_error_set(ERROR_INVALID_HANDLE);
  HREGBATCH b = g_new0(struct _CLUSRES_HREGBATCH, 1);
  b->magic = RESAPI_HREGBATCH_MAGIC;
  g_mutex_lock(&resapi_reg_lock);
  hKey->file->refs++;
  g_mutex_unlock(&resapi_reg_lock);
  /* Its own handle: the batch stays valid if the caller closes hKey first. */
  b->key = resapi_hkey_new(hKey->file, hKey->group, hKey->vdir, hKey->vpath);
  b->cmds = g_array_new(FALSE, TRUE, sizeof(ResapiRegCmd));
  g_array_set_clear_func(b->cmds, resapi_reg_cmd_clear);
  b->bad_index = -1;
  *pHREGBATCH = b;
  return ERROR_SUCCESS;
}

/* CLUSREG_CREATE_KEY: the next commands apply to subkey name of the batch's key (NULL or "":
 * the key itself).  A batch replaces one file, so it cannot reach into the other store. */
static DWORD resapi_batch_set_key(HREGBATCH b, const char *name)
{
  if (name == NULL || name[0] == '\0') {
    g_clear_pointer(&b->group, g_free);
    return ERROR_SUCCESS;
  }
  g_autofree char *group = NULL;
  DWORD err = resapi_reg_subkey_group(b->key->group, name, &group);
  if (err != ERROR_SUCCESS)
    return err;
  g_mutex_lock(&resapi_reg_lock);
  if (b->key->file->durable) {
    ResapiRegFile *vf = resapi_reg_file_get(b->key->vdir, b->key->vpath, FALSE);
    err = resapi_reg_file_refresh(vf);
    if (err == ERROR_SUCCESS && resapi_reg_is_volatile(vf, group))
      err = ERROR_NOT_SUPPORTED;
    resapi_reg_file_unref(vf);
  }
  g_mutex_unlock(&resapi_reg_lock);
  if (err != ERROR_SUCCESS)
    return err;
  g_free(b->group);
  b->group = g_steal_pointer(&group);
  return ERROR_SUCCESS;
}

DWORD ClusterRegBatchAddCommand(HREGBATCH hRegBatch, DWORD dwCommand, LPCSTR wzName,
                                DWORD dwOptions, const void *lpData, DWORD cbData)
{
  if (!resapi_batch_valid(hRegBatch))
    return resapi_error_set(ERROR_INVALID_HANDLE);
  ResapiRegCmd cmd = {0};
  DWORD err = ERROR_SUCCESS;
  if (dwCommand == CLUSREG_CREATE_KEY)
    err = resapi_batch_set_key(hRegBatch, wzName);
  else if (dwCommand == CLUSREG_SET_VALUE)
    err = resapi_reg_encode(dwOptions, lpData, cbData, &cmd.text);
  else if (dwCommand != CLUSREG_DELETE_VALUE)
    err = ERROR_INVALID_PARAMETER;
  if (err != ERROR_SUCCESS) {
    /* Remembered: committing a batch with a bad command must apply none of it. */
    if (hRegBatch->bad_index < 0) {
      hRegBatch->bad_index = (LONG)hRegBatch->cmds->len;
      hRegBatch->bad_error = err;
    }
    return resapi_error_set(err);
  }
  if (dwCommand == CLUSREG_CREATE_KEY)
    return ERROR_SUCCESS;
  cmd.group = g_strdup(hRegBatch->group);
  cmd.key = resapi_reg_value_key(wzName);
  g_array_append_val(hRegBatch->cmds, cmd);
  return ERROR_SUCCESS;
}

DWORD ClusterRegCloseBatch(HREGBATCH hRegBatch, BOOL bCommit, PLONG failedCommand)
{
  if (!resapi_batch_valid(hRegBatch))
    return resapi_error_set(ERROR_INVALID_HANDLE);
  DWORD err = ERROR_SUCCESS;
  if (bCommit && hRegBatch->bad_index >= 0) {
    err = hRegBatch->bad_error;
    if (failedCommand != NULL)
      *failedCommand = hRegBatch->bad_index;
  } else if (bCommit && hRegBatch->cmds->len > 0) {
    err = resapi_reg_apply(hRegBatch->key, (const ResapiRegCmd *)(void *)hRegBatch->cmds->data,
                           hRegBatch->cmds->len);
    if (err != ERROR_SUCCESS && failedCommand != NULL)
      *failedCommand = -1; /* the store failed, not a command */
  }
  g_array_unref(hRegBatch->cmds);
  g_free(hRegBatch->group);
  resapi_hkey_free(hRegBatch->key);
  hRegBatch->magic = 0;
  g_free(hRegBatch);
  return err == ERROR_SUCCESS ? ERROR_SUCCESS : resapi_error_set(err);
}

DWORD ClusterRegEnumValue(HKEY hKey, DWORD dwIndex, LPSTR lpszValueName, LPDWORD lpcchValueName,
                          LPDWORD lpdwType, LPBYTE lpData, LPDWORD lpcbData)
{
  if (!resapi_hkey_valid(hKey))
    return resapi_error_set(ERROR_INVALID_HANDLE);
  if (lpszValueName == NULL || lpcchValueName == NULL)
    return resapi_error_set(ERROR_INVALID_PARAMETER);

  g_autofree char *name = NULL;
  ResapiRegValue v = {0};
  g_mutex_lock(&resapi_reg_lock);
  DWORD err = resapi_reg_file_refresh(hKey->file);
  if (err == ERROR_SUCCESS) {
    gsize n = 0;
    g_auto(GStrv) keys = g_key_file_get_keys(hKey->file->kf, hKey->group, &n, NULL);
    if (keys == NULL || dwIndex >= n) {
      err = ERROR_NO_MORE_ITEMS;
    } else {
      name = resapi_reg_value_name(keys[dwIndex]);
      err = resapi_reg_get(hKey, keys[dwIndex], &v);
    }
  }
  g_mutex_unlock(&resapi_reg_lock);

  if (err == ERROR_SUCCESS) {
    gsize len = strlen(name);
    if (len + 1 > *lpcchValueName) {
      *lpcchValueName = (DWORD)(len + 1); /* what it takes, with the NUL */
      err = ERROR_MORE_DATA;
    } else {
      memcpy(lpszValueName, name, len + 1);
      *lpcchValueName = (DWORD)len; /* Win32: without the NUL */
      err = resapi_reg_copy_out(&v, lpdwType, lpData, lpcbData);
    }
  }
  resapi_reg_value_clear(&v);
  return err == ERROR_SUCCESS ? ERROR_SUCCESS : resapi_error_set(err);
}

/* ---- typed conveniences ------------------------------------------------------------------------
 */

DWORD ResUtilGetDwordValue(HKEY hkeyClusterKey, LPCSTR pszValueName, LPDWORD pdwOutValue,
                           DWORD dwDefaultValue)
{
  DWORD type, value, cb = sizeof value;
  if (pdwOutValue == NULL)
    return resapi_error_set(ERROR_INVALID_PARAMETER);
  DWORD err = ClusterRegQueryValue(hkeyClusterKey, pszValueName, &type, (LPBYTE)&value, &cb);
  if (err == ERROR_FILE_NOT_FOUND) {
    *pdwOutValue = dwDefaultValue; /* as Windows: a missing value is its default */
    return ERROR_SUCCESS;
  }
  if (err == ERROR_MORE_DATA || (err == ERROR_SUCCESS && (type != REG_DWORD || cb != sizeof value)))
    return resapi_error_set(ERROR_INVALID_PARAMETER);
  if (err != ERROR_SUCCESS)
    return err;
  *pdwOutValue = value;
  return ERROR_SUCCESS;
}

DWORD ResUtilSetDwordValue(HKEY hkeyClusterKey, LPCSTR pszValueName, DWORD dwNewValue,
                           LPDWORD pdwOutValue)
{
  DWORD type, old, cb = sizeof old;
  /* Skip the durable write when nothing changes (SetPrivateProperties rewrites everything). */
  DWORD err = ClusterRegQueryValue(hkeyClusterKey, pszValueName, &type, (LPBYTE)&old, &cb);
  if (!(err == ERROR_SUCCESS && type == REG_DWORD && cb == sizeof old && old == dwNewValue)) {
    err = ClusterRegSetValue(hkeyClusterKey, pszValueName, REG_DWORD, (const BYTE *)&dwNewValue,
                             sizeof dwNewValue);
    if (err != ERROR_SUCCESS)
      return err;
  }
  if (pdwOutValue != NULL)
    *pdwOutValue = dwNewValue;
  return ERROR_SUCCESS;
}

LPSTR ResUtilGetSzValue(HKEY hkeyClusterKey, LPCSTR pszValueName)
{
  if (!resapi_hkey_valid(hkeyClusterKey)) {
    SetLastError(ERROR_INVALID_HANDLE);
    return NULL;
  }
  g_autofree char *key = resapi_reg_value_key(pszValueName);
  ResapiRegValue v = {0};
  g_mutex_lock(&resapi_reg_lock);
  DWORD err = resapi_reg_file_refresh(hkeyClusterKey->file);
  if (err == ERROR_SUCCESS)
    err = resapi_reg_get(hkeyClusterKey, key, &v);
  g_mutex_unlock(&resapi_reg_lock);
  if (err == ERROR_SUCCESS && v.type != REG_SZ && v.type != REG_EXPAND_SZ)
    err = ERROR_INVALID_DATA;
  if (err != ERROR_SUCCESS) {
    resapi_reg_value_clear(&v);
    SetLastError(err);
    return NULL;
  }
  return (LPSTR)v.data; /* NUL-terminated by resapi_reg_decode */
}

DWORD ResUtilSetSzValue(HKEY hkeyClusterKey, LPCSTR pszValueName, LPCSTR pszNewValue,
                        LPSTR *ppszOutString)
{
  if (pszNewValue == NULL)
    return resapi_error_set(ERROR_INVALID_PARAMETER);
  g_autofree char *old = ResUtilGetSzValue(hkeyClusterKey, pszValueName);
  if (old == NULL || strcmp(old, pszNewValue) != 0) {
    DWORD err = ClusterRegSetValue(hkeyClusterKey, pszValueName, REG_SZ, (const BYTE *)pszNewValue,
                                   (DWORD)strlen(pszNewValue) + 1);
    if (err != ERROR_SUCCESS)
      return err;
  }
  if (ppszOutString != NULL) {
    /* As Windows: the caller's previous string is freed and replaced by a copy. */
    g_free(*ppszOutString);
    *ppszOutString = g_strdup(pszNewValue);
  }
  return ERROR_SUCCESS;
}

VOID ResUtilFree(PVOID p)
{
  g_free(p);
}
