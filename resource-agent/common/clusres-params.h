/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * clusres-params: a resource's parameters (the OCF strings Pacemaker passes) read with the
 * formats and limits of the DLL's property table.  One set of rules for the agent's
 * validate-all and reload-agent and for the host's Online, which checks every new
 * configuration with it before anything is written or opened: what validate-all rejects never
 * starts.
 */
#pragma once

#include <clusres/resapi.h>
#include <glib.h>

#define CLUSRES_PARAMS_ERROR (clusres_params_error_quark())
GQuark clusres_params_error_quark(void);
typedef enum {
  CLUSRES_PARAMS_ERROR_INVALID, /* a bad configuration: the message names the parameter */
  CLUSRES_PARAMS_ERROR_FAILED,  /* the list could not be built */
} ClusresParamsError;

typedef struct _CLUSRES_PROPLIST ClusresPropList;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ClusresPropList, ClusResPropListFree)

/** The table entry of property @name (exact name), or NULL. */
const RESUTIL_PROPERTY_ITEM *clusres_params_find(const CLUSRES_TYPE_INFO *info, const char *name);

/** The documentation entry of property @name, or NULL. */
const CLUSRES_PROPERTY_DOC *clusres_params_find_doc(const CLUSRES_TYPE_INFO *info,
                                                    const char *name);

/**
 * clusres_params_parse_number:
 * A DWORD or LONG parameter as it is stored: decimal or 0x hex, DWORD 0..4294967295, LONG
 * signed 32-bit.  Returns: FALSE if @value is not one.
 */
gboolean clusres_params_parse_number(const RESUTIL_PROPERTY_ITEM *item, const char *value,
                                     gint64 *out);

/**
 * clusres_params_build:
 * @info: the type info whose property table gives the formats
 * @params: parameter strings (name -> value)
 * @reloadable_only: only properties documented CLUSRES_PROPDOC_RELOADABLE
 *
 * Converts every parameter of @params with the format of its table entry: numbers must parse
 * (clusres_params_parse_number()), MULTI_SZ is comma-separated, BINARY is hex; PATH properties
 * must be absolute and free of "..".  Each value is also checked alone with
 * ResUtilVerifyPropertyTable (limits, e.g. a DWORD's minimum and maximum) so that the message
 * names the property.  Unknown parameters, bad values and missing REQUIRED properties (unless
 * @reloadable_only) are CLUSRES_PARAMS_ERROR_INVALID.
 *
 * Returns: (transfer full): the property list, or NULL with @error set.
 */
ClusresPropList *clusres_params_build(const CLUSRES_TYPE_INFO *info, GHashTable *params,
                                      gboolean reloadable_only, GError **error);
