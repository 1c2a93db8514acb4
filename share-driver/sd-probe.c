/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libnfs's synchronous calls cannot be bounded reliably (a dropped SYN waits for the kernel's
 * connect timeout), so the probe drives the async API from its own poll loop with a deadline.
 */
#include "sd-probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw-nfs4.h>
#include <poll.h>
#include <sys/stat.h>
#include <string.h>

#include "sd-driver.h"

#define SD_PROBE_READ_BYTES 64

/* The outcome of one async call.  It lives in the caller's frame until the context is destroyed,
 * because destroying a context completes pending calls with a cancel status. */
typedef struct {
  gboolean done;
  int status;
  void *data;
  char *message;
  GByteArray *bytes;
} SdProbeStep;

static void step_cb(int status, struct nfs_context *nfs, void *data, void *private_data)
{
  SdProbeStep *step = private_data;

  step->done = TRUE;
  step->status = status;
  step->data = NULL;
  if (status < 0) {
    g_free(step->message);
    step->message = g_strdup(data ? (const char *)data : "unknown error");
  } else if (step->bytes != NULL && data != NULL) {
    g_byte_array_append(step->bytes, data, (guint)status);
  } else {
    step->data = data;
  }
}

static void step_reset(SdProbeStep *step)
{
  step->done = FALSE;
  step->status = 0;
  step->data = NULL;
}

static gboolean step_wait(struct nfs_context *nfs, SdProbeStep *step, int started, gint64 deadline,
                          const char *what, GError **error)
{
  if (started != 0) {
    g_set_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_FAILED, "%s: %s", what, nfs_get_error(nfs));
    return FALSE;
  }
  while (!step->done) {
    gint64 now = g_get_monotonic_time();
    if (now >= deadline) {
      g_set_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_TIMEOUT, "%s: timed out", what);
      return FALSE;
    }
    /* Wake at least every 100 ms: libnfs scans its own RPC timeouts in nfs_service(). */
    struct pollfd pfd = {.fd = nfs_get_fd(nfs), .events = (short)nfs_which_events(nfs)};
    int ms = (int)MIN((deadline - now) / 1000 + 1, 100);
    int n = poll(&pfd, pfd.fd >= 0 ? 1 : 0, ms);
    if (n < 0 && errno != EINTR) {
      g_set_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_FAILED, "%s: poll: %s", what,
                  g_strerror(errno));
      return FALSE;
    }
    if (nfs_service(nfs, n > 0 ? pfd.revents : 0) < 0 && !step->done) {
      g_set_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_FAILED, "%s: %s", what,
                  nfs_get_error(nfs));
      return FALSE;
    }
  }
  if (step->status < 0) {
    g_set_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_FAILED, "%s: %s", what, step->message);
    return FALSE;
  }
  return TRUE;
}

/* Picks the file to read: .clusres-probe if there, else the first regular file. */
static char *pick_file(struct nfs_context *nfs, SdProbeStep *step, gint64 deadline, gboolean *empty,
                       GError **error)
{
  step_reset(step);
  if (!step_wait(nfs, step, nfs_opendir_async(nfs, "", step_cb, step), deadline, "opendir", error))
    return NULL;
  struct nfsdir *dir = step->data;
  char *chosen = NULL;
  struct nfsdirent *ent;
  while ((ent = nfs_readdir(nfs, dir)) != NULL) {
    if ((ent->mode & S_IFMT) != S_IFREG)
      continue;
    if (g_str_equal(ent->name, SD_PROBE_FILE)) {
      g_free(chosen);
      chosen = g_strdup(ent->name);
      break;
    }
    if (chosen == NULL)
      chosen = g_strdup(ent->name);
  }
  nfs_closedir(nfs, dir);
  *empty = chosen == NULL;
  return chosen;
}

static gboolean read_file(struct nfs_context *nfs, SdProbeStep *step, const char *file,
                          gint64 deadline, GError **error)
{
  step_reset(step);
  g_autoptr(GError) open_error = NULL;
  if (!step_wait(nfs, step, nfs_open_async(nfs, file, O_RDONLY, step_cb, step), deadline, "open",
                 &open_error)) {
    /* A server in grace (after every takeover of the VIP, see sd_ganesha_takeover) takes no new
     * OPEN until its clients have reclaimed theirs; it has just answered the mount and the
     * GETATTR, so it serves the export: alive.  libnfs only tells the status in its text. */
    if (strstr(open_error->message, "NFS4ERR_GRACE") != NULL)
      return TRUE;
    g_propagate_error(error, g_steal_pointer(&open_error));
    return FALSE;
  }
  struct nfsfh *fh = step->data;

  g_autoptr(GByteArray) bytes = g_byte_array_new();
  step_reset(step);
  step->bytes = bytes;
  gboolean ok =
      step_wait(nfs, step, nfs_pread_async(nfs, fh, 0, SD_PROBE_READ_BYTES, step_cb, step),
                deadline, "read", error);
  step->bytes = NULL;

  /* Close even after a failed read so the server drops the open state; a close failure only
   * matters when everything else worked. */
  step_reset(step);
  gboolean closed = step_wait(nfs, step, nfs_close_async(nfs, fh, step_cb, step), deadline, "close",
                              ok ? error : NULL);
  return ok && closed;
}

/* @vip (an IPv4 or IPv6 literal) and @port as a socket address; its length, 0 if @vip is not
 * an address literal. */
static socklen_t sockaddr_of(const char *vip, guint16 port, struct sockaddr_storage *ss)
{
  struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
  memset(ss, 0, sizeof *ss);
  if (inet_pton(AF_INET, vip, &in4->sin_addr) == 1) {
    in4->sin_family = AF_INET;
    in4->sin_port = htons(port);
    return sizeof *in4;
  }
  if (inet_pton(AF_INET6, vip, &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    return sizeof *in6;
  }
  return 0;
}

/* libnfs 4.0 leaks its connect state when a context is destroyed while still connecting (a
 * probe of a VIP whose packets are dropped), so the TCP port is tried first with our own
 * deadline and libnfs only runs once the server has answered a SYN. */
static gboolean tcp_reachable(const char *vip, guint16 port, gint64 deadline, GError **error)
{
  struct sockaddr_storage ss;
  socklen_t len = sockaddr_of(vip, port, &ss);
  if (len == 0) {
    g_set_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_INVALID, "bad VIP %s", vip);
    return FALSE;
  }
  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    g_set_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_FAILED, "socket: %s", g_strerror(errno));
    return FALSE;
  }
  int err = 0;
  if (connect(fd, (struct sockaddr *)&ss, len) != 0) {
    err = errno;
    while (err == EINPROGRESS || err == EINTR) {
      gint64 left_ms = (deadline - g_get_monotonic_time()) / 1000;
      if (left_ms <= 0) {
        err = ETIMEDOUT;
        break;
      }
      struct pollfd pfd = {.fd = fd, .events = POLLOUT};
      int n = poll(&pfd, 1, (int)MIN(left_ms, 1000));
      if (n < 0 && errno == EINTR)
        continue;
      if (n > 0) {
        socklen_t elen = sizeof err;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0)
          err = errno;
        break;
      }
    }
  }
  close(fd);
  if (err == 0)
    return TRUE;
  g_set_error(
      error, SD_DRIVER_ERROR, err == ETIMEDOUT ? SD_DRIVER_ERROR_TIMEOUT : SD_DRIVER_ERROR_FAILED,
      "connect %s port %u: %s", vip, port, err == ETIMEDOUT ? "timed out" : g_strerror(err));
  return FALSE;
}

static gboolean probe(struct nfs_context *nfs, SdProbeStep *step, const char *vip,
                      const char *pseudo, guint depth, const char *file, gint64 deadline,
                      GError **error)
{
  nfs_set_version(nfs, NFS_V4);
  if (!step_wait(nfs, step, nfs_mount_async(nfs, vip, pseudo, step_cb, step), deadline, "mount",
                 error))
    return FALSE;
  step_reset(step);
  if (!step_wait(nfs, step, nfs_stat64_async(nfs, "", step_cb, step), deadline, "stat", error))
    return FALSE;
  if (depth < 20)
    return TRUE;

  g_autofree char *chosen = NULL;
  if (file == NULL) {
    gboolean empty = FALSE;
    chosen = pick_file(nfs, step, deadline, &empty, error);
    if (chosen == NULL)
      return empty; /* an empty export root has been read: that is all there is to read */
    file = chosen;
  }
  return read_file(nfs, step, file, deadline, error);
}

gboolean sd_probe_nfs_file(const char *vip, const char *pseudo, guint depth, const char *file,
                           guint timeout_ms, GError **error)
{
  SdProbeStep step = {0};

  if (!sd_vip_validate(vip, error))
    return FALSE;
  if (file != NULL && (strchr(file, '/') != NULL || g_str_equal(file, "..") || !*file)) {
    g_set_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_INVALID,
                "probe file must be a plain name in the export root");
    return FALSE;
  }
  struct nfs_context *nfs = nfs_init_context();
  if (nfs == NULL) {
    g_set_error(error, SD_DRIVER_ERROR, SD_DRIVER_ERROR_FAILED, "cannot create an NFS context");
    return FALSE;
  }
  gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
  if (!tcp_reachable(vip, 2049, deadline, error)) {
    nfs_destroy_context(nfs);
    return FALSE;
  }
  gboolean ok = probe(nfs, &step, vip, pseudo, depth, file, deadline, error);
  nfs_destroy_context(nfs);
  g_free(step.message);
  return ok;
}

gboolean sd_probe_nfs(const char *vip, const char *pseudo, guint depth, guint timeout_ms,
                      GError **error)
{
  return sd_probe_nfs_file(vip, pseudo, depth, NULL, timeout_ms, error);
}

gboolean sd_probe_address_is_local(const char *vip)
{
  /* bind() succeeds only for a local address (no IP_FREEBIND): the kernel's own answer,
   * without walking the interface list. */
  struct sockaddr_storage ss;
  socklen_t len = sockaddr_of(vip, 0, &ss);
  if (len == 0)
    return FALSE;
  int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return FALSE;
  gboolean local = bind(fd, (struct sockaddr *)&ss, len) == 0;
  close(fd);
  return local;
}
