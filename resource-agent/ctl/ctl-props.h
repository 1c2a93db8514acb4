/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ctl-props: `clusresctl get|set|control`, Get-ClusterParameter, Set-ClusterParameter and
 * ClusterResourceControl for a resource running on this node: ResourceControl through the
 * host's D-Bus Control method (on the host that keeps the instance), answers decoded.
 */
#pragma once

#include <gio/gio.h>

#include <clusres/resapi.h>

/* The bus name of the running host that keeps @resource; NULL with @error if none does. */
char *ctl_props_find_host(GDBusConnection *bus, const char *resource, GError **error);

/**
 * ctl_props_control:
 * Control(@resource, @code, @input) on @host, again with the size the DLL asks for after
 * ERROR_MORE_DATA.  *@status is the DLL's answer.
 * Returns: (transfer full): the output bytes, or NULL with @error (the call failed).
 */
GBytes *ctl_props_control(GDBusConnection *bus, const char *host, const char *resource,
                          guint32 code, GBytes *input, guint32 *status, GError **error);

/* A CLUSCTL_RESOURCE_* code by name (with or without the prefix, any case) or number (0x...). */
gboolean ctl_props_parse_code(const char *text, guint32 *code, GError **error);
/* The name of a code ("GET_PRIVATE_PROPERTIES"), or NULL. */
const char *ctl_props_code_name(guint32 code);

/* Bytes from hex text ("0a0b..."; spaces allowed); NULL with @error if not hex. */
GBytes *ctl_props_parse_hex(const char *text, GError **error);

/**
 * ctl_props_build_set:
 * A property list for SET/VALIDATE_PRIVATE_PROPERTIES from NAME=VALUE words, each value in
 * its property's format from @formats (GET_PRIVATE_PROPERTY_FMTS decoded: name -> u):
 * DWORD and LONG numbers, SZ text, MULTI_SZ comma-separated, BINARY hex.
 * Returns: (transfer full): the list bytes, or NULL with @error naming the word.
 */
GBytes *ctl_props_build_set(GVariant *formats, const char *const *assignments, GError **error);

/**
 * ctl_props_format_output:
 * Appends the answer of @code: "NAME = VALUE" lines for a property list (only the names in
 * @only, if given), the names of ENUM_PRIVATE_PROPERTIES, else hex; for a failure the status by
 * name and text.
 */
void ctl_props_format_output(GString *out, guint32 code, guint32 status, GBytes *output,
                             const char *const *only);
