/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ocf-wire.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define DBUS_DEFAULT_SYSTEM_BUS "unix:path=/var/run/dbus/system_bus_socket"
#define MAX_MESSAGE (64u * 1024 * 1024)
#define MAX_DEPTH 32

/* Message types, flags and header fields (D-Bus specification). */
enum { MSG_METHOD_CALL = 1, MSG_METHOD_RETURN = 2, MSG_ERROR = 3 };
enum { FLAG_NO_AUTO_START = 0x2 };
enum {
  FIELD_PATH = 1,
  FIELD_INTERFACE = 2,
  FIELD_MEMBER = 3,
  FIELD_ERROR_NAME = 4,
  FIELD_REPLY_SERIAL = 5,
  FIELD_DESTINATION = 6,
  FIELD_SIGNATURE = 8,
};

G_DEFINE_QUARK(ocf - wire - error - quark, ocf_wire_error)

/* Received bytes not consumed yet: one recv() usually brings a whole reply. */
#define INBUF_SIZE 4096

struct OcfWire {
  int fd;
  guint32 serial;
  GByteArray *pending;   /* bytes to send with the next message (the authentication) */
  gboolean auth_pending; /* the server's answer to AUTH is still to be read */
  guint8 inbuf[INBUF_SIZE];
  gsize in_start, in_end;
};

/* ---- marshalling ------------------------------------------------------------------------- */

static gsize type_alignment(const GVariantType *t)
{
  switch (g_variant_type_peek_string(t)[0]) {
  case 'n':
  case 'q':
    return 2;
  case 'b':
  case 'i':
  case 'u':
  case 'h':
  case 's':
  case 'o':
  case 'a':
    return 4;
  case 'x':
  case 't':
  case 'd':
  case '(':
  case '{':
    return 8;
  default: /* y g v */
    return 1;
  }
}

static void pad_to(GByteArray *b, gsize align)
{
  static const guint8 zeros[8] = {0};

  if (b->len % align != 0)
    g_byte_array_append(b, zeros, (guint)(align - b->len % align));
}

static void put_u32(GByteArray *b, guint32 v)
{
  pad_to(b, 4);
  v = GUINT32_TO_LE(v);
  g_byte_array_append(b, (const guint8 *)&v, 4);
}

static void put(GByteArray *b, GVariant *v)
{
  switch (g_variant_classify(v)) {
  case G_VARIANT_CLASS_BOOLEAN:
    put_u32(b, g_variant_get_boolean(v) ? 1 : 0);
    break;
  case G_VARIANT_CLASS_BYTE: {
    guint8 y = g_variant_get_byte(v);
    g_byte_array_append(b, &y, 1);
    break;
  }
  case G_VARIANT_CLASS_INT16:
  case G_VARIANT_CLASS_UINT16: {
    guint16 q;
    memcpy(&q, g_variant_get_data(v), 2);
    q = GUINT16_TO_LE(q);
    pad_to(b, 2);
    g_byte_array_append(b, (const guint8 *)&q, 2);
    break;
  }
  case G_VARIANT_CLASS_INT32:
  case G_VARIANT_CLASS_UINT32:
  case G_VARIANT_CLASS_HANDLE: {
    guint32 u;
    memcpy(&u, g_variant_get_data(v), 4);
    put_u32(b, u);
    break;
  }
  case G_VARIANT_CLASS_INT64:
  case G_VARIANT_CLASS_UINT64:
  case G_VARIANT_CLASS_DOUBLE: {
    guint64 t;
    memcpy(&t, g_variant_get_data(v), 8);
    t = GUINT64_TO_LE(t);
    pad_to(b, 8);
    g_byte_array_append(b, (const guint8 *)&t, 8);
    break;
  }
  case G_VARIANT_CLASS_STRING:
  case G_VARIANT_CLASS_OBJECT_PATH: {
    gsize len = 0;
    const char *s = g_variant_get_string(v, &len);
    put_u32(b, (guint32)len);
    g_byte_array_append(b, (const guint8 *)s, (guint)len + 1);
    break;
  }
  case G_VARIANT_CLASS_SIGNATURE: {
    gsize len = 0;
    const char *s = g_variant_get_string(v, &len);
    guint8 l = (guint8)len;
    g_byte_array_append(b, &l, 1);
    g_byte_array_append(b, (const guint8 *)s, (guint)len + 1);
    break;
  }
  case G_VARIANT_CLASS_VARIANT: {
    g_autoptr(GVariant) inner = g_variant_get_variant(v);
    const char *sig = g_variant_get_type_string(inner);
    guint8 l = (guint8)strlen(sig);
    g_byte_array_append(b, &l, 1);
    g_byte_array_append(b, (const guint8 *)sig, (guint)l + 1);
    put(b, inner);
    break;
  }
  case G_VARIANT_CLASS_ARRAY: {
    put_u32(b, 0);
    guint len_at = b->len - 4;
    pad_to(b, type_alignment(g_variant_type_element(g_variant_get_type(v))));
    guint start = b->len;
    gsize n = g_variant_n_children(v);
    for (gsize i = 0; i < n; i++) {
      g_autoptr(GVariant) child = g_variant_get_child_value(v, i);
      put(b, child);
    }
    guint32 len = GUINT32_TO_LE(b->len - start);
    memcpy(b->data + len_at, &len, 4);
    break;
  }
  case G_VARIANT_CLASS_TUPLE:
  case G_VARIANT_CLASS_DICT_ENTRY: {
    pad_to(b, 8);
    gsize n = g_variant_n_children(v);
    for (gsize i = 0; i < n; i++) {
      g_autoptr(GVariant) child = g_variant_get_child_value(v, i);
      put(b, child);
    }
    break;
  }
  case G_VARIANT_CLASS_MAYBE:
    g_assert_not_reached(); /* D-Bus has no maybe type */
  }
}

GByteArray *ocf_wire_marshal(GVariant *value)
{
  GByteArray *b = g_byte_array_new();

  put(b, value);
  return b;
}

typedef struct {
  const guint8 *data;
  gsize size;
  gsize pos;
} Reader;

static gboolean align_reader(Reader *r, gsize align)
{
  gsize to = (r->pos + align - 1) / align * align;

  if (to > r->size)
    return FALSE;
  r->pos = to;
  return TRUE;
}

static gboolean take(Reader *r, gsize align, gsize n, const guint8 **out)
{
  if (!align_reader(r, align) || r->size - r->pos < n)
    return FALSE;
  *out = r->data + r->pos;
  r->pos += n;
  return TRUE;
}

static gboolean take_u32(Reader *r, guint32 *out)
{
  const guint8 *p;

  if (!take(r, 4, 4, &p))
    return FALSE;
  memcpy(out, p, 4);
  *out = GUINT32_FROM_LE(*out);
  return TRUE;
}

/* A string of @len bytes plus its NUL, valid UTF-8 without inner NULs. */
static const char *take_string(Reader *r, gsize len)
{
  const guint8 *p;

  if (!take(r, 1, len + 1, &p) || p[len] != '\0' || memchr(p, '\0', len) != NULL ||
      !g_utf8_validate((const char *)p, (gssize)len, NULL))
    return NULL;
  return (const char *)p;
}

static GVariant *get(Reader *r, const GVariantType *t, guint depth);

static GVariant *get_array(Reader *r, const GVariantType *t, guint depth)
{
  const GVariantType *elem = g_variant_type_element(t);
  guint32 len = 0;

  if (!take_u32(r, &len) || len > MAX_MESSAGE || !align_reader(r, type_alignment(elem)) ||
      r->size - r->pos < len)
    return NULL;
  gsize end = r->pos + len;
  if (g_variant_type_equal(elem, G_VARIANT_TYPE_BYTE)) {
    r->pos = end;
    return g_variant_new_fixed_array(elem, r->data + end - len, len, 1);
  }
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func((GDestroyNotify)g_variant_unref);
  Reader sub = {r->data, end, r->pos};
  while (sub.pos < end) {
    GVariant *child = get(&sub, elem, depth + 1);
    if (child == NULL)
      return NULL;
    g_ptr_array_add(items, g_variant_ref_sink(child));
  }
  r->pos = end;
  return g_variant_new_array(elem, (GVariant *const *)items->pdata, items->len);
}

static GVariant *get_tuple(Reader *r, const GVariantType *t, guint depth)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func((GDestroyNotify)g_variant_unref);

  if (!align_reader(r, 8))
    return NULL;
  for (const GVariantType *m = g_variant_type_first(t); m != NULL; m = g_variant_type_next(m)) {
    GVariant *child = get(r, m, depth + 1);
    if (child == NULL)
      return NULL;
    g_ptr_array_add(items, g_variant_ref_sink(child));
  }
  if (g_variant_type_is_dict_entry(t))
    return g_variant_new_dict_entry(items->pdata[0], items->pdata[1]);
  return g_variant_new_tuple((GVariant *const *)items->pdata, items->len);
}

static GVariant *get_variant(Reader *r, guint depth)
{
  const guint8 *l;

  if (!take(r, 1, 1, &l))
    return NULL;
  const char *sig = take_string(r, *l);
  if (sig == NULL || !g_variant_type_string_is_valid(sig))
    return NULL;
  GVariant *inner = get(r, G_VARIANT_TYPE(sig), depth + 1);
  return inner != NULL ? g_variant_new_variant(inner) : NULL;
}

static GVariant *get(Reader *r, const GVariantType *t, guint depth)
{
  const guint8 *p;
  guint32 u = 0;

  if (depth > MAX_DEPTH)
    return NULL;
  switch (g_variant_type_peek_string(t)[0]) {
  case 'y':
    return take(r, 1, 1, &p) ? g_variant_new_byte(*p) : NULL;
  case 'b':
    return take_u32(r, &u) && u <= 1 ? g_variant_new_boolean(u) : NULL;
  case 'n':
  case 'q': {
    guint16 q;
    if (!take(r, 2, 2, &p))
      return NULL;
    memcpy(&q, p, 2);
    q = GUINT16_FROM_LE(q);
    return g_variant_type_peek_string(t)[0] == 'n' ? g_variant_new_int16((gint16)q)
                                                   : g_variant_new_uint16(q);
  }
  case 'i':
    return take_u32(r, &u) ? g_variant_new_int32((gint32)u) : NULL;
  case 'u':
    return take_u32(r, &u) ? g_variant_new_uint32(u) : NULL;
  case 'h':
    return take_u32(r, &u) ? g_variant_new_handle((gint32)u) : NULL;
  case 'x':
  case 't':
  case 'd': {
    guint64 v;
    if (!take(r, 8, 8, &p))
      return NULL;
    memcpy(&v, p, 8);
    v = GUINT64_FROM_LE(v);
    switch (g_variant_type_peek_string(t)[0]) {
    case 'x':
      return g_variant_new_int64((gint64)v);
    case 't':
      return g_variant_new_uint64(v);
    default: {
      gdouble d;
      memcpy(&d, &v, 8);
      return g_variant_new_double(d);
    }
    }
  }
  case 's':
  case 'o': {
    const char *s;
    if (!take_u32(r, &u) || (s = take_string(r, u)) == NULL)
      return NULL;
    if (g_variant_type_peek_string(t)[0] == 'o')
      return g_variant_is_object_path(s) ? g_variant_new_object_path(s) : NULL;
    return g_variant_new_string(s);
  }
  case 'g': {
    const char *s;
    if (!take(r, 1, 1, &p) || (s = take_string(r, *p)) == NULL || !g_variant_is_signature(s))
      return NULL;
    return g_variant_new_signature(s);
  }
  case 'v':
    return get_variant(r, depth);
  case 'a':
    return get_array(r, t, depth);
  case '(':
  case '{':
    return get_tuple(r, t, depth);
  default:
    return NULL;
  }
}

GVariant *ocf_wire_demarshal(const guint8 *data, gsize size, const GVariantType *type)
{
  Reader r = {data, size, 0};
  GVariant *v = get(&r, type, 0);

  return v != NULL ? g_variant_ref_sink(v) : NULL;
}

/* ---- transport --------------------------------------------------------------------------- */

static int poll_until(int fd, short events, gint64 deadline)
{
  struct pollfd p = {.fd = fd, .events = events};

  for (;;) {
    gint64 left = (deadline - g_get_monotonic_time() + 999) / 1000;
    if (left <= 0)
      return 0;
    int n = poll(&p, 1, (int)MIN(left, (gint64)G_MAXINT));
    if (n >= 0 || errno != EINTR)
      return n;
  }
}

static gboolean send_all(OcfWire *w, const guint8 *data, gsize len, gint64 deadline, GError **error)
{
  while (len > 0) {
    ssize_t n = send(w->fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      data += n;
      len -= (gsize)n;
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno == EAGAIN && poll_until(w->fd, POLLOUT, deadline) > 0)
      continue;
    g_set_error(error, OCF_WIRE_ERROR,
                n < 0 && errno == EAGAIN ? OCF_WIRE_ERROR_TIMEOUT : OCF_WIRE_ERROR_IO,
                "D-Bus send: %s", n < 0 ? g_strerror(errno) : "closed");
    return FALSE;
  }
  return TRUE;
}

/* One recv() of whatever is there, waiting until the deadline for something. */
static gssize recv_some(OcfWire *w, guint8 *buf, gsize len, gint64 deadline, GError **error)
{
  for (;;) {
    ssize_t n = recv(w->fd, buf, len, MSG_DONTWAIT);
    if (n > 0)
      return n;
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno == EAGAIN) {
      if (poll_until(w->fd, POLLIN, deadline) > 0)
        continue;
      g_set_error_literal(error, OCF_WIRE_ERROR, OCF_WIRE_ERROR_TIMEOUT,
                          "timed out waiting for a D-Bus reply");
      return -1;
    }
    g_set_error(error, OCF_WIRE_ERROR, OCF_WIRE_ERROR_IO, "D-Bus receive: %s",
                n < 0 ? g_strerror(errno) : "connection closed");
    return -1;
  }
}

static gboolean recv_exact(OcfWire *w, guint8 *buf, gsize len, gint64 deadline, GError **error)
{
  while (len > 0) {
    if (w->in_start == w->in_end) {
      /* big reads straight to the caller, small ones through the buffer */
      if (len >= INBUF_SIZE) {
        gssize n = recv_some(w, buf, len, deadline, error);
        if (n < 0)
          return FALSE;
        buf += n;
        len -= (gsize)n;
        continue;
      }
      gssize n = recv_some(w, w->inbuf, INBUF_SIZE, deadline, error);
      if (n < 0)
        return FALSE;
      w->in_start = 0;
      w->in_end = (gsize)n;
    }
    gsize take_n = MIN(len, w->in_end - w->in_start);
    memcpy(buf, w->inbuf + w->in_start, take_n);
    w->in_start += take_n;
    buf += take_n;
    len -= take_n;
  }
  return TRUE;
}

/* "%xx" escapes of D-Bus addresses. */
static char *unescape(const char *s)
{
  return g_uri_unescape_string(s, NULL);
}

static int connect_unix(const char *entry, GError **error)
{
  g_auto(GStrv) kv = g_strsplit(entry + strlen("unix:"), ",", -1);
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  socklen_t salen = 0;

  for (guint i = 0; kv[i] != NULL; i++) {
    gboolean abstract = g_str_has_prefix(kv[i], "abstract=");
    if (!abstract && !g_str_has_prefix(kv[i], "path="))
      continue;
    g_autofree char *path = unescape(strchr(kv[i], '=') + 1);
    gsize off = abstract ? 1 : 0;
    if (path == NULL || strlen(path) + off >= sizeof(sa.sun_path))
      break;
    memcpy(sa.sun_path + off, path, strlen(path));
    salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + off + strlen(path) +
                        (abstract ? 0 : 1));
  }
  if (salen == 0) {
    g_set_error(error, OCF_WIRE_ERROR, OCF_WIRE_ERROR_CONNECT, "unsupported D-Bus address %s",
                entry);
    return -1;
  }
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, salen) == 0)
    return fd;
  g_set_error(error, OCF_WIRE_ERROR, OCF_WIRE_ERROR_CONNECT, "%s: %s", entry, g_strerror(errno));
  if (fd >= 0)
    close(fd);
  return -1;
}

/*
 * SASL EXTERNAL (the kernel vouches for our uid), pipelined: AUTH and BEGIN go out with the
 * first message, and the server's OK is read before its reply.  Both dbus-daemon and GDBus
 * servers read the authentication line by line, so nothing of the message is lost, and the
 * agent saves a round trip on every call.
 */
static void queue_auth(OcfWire *w)
{
  g_autofree char *uid = g_strdup_printf("%u", (unsigned)geteuid());
  g_autoptr(GString) line = g_string_new(NULL);

  g_string_append_c(line, '\0');
  g_string_append(line, "AUTH EXTERNAL ");
  for (const char *p = uid; *p != '\0'; p++)
    g_string_append_printf(line, "%02x", (guchar)*p);
  g_string_append(line, "\r\nBEGIN\r\n");
  g_byte_array_append(w->pending, (const guint8 *)line->str, (guint)line->len);
  w->auth_pending = TRUE;
}

static gboolean read_auth_reply(OcfWire *w, gint64 deadline, GError **error)
{
  char line[512];
  gsize got = 0;

  while (got < 2 || line[got - 2] != '\r' || line[got - 1] != '\n') {
    if (got == sizeof(line) - 1) {
      g_set_error_literal(error, OCF_WIRE_ERROR, OCF_WIRE_ERROR_CONNECT, "D-Bus auth line");
      return FALSE;
    }
    if (!recv_exact(w, (guint8 *)line + got, 1, deadline, error))
      return FALSE;
    got++;
  }
  line[got] = '\0';
  w->auth_pending = FALSE;
  if (!g_str_has_prefix(line, "OK ")) {
    g_strchomp(line);
    g_set_error(error, OCF_WIRE_ERROR, OCF_WIRE_ERROR_CONNECT, "D-Bus authentication refused: %s",
                line);
    return FALSE;
  }
  return TRUE;
}

const char *ocf_wire_system_bus_address(void)
{
  const char *a = g_getenv("DBUS_SYSTEM_BUS_ADDRESS");

  return a != NULL && *a != '\0' ? a : DBUS_DEFAULT_SYSTEM_BUS;
}

OcfWire *ocf_wire_connect(const char *address, gboolean bus, gint64 deadline, GError **error)
{
  g_auto(GStrv) entries = g_strsplit(address, ";", -1);
  g_autoptr(GError) last = NULL;
  g_autoptr(OcfWire) w = g_new0(OcfWire, 1);

  w->fd = -1;
  w->pending = g_byte_array_new();
  for (guint i = 0; entries[i] != NULL && w->fd < 0; i++) {
    if (!g_str_has_prefix(entries[i], "unix:"))
      continue;
    g_clear_error(&last);
    w->fd = connect_unix(entries[i], &last);
  }
  if (w->fd < 0) {
    if (last != NULL)
      g_propagate_error(error, g_steal_pointer(&last));
    else
      g_set_error(error, OCF_WIRE_ERROR, OCF_WIRE_ERROR_CONNECT, "no usable address in %s",
                  address);
    return NULL;
  }
  queue_auth(w);
  if (bus) {
    g_autoptr(GVariant) hello =
        ocf_wire_call(w, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                      "Hello", NULL, G_VARIANT_TYPE("(s)"), FALSE, deadline, error);
    if (hello == NULL)
      return NULL;
  }
  return g_steal_pointer(&w);
}

void ocf_wire_free(OcfWire *wire)
{
  if (wire == NULL)
    return;
  if (wire->fd >= 0)
    close(wire->fd);
  g_byte_array_unref(wire->pending);
  g_free(wire);
}

static GVariant *field(guint8 code, GVariant *value)
{
  return g_variant_new("(yv)", code, value);
}

static GByteArray *build_call(OcfWire *w, const char *dest, const char *path, const char *iface,
                              const char *method, GVariant *args, gboolean auto_start)
{
  g_autoptr(GByteArray) body = args != NULL ? ocf_wire_marshal(args) : g_byte_array_new();
  GVariantBuilder fields;

  g_variant_builder_init(&fields, G_VARIANT_TYPE("a(yv)"));
  g_variant_builder_add_value(&fields, field(FIELD_PATH, g_variant_new_object_path(path)));
  g_variant_builder_add_value(&fields, field(FIELD_INTERFACE, g_variant_new_string(iface)));
  g_variant_builder_add_value(&fields, field(FIELD_MEMBER, g_variant_new_string(method)));
  if (dest != NULL)
    g_variant_builder_add_value(&fields, field(FIELD_DESTINATION, g_variant_new_string(dest)));
  if (args != NULL && g_variant_n_children(args) > 0) {
    /* the body signature is the tuple's type without its parentheses */
    const char *t = g_variant_get_type_string(args);
    g_autofree char *sig = g_strndup(t + 1, strlen(t) - 2);
    g_variant_builder_add_value(&fields, field(FIELD_SIGNATURE, g_variant_new_signature(sig)));
  }
  g_autoptr(GVariant) header = g_variant_ref_sink(
      g_variant_new("(yyyyuua(yv))", 'l', MSG_METHOD_CALL, auto_start ? 0 : FLAG_NO_AUTO_START, 1,
                    body->len, ++w->serial, &fields));
  GByteArray *msg = g_byte_array_new();
  g_byte_array_append(msg, w->pending->data, w->pending->len);
  g_byte_array_set_size(w->pending, 0);
  guint base = msg->len;
  g_autoptr(GByteArray) h = ocf_wire_marshal(header);
  g_byte_array_append(msg, h->data, h->len);
  while ((msg->len - base) % 8 != 0)
    g_byte_array_append(msg, (const guint8 *)"", 1);
  g_byte_array_append(msg, body->data, body->len);
  return msg;
}

typedef struct {
  guint8 type;
  guint32 reply_serial;
  const char *error_name;
  const char *signature;
} Header;

static gboolean parse_header(GVariant *header, Header *h)
{
  g_autoptr(GVariantIter) it = NULL;
  guint8 endian, flags, version, code;
  guint32 body_len, serial;
  GVariant *value;

  g_variant_get(header, "(yyyyuua(yv))", &endian, &h->type, &flags, &version, &body_len, &serial,
                &it);
  while (g_variant_iter_next(it, "(yv)", &code, &value)) {
    if (code == FIELD_REPLY_SERIAL && g_variant_is_of_type(value, G_VARIANT_TYPE_UINT32))
      h->reply_serial = g_variant_get_uint32(value);
    else if (code == FIELD_ERROR_NAME && g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
      h->error_name = g_variant_get_string(value, NULL); /* points into @header */
    else if (code == FIELD_SIGNATURE && g_variant_is_of_type(value, G_VARIANT_TYPE_SIGNATURE))
      h->signature = g_variant_get_string(value, NULL);
    g_variant_unref(value);
  }
  return version == 1;
}

/* Reads one whole message: header and body. */
static gboolean read_message(OcfWire *w, GVariant **header, GBytes **body, gint64 deadline,
                             GError **error)
{
  guint8 fixed[16];
  guint32 body_len, fields_len;

  if (!recv_exact(w, fixed, sizeof(fixed), deadline, error))
    return FALSE;
  memcpy(&body_len, fixed + 4, 4);
  memcpy(&fields_len, fixed + 12, 4);
  body_len = GUINT32_FROM_LE(body_len);
  fields_len = GUINT32_FROM_LE(fields_len);
  if (fixed[0] != 'l' || body_len > MAX_MESSAGE || fields_len > MAX_MESSAGE) {
    g_set_error_literal(error, OCF_WIRE_ERROR, OCF_WIRE_ERROR_IO,
                        "unsupported D-Bus message (big-endian or too large)");
    return FALSE;
  }
  gsize header_len = 16 + fields_len;
  gsize padded = (header_len + 7) / 8 * 8;
  g_autofree guint8 *buf = g_malloc(padded + body_len);
  memcpy(buf, fixed, sizeof(fixed));
  if (!recv_exact(w, buf + 16, padded - 16 + body_len, deadline, error))
    return FALSE;
  *header = ocf_wire_demarshal(buf, header_len, G_VARIANT_TYPE("(yyyyuua(yv))"));
  if (*header == NULL) {
    g_set_error_literal(error, OCF_WIRE_ERROR, OCF_WIRE_ERROR_IO, "malformed D-Bus header");
    return FALSE;
  }
  *body = g_bytes_new(buf + padded, body_len);
  return TRUE;
}

static GVariant *decode_body(const Header *h, GBytes *body, GError **error)
{
  g_autofree char *tuple = g_strdup_printf("(%s)", h->signature != NULL ? h->signature : "");

  if (!g_variant_type_string_is_valid(tuple)) {
    g_set_error_literal(error, OCF_WIRE_ERROR, OCF_WIRE_ERROR_IO, "bad D-Bus body signature");
    return NULL;
  }
  gsize size = 0;
  const guint8 *data = g_bytes_get_data(body, &size);
  GVariant *v = ocf_wire_demarshal(data, size, G_VARIANT_TYPE(tuple));
  if (v == NULL)
    g_set_error_literal(error, OCF_WIRE_ERROR, OCF_WIRE_ERROR_IO, "malformed D-Bus body");
  return v;
}

GVariant *ocf_wire_call(OcfWire *wire, const char *dest, const char *path, const char *iface,
                        const char *method, GVariant *args, const GVariantType *reply_type,
                        gboolean auto_start, gint64 deadline, GError **error)
{
  g_autoptr(GVariant) sunk = args != NULL ? g_variant_ref_sink(args) : NULL;
  g_autoptr(GByteArray) msg = build_call(wire, dest, path, iface, method, sunk, auto_start);
  guint32 serial = wire->serial;

  if (!send_all(wire, msg->data, msg->len, deadline, error))
    return NULL;
  if (wire->auth_pending && !read_auth_reply(wire, deadline, error))
    return NULL;
  for (;;) {
    g_autoptr(GVariant) header = NULL;
    g_autoptr(GBytes) body = NULL;
    Header h = {0};
    if (!read_message(wire, &header, &body, deadline, error))
      return NULL;
    if (!parse_header(header, &h) || h.reply_serial != serial ||
        (h.type != MSG_METHOD_RETURN && h.type != MSG_ERROR))
      continue; /* signals (NameAcquired) and anything else not ours */
    g_autoptr(GVariant) reply = decode_body(&h, body, error);
    if (reply == NULL)
      return NULL;
    if (h.type == MSG_ERROR) {
      const char *text = "";
      if (g_str_has_prefix(g_variant_get_type_string(reply), "(s"))
        g_variant_get_child(reply, 0, "&s", &text);
      g_set_error(error, OCF_WIRE_ERROR, OCF_WIRE_ERROR_REMOTE, "%s: %s",
                  h.error_name != NULL ? h.error_name : "org.freedesktop.DBus.Error.Failed", text);
      return NULL;
    }
    if (!g_variant_is_of_type(reply, reply_type)) {
      g_set_error(error, OCF_WIRE_ERROR, OCF_WIRE_ERROR_IO, "%s replied %s, expected %s", method,
                  g_variant_get_type_string(reply), g_variant_type_peek_string(reply_type));
      return NULL;
    }
    return g_steal_pointer(&reply);
  }
}

char *ocf_wire_error_name(const GError *error)
{
  if (error == NULL || !g_error_matches(error, OCF_WIRE_ERROR, OCF_WIRE_ERROR_REMOTE))
    return NULL;
  const char *colon = strstr(error->message, ": ");
  return colon != NULL ? g_strndup(error->message, (gsize)(colon - error->message))
                       : g_strdup(error->message);
}
