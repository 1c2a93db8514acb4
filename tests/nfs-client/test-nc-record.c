/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "nc-record.h"

static void test_crc32_vector(void)
{
  /* The standard check value of CRC-32/ISO-HDLC. */
  g_assert_cmphex(nc_record_crc32((const guint8 *)"123456789", 9), ==, 0xcbf43926);
  g_assert_cmphex(nc_record_crc32((const guint8 *)"", 0), ==, 0);
}

static void test_roundtrip(void)
{
  NcRecord rec, back;
  guint8 buf[NC_RECORD_SIZE];
  nc_record_init(&rec, G_GUINT64_CONSTANT(0x0102030405060708), -42, "client-1");
  nc_record_encode(&rec, buf);
  g_assert_cmpmem(buf, 4, "NCR1", 4);
  g_assert_cmpuint(buf[4], ==, 0x08); /* little endian */
  g_assert_cmpint(nc_record_decode(buf, &back), ==, NC_RECORD_OK);
  g_assert_true(nc_record_equal(&rec, &back));
  g_assert_cmpuint(back.seq, ==, G_GUINT64_CONSTANT(0x0102030405060708));
  g_assert_cmpint(back.time_us, ==, -42);
  g_assert_cmpstr(back.id, ==, "client-1");
}

static void test_longest_id(void)
{
  char id[NC_RECORD_ID_MAX + 10];
  memset(id, 'x', sizeof(id) - 1);
  id[sizeof(id) - 1] = '\0';
  NcRecord rec, back;
  guint8 buf[NC_RECORD_SIZE];
  nc_record_init(&rec, 7, 1, id);
  g_assert_cmpuint(strlen(rec.id), ==, NC_RECORD_ID_MAX);
  nc_record_encode(&rec, buf);
  g_assert_cmpint(nc_record_decode(buf, &back), ==, NC_RECORD_OK);
  g_assert_cmpuint(strlen(back.id), ==, NC_RECORD_ID_MAX);
  g_assert_true(nc_record_equal(&rec, &back));
}

static void test_every_bit_flip_detected(void)
{
  NcRecord rec, back;
  guint8 good[NC_RECORD_SIZE], buf[NC_RECORD_SIZE];
  nc_record_init(&rec, 99, 1700000000000000, "abc");
  nc_record_encode(&rec, good);
  for (guint bit = 0; bit < NC_RECORD_SIZE * 8; bit++) {
    memcpy(buf, good, sizeof(buf));
    buf[bit / 8] ^= (guint8)(1u << (bit % 8));
    NcRecordStatus st = nc_record_decode(buf, &back);
    if (bit < 32)
      g_assert_cmpint(st, ==, NC_RECORD_BAD_MAGIC);
    else
      g_assert_cmpint(st, ==, NC_RECORD_BAD_CHECKSUM);
  }
}

static void test_empty_and_garbage(void)
{
  guint8 buf[NC_RECORD_SIZE] = {0};
  NcRecord back;
  g_assert_cmpint(nc_record_decode(buf, &back), ==, NC_RECORD_EMPTY);
  memset(buf, 'A', sizeof(buf));
  g_assert_cmpint(nc_record_decode(buf, &back), ==, NC_RECORD_BAD_MAGIC);
  g_assert_cmpstr(nc_record_status_to_string(NC_RECORD_EMPTY), ==, "missing (zero bytes)");
}

static void test_equal_compares_all_fields(void)
{
  NcRecord a, b;
  nc_record_init(&a, 1, 2, "x");
  nc_record_init(&b, 1, 2, "x");
  g_assert_true(nc_record_equal(&a, &b));
  b.seq = 2;
  g_assert_false(nc_record_equal(&a, &b));
  nc_record_init(&b, 1, 3, "x");
  g_assert_false(nc_record_equal(&a, &b));
  nc_record_init(&b, 1, 2, "y");
  g_assert_false(nc_record_equal(&a, &b));
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/nc-record/crc32", test_crc32_vector);
  g_test_add_func("/nc-record/roundtrip", test_roundtrip);
  g_test_add_func("/nc-record/longest-id", test_longest_id);
  g_test_add_func("/nc-record/bit-flips", test_every_bit_flip_detected);
  g_test_add_func("/nc-record/empty-garbage", test_empty_and_garbage);
  g_test_add_func("/nc-record/equal", test_equal_compares_all_fields);
  return g_test_run();
}
