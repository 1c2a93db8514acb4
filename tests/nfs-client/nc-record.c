/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "nc-record.h"

#include <string.h>

/* Layout (little endian):
 *   0  magic "NCR1"       4  seq (u64)      12 time_us (i64)
 *   20 id[36] NUL padded  56 reserved (0)   60 CRC-32 of bytes 0..59 */
#define OFF_SEQ 4
#define OFF_TIME 12
#define OFF_ID 20
#define OFF_CRC 60
static const guint8 magic[4] = {'N', 'C', 'R', '1'};

guint32 nc_record_crc32(const guint8 *data, gsize len)
{
  /* Bitwise rather than table driven: records are 64 bytes, speed does not matter, and
   * there is no table to get wrong. */
  guint32 crc = 0xffffffffu;
  for (gsize i = 0; i < len; i++) {
    crc ^= data[i];
    for (int bit = 0; bit < 8; bit++)
      crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

static void put_u64(guint8 *p, guint64 v)
{
  for (int i = 0; i < 8; i++)
    p[i] = (guint8)(v >> (8 * i));
}

static guint64 get_u64(const guint8 *p)
{
  guint64 v = 0;
  for (int i = 7; i >= 0; i--)
    v = (v << 8) | p[i];
  return v;
}

void nc_record_init(NcRecord *rec, guint64 seq, gint64 time_us, const char *id)
{
  memset(rec, 0, sizeof(*rec));
  rec->seq = seq;
  rec->time_us = time_us;
  g_strlcpy(rec->id, id, sizeof(rec->id));
}

void nc_record_encode(const NcRecord *rec, guint8 out[NC_RECORD_SIZE])
{
  memset(out, 0, NC_RECORD_SIZE);
  memcpy(out, magic, sizeof(magic));
  put_u64(out + OFF_SEQ, rec->seq);
  put_u64(out + OFF_TIME, (guint64)rec->time_us);
  memcpy(out + OFF_ID, rec->id, strnlen(rec->id, NC_RECORD_ID_MAX));
  guint32 crc = nc_record_crc32(out, OFF_CRC);
  for (int i = 0; i < 4; i++)
    out[OFF_CRC + i] = (guint8)(crc >> (8 * i));
}

NcRecordStatus nc_record_decode(const guint8 in[NC_RECORD_SIZE], NcRecord *rec)
{
  gboolean zero = TRUE;
  for (gsize i = 0; i < NC_RECORD_SIZE && zero; i++)
    zero = in[i] == 0;
  if (zero)
    return NC_RECORD_EMPTY;
  if (memcmp(in, magic, sizeof(magic)) != 0)
    return NC_RECORD_BAD_MAGIC;
  guint32 want = (guint32)in[OFF_CRC] | (guint32)in[OFF_CRC + 1] << 8 |
                 (guint32)in[OFF_CRC + 2] << 16 | (guint32)in[OFF_CRC + 3] << 24;
  if (nc_record_crc32(in, OFF_CRC) != want)
    return NC_RECORD_BAD_CHECKSUM;
  memset(rec, 0, sizeof(*rec));
  rec->seq = get_u64(in + OFF_SEQ);
  rec->time_us = (gint64)get_u64(in + OFF_TIME);
  memcpy(rec->id, in + OFF_ID, NC_RECORD_ID_MAX);
  return NC_RECORD_OK;
}

gboolean nc_record_equal(const NcRecord *a, const NcRecord *b)
{
  return a->seq == b->seq && a->time_us == b->time_us && strncmp(a->id, b->id, sizeof(a->id)) == 0;
}

const char *nc_record_status_to_string(NcRecordStatus status)
{
  switch (status) {
  case NC_RECORD_OK:
    return "ok";
  case NC_RECORD_EMPTY:
    return "missing (zero bytes)";
  case NC_RECORD_BAD_MAGIC:
    return "bad magic";
  case NC_RECORD_BAD_CHECKSUM:
    return "bad checksum";
  }
  return "unknown";
}
