/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "rhs-peer.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define RHS_PEER_LINE_MAX 512      /* the SASL lines of a sane client are far shorter */
#define RHS_PEER_AUTH_TIMEOUT_S 10 /* a client that stalls mid-handshake is dropped */
#define RHS_PEER_ANSWER_MAX 4096   /* larger calls go to GDBus at once */
/* Serials of the replies sent here, far from the ones GDBus counts from 1 after a handover. */
#define RHS_PEER_FIRST_SERIAL 0x80000000u

struct RhsPeer {
  char *path;
  char *guid;
  int fd;
  guint watch;
  GList *pending; /* Pending */
  RhsPeerNewConnection cb;
  RhsPeerAnswer answer;
  gpointer cb_data;
};

/* One connection before GDBus has it: SASL, then the calls answered here. */
typedef struct {
  RhsPeer *peer;
  int fd;
  uid_t uid;
  gboolean got_nul; /* the credentials byte that precedes the first line */
  gboolean ok;      /* OK sent: only NEGOTIATE_UNIX_FD and BEGIN (or a new AUTH) remain */
  gboolean want_data;
  gboolean begun;                   /* BEGIN seen: D-Bus messages follow */
  guint32 serial;                   /* of the next reply sent here */
  char line[RHS_PEER_LINE_MAX + 1]; /* the SASL line being read */
  gsize line_len;
  guint watch;
  guint timeout;
} Pending;

static void pending_free(Pending *p, gboolean close_fd)
{
  if (p->watch != 0)
    g_source_remove(p->watch);
  if (p->timeout != 0)
    g_source_remove(p->timeout);
  if (close_fd && p->fd >= 0)
    close(p->fd);
  p->peer->pending = g_list_remove(p->peer->pending, p);
  g_free(p);
}

static gboolean send_line(Pending *p, const char *line)
{
  g_autofree char *s = g_strconcat(line, "\r\n", NULL);
  gsize len = strlen(s);
  /* A few dozen bytes into an empty socket buffer: a short write means a broken client. */
  ssize_t n;
  while ((n = send(p->fd, s, len, MSG_NOSIGNAL | MSG_DONTWAIT)) < 0 && errno == EINTR)
    ;
  return n == (ssize_t)len;
}

/* EXTERNAL's identity: hex of the decimal uid; empty means "the one the socket shows". */
static gboolean external_matches(const Pending *p, const char *hex)
{
  if (*hex == '\0')
    return TRUE;
  gsize len = strlen(hex);
  if (len % 2 != 0 || len > 64)
    return FALSE;
  char text[33];
  for (gsize i = 0; i < len / 2; i++) {
    int hi = g_ascii_xdigit_value(hex[2 * i]), lo = g_ascii_xdigit_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return FALSE;
    text[i] = (char)(hi * 16 + lo);
  }
  text[len / 2] = '\0';
  g_autofree char *want = g_strdup_printf("%u", (unsigned)p->uid);
  return strcmp(text, want) == 0;
}

static gboolean accept_identity(Pending *p, const char *hex)
{
  if (!external_matches(p, hex))
    return send_line(p, "REJECTED EXTERNAL");
  g_autofree char *ok = g_strconcat("OK ", p->peer->guid, NULL);
  p->ok = TRUE;
  return send_line(p, ok);
}

/* Returns FALSE to drop the client; sets *begun after BEGIN. */
static gboolean handle_line(Pending *p, const char *line, gboolean *begun)
{
  if (p->want_data) {
    p->want_data = FALSE;
    if (strcmp(line, "DATA") == 0)
      return accept_identity(p, "");
    if (g_str_has_prefix(line, "DATA "))
      return accept_identity(p, line + 5);
    if (strcmp(line, "CANCEL") == 0)
      return send_line(p, "REJECTED EXTERNAL");
    return send_line(p, "ERROR");
  }
  if (strcmp(line, "AUTH EXTERNAL") == 0) {
    p->ok = FALSE;
    p->want_data = TRUE;
    return send_line(p, "DATA");
  }
  if (g_str_has_prefix(line, "AUTH EXTERNAL ")) {
    p->ok = FALSE;
    return accept_identity(p, line + 14);
  }
  if (strcmp(line, "AUTH") == 0 || g_str_has_prefix(line, "AUTH ") || strcmp(line, "CANCEL") == 0)
    return send_line(p, "REJECTED EXTERNAL");
  if (p->ok && strcmp(line, "BEGIN") == 0) {
    *begun = TRUE;
    return TRUE;
  }
  if (p->ok && strcmp(line, "NEGOTIATE_UNIX_FD") == 0)
    return send_line(p, "ERROR unix fd passing is not offered"); /* nothing here needs it */
  return send_line(p, "ERROR");
}

static void hand_over(Pending *p)
{
  RhsPeer *peer = p->peer;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) sock = g_socket_new_from_fd(p->fd, &error);
  if (sock == NULL) {
    g_warning("peer connection: %s", error->message);
    pending_free(p, TRUE);
    return;
  }
  p->fd = -1; /* the socket owns it now */
  pending_free(p, FALSE);
  g_autoptr(GSocketConnection) stream = g_socket_connection_factory_create_connection(sock);
  /* No AUTHENTICATION_* flag: GDBus does no SASL of its own on this stream. */
  g_autoptr(GDBusConnection) conn = g_dbus_connection_new_sync(
      G_IO_STREAM(stream), NULL, G_DBUS_CONNECTION_FLAGS_DELAY_MESSAGE_PROCESSING, NULL, NULL,
      &error);
  if (conn == NULL) {
    g_warning("peer connection: %s", error->message);
    return;
  }
  peer->cb(conn, peer->cb_data);
}

/*
 * After BEGIN: calls the answer callback can take (a complete message already in the socket,
 * peeked, answered, then consumed) are answered here; at the first one it cannot, the
 * connection goes to GDBus with that call still unread.  A client that just closes never costs
 * a GDBusConnection.  Returns FALSE once @p is gone.
 */
static gboolean pending_messages(Pending *p)
{
  for (;;) {
    guchar head[16];
    ssize_t n;
    while ((n = recv(p->fd, head, sizeof(head), MSG_PEEK | MSG_DONTWAIT)) < 0 && errno == EINTR)
      ;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      return TRUE;
    if (n <= 0)
      break; /* the client is done */
    if (n < (ssize_t)sizeof(head)) {
      hand_over(p); /* a partial message: GDBus waits for the rest (no peeking spin here) */
      return FALSE;
    }
    gssize need = g_dbus_message_bytes_needed(head, sizeof(head), NULL);
    if (need <= 0 || need > RHS_PEER_ANSWER_MAX) {
      hand_over(p);
      return FALSE;
    }
    g_autofree guchar *blob = g_malloc((gsize)need);
    while ((n = recv(p->fd, blob, (gsize)need, MSG_PEEK | MSG_DONTWAIT)) < 0 && errno == EINTR)
      ;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      return TRUE;
    if (n <= 0)
      break;
    if (n < need) {
      hand_over(p);
      return FALSE;
    }
    g_autoptr(GDBusMessage) call =
        g_dbus_message_new_from_blob(blob, (gsize)need, G_DBUS_CAPABILITY_FLAGS_NONE, NULL);
    g_autoptr(GDBusMessage) reply = call != NULL ? p->peer->answer(call, p->peer->cb_data) : NULL;
    if (reply == NULL) {
      hand_over(p);
      return FALSE;
    }
    if (recv(p->fd, blob, (gsize)need, MSG_DONTWAIT) != need)
      break;
    if (g_dbus_message_get_flags(call) & G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED)
      continue;
    g_dbus_message_set_serial(reply, p->serial++);
    gsize size = 0;
    g_autofree guchar *out =
        g_dbus_message_to_blob(reply, &size, G_DBUS_CAPABILITY_FLAGS_NONE, NULL);
    /* A short reply into an empty socket buffer: anything but a full write is a dead client. */
    if (out == NULL || send(p->fd, out, size, MSG_NOSIGNAL | MSG_DONTWAIT) != (gssize)size)
      break;
  }
  pending_free(p, TRUE);
  return FALSE;
}

/* Reads the complete lines available (peeking first: never past BEGIN).  Returns FALSE once
 * @p is gone (handed over or dropped). */
static gboolean pending_run(Pending *p)
{
  if (p->begun)
    return pending_messages(p);
  for (;;) {
    char buf[RHS_PEER_LINE_MAX];
    ssize_t n;
    while ((n = recv(p->fd, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT)) < 0 && errno == EINTR)
      ;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      return TRUE; /* wait for more */
    if (n <= 0)
      break; /* closed or failed */
    if (!p->got_nul) {
      if (buf[0] != '\0')
        break;
      if (recv(p->fd, buf, 1, MSG_DONTWAIT) != 1)
        break;
      p->got_nul = TRUE;
      continue;
    }
    /* Up to the line end, or all of a partial line: nothing peeked stays unread, else the
     * level-triggered watch would spin while a slow client completes its line. */
    char *end = memchr(buf, '\n', (gsize)n);
    gsize take = end != NULL ? (gsize)(end - buf) + 1 : (gsize)n;
    if (p->line_len + take > RHS_PEER_LINE_MAX ||
        recv(p->fd, p->line + p->line_len, take, MSG_DONTWAIT) != (ssize_t)take)
      break;
    p->line_len += take;
    if (end == NULL)
      return TRUE;
    p->line[p->line_len - 1] = '\0';
    if (p->line_len >= 2 && p->line[p->line_len - 2] == '\r')
      p->line[p->line_len - 2] = '\0';
    p->line_len = 0;
    gboolean begun = FALSE;
    if (!handle_line(p, p->line, &begun))
      break;
    if (begun) {
      /* Authenticated: an idle client may stay, as on any D-Bus connection. */
      p->begun = TRUE;
      g_source_remove(p->timeout);
      p->timeout = 0;
      return pending_messages(p);
    }
  }
  pending_free(p, TRUE);
  return FALSE;
}

static gboolean on_pending_readable(int fd, GIOCondition cond, gpointer data)
{
  return pending_run(data) ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static gboolean on_pending_timeout(gpointer data)
{
  Pending *p = data;
  p->timeout = 0;
  pending_free(p, TRUE);
  return G_SOURCE_REMOVE;
}

static void on_client(RhsPeer *peer, int fd)
{
  struct ucred cred;
  socklen_t len = sizeof(cred);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
    close(fd);
    return;
  }
  /* The peer socket bypasses the bus policy, so it enforces the same rule: root only. */
  if (cred.uid != 0) {
    g_message("peer connection from uid %u refused", (unsigned)cred.uid);
    close(fd);
    return;
  }
  Pending *p = g_new0(Pending, 1);
  p->peer = peer;
  p->fd = fd;
  p->uid = cred.uid;
  p->serial = RHS_PEER_FIRST_SERIAL;
  peer->pending = g_list_prepend(peer->pending, p);
  p->timeout = g_timeout_add_seconds(RHS_PEER_AUTH_TIMEOUT_S, on_pending_timeout, p);
  p->watch = g_unix_fd_add(fd, G_IO_IN, on_pending_readable, p);
  pending_run(p); /* a pipelining client's lines are usually there already */
}

static gboolean on_listen_readable(int fd, GIOCondition cond, gpointer data)
{
  RhsPeer *peer = data;
  for (;;) {
    int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (c < 0) {
      if (errno == EINTR || errno == ECONNABORTED)
        continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        g_warning("accept on %s: %s", peer->path, g_strerror(errno));
      return G_SOURCE_CONTINUE;
    }
    on_client(peer, c);
  }
}

RhsPeer *rhs_peer_new(const char *path, RhsPeerNewConnection cb, RhsPeerAnswer answer,
                      gpointer user_data, GError **error)
{
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof(addr.sun_path)) {
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "socket path too long: %s", path);
    return NULL;
  }
  strcpy(addr.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0 || (g_unlink(path) != 0 && errno != ENOENT) ||
      bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(fd, SOMAXCONN) != 0) {
    int err = errno;
    g_set_error(error, G_IO_ERROR, g_io_error_from_errno(err), "cannot listen on %s: %s", path,
                g_strerror(err));
    if (fd >= 0)
      close(fd);
    return NULL;
  }
  RhsPeer *peer = g_new0(RhsPeer, 1);
  peer->path = g_strdup(path);
  peer->guid = g_dbus_generate_guid();
  peer->fd = fd;
  peer->cb = cb;
  peer->answer = answer;
  peer->cb_data = user_data;
  peer->watch = g_unix_fd_add(fd, G_IO_IN, on_listen_readable, peer);
  return peer;
}

void rhs_peer_free(RhsPeer *peer)
{
  if (peer == NULL)
    return;
  while (peer->pending != NULL)
    pending_free(peer->pending->data, TRUE);
  g_source_remove(peer->watch);
  close(peer->fd);
  g_unlink(peer->path);
  g_free(peer->path);
  g_free(peer->guid);
  g_free(peer);
}
