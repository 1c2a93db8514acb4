/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * clusres-input: the rules for what a caller may hand the resource host, in one place for the
 * two places input enters: the OCF agent (environment from Pacemaker) and the host's D-Bus
 * checks (any caller).  Whatever passes is representable everywhere it is kept: as a D-Bus
 * string, as a key of the host's state record (GKeyFile) and as a registry value name.
 * GLib only: the statically linked agent uses it too.
 */
#pragma once

#include <glib.h>

#define CLUSRES_INPUT_ERROR (clusres_input_error_quark())
GQuark clusres_input_error_quark(void);
typedef enum {
  CLUSRES_INPUT_ERROR_INVALID, /* the message names the input and the rule it breaks */
} ClusresInputError;

/* Longest resource, type, node and parameter name, in bytes. */
#define CLUSRES_INPUT_NAME_MAX 128

/* The common parameters every type accepts, which travel to the host in Online's meta. */
#define CLUSRES_META_LOOKS_ALIVE "looks_alive_interval"
#define CLUSRES_META_IS_ALIVE "is_alive_interval"
#define CLUSRES_META_PENDING_TIMEOUT "pending_timeout"
#define CLUSRES_META_DEADLOCK_TIMEOUT "deadlock_timeout"
#define CLUSRES_META_CLOSE_DELAY "close_delay"
#define CLUSRES_META_SEPARATE_MONITOR "separate_monitor"
/* Meta only: the node Pacemaker runs the operation on (CRM_meta_on_node). */
#define CLUSRES_META_ON_NODE "on_node"

typedef enum {
  CLUSRES_META_NONE, /* not a meta key */
  CLUSRES_META_MS,   /* milliseconds, decimal, at least the key's minimum */
  CLUSRES_META_BOOL, /* "true" or "false" */
  CLUSRES_META_NODE, /* empty, or a name as clusres_input_check_name() */
} ClusresMetaKind;

/**
 * clusres_input_check_text:
 * @what: how the message names the input (e.g. "OCF_RESKEY_Label")
 * Returns: TRUE if @value is valid UTF-8.  Nothing is ever substituted for bad bytes: two
 * different bad values must never become the same good one.
 */
gboolean clusres_input_check_text(const char *what, const char *value, GError **error);

/**
 * clusres_input_check_name:
 * A resource, type or node name: 1 to CLUSRES_INPUT_NAME_MAX bytes of printable UTF-8 without
 * '/'.  @what names the input in the message ("resource", "OCF_RESOURCE_INSTANCE").
 */
gboolean clusres_input_check_name(const char *what, const char *name, GError **error);

/**
 * clusres_input_check_param_name:
 * A parameter name: a letter or '_', then letters, digits and '_' ([A-Za-z_][A-Za-z0-9_]*, at
 * most CLUSRES_INPUT_NAME_MAX bytes): what a shell variable and so OCF_RESKEY_<name> can be
 * named, and what every store keeps as it is (a key-file key loses leading and trailing blanks,
 * a leading '#' makes it a comment, '=' and '[' end it).  @what prefixes the message.
 */
gboolean clusres_input_check_param_name(const char *what, const char *name, GError **error);

/** The kind of meta key @key (CLUSRES_META_NONE: not one). */
ClusresMetaKind clusres_input_meta_kind(const char *key);

/**
 * clusres_input_check_meta:
 * @prefix: put before the key in the message ("meta ", "OCF_RESKEY_")
 * One Online meta entry: a known key with a value of its kind (milliseconds at or above the
 * key's minimum, a boolean spelled exactly "true" or "false", a node name).
 */
gboolean clusres_input_check_meta(const char *prefix, const char *key, const char *value,
                                  GError **error);

/**
 * clusres_input_parse_bool:
 * Pacemaker's boolean spellings (true/false, yes/no, on/off, 1/0, y/n, any case), which an OCF
 * agent must accept; the host is only ever sent clusres_input_bool_text().
 * Returns: FALSE if @value is none of them.
 */
gboolean clusres_input_parse_bool(const char *value, gboolean *out);

/** "true" or "false": the one spelling of a boolean in Online's meta. */
const char *clusres_input_bool_text(gboolean value);
