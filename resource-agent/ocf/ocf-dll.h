/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ocf-dll: the resource DLL loaded into the agent itself, for the actions that need the type's
 * description but no running resource (meta-data, validate-all) and to convert OCF strings
 * into the property lists the DLL understands (validate-all, reload-agent).  No host, no bus.
 */
#pragma once

#include "ocf-env.h"
#include "ocf-exit.h"

#include <clusres/resapi.h>
#include <glib.h>

typedef struct OcfDll OcfDll;

/**
 * ocf_dll_load:
 * Loads @path as the host does (clusres_dllfile_open(): refused unless it and every directory
 * above it are root's and writable by root only) and calls its Startup for @type with local
 * callbacks (LogEvent writes to stderr), then asks for the CLUSRES_TYPE_INFO.  A DLL without
 * type info gets an empty one.  Errors are in OCF_EXIT_ERROR: a DLL missing, refused or not
 * loadable, or a type it does not implement 5, other failures 1.
 */
OcfDll *ocf_dll_load(const char *path, const char *type, GError **error);
void ocf_dll_free(OcfDll *dll);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(OcfDll, ocf_dll_free)

/** The type info (never NULL once loaded; static data owned by the DLL or by @dll). */
const CLUSRES_TYPE_INFO *ocf_dll_type_info(const OcfDll *dll);

/** The documentation entry of property @name, or NULL. */
const CLUSRES_PROPERTY_DOC *ocf_dll_find_doc(const CLUSRES_TYPE_INFO *info, const char *name);

/**
 * ocf_dll_build_proplist:
 * @info: the type info whose property table gives the formats
 * @params: OCF parameter strings (name -> value)
 * @reloadable_only: only properties documented CLUSRES_PROPDOC_RELOADABLE
 *
 * clusres_params_build(), the rules the host's Online applies too (formats, table limits,
 * PATH properties, unknown and missing REQUIRED parameters), with its error in OCF_EXIT_ERROR:
 * a bad configuration is OCF_ERR_CONFIGURED, naming the parameter.
 *
 * Returns: (transfer full): the property list, or NULL with @error set.
 */
PCLUSRES_PROPLIST ocf_dll_build_proplist(const CLUSRES_TYPE_INFO *info, GHashTable *params,
                                         gboolean reloadable_only, GError **error);

/**
 * ocf_dll_validate:
 * validate-all: the property-table checks of ocf_dll_build_proplist(), then a temporary
 * instance (Open with a throw-away registry in a mkdtemp directory) asked
 * VALIDATE_PRIVATE_PROPERTIES at @env's check level; a DLL answering ERROR_INVALID_FUNCTION
 * gets the table checks only.
 *
 * Returns: TRUE if valid; else FALSE with @error in OCF_EXIT_ERROR.
 */
gboolean ocf_dll_validate(OcfDll *dll, const OcfEnv *env, GError **error);
