/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * clusres Resource API — the Windows cluster "resource DLL" programming model on Linux.
 *
 * A resource DLL is a shared object that exports exactly one symbol, Startup (see
 * CLUSRES_STARTUP_ROUTINE).  The per-node resource host (clusres-rhs) dlopen()s it, calls
 * Startup once per resource type, and from then on drives the instances through the V1
 * function table: Open, Online, Offline, LooksAlive, IsAlive, ResourceControl, Terminate and
 * Close.  Names and numeric values follow the Windows resapi.h / clusapi.h / winerror.h so that
 * existing designs port unchanged; the differences are deliberate and listed here:
 *
 *  - Fixed-width types: DWORD is uint32_t and BOOL is int32_t (Windows' "unsigned long" would be
 *    64-bit on LP64 Linux).  HANDLE, RESID and RESOURCE_HANDLE are opaque pointers.
 *  - All strings are UTF-8, NUL-terminated (char *), including the property-list wire format.
 *    There is no UTF-16 and no L"" literal anywhere in this API.
 *  - LogEvent takes FormatMessage-style inserts (%1!u!, %2!s!, %3!08x!; a bare %1 is a string)
 *    whose arguments are consumed in order of their insert numbers, like Windows.
 *  - Event handles are real waitable objects (eventfd backed): ClusResCreateEvent() and friends
 *    stand in for CreateEvent/SetEvent/WaitForSingleObject/CloseHandle.
 *  - The cluster registry is a per-node, atomically written key store under
 *    /var/lib/clusres/registry; Open receives the resource's key, whose "Parameters" subkey
 *    holds the Pacemaker instance attributes (OCF_RESKEY_*).  Keys are durable (fsynced):
 *    configuration.  Run-time state goes to volatile subkeys (ClusterRegCreateKeyEx with
 *    REG_OPTION_VOLATILE), kept in /run/clusres/registry: not fsynced, they survive a host
 *    restart but not a reboot (after which nothing is online).  A batch (ClusterRegCreateBatch)
 *    applies several changes of one key in one atomic replacement; setting a value to what it
 *    already holds writes nothing.
 *  - Re-adoption: Open must never change the real entity.  After a host restart clusres re-opens
 *    instances that were online and asks IsAlive; a DLL whose entity survived the host (it kept
 *    what it needs in its registry key) reports TRUE and the instance is online again without
 *    a restart.
 *
 * Everything a resource DLL may call is declared in this header and exported by
 * libclusres-resapi.so; nothing else is visible to a DLL (the library has a version script).
 */
#ifndef CLUSRES_RESAPI_H
#define CLUSRES_RESAPI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------- */
/* Basic types                                                                              */
/* ---------------------------------------------------------------------------------------- */

typedef uint32_t DWORD;
typedef int32_t BOOL;
typedef int32_t LONG;
typedef LONG *PLONG;
typedef uint16_t WORD;
typedef uint8_t BYTE;
typedef BYTE *LPBYTE;
typedef DWORD *LPDWORD;
typedef uintptr_t DWORD_PTR;
typedef void VOID;
typedef void *PVOID;
typedef void *LPVOID;
typedef char *LPSTR;        /* UTF-8 */
typedef const char *LPCSTR; /* UTF-8 */

#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif

/** An opaque waitable object (event).  See ClusResCreateEvent(). */
typedef struct _CLUSRES_HANDLE *HANDLE;
typedef HANDLE *LPHANDLE;
/** A DLL's per-instance pointer, returned by Open and passed back to every entry point. */
typedef void *RESID;
/** The host's handle for an instance: pass it to SetResourceStatus and LogEvent, never free it. */
typedef struct _CLUSRES_RESOURCE *RESOURCE_HANDLE;
/** An open key of the cluster registry. */
typedef struct _CLUSRES_HKEY *HKEY;

#ifndef WINAPI
#define WINAPI
#endif

/* ---------------------------------------------------------------------------------------- */
/* Error codes (winerror.h values)                                                          */
/* ---------------------------------------------------------------------------------------- */

#define ERROR_SUCCESS 0u
#define NO_ERROR 0u
#define ERROR_INVALID_FUNCTION 1u
#define ERROR_FILE_NOT_FOUND 2u
#define ERROR_PATH_NOT_FOUND 3u
#define ERROR_ACCESS_DENIED 5u
#define ERROR_INVALID_HANDLE 6u
#define ERROR_NOT_ENOUGH_MEMORY 8u
#define ERROR_INVALID_DATA 13u
#define ERROR_OUTOFMEMORY 14u
#define ERROR_NOT_READY 21u
#define ERROR_GEN_FAILURE 31u
#define ERROR_NOT_SUPPORTED 50u
#define ERROR_FILE_EXISTS 80u
#define ERROR_INVALID_PARAMETER 87u
#define ERROR_INSUFFICIENT_BUFFER 122u
#define ERROR_BAD_ARGUMENTS 160u
#define ERROR_ALREADY_EXISTS 183u
#define ERROR_MORE_DATA 234u
#define WAIT_TIMEOUT 258u
#define ERROR_NO_MORE_ITEMS 259u
#define ERROR_OPERATION_ABORTED 995u
#define ERROR_IO_PENDING 997u
#define ERROR_TIMEOUT 1460u
#define ERROR_REVISION_MISMATCH 1306u
#define ERROR_SERVICE_NOT_ACTIVE 1062u
#define ERROR_PROCESS_ABORTED 1067u
#define ERROR_RESOURCE_NOT_ONLINE 5004u
#define ERROR_HOST_NODE_NOT_AVAILABLE 5005u
#define ERROR_RESOURCE_NOT_AVAILABLE 5006u
#define ERROR_RESOURCE_NOT_FOUND 5007u
#define ERROR_INVALID_STATE 5023u
#define ERROR_RESOURCE_PROPERTIES_STORED 5024u
#define ERROR_RESOURCE_FAILED 5038u
#define ERROR_CLUSTER_INVALID_REQUEST 5048u
#define ERROR_CLUSTER_RESNAME_NOT_FOUND 5080u

#define WAIT_OBJECT_0 0u
#define WAIT_FAILED 0xFFFFFFFFu
#define INFINITE 0xFFFFFFFFu

/* ---------------------------------------------------------------------------------------- */
/* States and enumerations                                                                  */
/* ---------------------------------------------------------------------------------------- */

typedef enum CLUSTER_RESOURCE_STATE {
  ClusterResourceStateUnknown = -1,
  ClusterResourceInherited = 0,
  ClusterResourceInitializing = 1,
  ClusterResourceOnline = 2,
  ClusterResourceOffline = 3,
  ClusterResourceFailed = 4,
  ClusterResourcePending = 128,
  ClusterResourceOnlinePending = 129,
  ClusterResourceOfflinePending = 130,
} CLUSTER_RESOURCE_STATE;

/* Extra states a DLL may report from a pending operation (resapi.h). */
#define ClusterResourceCannotComeOnlineOnThisNode                                                  \
  ((CLUSTER_RESOURCE_STATE)(ClusterResourcePending - 1)) /* 127 */
#define ClusterResourceCannotComeOnlineOnAnyNode                                                   \
  ((CLUSTER_RESOURCE_STATE)(ClusterResourcePending - 2)) /* 126 */

typedef enum RESOURCE_EXIT_STATE {
  ResourceExitStateContinue = 0,
  ResourceExitStateTerminate = 1,
  ResourceExitStateMax = 2,
} RESOURCE_EXIT_STATE;

typedef enum LOG_LEVEL {
  LOG_INFORMATION = 0,
  LOG_WARNING = 1,
  LOG_ERROR = 2,
  LOG_SEVERE = 3,
} LOG_LEVEL;

/** Longest LogEvent entry in bytes after formatting; longer text is cut (as on Windows). */
#define CLUSRES_LOG_EVENT_MAX 500

/* ---------------------------------------------------------------------------------------- */
/* Status reporting                                                                         */
/* ---------------------------------------------------------------------------------------- */

typedef struct RESOURCE_STATUS {
  CLUSTER_RESOURCE_STATE ResourceState;
  DWORD CheckPoint; /* +1 per report: the host resets PendingTimeout on a new value */
  DWORD WaitHint;   /* unused, as on Windows */
  HANDLE EventHandle;
} RESOURCE_STATUS, *PRESOURCE_STATUS;

/** Zeroes a RESOURCE_STATUS (ResUtilInitializeResourceStatus). */
#define ResUtilInitializeResourceStatus(p) ((void)(*(p) = (RESOURCE_STATUS){0}))

/**
 * Reports progress or the end of a pending Online/Offline.  Callable from any thread, only
 * after Online/Offline returned ERROR_IO_PENDING (other calls are ignored).  Returns
 * ResourceExitStateTerminate once the host has decided to terminate the instance: the worker
 * must then stop at once.
 */
typedef DWORD(WINAPI *PSET_RESOURCE_STATUS_ROUTINE)(RESOURCE_HANDLE ResourceHandle,
                                                    PRESOURCE_STATUS ResourceStatus);

/**
 * Writes to the cluster log as "<Type> <Resource>: <message>", at most CLUSRES_LOG_EVENT_MAX
 * bytes.  FormatString uses FormatMessage inserts: %1!u!, %2!s!, %3!08x!, %% for a percent.
 */
typedef VOID(WINAPI *PLOG_EVENT_ROUTINE)(RESOURCE_HANDLE ResourceHandle, LOG_LEVEL LogLevel,
                                         LPCSTR FormatString, ...);

typedef VOID(WINAPI *PQUORUM_RESOURCE_LOST)(RESOURCE_HANDLE Resource);

/* ---------------------------------------------------------------------------------------- */
/* Entry points and the function table                                                      */
/* ---------------------------------------------------------------------------------------- */

#define CLRES_VERSION_V1_00 0x100u
#define CLUSRES_STARTUP_ROUTINE "Startup"
#define STARTUP_ROUTINE CLUSRES_STARTUP_ROUTINE

typedef RESID(WINAPI *POPEN_ROUTINE)(LPCSTR ResourceName, HKEY ResourceKey,
                                     RESOURCE_HANDLE ResourceHandle);
typedef VOID(WINAPI *PCLOSE_ROUTINE)(RESID Resource);
typedef DWORD(WINAPI *PONLINE_ROUTINE)(RESID Resource, LPHANDLE EventHandle);
typedef DWORD(WINAPI *POFFLINE_ROUTINE)(RESID Resource);
typedef VOID(WINAPI *PTERMINATE_ROUTINE)(RESID Resource);
typedef BOOL(WINAPI *PLOOKS_ALIVE_ROUTINE)(RESID Resource);
typedef BOOL(WINAPI *PIS_ALIVE_ROUTINE)(RESID Resource);
typedef DWORD(WINAPI *PARBITRATE_ROUTINE)(RESID Resource, PQUORUM_RESOURCE_LOST LostQuorumResource);
typedef DWORD(WINAPI *PRELEASE_ROUTINE)(RESID Resource);
typedef DWORD(WINAPI *PRESOURCE_CONTROL_ROUTINE)(RESID Resource, DWORD ControlCode, PVOID InBuffer,
                                                 DWORD InBufferSize, PVOID OutBuffer,
                                                 DWORD OutBufferSize, LPDWORD BytesReturned);
typedef DWORD(WINAPI *PRESOURCE_TYPE_CONTROL_ROUTINE)(LPCSTR ResourceTypeName, DWORD ControlCode,
                                                      PVOID InBuffer, DWORD InBufferSize,
                                                      PVOID OutBuffer, DWORD OutBufferSize,
                                                      LPDWORD BytesReturned);

/* The order of the members is the Windows order and is part of the ABI. */
typedef struct CLRES_V1_FUNCTIONS {
  POPEN_ROUTINE Open;
  PCLOSE_ROUTINE Close;
  PONLINE_ROUTINE Online;
  POFFLINE_ROUTINE Offline;
  PTERMINATE_ROUTINE Terminate;
  PLOOKS_ALIVE_ROUTINE LooksAlive;
  PIS_ALIVE_ROUTINE IsAlive;
  PARBITRATE_ROUTINE Arbitrate; /* NULL unless quorum capable */
  PRELEASE_ROUTINE Release;     /* NULL unless quorum capable */
  PRESOURCE_CONTROL_ROUTINE ResourceControl;
  PRESOURCE_TYPE_CONTROL_ROUTINE ResourceTypeControl;
} CLRES_V1_FUNCTIONS, *PCLRES_V1_FUNCTIONS;

typedef struct CLRES_FUNCTION_TABLE {
  DWORD TableSize; /* CLRES_V1_FUNCTION_SIZE */
  DWORD Version;   /* CLRES_VERSION_V1_00 */
  union {
    CLRES_V1_FUNCTIONS V1Functions;
  };
} CLRES_FUNCTION_TABLE, *PCLRES_FUNCTION_TABLE;

#define CLRES_V1_FUNCTION_SIZE ((DWORD)sizeof(CLRES_V1_FUNCTIONS))

/** Builds a static V1 table whose entry points are _Prefix##Open ... _Prefix##IsAlive. */
#define CLRES_V1_FUNCTION_TABLE(_Name, _Version, _Prefix, _Arbitrate, _Release, _ResControl,       \
                                _ResTypeControl)                                                   \
  CLRES_FUNCTION_TABLE _Name = {                                                                   \
      CLRES_V1_FUNCTION_SIZE,                                                                      \
      _Version,                                                                                    \
      {{_Prefix##Open, _Prefix##Close, _Prefix##Online, _Prefix##Offline, _Prefix##Terminate,      \
        _Prefix##LooksAlive, _Prefix##IsAlive, _Arbitrate, _Release, _ResControl,                  \
        _ResTypeControl}}}

/**
 * The one symbol a resource DLL exports.  Called once per (type, host process) with
 * MinVersionSupported = MaxVersionSupported = CLRES_VERSION_V1_00.  Store the two callbacks;
 * return ERROR_REVISION_MISMATCH if no supported version is in range and
 * ERROR_CLUSTER_RESNAME_NOT_FOUND for a type the DLL does not implement.
 */
typedef DWORD(WINAPI *PSTARTUP_ROUTINE)(LPCSTR ResourceType, DWORD MinVersionSupported,
                                        DWORD MaxVersionSupported,
                                        PSET_RESOURCE_STATUS_ROUTINE SetResourceStatus,
                                        PLOG_EVENT_ROUTINE LogEvent,
                                        PCLRES_FUNCTION_TABLE *FunctionTable);

/** Mark the DLL's Startup with this so it is exported despite -fvisibility=hidden. */
#define CLUSRES_EXPORT __attribute__((visibility("default")))

/* ---------------------------------------------------------------------------------------- */
/* Last error (thread-local, like SetLastError/GetLastError)                                */
/* ---------------------------------------------------------------------------------------- */

void SetLastError(DWORD dwErrCode);
DWORD GetLastError(void);

/* ---------------------------------------------------------------------------------------- */
/* Event handles                                                                            */
/* ---------------------------------------------------------------------------------------- */

/** Creates an event (CreateEvent).  Returns NULL with GetLastError() set on failure. */
HANDLE ClusResCreateEvent(BOOL ManualReset, BOOL InitialState);
BOOL ClusResSetEvent(HANDLE Event);
BOOL ClusResResetEvent(HANDLE Event);
/** WaitForSingleObject: WAIT_OBJECT_0, WAIT_TIMEOUT or WAIT_FAILED; Milliseconds may be INFINITE.
 */
DWORD ClusResWaitForEvent(HANDLE Event, DWORD Milliseconds);
/** A file descriptor that becomes readable while the event is signalled (for poll loops). */
int ClusResEventFd(HANDLE Event);
BOOL ClusResCloseHandle(HANDLE Handle);

/* ---------------------------------------------------------------------------------------- */
/* Worker threads (ResUtils)                                                                */
/* ---------------------------------------------------------------------------------------- */

typedef struct CLUS_WORKER {
  HANDLE hThread; /* read-only for the DLL */
  BOOL Terminate; /* read-only for the DLL: use ClusWorkerCheckTerminate */
} CLUS_WORKER, *PCLUS_WORKER;

typedef DWORD(WINAPI *PWORKER_START_ROUTINE)(PCLUS_WORKER pWorker, LPVOID lpThreadParameter);

/** Starts a worker thread.  *lpWorker must be zeroed (or terminated) before the call. */
DWORD ClusWorkerCreate(PCLUS_WORKER lpWorker, PWORKER_START_ROUTINE lpStartAddress,
                       PVOID lpParameter);
/** TRUE once the worker has been asked to stop: it should return as soon as it can. */
BOOL ClusWorkerCheckTerminate(PCLUS_WORKER lpWorker);
/**
 * Asks the worker to stop and waits for it to exit.  Safe to call on a zeroed worker, from
 * several threads and repeatedly; must not be called by the worker itself.
 */
VOID ClusWorkerTerminate(PCLUS_WORKER lpWorker);
/** As ClusWorkerTerminate with a bound: ERROR_SUCCESS or WAIT_TIMEOUT. */
DWORD ClusWorkerTerminateEx(PCLUS_WORKER lpWorker, DWORD TimeoutInMilliseconds, BOOL WaitOnly);

/* ---------------------------------------------------------------------------------------- */
/* Cluster registry                                                                         */
/* ---------------------------------------------------------------------------------------- */

/* Value types (winnt.h REG_*). */
#define REG_NONE 0u
#define REG_SZ 1u
#define REG_EXPAND_SZ 2u
#define REG_BINARY 3u
#define REG_DWORD 4u
#define REG_MULTI_SZ 7u
#define REG_QWORD 11u

#define KEY_READ 0x20019u
#define KEY_WRITE 0x20006u
#define KEY_ALL_ACCESS 0xF003Fu

/**
 * Opens the key of resource ResourceName (created if missing).  Hosts and tools use this;
 * a DLL gets its own key in Open.  Keys are stored under $CLUSRES_REGISTRY_DIR, by default
 * /var/lib/clusres/registry, one file per resource, replaced atomically on every write.
 */
DWORD ClusterRegOpenResourceKey(LPCSTR ResourceName, DWORD samDesired, HKEY *phkResult);
/** Opens (creating if needed) a subkey such as "Parameters". */
DWORD ClusterRegOpenKey(HKEY hKey, LPCSTR lpszSubKey, DWORD samDesired, HKEY *phkResult);
DWORD ClusterRegCreateKey(HKEY hKey, LPCSTR lpszSubKey, DWORD samDesired, HKEY *phkResult);
DWORD ClusterRegCloseKey(HKEY hKey);
/** Returns the data; ERROR_MORE_DATA with *lpcbData = needed size; ERROR_FILE_NOT_FOUND. */
DWORD ClusterRegQueryValue(HKEY hKey, LPCSTR lpszValueName, LPDWORD lpdwValueType, LPBYTE lpData,
                           LPDWORD lpcbData);
DWORD ClusterRegSetValue(HKEY hKey, LPCSTR lpszValueName, DWORD dwType, const BYTE *lpData,
                         DWORD cbData);
DWORD ClusterRegDeleteValue(HKEY hKey, LPCSTR lpszValueName);
/** Enumerates value names; ERROR_NO_MORE_ITEMS after the last. */
DWORD ClusterRegEnumValue(HKEY hKey, DWORD dwIndex, LPSTR lpszValueName, LPDWORD lpcchValueName,
                          LPDWORD lpdwType, LPBYTE lpData, LPDWORD lpcbData);
/** Deletes the whole key of a resource, durable and volatile parts (FIG. 9 "delete the
 *  resource entry"). */
DWORD ClusterRegDeleteResourceKey(LPCSTR ResourceName);

/* Volatile keys (RegCreateKeyEx's REG_OPTION_VOLATILE). */
#define REG_OPTION_NON_VOLATILE 0u
#define REG_OPTION_VOLATILE 1u
#define REG_CREATED_NEW_KEY 1u
#define REG_OPENED_EXISTING_KEY 2u
/**
 * Opens or creates a subkey.  With REG_OPTION_VOLATILE a new subkey and everything below it
 * lives in the run-time store $CLUSRES_RUN_DIR/registry (default /run/clusres/registry, a
 * tmpfs): replaced atomically but not fsynced, gone after a reboot, kept across a host
 * restart.  An existing key is opened as it is, whatever dwOptions says (as Windows); subkeys
 * of a volatile key are volatile.  *lpdwDisposition (may be NULL): REG_CREATED_NEW_KEY or
 * REG_OPENED_EXISTING_KEY.  ClusterRegOpenKey finds existing volatile subkeys.
 */
DWORD ClusterRegCreateKeyEx(HKEY hKey, LPCSTR lpszSubKey, DWORD dwOptions, DWORD samDesired,
                            HKEY *phkResult, LPDWORD lpdwDisposition);

/* Batches (ClusterRegCreateBatch & co.): the commands change hKey's values in ONE atomic file
 * replacement (one fsync for a durable key), all or nothing. */
typedef struct _CLUSRES_HREGBATCH *HREGBATCH;
#define CLUSREG_SET_VALUE 1u
#define CLUSREG_DELETE_VALUE 2u
#define CLUSREG_CREATE_KEY 3u
DWORD ClusterRegCreateBatch(HKEY hKey, HREGBATCH *pHREGBATCH);
/**
 * Queues a command: CLUSREG_SET_VALUE (dwOptions = the REG_* type, lpData/cbData the data),
 * CLUSREG_DELETE_VALUE (deleting a value that does not exist is no error), or
 * CLUSREG_CREATE_KEY: the following commands apply to subkey wzName of hKey (NULL or "": to
 * hKey again), so one batch can write a key and its subkeys in one replacement; a subkey in
 * the other store (volatile vs durable) is ERROR_NOT_SUPPORTED.  A bad command fails here and
 * makes the whole batch fail at commit.
 */
DWORD ClusterRegBatchAddCommand(HREGBATCH hRegBatch, DWORD dwCommand, LPCSTR wzName,
                                DWORD dwOptions, const void *lpData, DWORD cbData);
/**
 * Frees the batch; with bCommit applies it (nothing is written if no value changes).  On
 * failure nothing is applied and *failedCommand (may be NULL) is the index of the bad command,
 * or -1 if the store itself failed.
 */
DWORD ClusterRegCloseBatch(HREGBATCH hRegBatch, BOOL bCommit, PLONG failedCommand);

/* Typed conveniences (ResUtilGet/Set*Value).  Strings returned are freed with ResUtilFree. */
DWORD ResUtilGetDwordValue(HKEY hkeyClusterKey, LPCSTR pszValueName, LPDWORD pdwOutValue,
                           DWORD dwDefaultValue);
DWORD ResUtilSetDwordValue(HKEY hkeyClusterKey, LPCSTR pszValueName, DWORD dwNewValue,
                           LPDWORD pdwOutValue);
LPSTR ResUtilGetSzValue(HKEY hkeyClusterKey, LPCSTR pszValueName);
DWORD ResUtilSetSzValue(HKEY hkeyClusterKey, LPCSTR pszValueName, LPCSTR pszNewValue,
                        LPSTR *ppszOutString);
VOID ResUtilFree(PVOID p);

/* ---------------------------------------------------------------------------------------- */
/* Property lists (wire format of the private-property control codes)                       */
/* ---------------------------------------------------------------------------------------- */
/*
 * A property list is: DWORD count, then per property a CLUSPROP_SYNTAX_NAME entry (the name),
 * one value entry, and CLUSPROP_SYNTAX_ENDMARK.  Every entry is a CLUSPROP_VALUE header
 * { DWORD Syntax; DWORD cbLength; } followed by cbLength bytes padded with zeros to a multiple
 * of 4.  Strings are UTF-8 and cbLength counts the NUL; MULTI_SZ ends with an empty string.
 */

#define CLUSPROP_FORMAT_UNKNOWN 0u
#define CLUSPROP_FORMAT_BINARY 1u
#define CLUSPROP_FORMAT_DWORD 2u
#define CLUSPROP_FORMAT_SZ 3u
#define CLUSPROP_FORMAT_EXPAND_SZ 4u
#define CLUSPROP_FORMAT_MULTI_SZ 5u
#define CLUSPROP_FORMAT_ULARGE_INTEGER 6u
#define CLUSPROP_FORMAT_LONG 7u
#define CLUSPROP_FORMAT_EXPANDED_SZ 8u
#define CLUSPROP_FORMAT_SECURITY_DESCRIPTOR 9u
#define CLUSPROP_FORMAT_LARGE_INTEGER 10u
#define CLUSPROP_FORMAT_WORD 11u
#define CLUSPROP_FORMAT_FILETIME 12u
#define CLUSPROP_FORMAT_USER 32768u

#define CLUSPROP_TYPE_ENDMARK 0u
#define CLUSPROP_TYPE_LIST_VALUE 1u
#define CLUSPROP_TYPE_RESCLASS 2u
#define CLUSPROP_TYPE_NAME 4u

#define CLUSPROP_SYNTAX_VALUE(type, format) ((DWORD)(((type) << 16) | (format)))
#define CLUSPROP_SYNTAX_ENDMARK 0u
#define CLUSPROP_SYNTAX_NAME                                                                       \
  CLUSPROP_SYNTAX_VALUE(CLUSPROP_TYPE_NAME, CLUSPROP_FORMAT_SZ) /* 0x00040003 */
#define CLUSPROP_SYNTAX_LIST_VALUE_BINARY                                                          \
  CLUSPROP_SYNTAX_VALUE(CLUSPROP_TYPE_LIST_VALUE, CLUSPROP_FORMAT_BINARY)
#define CLUSPROP_SYNTAX_LIST_VALUE_DWORD                                                           \
  CLUSPROP_SYNTAX_VALUE(CLUSPROP_TYPE_LIST_VALUE, CLUSPROP_FORMAT_DWORD)
#define CLUSPROP_SYNTAX_LIST_VALUE_SZ                                                              \
  CLUSPROP_SYNTAX_VALUE(CLUSPROP_TYPE_LIST_VALUE, CLUSPROP_FORMAT_SZ)
#define CLUSPROP_SYNTAX_LIST_VALUE_EXPAND_SZ                                                       \
  CLUSPROP_SYNTAX_VALUE(CLUSPROP_TYPE_LIST_VALUE, CLUSPROP_FORMAT_EXPAND_SZ)
#define CLUSPROP_SYNTAX_LIST_VALUE_MULTI_SZ                                                        \
  CLUSPROP_SYNTAX_VALUE(CLUSPROP_TYPE_LIST_VALUE, CLUSPROP_FORMAT_MULTI_SZ)
#define CLUSPROP_SYNTAX_LIST_VALUE_LONG                                                            \
  CLUSPROP_SYNTAX_VALUE(CLUSPROP_TYPE_LIST_VALUE, CLUSPROP_FORMAT_LONG)

typedef struct CLUSPROP_VALUE {
  DWORD Syntax;
  DWORD cbLength;
} CLUSPROP_VALUE;

/** An opaque, growable property list for building control-code buffers. */
typedef struct _CLUSRES_PROPLIST *PCLUSRES_PROPLIST;

PCLUSRES_PROPLIST ClusResPropListCreate(void);
VOID ClusResPropListFree(PCLUSRES_PROPLIST List);
DWORD ClusResPropListAddSz(PCLUSRES_PROPLIST List, LPCSTR Name, LPCSTR Value);
DWORD ClusResPropListAddExpandSz(PCLUSRES_PROPLIST List, LPCSTR Name, LPCSTR Value);
/** Values is a sequence of NUL-terminated strings ended by an empty string. */
DWORD ClusResPropListAddMultiSz(PCLUSRES_PROPLIST List, LPCSTR Name, LPCSTR Values, DWORD cbValues);
DWORD ClusResPropListAddDword(PCLUSRES_PROPLIST List, LPCSTR Name, DWORD Value);
DWORD ClusResPropListAddLong(PCLUSRES_PROPLIST List, LPCSTR Name, LONG Value);
DWORD ClusResPropListAddBinary(PCLUSRES_PROPLIST List, LPCSTR Name, const BYTE *Value,
                               DWORD cbValue);
/** The finished buffer (valid until the next Add or Free) and its size in bytes. */
const void *ClusResPropListBuffer(PCLUSRES_PROPLIST List, LPDWORD cbList);
/**
 * Copies the finished list to a control code's out buffer, by the ResourceControl convention:
 * ERROR_SUCCESS with *BytesReturned = the bytes copied, or ERROR_MORE_DATA with *BytesReturned =
 * the size needed (OutBuffer NULL or too small).  BytesReturned may be NULL.
 */
DWORD ClusResPropListReturn(PCLUSRES_PROPLIST List, PVOID OutBuffer, DWORD OutBufferSize,
                            LPDWORD BytesReturned);

/** Checks that a buffer is a well-formed property list: ERROR_SUCCESS or ERROR_INVALID_DATA. */
DWORD ClusResPropListValidate(const void *pPropertyList, DWORD cbPropertyListSize);

/* Finding one property in a list (ResUtilFind*Property). ERROR_FILE_NOT_FOUND if absent,
 * ERROR_INVALID_DATA if malformed or of another format.  Strings are freed with ResUtilFree. */
DWORD ResUtilFindSzProperty(const void *pPropertyList, DWORD cbPropertyListSize,
                            LPCSTR pszPropertyName, LPSTR *pszPropertyValue);
DWORD ResUtilFindDwordProperty(const void *pPropertyList, DWORD cbPropertyListSize,
                               LPCSTR pszPropertyName, LPDWORD pdwPropertyValue);

/* ---------------------------------------------------------------------------------------- */
/* Property tables                                                                          */
/* ---------------------------------------------------------------------------------------- */

#define RESUTIL_PROPITEM_READ_ONLY 0x00000001u
#define RESUTIL_PROPITEM_REQUIRED 0x00000002u
#define RESUTIL_PROPITEM_SIGNED 0x00000004u
#define RESUTIL_PROPITEM_IN_MEMORY 0x00000008u

/*
 * One private property.  The table ends with an all-zero item.  Parameter-block storage by
 * Format: DWORD/LONG -> DWORD; SZ/EXPAND_SZ -> LPSTR; MULTI_SZ and BINARY -> pointer followed by
 * a DWORD byte size.  Offset is offsetof() into the DLL's parameter block.
 */
typedef struct RESUTIL_PROPERTY_ITEM {
  LPCSTR Name;
  LPCSTR KeyName; /* value name in the registry; NULL = same as Name */
  DWORD Format;   /* CLUSPROP_FORMAT_* */
  union {
    DWORD_PTR DefaultPtr;
    DWORD Default;
    const void *lpDefault; /* LPCSTR for SZ formats */
  };
  DWORD Minimum;
  DWORD Maximum;
  DWORD Flags; /* RESUTIL_PROPITEM_* */
  DWORD Offset;
} RESUTIL_PROPERTY_ITEM, *PRESUTIL_PROPERTY_ITEM;

#define RESUTIL_PROPITEM_SZ(name, offset, dflt, flags)                                             \
  {                                                                                                \
    .Name = (name), .KeyName = NULL, .Format = CLUSPROP_FORMAT_SZ, .lpDefault = (dflt),            \
    .Minimum = 0, .Maximum = 0, .Flags = (flags), .Offset = (DWORD)(offset)                        \
  }
#define RESUTIL_PROPITEM_DWORD(name, offset, dflt, min, max, flags)                                \
  {                                                                                                \
    .Name = (name), .KeyName = NULL, .Format = CLUSPROP_FORMAT_DWORD, .Default = (dflt),           \
    .Minimum = (min), .Maximum = (max), .Flags = (flags), .Offset = (DWORD)(offset)                \
  }
#define RESUTIL_PROPITEM_EXPAND_SZ(name, offset, dflt, flags)                                      \
  {                                                                                                \
    .Name = (name), .KeyName = NULL, .Format = CLUSPROP_FORMAT_EXPAND_SZ, .lpDefault = (dflt),     \
    .Minimum = 0, .Maximum = 0, .Flags = (flags), .Offset = (DWORD)(offset)                        \
  }
/** Signed: min and max are LONGs (RESUTIL_PROPITEM_SIGNED is implied by the format). */
#define RESUTIL_PROPITEM_LONG(name, offset, dflt, min, max, flags)                                 \
  {                                                                                                \
    .Name = (name), .KeyName = NULL, .Format = CLUSPROP_FORMAT_LONG, .Default = (DWORD)(dflt),     \
    .Minimum = (DWORD)(min), .Maximum = (DWORD)(max), .Flags = (flags) | RESUTIL_PROPITEM_SIGNED,  \
    .Offset = (DWORD)(offset)                                                                      \
  }
/** The default is cbDflt bytes at dflt ("a\0b\0" is 4 bytes); the block holds LPSTR + DWORD. */
#define RESUTIL_PROPITEM_MULTI_SZ(name, offset, dflt, cbDflt, flags)                               \
  {                                                                                                \
    .Name = (name), .KeyName = NULL, .Format = CLUSPROP_FORMAT_MULTI_SZ, .lpDefault = (dflt),      \
    .Minimum = (DWORD)(cbDflt), .Maximum = 0, .Flags = (flags), .Offset = (DWORD)(offset)          \
  }
#define RESUTIL_PROPITEM_BINARY(name, offset, dflt, cbDflt, flags)                                 \
  {                                                                                                \
    .Name = (name), .KeyName = NULL, .Format = CLUSPROP_FORMAT_BINARY, .lpDefault = (dflt),        \
    .Minimum = (DWORD)(cbDflt), .Maximum = 0, .Flags = (flags), .Offset = (DWORD)(offset)          \
  }
/** Ends a table (Windows writes { 0 }). */
#define RESUTIL_PROPITEM_END                                                                       \
  {                                                                                                \
    .Name = NULL                                                                                   \
  }

/**
 * Reads the properties of a table from a registry key into a parameter block, applying table
 * defaults.  With bCheckForRequiredProperties a missing REQUIRED property fails with
 * ERROR_INVALID_PARAMETER and its name in *pszNameOfPropInError (free with ResUtilFree).
 */
DWORD ResUtilGetPropertiesToParameterBlock(HKEY hkeyClusterKey,
                                           const RESUTIL_PROPERTY_ITEM *pPropertyTable,
                                           LPBYTE pOutParams, BOOL bCheckForRequiredProperties,
                                           LPSTR *pszNameOfPropInError);
/**
 * Checks a property list against a table: format, range, READ_ONLY, unknown names (rejected
 * unless bAllowUnknownProperties).  If pOutParams is given, the values are parsed into it (its
 * existing strings are replaced and freed).  ERROR_INVALID_DATA for a malformed list,
 * ERROR_INVALID_PARAMETER for a bad value.
 */
DWORD ResUtilVerifyPropertyTable(const RESUTIL_PROPERTY_ITEM *pPropertyTable, PVOID Reserved,
                                 BOOL bAllowUnknownProperties, const void *pInPropertyList,
                                 DWORD cbInPropertyListSize, LPBYTE pOutParams);
/** Verifies pInPropertyList and writes its values to the key; then updates pOutParams. */
DWORD ResUtilSetPropertyParameterBlock(HKEY hkeyClusterKey,
                                       const RESUTIL_PROPERTY_ITEM *pPropertyTable, PVOID Reserved,
                                       const LPBYTE pInParams, const void *pInPropertyList,
                                       DWORD cbInPropertyListSize, LPBYTE pOutParams);
/** Writes a parameter block's values as a property list; ERROR_MORE_DATA with *pcbRequired. */
DWORD ResUtilPropertyListFromParameterBlock(const RESUTIL_PROPERTY_ITEM *pPropertyTable,
                                            PVOID pOutPropertyList, LPDWORD pcbOutPropertyListSize,
                                            const LPBYTE pInParams, LPDWORD pcbBytesReturned,
                                            LPDWORD pcbRequired);
/** The table's property names (ENUM_PRIVATE_PROPERTIES) as a MULTI_SZ: each name NUL-terminated,
 *  then one more NUL (Windows format); ERROR_MORE_DATA with *pcbRequired. */
DWORD ResUtilEnumProperties(const RESUTIL_PROPERTY_ITEM *pPropertyTable, LPSTR pszOutProperties,
                            DWORD cbOutPropertiesSize, LPDWORD pcbBytesReturned,
                            LPDWORD pcbRequired);
/** Reads every table property from the key and returns them as a property list. */
DWORD ResUtilGetAllProperties(HKEY hkeyClusterKey, const RESUTIL_PROPERTY_ITEM *pPropertyTable,
                              PVOID pOutPropertyList, DWORD cbOutPropertyListSize,
                              LPDWORD pcbBytesReturned, LPDWORD pcbRequired);
/**
 * Verifies pInPropertyList against the table (bAllowUnknownProperties as in
 * ResUtilVerifyPropertyTable) and writes every property it names to the key, in one atomic
 * replacement; with pOutParams the values are also parsed into that block.
 */
DWORD ResUtilSetPropertyTable(HKEY hkeyClusterKey, const RESUTIL_PROPERTY_ITEM *pPropertyTable,
                              PVOID Reserved, BOOL bAllowUnknownProperties,
                              const void *pInPropertyList, DWORD cbInPropertyListSize,
                              LPBYTE pOutParams);
/**
 * The table's property formats (GET_PRIVATE_PROPERTY_FMTS): a property list with each name and
 * its CLUSPROP_FORMAT_* number.  clusres difference: the number travels as a DWORD list value
 * (Windows: a WORD), readable with ResUtilFindDwordProperty.  ERROR_MORE_DATA with *pcbRequired.
 */
DWORD ResUtilGetPropertyFormats(const RESUTIL_PROPERTY_ITEM *pPropertyTable,
                                PVOID pOutPropertyFormatList, DWORD cbPropertyFormatListSize,
                                LPDWORD pcbBytesReturned, LPDWORD pcbRequired);
/** Every value of the key as a property list, no table needed (formats from the REG_* types);
 *  ERROR_MORE_DATA with *pcbRequired. */
DWORD ResUtilGetPrivateProperties(HKEY hkeyClusterKey, PVOID pOutPropertyList,
                                  DWORD cbOutPropertyListSize, LPDWORD pcbBytesReturned,
                                  LPDWORD pcbRequired);
/** Deep-copies a parameter block (strings and buffers duplicated). */
DWORD ResUtilDupParameterBlock(LPBYTE pOutParams, const LPBYTE pInParams,
                               const RESUTIL_PROPERTY_ITEM *pPropertyTable);
/** Frees the strings and buffers of pOutParams that are not shared with pInParams (may be NULL). */
VOID ResUtilFreeParameterBlock(LPBYTE pOutParams, const LPBYTE pInParams,
                               const RESUTIL_PROPERTY_ITEM *pPropertyTable);

/* ---------------------------------------------------------------------------------------- */
/* Control codes (clusapi.h layout)                                                         */
/* ---------------------------------------------------------------------------------------- */

#define CLUS_ACCESS_ANY 0u
#define CLUS_ACCESS_READ 1u
#define CLUS_ACCESS_WRITE 2u
#define CLUS_OBJECT_RESOURCE 1u
#define CLUS_OBJECT_RESOURCE_TYPE 2u
#define CLUSCTL_ACCESS_SHIFT 0
#define CLUSCTL_FUNCTION_SHIFT 2
#define CLUSCTL_OBJECT_SHIFT 24
#define CLCTL_INTERNAL_MASK 0x00100000u
#define CLCTL_USER_MASK 0x00200000u
#define CLCTL_MODIFY_MASK 0x00400000u
#define CLCTL_GLOBAL_MASK 0x00800000u

#define CLCTL_EXTERNAL_CODE(fn, access, modify)                                                    \
  ((DWORD)((access) << CLUSCTL_ACCESS_SHIFT) | ((fn) << CLUSCTL_FUNCTION_SHIFT) |                  \
   ((modify) ? CLCTL_MODIFY_MASK : 0u))
#define CLUSCTL_RESOURCE_CODE(code)                                                                \
  ((DWORD)((CLUS_OBJECT_RESOURCE << CLUSCTL_OBJECT_SHIFT) | (code)))
#define CLUSCTL_RESOURCE_TYPE_CODE(code)                                                           \
  ((DWORD)((CLUS_OBJECT_RESOURCE_TYPE << CLUSCTL_OBJECT_SHIFT) | (code)))
#define CLUSCTL_USER_CODE(code, object)                                                            \
  ((DWORD)(((object) << CLUSCTL_OBJECT_SHIFT) | ((0x200000u + (code)) << CLUSCTL_FUNCTION_SHIFT)))
#define CLUSCTL_GET_CONTROL_FUNCTION(cc) (((cc) >> CLUSCTL_FUNCTION_SHIFT) & 0x3FFFFu)

#define CLUSCTL_RESOURCE_UNKNOWN 0x01000000u
#define CLUSCTL_RESOURCE_GET_CHARACTERISTICS 0x01000005u
#define CLUSCTL_RESOURCE_GET_FLAGS 0x01000009u
#define CLUSCTL_RESOURCE_GET_CLASS_INFO 0x0100000Du
#define CLUSCTL_RESOURCE_GET_REQUIRED_DEPENDENCIES 0x01000011u
#define CLUSCTL_RESOURCE_ENUM_COMMON_PROPERTIES 0x01000051u
#define CLUSCTL_RESOURCE_GET_RO_COMMON_PROPERTIES 0x01000055u
#define CLUSCTL_RESOURCE_GET_COMMON_PROPERTIES 0x01000059u
#define CLUSCTL_RESOURCE_SET_COMMON_PROPERTIES 0x0140005Eu
#define CLUSCTL_RESOURCE_VALIDATE_COMMON_PROPERTIES 0x01000061u
#define CLUSCTL_RESOURCE_ENUM_PRIVATE_PROPERTIES 0x01000079u
#define CLUSCTL_RESOURCE_GET_RO_PRIVATE_PROPERTIES 0x0100007Du
#define CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTIES 0x01000081u
#define CLUSCTL_RESOURCE_SET_PRIVATE_PROPERTIES 0x01400086u
#define CLUSCTL_RESOURCE_VALIDATE_PRIVATE_PROPERTIES 0x01000089u
#define CLUSCTL_RESOURCE_GET_PRIVATE_PROPERTY_FMTS 0x0100008Du
#define CLUSCTL_RESOURCE_QUERY_DELETE 0x010001B9u
#define CLUSCTL_RESOURCE_DELETE 0x01500006u
#define CLUSCTL_RESOURCE_SET_NAME 0x01500026u
#define CLUSCTL_RESOURCE_INITIALIZE 0x0150004Au
#define CLUSCTL_RESOURCE_STATE_CHANGE_REASON 0x0150004Eu

#define CLUSCTL_RESOURCE_TYPE_STARTING_PHASE1 0x02500036u
#define CLUSCTL_RESOURCE_TYPE_STARTING_PHASE2 0x0250003Au
#define CLUSCTL_RESOURCE_TYPE_GET_REQUIRED_DEPENDENCIES 0x02000011u
#define CLUSCTL_RESOURCE_TYPE_ENUM_PRIVATE_PROPERTIES 0x02000079u
#define CLUSCTL_RESOURCE_TYPE_GET_PRIVATE_PROPERTIES 0x02000081u
#define CLUSCTL_RESOURCE_TYPE_SET_PRIVATE_PROPERTIES 0x02400086u
#define CLUSCTL_RESOURCE_TYPE_VALIDATE_PRIVATE_PROPERTIES 0x02000089u
#define CLUSCTL_RESOURCE_TYPE_GET_PRIVATE_RESOURCE_PROPERTY_FMTS 0x02000091u

/* A user control code the File Share sample used for an on-demand IsAlive (0x01800004). */
#define CLUSCTL_RESOURCE_USER_ISALIVE CLUSCTL_USER_CODE(1u, CLUS_OBJECT_RESOURCE)

/* ---------------------------------------------------------------------------------------- */
/* clusres extension: type information for OCF meta-data                                   */
/* ---------------------------------------------------------------------------------------- */
/*
 * Windows keeps descriptions and poll intervals outside the DLL.  Pacemaker asks the agent for
 * meta-data, so a clusres DLL describes its type with this resource-type control code: the
 * out buffer receives one pointer (sizeof(const CLUSRES_TYPE_INFO *)) to static data that stays
 * valid while the DLL is loaded.  A DLL that returns ERROR_INVALID_FUNCTION gets meta-data with
 * its property names only (from GET_PRIVATE_RESOURCE_PROPERTY_FMTS).
 */
#define CLUSCTL_RESOURCE_TYPE_CLUSRES_GET_TYPE_INFO                                                \
  CLUSCTL_USER_CODE(0x100u, CLUS_OBJECT_RESOURCE_TYPE)

#define CLUSRES_PROPDOC_UNIQUE 0x1u     /* OCF unique="1" (also unique-group) */
#define CLUSRES_PROPDOC_RELOADABLE 0x2u /* SET_PRIVATE_PROPERTIES applies it live: reload-agent */
#define CLUSRES_PROPDOC_PATH 0x4u       /* absolute path: agent rejects relative paths and ".." */

typedef struct CLUSRES_PROPERTY_DOC {
  LPCSTR Name; /* as in the property table */
  LPCSTR ShortDesc;
  LPCSTR LongDesc;
  DWORD Flags; /* CLUSRES_PROPDOC_* */
} CLUSRES_PROPERTY_DOC;

#define CLUSRES_TYPE_INFO_VERSION 1u

typedef struct CLUSRES_TYPE_INFO {
  DWORD Version; /* CLUSRES_TYPE_INFO_VERSION */
  LPCSTR ShortDesc;
  LPCSTR LongDesc;
  const RESUTIL_PROPERTY_ITEM *Properties; /* the resource private-property table */
  const CLUSRES_PROPERTY_DOC *Docs;        /* NULL-Name terminated; may be NULL */
  DWORD LooksAlivePollInterval;            /* ms; 0 = 5000 */
  DWORD IsAlivePollInterval;               /* ms; 0 = 60000 */
  DWORD PendingTimeout;                    /* ms; 0 = 180000 */
  DWORD MaxCheckLevel; /* deepest OCF_CHECK_LEVEL IsAlive honours: 0, 10 or 20 */
} CLUSRES_TYPE_INFO;

/* Defaults of the common properties (milliseconds). */
#define CLUSTER_RESOURCE_DEFAULT_LOOKS_ALIVE 5000u
#define CLUSTER_RESOURCE_DEFAULT_IS_ALIVE 60000u
#define CLUSTER_RESOURCE_DEFAULT_PENDING_TIMEOUT 180000u
#define CLUSTER_RESOURCE_DEFAULT_DEADLOCK_TIMEOUT 300000u

/**
 * The OCF_CHECK_LEVEL of the monitor in progress for the calling thread (0, 10, 20), so that
 * IsAlive can do deeper checks on request.  0 outside a monitor.
 */
DWORD ClusResGetCheckLevel(void);
/** For hosts: sets the calling thread's check level around an IsAlive/LooksAlive call. */
VOID ClusResSetCheckLevel(DWORD CheckLevel);

/* ---------------------------------------------------------------------------------------- */
/* Resource-DLL skeleton helpers (clusres extensions in the spirit of ResUtils)              */
/* ---------------------------------------------------------------------------------------- */
/*
 * What every resource DLL repeats, once: Startup, the private-property control codes and the
 * type-level control codes.  A type's ResourceControl handles the codes that are its own (its
 * read-only status, user codes) and passes everything else to ClusResUtilResourceControl; its
 * ResourceTypeControl likewise falls back to ClusResUtilResourceTypeControl.  One behaviour per
 * case, as MSCS DLLs (the File Share sample, the Resource Type Wizard's code) answer:
 *   - a NULL RESID (no instance)                          ERROR_RESOURCE_NOT_FOUND
 *   - a code the helper does not handle                   ERROR_INVALID_FUNCTION ("do the
 *                                                         default processing")
 *   - an out buffer too small                             ERROR_MORE_DATA, *BytesReturned =
 *                                                         the size needed
 *   - VALIDATE/SET without a property list                ERROR_INVALID_DATA
 *   - a value the table refuses                           ERROR_INVALID_PARAMETER
 */

/** One type of a DLL: the name Startup is asked for and the function table it answers. */
typedef struct CLUSRES_RESOURCE_TYPE_ENTRY {
  LPCSTR TypeName; /* compared ignoring ASCII case, as Windows compares type names */
  PCLRES_FUNCTION_TABLE FunctionTable;
} CLUSRES_RESOURCE_TYPE_ENTRY;

/**
 * The body of every Startup.  Types is ended by an entry with a NULL TypeName; a DLL may list
 * one type several times with tables of different versions.  Returns, in this order:
 * ERROR_INVALID_PARAMETER if ResourceType, a callback or FunctionTable is NULL;
 * ERROR_CLUSTER_RESNAME_NOT_FOUND if no entry has the type's name; ERROR_REVISION_MISMATCH if
 * none of its tables has a Version in [MinVersionSupported, MaxVersionSupported] (and the
 * TableSize of that version); else ERROR_SUCCESS with *FunctionTable = the table of the
 * highest such version.  Use CLUSRES_DEFINE_STARTUP rather than calling it directly.
 */
DWORD ClusResUtilStartup(const CLUSRES_RESOURCE_TYPE_ENTRY *Types, LPCSTR ResourceType,
                         DWORD MinVersionSupported, DWORD MaxVersionSupported,
                         PSET_RESOURCE_STATUS_ROUTINE SetResourceStatus,
                         PLOG_EVENT_ROUTINE LogEvent, PCLRES_FUNCTION_TABLE *FunctionTable);

/**
 * Defines the DLL's exported Startup on ClusResUtilStartup(_Types, ...); on success the two
 * callbacks are stored in the lvalues _SetResourceStatusVar and _LogEventVar.
 */
#define CLUSRES_DEFINE_STARTUP(_Types, _SetResourceStatusVar, _LogEventVar)                        \
  CLUSRES_EXPORT DWORD WINAPI Startup(LPCSTR, DWORD, DWORD, PSET_RESOURCE_STATUS_ROUTINE,          \
                                      PLOG_EVENT_ROUTINE, PCLRES_FUNCTION_TABLE *);                \
  CLUSRES_EXPORT DWORD WINAPI Startup(                                                             \
      LPCSTR ResourceType, DWORD MinVersionSupported, DWORD MaxVersionSupported,                   \
      PSET_RESOURCE_STATUS_ROUTINE SetResourceStatus, PLOG_EVENT_ROUTINE LogEvent,                 \
      PCLRES_FUNCTION_TABLE *FunctionTable)                                                        \
  {                                                                                                \
    DWORD status_ =                                                                                \
        ClusResUtilStartup((_Types), ResourceType, MinVersionSupported, MaxVersionSupported,       \
                           SetResourceStatus, LogEvent, FunctionTable);                            \
    if (status_ == ERROR_SUCCESS) {                                                                \
      (_SetResourceStatusVar) = SetResourceStatus;                                                 \
      (_LogEventVar) = LogEvent;                                                                   \
    }                                                                                              \
    return status_;                                                                                \
  }

/** Startup for a DLL of one type: the entry list and CLUSRES_DEFINE_STARTUP in one line. */
#define CLUSRES_DEFINE_STARTUP_FOR_TYPE(_TypeName, _FunctionTable, _SetResourceStatusVar,          \
                                        _LogEventVar)                                              \
  static const CLUSRES_RESOURCE_TYPE_ENTRY clusres_startup_types_[] = {                            \
      {(_TypeName), &(_FunctionTable)}, {NULL, NULL}};                                             \
  CLUSRES_DEFINE_STARTUP(clusres_startup_types_, _SetResourceStatusVar, _LogEventVar)

/**
 * A DLL's check of a parameter block beyond what the table expresses (cross-property rules,
 * paths that must exist...): ERROR_SUCCESS or the error VALIDATE/SET return.  pParams is a
 * merged copy (current values with the list applied), or NULL for a DLL without a block.
 */
typedef DWORD(WINAPI *PCLUSRES_CHECK_PARAMETERS_ROUTINE)(PVOID Context, const BYTE *pParams);
/**
 * Called by SET_PRIVATE_PROPERTIES once the new values are stored in the key.  The DLL takes
 * them into its live block (typically swapping the two blocks under its own lock, which is
 * right when the block holds only table fields: pNewParams has the table's fields of a copy,
 * and whatever it holds afterwards is freed by the helper) and returns ERROR_SUCCESS if they are in
 * effect now or ERROR_RESOURCE_PROPERTIES_STORED if they take effect at the next Online.
 * pNewParams is NULL for a DLL without a block.
 */
typedef DWORD(WINAPI *PCLUSRES_APPLY_PARAMETERS_ROUTINE)(PVOID Context, LPBYTE pNewParams);

/** What ClusResUtilResourceControl needs of one instance; kept by the DLL beside its RESID. */
typedef struct CLUSRES_PRIVATE_PROPERTIES {
  const RESUTIL_PROPERTY_ITEM *PropertyTable; /* the resource's private properties */
  HKEY ParametersKey;                         /* where they are stored: GET reads, SET writes */
  /* The instance's current parameter block, or NULL if the DLL keeps none (it reads the key
   * when it needs a value).  VALIDATE and SET start from a copy of it; the helper only reads
   * it, so the DLL's workers may read it concurrently. */
  LPBYTE Params;
  DWORD cbParams;                                    /* sizeof the block */
  PCLUSRES_CHECK_PARAMETERS_ROUTINE CheckParameters; /* may be NULL */
  /* NULL: the helper copies the stored values into Params itself and answers
   * ERROR_RESOURCE_PROPERTIES_STORED (nothing is known to apply them before the next Online). */
  PCLUSRES_APPLY_PARAMETERS_ROUTINE ApplyParameters;
  PVOID Context; /* passed to both routines */
} CLUSRES_PRIVATE_PROPERTIES, *PCLUSRES_PRIVATE_PROPERTIES;

/**
 * The common resource control codes, for a ResourceControl to fall back on:
 *   UNKNOWN                        ERROR_SUCCESS, nothing returned
 *   ENUM_PRIVATE_PROPERTIES        ResUtilEnumProperties of the table
 *   GET_PRIVATE_PROPERTIES         ResUtilGetAllProperties of ParametersKey
 *   GET_PRIVATE_PROPERTY_FMTS      ResUtilGetPropertyFormats of the table
 *   VALIDATE_PRIVATE_PROPERTIES    a copy of Params with the list applied (unknown names
 *                                  refused), then CheckParameters; nothing is written
 *   SET_PRIVATE_PROPERTIES         as VALIDATE, then the listed values written to the key in
 *                                  one replacement, then ApplyParameters
 *   anything else                  ERROR_INVALID_FUNCTION
 * Properties NULL (the DLL got a NULL RESID): ERROR_RESOURCE_NOT_FOUND.  *BytesReturned
 * (may be NULL) is always set: 0, the bytes returned, or the size needed with ERROR_MORE_DATA.
 */
DWORD ClusResUtilResourceControl(const CLUSRES_PRIVATE_PROPERTIES *Properties, DWORD ControlCode,
                                 PVOID InBuffer, DWORD InBufferSize, PVOID OutBuffer,
                                 DWORD OutBufferSize, LPDWORD BytesReturned);

/**
 * The common resource-type control codes, for a ResourceTypeControl to fall back on:
 *   CLUSRES_GET_TYPE_INFO                    a pointer to TypeInfo
 *   GET_PRIVATE_RESOURCE_PROPERTY_FMTS       ResUtilGetPropertyFormats of TypeInfo->Properties
 *   anything else                            ERROR_INVALID_FUNCTION (including
 *   ENUM_PRIVATE_PROPERTIES: MSCS asks there for the type's own properties, and a clusres type
 *   has none; the resource's are ENUM_PRIVATE_PROPERTIES of an instance)
 * TypeInfo NULL: ERROR_INVALID_PARAMETER.  *BytesReturned as ClusResUtilResourceControl.
 */
DWORD ClusResUtilResourceTypeControl(const CLUSRES_TYPE_INFO *TypeInfo, DWORD ControlCode,
                                     PVOID InBuffer, DWORD InBufferSize, PVOID OutBuffer,
                                     DWORD OutBufferSize, LPDWORD BytesReturned);

/**
 * Defines a static ResourceTypeControl _Name for a type with no type-level codes of its own:
 * everything goes to ClusResUtilResourceTypeControl with _TypeInfo (a CLUSRES_TYPE_INFO).
 */
#define CLUSRES_DEFINE_RESOURCE_TYPE_CONTROL(_Name, _TypeInfo)                                     \
  static DWORD WINAPI _Name(LPCSTR ResourceTypeName, DWORD ControlCode, PVOID InBuffer,            \
                            DWORD InBufferSize, PVOID OutBuffer, DWORD OutBufferSize,              \
                            LPDWORD BytesReturned)                                                 \
  {                                                                                                \
    (void)ResourceTypeName;                                                                        \
    return ClusResUtilResourceTypeControl(&(_TypeInfo), ControlCode, InBuffer, InBufferSize,       \
                                          OutBuffer, OutBufferSize, BytesReturned);                \
  }

/**
 * clusres extension, called by LooksAlive/IsAlive on the thread the host called it on: the
 * resource is alive (the call returns TRUE) but degraded: a part of it failed and needs the
 * administrator, not a recovery of the whole (a share set with one broken member).  @Reason
 * (copied; NULL clears) is what the cluster shows: the host answers the monitor
 * CLUSRES_STATE_ONLINE_DEGRADED with it, the agent exits OCF_DEGRADED (190) with it as the
 * exit reason.  A health call that returns FALSE, or TRUE without this, is not degraded.
 */
VOID ClusResSetDegraded(LPCSTR Reason);
/** For hosts: the reason the last health call on this thread set, which it clears (free it
 * with ResUtilFree); NULL when none. */
LPSTR ClusResTakeDegraded(void);
/* A host's Monitor answer (never a state a DLL reports): Online, degraded (ClusResSetDegraded). */
#define CLUSRES_STATE_ONLINE_DEGRADED 131

#ifdef __cplusplus
}
#endif

#endif /* CLUSRES_RESAPI_H */
