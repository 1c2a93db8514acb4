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
 *  - every read first checks the file's identity (inode, size, mtime, ctime) and reloads it if
 *    it changed, so a process sees the others' writes.  A replaced file always gets a new inode,
 *    and the identity is taken from the descriptor the data is read from.
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
#define RESAPI_HKEY_MAGIC 0x484b4559u /* "HKEY" */
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
  GKeyFile *kf; /* what the file held when last loaded or written (empty if no file) */
  gboolean loaded;
  ResapiRegFileId id;
  guint refs;
} ResapiRegFile;

struct _CLUSRES_HKEY {
  guint32 magic;
  ResapiRegFile *file;
  char *group;
};

static GMutex resapi_reg_lock;
static GHashTable *resapi_reg_files; /* path -> ResapiRegFile, while some HKEY uses it */

/* ---- names ---------------------------------------------------------------------------------- */

static const char *resapi_reg_dir(void)
{
  const char *dir = g_getenv("CLUSRES_REGISTRY_DIR");
  return (dir != NULL && dir[0] != '\0') ? dir : CLUSRES_STATE_DIR "/registry";
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

/* Brings f->kf up to date with the file on disk.  Called with resapi_reg_lock held. */
static DWORD resapi_reg_file_refresh(ResapiRegFile *f)
{
  int fd = open(f->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT)
      return resapi_error_from_errno(errno);
    if (!f->loaded || f->id.exists)
      resapi_reg_file_reset(f); /* deleted by someone else (or never written) */
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
  if (f->loaded && resapi_reg_id_equal(&id, &f->id)) {
    close(fd);
    return ERROR_SUCCESS;
  }

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

/* Takes the cross-process writer lock (flock on the directory) and refreshes f. */
static DWORD resapi_reg_write_begin(ResapiRegFile *f, int *dir_fd)
{
  if (g_mkdir_with_parents(f->dir, 0700) < 0)
    return resapi_error_from_errno(errno);
  int fd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
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

/* Writes f->kf to disk atomically and durably, then releases the writer lock. */
static DWORD resapi_reg_write_commit(ResapiRegFile *f, int dir_fd)
{
  DWORD err = ERROR_SUCCESS;
  gsize len;
  g_autofree char *data = g_key_file_to_data(f->kf, &len, NULL);
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents_full(f->path, data, (gssize)len,
                                G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0600,
                                &error)) {
    err = error->domain == G_FILE_ERROR && error->code == G_FILE_ERROR_NOSPC
              ? ERROR_NOT_ENOUGH_MEMORY
              : ERROR_GEN_FAILURE;
    f->loaded = FALSE; /* memory now differs from disk: reload on next use */
  } else {
    /* The rename is durable only once the directory is synced. */
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

static void resapi_reg_write_abort(int dir_fd)
{
  close(dir_fd);
}

/* Returns the shared entry for path, with a new reference.  Called with the lock held. */
static ResapiRegFile *resapi_reg_file_get(const char *dir, const char *path)
{
  if (resapi_reg_files == NULL)
    resapi_reg_files = g_hash_table_new(g_str_hash, g_str_equal);
  ResapiRegFile *f = g_hash_table_lookup(resapi_reg_files, path);
  if (f == NULL) {
    f = g_new0(ResapiRegFile, 1);
    f->path = g_strdup(path);
    f->dir = g_strdup(dir);
    f->kf = g_key_file_new();
    g_hash_table_insert(resapi_reg_files, f->path, f);
  }
  f->refs++;
  return f;
}

static void resapi_reg_file_unref(ResapiRegFile *f)
{
  if (--f->refs > 0)
    return;
  g_hash_table_remove(resapi_reg_files, f->path);
  resapi_reg_file_free(f);
}

static DWORD resapi_reg_resource_path(const char *name, char **dir, char **path)
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
  return ERROR_SUCCESS;
}

/* ---- keys ------------------------------------------------------------------------------------ */

static gboolean resapi_hkey_valid(HKEY h)
{
  return h != NULL && h->magic == RESAPI_HKEY_MAGIC;
}

static HKEY resapi_hkey_new(ResapiRegFile *f, const char *group)
{
  HKEY h = g_new0(struct _CLUSRES_HKEY, 1);
  h->magic = RESAPI_HKEY_MAGIC;
  h->file = f;
  h->group = g_strdup(group);
  return h;
}

DWORD ClusterRegOpenResourceKey(LPCSTR ResourceName, DWORD samDesired, HKEY *phkResult)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;

  if (phkResult == NULL)
    return resapi_error_set(ERROR_INVALID_PARAMETER);
  *phkResult = NULL;
  DWORD err = resapi_reg_resource_path(ResourceName, &dir, &path);
  if (err != ERROR_SUCCESS)
    return resapi_error_set(err);

  g_mutex_lock(&resapi_reg_lock);
  ResapiRegFile *f = resapi_reg_file_get(dir, path);
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
      err = resapi_reg_write_commit(f, dir_fd);
    }
  }
  if (err != ERROR_SUCCESS) {
    resapi_reg_file_unref(f);
    g_mutex_unlock(&resapi_reg_lock);
    return resapi_error_set(err);
  }
  *phkResult = resapi_hkey_new(f, RESAPI_REG_ROOT_GROUP);
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
      if (*c == '[' || *c == ']' || g_ascii_iscntrl(*c))
        return ERROR_INVALID_PARAMETER; /* not representable as a key-file group */
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

DWORD ClusterRegOpenKey(HKEY hKey, LPCSTR lpszSubKey, DWORD samDesired, HKEY *phkResult)
{
  g_autofree char *group = NULL;

  if (phkResult == NULL || !resapi_hkey_valid(hKey))
    return resapi_error_set(phkResult == NULL ? ERROR_INVALID_PARAMETER : ERROR_INVALID_HANDLE);
  *phkResult = NULL;
  DWORD err = resapi_reg_subkey_group(hKey->group, lpszSubKey, &group);
  if (err != ERROR_SUCCESS)
    return resapi_error_set(err);
  g_mutex_lock(&resapi_reg_lock);
  hKey->file->refs++;
  *phkResult = resapi_hkey_new(hKey->file, group);
  g_mutex_unlock(&resapi_reg_lock);
  return ERROR_SUCCESS;
}

DWORD ClusterRegCreateKey(HKEY hKey, LPCSTR lpszSubKey, DWORD samDesired, HKEY *phkResult)
{
  /* Subkeys are groups of the resource's file: they exist once they hold a value. */
  return ClusterRegOpenKey(hKey, lpszSubKey, samDesired, phkResult);
}

DWORD ClusterRegCloseKey(HKEY hKey)
{
  if (!resapi_hkey_valid(hKey))
    return resapi_error_set(ERROR_INVALID_HANDLE);
  g_mutex_lock(&resapi_reg_lock);
  resapi_reg_file_unref(hKey->file);
  g_mutex_unlock(&resapi_reg_lock);
  hKey->magic = 0;
  g_free(hKey->group);
  g_free(hKey);
  return ERROR_SUCCESS;
}

DWORD ClusterRegDeleteResourceKey(LPCSTR ResourceName)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  DWORD err = resapi_reg_resource_path(ResourceName, &dir, &path);
  if (err != ERROR_SUCCESS)
    return resapi_error_set(err);

  g_mutex_lock(&resapi_reg_lock);
  ResapiRegFile *f = resapi_reg_file_get(dir, path);
  int dir_fd;
  err = resapi_reg_write_begin(f, &dir_fd);
  if (err == ERROR_SUCCESS) {
    if (g_unlink(path) < 0) {
      err = resapi_error_from_errno(errno);
    } else {
      (void)fsync(dir_fd);
      resapi_reg_file_reset(f); /* open keys of the resource now see an empty key */
    }
    resapi_reg_write_abort(dir_fd);
  }
  resapi_reg_file_unref(f);
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

DWORD resapi_reg_set_values(HKEY key, const ResapiRegWrite *writes, gsize n_writes)
{
  if (!resapi_hkey_valid(key))
    return resapi_error_set(ERROR_INVALID_HANDLE);
  /* Encode everything first: a bad value must not leave the others written. */
  g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func(g_free);
  for (gsize i = 0; i < n_writes; i++) {
    char *text = NULL;
    DWORD err = resapi_reg_encode(writes[i].type, writes[i].data, writes[i].cb, &text);
    if (err != ERROR_SUCCESS)
      return resapi_error_set(err);
    g_ptr_array_add(texts, text);
    g_ptr_array_add(keys, resapi_reg_value_key(writes[i].name));
  }

  g_mutex_lock(&resapi_reg_lock);
  int dir_fd;
  DWORD err = resapi_reg_write_begin(key->file, &dir_fd);
  if (err == ERROR_SUCCESS) {
    for (guint i = 0; i < keys->len; i++)
      g_key_file_set_string(key->file->kf, key->group, keys->pdata[i], texts->pdata[i]);
    err = resapi_reg_write_commit(key->file, dir_fd);
  }
  g_mutex_unlock(&resapi_reg_lock);
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
  DWORD err = resapi_reg_write_begin(hKey->file, &dir_fd);
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
