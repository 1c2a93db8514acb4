/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ctl-status: what `clusresctl status` and `clusresctl types` print. */
#pragma once

#include <gio/gio.h>

#define CTL_HOST_NAME "org.clusres.ResourceHost"
#define CTL_SEPARATE_PREFIX "org.clusres.ResourceHost.Separate."

/* Bus names of every running host: the node host and the separate ones (sorted). */
GPtrArray *ctl_find_hosts(GDBusConnection *bus, GError **error);

/* Text for a ListTypes answer (aa{sv}) and a ListInstances answer (aa{sv}). */
void ctl_format_types(GString *out, GVariant *types);
void ctl_format_instances(GString *out, GVariant *instances);
/* One property value as status shows it: a string as it is, anything else in GVariant text. */
void ctl_format_value(GString *out, GVariant *v);

/*
 * Text for `clusresctl shares`: one line per share of a ListInstances answer, a plain share
 * (type share) as one line and every member of a share set (type shareset, its Members status)
 * as one line each, with the resource that carries it: SHARE RESOURCE TYPE STATE LSM GSM HOME
 * PSEUDO EXPORT REASON.
 */
void ctl_format_shares(GString *out, GVariant *instances);

typedef enum {
  CTL_REPORT_TYPES,     /* clusresctl types */
  CTL_REPORT_INSTANCES, /* clusresctl status: types and instances */
  CTL_REPORT_SHARES,    /* clusresctl shares: one line per share (plain or set member) */
} CtlReport;

/* Queries one host and appends its report; FALSE (with @error) if the host does not answer. */
gboolean ctl_report_host(GString *out, GDBusConnection *bus, const char *name, CtlReport what,
                         GError **error);
