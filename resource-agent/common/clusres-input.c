/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "clusres-input.h"

#include <string.h>

G_DEFINE_QUARK(clusres - input - error - quark, clusres_input_error)

static const struct {
  const char *key;
  ClusresMetaKind kind;
  guint32 min; /* CLUSRES_META_MS */
} meta_keys[] = {
    {CLUSRES_META_LOOKS_ALIVE, CLUSRES_META_MS, 1},
    {CLUSRES_META_IS_ALIVE, CLUSRES_META_MS, 1},
    {CLUSRES_META_PENDING_TIMEOUT, CLUSRES_META_MS, 10},
    {CLUSRES_META_DEADLOCK_TIMEOUT, CLUSRES_META_MS, 10},
    {CLUSRES_META_CLOSE_DELAY, CLUSRES_META_MS, 0},
    {CLUSRES_META_SEPARATE_MONITOR, CLUSRES_META_BOOL, 0},
    {CLUSRES_META_ON_NODE, CLUSRES_META_NODE, 0},
};

/* The input as a message may quote it: bad bytes shown as U+FFFD, never copied. */
static char *shown(const char *s)
{
  return g_utf8_make_valid(s, -1);
}

gboolean clusres_input_check_text(const char *what, const char *value, GError **error)
{
  if (g_utf8_validate(value, -1, NULL))
    return TRUE;
  g_autofree char *v = shown(value);
  g_set_error(error, CLUSRES_INPUT_ERROR, CLUSRES_INPUT_ERROR_INVALID,
              "%s \"%s\" is not valid UTF-8", what, v);
  return FALSE;
}

gboolean clusres_input_check_name(const char *what, const char *name, GError **error)
{
  gsize len = strlen(name);
  gboolean ok = len > 0 && len <= CLUSRES_INPUT_NAME_MAX &&
                g_utf8_validate(name, (gssize)len, NULL) && strchr(name, '/') == NULL;

  for (const char *p = name; ok && *p != '\0'; p = g_utf8_next_char(p))
    ok = g_unichar_isprint(g_utf8_get_char(p));
  if (!ok) {
    g_autofree char *v = shown(name);
    g_set_error(error, CLUSRES_INPUT_ERROR, CLUSRES_INPUT_ERROR_INVALID,
                "%s \"%s\" is not a valid name (1-%d bytes of printable UTF-8, no '/')", what, v,
                CLUSRES_INPUT_NAME_MAX);
  }
  return ok;
}

gboolean clusres_input_check_param_name(const char *what, const char *name, GError **error)
{
  gsize len = strlen(name);
  gboolean ok =
      len > 0 && len <= CLUSRES_INPUT_NAME_MAX && (g_ascii_isalpha(name[0]) || name[0] == '_');

  for (const char *p = name; ok && *p != '\0'; p++)
    ok = g_ascii_isalnum(*p) || *p == '_';
  if (!ok) {
    g_autofree char *v = shown(name);
    g_set_error(error, CLUSRES_INPUT_ERROR, CLUSRES_INPUT_ERROR_INVALID,
                "%s: \"%s\" is not a valid parameter name (a letter or '_', then letters, digits "
                "and '_'; at most %d bytes)",
                what, v, CLUSRES_INPUT_NAME_MAX);
  }
  return ok;
}

ClusresMetaKind clusres_input_meta_kind(const char *key)
{
  for (gsize i = 0; i < G_N_ELEMENTS(meta_keys); i++) {
    if (strcmp(meta_keys[i].key, key) == 0)
      return meta_keys[i].kind;
  }
  return CLUSRES_META_NONE;
}

gboolean clusres_input_check_meta(const char *prefix, const char *key, const char *value,
                                  GError **error)
{
  gsize i = 0;

  while (i < G_N_ELEMENTS(meta_keys) && strcmp(meta_keys[i].key, key) != 0)
    i++;
  g_autofree char *k = shown(key);
  g_autofree char *v = shown(value);
  if (i == G_N_ELEMENTS(meta_keys)) {
    g_autoptr(GString) known = g_string_new(NULL);
    for (gsize j = 0; j < G_N_ELEMENTS(meta_keys); j++)
      g_string_append_printf(known, "%s%s", j > 0 ? ", " : "", meta_keys[j].key);
    g_set_error(error, CLUSRES_INPUT_ERROR, CLUSRES_INPUT_ERROR_INVALID,
                "%s%s=\"%s\": not a known key (known: %s)", prefix, k, v, known->str);
    return FALSE;
  }
  switch (meta_keys[i].kind) {
  case CLUSRES_META_MS:
    /* g_ascii_string_to_unsigned refuses signs, blanks and trailing junk. */
    if (!g_ascii_string_to_unsigned(value, 10, meta_keys[i].min, G_MAXUINT32, NULL, NULL)) {
      g_set_error(error, CLUSRES_INPUT_ERROR, CLUSRES_INPUT_ERROR_INVALID,
                  "%s%s=\"%s\" is not a number of milliseconds (%u to %u)", prefix, key, v,
                  meta_keys[i].min, G_MAXUINT32);
      return FALSE;
    }
    return TRUE;
  case CLUSRES_META_BOOL:
    if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0) {
      g_set_error(error, CLUSRES_INPUT_ERROR, CLUSRES_INPUT_ERROR_INVALID,
                  "%s%s=\"%s\" is not a boolean (true or false)", prefix, key, v);
      return FALSE;
    }
    return TRUE;
  case CLUSRES_META_NODE: {
    g_autofree char *w = g_strconcat(prefix, key, NULL);
    return *value == '\0' || clusres_input_check_name(w, value, error);
  }
  case CLUSRES_META_NONE:
    break;
  }
  g_assert_not_reached();
}

gboolean clusres_input_parse_bool(const char *value, gboolean *out)
{
  static const char *const yes[] = {"true", "yes", "on", "1", "y", NULL};
  static const char *const no[] = {"false", "no", "off", "0", "n", NULL};

  for (guint i = 0; yes[i] != NULL; i++) {
    if (g_ascii_strcasecmp(value, yes[i]) == 0) {
      *out = TRUE;
      return TRUE;
    }
    if (g_ascii_strcasecmp(value, no[i]) == 0) {
      *out = FALSE;
      return TRUE;
    }
  }
  return FALSE;
}

const char *clusres_input_bool_text(gboolean value)
{
  return value ? "true" : "false";
}
