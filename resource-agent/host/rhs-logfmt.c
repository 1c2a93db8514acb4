/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * FormatMessage insert formatting for LogEvent.  Windows resource DLLs log with inserts such as
 * "%1!u! shares, path %2" and expect argument n to belong to insert n, whatever order the text
 * uses them in.  A va_list can only be walked front to back, so the format is parsed twice: the
 * first pass learns the C type of every insert number, then the arguments are fetched in
 * insert-number order, and the second pass renders the text.
 */
#include "rhs-logfmt.h"

#include <string.h>

typedef enum {
  ARG_GAP = 0, /* insert number not used by the text: assume a pointer-sized argument */
  ARG_INT32,
  ARG_INT64,
  ARG_SIZE,
  ARG_DOUBLE,
  ARG_STRING,
  ARG_POINTER,
} ArgKind;

typedef union {
  guint64 u;
  double d;
  const char *s;
  gpointer p;
} ArgValue;

/* One parsed "%n!spec!" insert. */
typedef struct {
  guint number;
  char flags[8];
  int width;     /* -1 none, -2 '*' */
  int precision; /* -1 none, -2 '*' */
  guint size;    /* 0 default, 16 h, 32 l/I32, 64 ll/I64, 1 size_t (I, z, t) */
  char conv;
  gsize length; /* bytes of the whole insert in the format */
} Insert;

static ArgKind conv_kind(const Insert *ins)
{
  switch (ins->conv) {
  case 's':
  case 'S':
    return ARG_STRING;
  case 'p':
    return ARG_POINTER;
  case 'e':
  case 'E':
  case 'f':
  case 'F':
  case 'g':
  case 'G':
  case 'a':
  case 'A':
    return ARG_DOUBLE;
  default:
    break;
  }
  if (ins->size == 64)
    return ARG_INT64;
  if (ins->size == 1)
    return ARG_SIZE;
  return ARG_INT32; /* d i u o x X c, with h or l (32 bit on Windows) */
}

/*
 * Parses an insert at @p (just after the '%').  Returns FALSE if @p does not start an insert
 * (then the caller treats the '%' as an escape).  A malformed "!spec!" is rendered literally.
 */
static gboolean parse_insert(const char *p, Insert *ins, gboolean *malformed)
{
  memset(ins, 0, sizeof *ins);
  ins->width = -1;
  ins->precision = -1;
  *malformed = FALSE;
  const char *start = p;
  if (!g_ascii_isdigit(*p) || *p == '0')
    return FALSE;
  guint n = (guint)(*p++ - '0');
  if (g_ascii_isdigit(*p))
    n = n * 10 + (guint)(*p++ - '0');
  ins->number = n;
  if (*p != '!') {
    ins->conv = 's';
    ins->length = (gsize)(p - start);
    return TRUE;
  }
  const char *spec = ++p;
  const char *end = strchr(spec, '!');
  if (end == NULL) {
    *malformed = TRUE;
    ins->length = (gsize)(p - start);
    return TRUE;
  }
  ins->length = (gsize)(end + 1 - start);
  gsize nflags = 0;
  while (p < end && strchr("-+ #0", *p) != NULL) {
    if (nflags + 1 < sizeof ins->flags)
      ins->flags[nflags++] = *p;
    p++;
  }
  if (p < end && *p == '*') {
    ins->width = -2;
    p++;
  } else if (p < end && g_ascii_isdigit(*p)) {
    ins->width = 0;
    while (p < end && g_ascii_isdigit(*p) && ins->width < 10000)
      ins->width = ins->width * 10 + (*p++ - '0');
  }
  if (p < end && *p == '.') {
    p++;
    if (p < end && *p == '*') {
      ins->precision = -2;
      p++;
    } else {
      ins->precision = 0;
      while (p < end && g_ascii_isdigit(*p) && ins->precision < 10000)
        ins->precision = ins->precision * 10 + (*p++ - '0');
    }
  }
  if (p + 1 < end && p[0] == 'h' && p[1] == 'h') {
    ins->size = 16;
    p += 2;
  } else if (p < end && *p == 'h') {
    ins->size = 16;
    p++;
  } else if (p + 1 < end && p[0] == 'l' && p[1] == 'l') {
    ins->size = 64;
    p += 2;
  } else if (p < end && (*p == 'l' || *p == 'w')) {
    ins->size = 32; /* Windows long is 32 bit; %ws is a (UTF-8 here) string */
    p++;
  } else if (p + 2 < end && strncmp(p, "I64", 3) == 0) {
    ins->size = 64;
    p += 3;
  } else if (p + 2 < end && strncmp(p, "I32", 3) == 0) {
    ins->size = 32;
    p += 3;
  } else if (p < end && (*p == 'I' || *p == 'z' || *p == 't')) {
    ins->size = 1;
    p++;
  }
  if (p + 1 != end || strchr("diuoxXcsSpeEfFgGaA", *p) == NULL) {
    *malformed = TRUE;
    return TRUE;
  }
  ins->conv = *p;
  return TRUE;
}

static void note_kind(ArgKind *kinds, guint *max, guint number, ArgKind kind)
{
  if (number < 1 || number > RHS_LOGFMT_MAX_INSERTS)
    return;
  /* The first use decides the type, as a printf-style walk would. */
  if (kinds[number] == ARG_GAP)
    kinds[number] = kind;
  if (number > *max)
    *max = number;
}

/* Walks the format; calls @emit for literal text and @insert for inserts. */
typedef void (*LiteralFunc)(const char *text, gsize len, gpointer data);
typedef void (*InsertFunc)(const Insert *ins, gpointer data);

static void walk(const char *format, LiteralFunc literal, InsertFunc insert, gpointer data)
{
  const char *p = format;
  while (*p != '\0') {
    const char *pct = strchr(p, '%');
    if (pct == NULL) {
      literal(p, strlen(p), data);
      return;
    }
    if (pct > p)
      literal(p, (gsize)(pct - p), data);
    p = pct + 1;
    Insert ins;
    gboolean malformed;
    if (parse_insert(p, &ins, &malformed)) {
      if (malformed)
        literal(pct, ins.length + 1, data);
      else
        insert(&ins, data);
      p += ins.length;
      continue;
    }
    switch (*p) {
    case '\0':
      literal("%", 1, data); /* a trailing lone '%' is kept */
      return;
    case '0':
      return; /* %0: end of message */
    case 'n':
      literal("\n", 1, data);
      break;
    case 'r':
      literal("\r", 1, data);
      break;
    case 't':
      literal("\t", 1, data);
      break;
    case '%':
    case '!':
    case '.':
    case ' ':
      literal(p, 1, data);
      break;
    default:
      literal(pct, 2, data); /* unknown escape: keep it visible */
      break;
    }
    p++;
  }
}

typedef struct {
  ArgKind kinds[RHS_LOGFMT_MAX_INSERTS + 3];
  guint max;
} TypeScan;

static void scan_literal(const char *text, gsize len, gpointer data)
{
}

static void scan_insert(const Insert *ins, gpointer data)
{
  TypeScan *scan = data;
  guint next = ins->number + 1;
  note_kind(scan->kinds, &scan->max, ins->number, conv_kind(ins));
  if (ins->width == -2)
    note_kind(scan->kinds, &scan->max, next++, ARG_INT32);
  if (ins->precision == -2)
    note_kind(scan->kinds, &scan->max, next, ARG_INT32);
}

typedef struct {
  GString *out;
  ArgValue values[RHS_LOGFMT_MAX_INSERTS + 3];
  guint max;
} Render;

static void render_literal(const char *text, gsize len, gpointer data)
{
  Render *r = data;
  g_string_append_len(r->out, text, (gssize)len);
}

static void render_insert(const Insert *ins, gpointer data)
{
  Render *r = data;
  if (ins->number > r->max) {
    g_string_append(r->out, "(missing)");
    return;
  }
  guint next = ins->number + 1;
  int width = ins->width;
  int precision = ins->precision;
  if (width == -2)
    width = next <= r->max ? (int)(gint32)(guint32)r->values[next++].u : -1;
  if (precision == -2)
    precision = next <= r->max ? (int)(gint32)(guint32)r->values[next].u : -1;
  if (width < -1)
    width = -1;
  if (precision < -1)
    precision = -1;

  GString *spec = g_string_new("%");
  g_string_append(spec, ins->flags);
  if (width >= 0)
    g_string_append_printf(spec, "%d", MIN(width, 1000));
  if (precision >= 0)
    g_string_append_printf(spec, ".%d", MIN(precision, 1000));

  const ArgValue *v = &r->values[ins->number];
  switch (conv_kind(ins)) {
  case ARG_STRING:
    g_string_append_c(spec, 's');
    g_string_append_printf(r->out, spec->str, v->s != NULL ? v->s : "(null)");
    break;
  case ARG_POINTER:
    g_string_append_c(spec, 'p');
    g_string_append_printf(r->out, spec->str, v->p);
    break;
  case ARG_DOUBLE:
    g_string_append_c(spec, ins->conv);
    g_string_append_printf(r->out, spec->str, v->d);
    break;
  case ARG_INT32:
  case ARG_INT64:
  case ARG_SIZE:
  case ARG_GAP: {
    gboolean is_signed = ins->conv == 'd' || ins->conv == 'i';
    if (ins->conv == 'c') {
      g_string_append_c(spec, 'c');
      g_string_append_printf(r->out, spec->str, (int)(unsigned char)v->u);
      break;
    }
    /* Narrow to the size the DLL passed, then widen for printing. */
    gint64 sval;
    guint64 uval;
    if (ins->size == 64 || ins->size == 1) {
      sval = (gint64)v->u;
      uval = v->u;
    } else if (ins->size == 16) {
      sval = (gint16)v->u;
      uval = (guint16)v->u;
    } else {
      sval = (gint32)v->u;
      uval = (guint32)v->u;
    }
    g_string_append(spec, "ll");
    g_string_append_c(spec, ins->conv);
    if (is_signed)
      g_string_append_printf(r->out, spec->str, (long long)sval);
    else
      g_string_append_printf(r->out, spec->str, (unsigned long long)uval);
    break;
  }
  }
  g_string_free(spec, TRUE);
}

static void cap_utf8(GString *s, gsize max)
{
  if (s->len <= max)
    return;
  gsize cut = max;
  /* s->str[cut] is the first byte dropped: if it continues a character, drop that whole one. */
  while (cut > 0 && ((guchar)s->str[cut] & 0xC0) == 0x80)
    cut--;
  g_string_truncate(s, cut);
}

char *rhs_logfmt_format(const char *format, va_list ap)
{
  if (format == NULL)
    return g_strdup("(null format)");
  TypeScan scan = {0};
  walk(format, scan_literal, scan_insert, &scan);

  Render r = {.out = g_string_sized_new(128), .max = scan.max};
  for (guint i = 1; i <= scan.max; i++) {
    switch (scan.kinds[i]) {
    case ARG_INT32:
      r.values[i].u = va_arg(ap, guint32);
      break;
    case ARG_INT64:
      r.values[i].u = va_arg(ap, guint64);
      break;
    case ARG_SIZE:
      r.values[i].u = va_arg(ap, gsize);
      break;
    case ARG_DOUBLE:
      r.values[i].d = va_arg(ap, double);
      break;
    case ARG_STRING:
      r.values[i].s = va_arg(ap, const char *);
      break;
    case ARG_POINTER:
    case ARG_GAP:
      r.values[i].p = va_arg(ap, gpointer);
      r.values[i].u = (guint64)(guintptr)r.values[i].p;
      break;
    }
  }
  walk(format, render_literal, render_insert, &r);
  cap_utf8(r.out, CLUSRES_LOG_EVENT_MAX);
  return g_string_free(r.out, FALSE);
}

char *rhs_logfmt_formatf(const char *format, ...)
{
  va_list ap;
  va_start(ap, format);
  char *s = rhs_logfmt_format(format, ap);
  va_end(ap);
  return s;
}

GLogLevelFlags rhs_logfmt_glib_level(LOG_LEVEL level)
{
  switch (level) {
  case LOG_INFORMATION:
    return G_LOG_LEVEL_INFO;
  case LOG_WARNING:
    return G_LOG_LEVEL_WARNING;
  case LOG_ERROR:
  case LOG_SEVERE:
    return G_LOG_LEVEL_CRITICAL;
  }
  return G_LOG_LEVEL_MESSAGE; /* out-of-range level from a DLL */
}
