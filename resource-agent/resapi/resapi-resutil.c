/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The skeleton every resource DLL used to copy from the previous one: Startup, the
 * private-property control codes and the type-level control codes (resapi.h, "Resource-DLL
 * skeleton helpers").  Each case has one answer, the one MSCS DLLs give, so that two types
 * can no longer drift apart (a NULL RESID was ERROR_RESOURCE_NOT_FOUND in one type and
 * ERROR_INVALID_PARAMETER in another; one matched the type name ignoring case, one did not).
 */
#include <string.h>

#include <glib.h>

#include "resapi-error.h"
#include "resapi-proptable.h"

/* ---- Startup ----------------------------------------------------------------------------------
 */

/* The TableSize a table of @version must have; 0 for a version this library does not know. */
static DWORD resapi_resutil_table_size(DWORD version)
{
  return version == CLRES_VERSION_V1_00 ? CLRES_V1_FUNCTION_SIZE : 0;
}

DWORD ClusResUtilStartup(const CLUSRES_RESOURCE_TYPE_ENTRY *Types, LPCSTR ResourceType,
                         DWORD MinVersionSupported, DWORD MaxVersionSupported,
                         PSET_RESOURCE_STATUS_ROUTINE SetResourceStatus,
                         PLOG_EVENT_ROUTINE LogEvent, PCLRES_FUNCTION_TABLE *FunctionTable)
{
  /* A DLL stores both callbacks and calls them without checking: a host that passes NULL would
   * crash it later, far from the cause. */
  if (Types == NULL || ResourceType == NULL || SetResourceStatus == NULL || LogEvent == NULL ||
      FunctionTable == NULL)
    return resapi_error_set(ERROR_INVALID_PARAMETER);

  gboolean named = FALSE;
  PCLRES_FUNCTION_TABLE best = NULL;
  for (const CLUSRES_RESOURCE_TYPE_ENTRY *t = Types; t->TypeName != NULL; t++) {
    /* Windows compares resource type names without regard to case. */
    if (g_ascii_strcasecmp(t->TypeName, ResourceType) != 0)
      continue;
    named = TRUE;
    PCLRES_FUNCTION_TABLE table = t->FunctionTable;
    if (table == NULL || table->Version < MinVersionSupported ||
        table->Version > MaxVersionSupported ||
        table->TableSize != resapi_resutil_table_size(table->Version))
      continue;
    /* The highest version the host supports (MSCS: the highest table <= MaxVersionSupported). */
    if (best == NULL || table->Version > best->Version)
      best = table;
  }
  if (!named)
    return resapi_error_set(ERROR_CLUSTER_RESNAME_NOT_FOUND);
  if (best == NULL)
    return resapi_error_set(ERROR_REVISION_MISMATCH);
  *FunctionTable = best;
  return ERROR_SUCCESS;
}

/* ---- resource control codes ------------------------------------------------------------------ */

/* A ResUtil call's two counts as one *BytesReturned: the size needed with ERROR_MORE_DATA. */
static DWORD resapi_resutil_reply(DWORD status, LPDWORD returned, DWORD bytes, DWORD required)
{
  if (returned != NULL)
    *returned = status == ERROR_MORE_DATA ? required : status == ERROR_SUCCESS ? bytes : 0;
  return status;
}

static void resapi_resutil_block_free(const CLUSRES_PRIVATE_PROPERTIES *props, LPBYTE block)
{
  if (block == NULL)
    return;
  ResUtilFreeParameterBlock(block, NULL, props->PropertyTable);
  g_free(block);
}

/*
 * VALIDATE's verdict on @in: a copy of the current block with the list applied (unknown names
 * refused), then the DLL's own check.  On success *@merged is that copy (NULL for a DLL without
 * a block), for SET to store.
 */
static DWORD resapi_resutil_merge(const CLUSRES_PRIVATE_PROPERTIES *props, const void *in,
                                  DWORD in_size, LPBYTE *merged)
{
  *merged = NULL;
  if (in == NULL || in_size == 0)
    return resapi_error_set(ERROR_INVALID_DATA);
  if (!resapi_table_valid(props->PropertyTable))
    return resapi_error_set(ERROR_BAD_ARGUMENTS);

  LPBYTE block = NULL;
  DWORD status = ERROR_SUCCESS;
  if (props->Params != NULL) {
    /* A block smaller than its table would be written past its end. */
    if (props->cbParams < resapi_table_block_size(props->PropertyTable))
      return resapi_error_set(ERROR_BAD_ARGUMENTS);
    block = g_malloc0(props->cbParams);
    status = ResUtilDupParameterBlock(block, props->Params, props->PropertyTable);
  }
  if (status == ERROR_SUCCESS)
    status = ResUtilVerifyPropertyTable(props->PropertyTable, NULL, FALSE, in, in_size, block);
  if (status == ERROR_SUCCESS && props->CheckParameters != NULL)
    status = props->CheckParameters(props->Context, block);
  if (status != ERROR_SUCCESS) {
    resapi_resutil_block_free(props, block);
    return status;
  }
  *merged = block;
  return ERROR_SUCCESS;
}

static DWORD resapi_resutil_set(const CLUSRES_PRIVATE_PROPERTIES *props, const void *in,
                                DWORD in_size)
{
  LPBYTE merged = NULL;
  DWORD status = resapi_resutil_merge(props, in, in_size, &merged);
  if (status != ERROR_SUCCESS)
    return status;
  /* The listed values, as the merged block holds them, in one replacement of the key. */
  if (merged != NULL)
    status = ResUtilSetPropertyParameterBlock(props->ParametersKey, props->PropertyTable, NULL,
                                              merged, in, in_size, NULL);
  else
    status = ResUtilSetPropertyTable(props->ParametersKey, props->PropertyTable, NULL, FALSE, in,
                                     in_size, NULL);
  if (status == ERROR_SUCCESS) {
    if (props->ApplyParameters != NULL) {
      status = props->ApplyParameters(props->Context, merged);
    } else {
      if (merged != NULL) {
        ResUtilFreeParameterBlock(props->Params, NULL, props->PropertyTable);
        status = ResUtilDupParameterBlock(props->Params, merged, props->PropertyTable);
      }
      /* Nothing says the DLL uses the values before its next Online: MSCS's "stored". */
      if (status == ERROR_SUCCESS)
        status = ERROR_RESOURCE_PROPERTIES_STORED;
    }
  }
  resapi_resutil_block_free(props, merged);
  return status;
}

DWORD ClusResUtilResourceControl(const CLUSRES_PRIVATE_PROPERTIES *Properties, DWORD ControlCode,
                                 PVOID InBuffer, DWORD InBufferSize, PVOID OutBuffer,
                                 DWORD OutBufferSize, LPDWORD BytesReturned)
{
  DWORD bytes = 0, required = 0, status;

  if (BytesReturned != NULL)
    *BytesReturned = 0;
  /* What the MSCS samples answer for a RESID that names no instance. */
  if (Properties == NULL)
    return resapi_error_set(ERROR_RESOURCE_NOT_FOUND);

  switch (ControlCode) {
  case CLUSCTL_RESOURCE_UNKNOWN:
    return ERROR_SUCCESS;
  case CLUSCTL_RESOURCE_ENUM_PRIVATE_PROPERTIES:
    status = ResUtilEnumProperties(Properties->PropertyTable, OutBuffer, OutBufferSize, &bytes,
                                   &required);
    return resapi_resutil_reply(status, BytesReturned, bytes, required);
  case CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTIES:
    status = ResUtilGetAllProperties(Properties->ParametersKey, Properties->PropertyTable,
                                     OutBuffer, OutBufferSize, &bytes, &required);
    return resapi_resutil_reply(status, BytesReturned, bytes, required);
  case CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTY_FMTS:
    status = ResUtilGetPropertyFormats(Properties->PropertyTable, OutBuffer, OutBufferSize, &bytes,
                                       &required);
    return resapi_resutil_reply(status, BytesReturned, bytes, required);
  case CLUSCTL_RESOURCE_VALIDATE_PRIVATE_PROPERTIES: {
    LPBYTE merged = NULL;
    status = resapi_resutil_merge(Properties, InBuffer, InBufferSize, &merged);
    resapi_resutil_block_free(Properties, merged);
    return status;
  }
  case CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES:
    return resapi_resutil_set(Properties, InBuffer, InBufferSize);
  default:
    return ERROR_INVALID_FUNCTION;
  }
}

/* ---- resource-type control codes ------------------------------------------------------------- */

DWORD ClusResUtilResourceTypeControl(const CLUSRES_TYPE_INFO *TypeInfo, DWORD ControlCode,
                                     PVOID InBuffer, DWORD InBufferSize, PVOID OutBuffer,
                                     DWORD OutBufferSize, LPDWORD BytesReturned)
{
  DWORD bytes = 0, required = 0, status;

  if (BytesReturned != NULL)
    *BytesReturned = 0;
  if (TypeInfo == NULL)
    return resapi_error_set(ERROR_INVALID_PARAMETER);

  switch (ControlCode) {
  case CLUSCTL_RESOURCE_TYPE_CLUSRES_GET_TYPE_INFO:
    /* The pointer itself: the info is static data of the DLL (resapi.h). */
    if (BytesReturned != NULL)
      *BytesReturned = sizeof TypeInfo;
    if (OutBuffer == NULL || OutBufferSize < sizeof TypeInfo)
      return resapi_error_set(ERROR_MORE_DATA);
    memcpy(OutBuffer, &TypeInfo, sizeof TypeInfo);
    return ERROR_SUCCESS;
  case CLUSCTL_RESOURCE_TYPE_GET_PRIVATE_RESOURCE_PROPERTY_FMTS:
    if (TypeInfo->Properties == NULL)
      return ERROR_INVALID_FUNCTION;
    status = ResUtilGetPropertyFormats(TypeInfo->Properties, OutBuffer, OutBufferSize, &bytes,
                                       &required);
    return resapi_resutil_reply(status, BytesReturned, bytes, required);
  default:
    return ERROR_INVALID_FUNCTION;
  }
}
