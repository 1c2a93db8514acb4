/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nc-record: the fixed-size records the NFS test client appends and verifies. */
#pragma once

#include <glib.h>

/* Record N lives at byte offset N * NC_RECORD_SIZE, so a record can be checked in isolation
 * and a hole (a lost write) shows up as zero bytes where a record should be. */
#define NC_RECORD_SIZE 64
/* Client id field, NUL padded; the id itself may be at most NC_RECORD_ID_MAX bytes. */
#define NC_RECORD_ID_FIELD 36
#define NC_RECORD_ID_MAX (NC_RECORD_ID_FIELD - 1)

typedef struct {
  guint64 seq;
  gint64 time_us; /* wall clock (g_get_real_time) when the record was built */
  char id[NC_RECORD_ID_FIELD];
} NcRecord;

typedef enum {
  NC_RECORD_OK,
  NC_RECORD_EMPTY,        /* all zero: a hole, the record never reached stable storage */
  NC_RECORD_BAD_MAGIC,    /* not one of our records (overwritten, shifted) */
  NC_RECORD_BAD_CHECKSUM, /* torn or corrupted */
} NcRecordStatus;

/* CRC-32 (IEEE 802.3, the one zlib and Ethernet use). */
guint32 nc_record_crc32(const guint8 *data, gsize len);

/* Fills @rec; the id is truncated to NC_RECORD_ID_MAX bytes (callers validate it first). */
void nc_record_init(NcRecord *rec, guint64 seq, gint64 time_us, const char *id);
void nc_record_encode(const NcRecord *rec, guint8 out[NC_RECORD_SIZE]);
NcRecordStatus nc_record_decode(const guint8 in[NC_RECORD_SIZE], NcRecord *rec);
/* TRUE if both records hold the same sequence number, time and id. */
gboolean nc_record_equal(const NcRecord *a, const NcRecord *b);
const char *nc_record_status_to_string(NcRecordStatus status);
