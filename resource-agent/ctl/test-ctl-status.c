/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ctl-status.h"

#include <string.h>

static void test_instances(void)
{
  GVariant *inst = g_variant_new_parsed(
      "[{'name': <'share1'>, 'type': <'share'>, 'state_name': <'Online'>, "
      "'last_call': <'IsAlive'>, 'last_call_ms': <1.5>, 'last_call_age_s': <2.5>, "
      "'calls': <uint64 42>, 'recovered': <true>, 'event_handle': <false>, 'private': <{'GSM': "
      "<'Online'>, 'Shares': <uint32 3>}>}, "
      "{'name': <'share2'>, 'type': <'share'>, 'state_name': <'Offline'>, 'parked': <true>}, "
      "{'name': <'app3'>, 'type': <'genapp'>, 'state_name': <'Failed'>, 'interrupted': <true>}]");
  g_autoptr(GString) out = g_string_new(NULL);
  ctl_format_instances(out, g_variant_ref_sink(inst));
  g_variant_unref(inst);
  g_test_message("%s", out->str);
  g_assert_nonnull(strstr(out->str, "share1"));
  g_assert_nonnull(strstr(out->str, "IsAlive"));
  g_assert_nonnull(strstr(out->str, "1.5 ms"));
  g_assert_nonnull(strstr(out->str, "2.5 s"));
  g_assert_nonnull(strstr(out->str, " 42 "));
  g_assert_nonnull(strstr(out->str, "recovered"));
  g_assert_nonnull(strstr(out->str, "GSM=Online"));
  g_assert_nonnull(strstr(out->str, "Shares=3"));
  /* The stopped instance kept open: its own line, flagged. */
  const char *line2 = strstr(out->str, "share2");
  g_assert_nonnull(line2);
  g_assert_nonnull(strstr(line2, "Offline"));
  g_assert_nonnull(strstr(line2, "parked"));
  /* Left half-way by a host that died. */
  const char *line3 = strstr(out->str, "app3");
  g_assert_nonnull(line3);
  g_assert_nonnull(strstr(line3, "Failed"));
  g_assert_nonnull(strstr(line3, "interrupted"));
}

static void test_empty(void)
{
  g_autoptr(GVariant) none = g_variant_ref_sink(g_variant_new_parsed("@aa{sv} []"));
  g_autoptr(GString) out = g_string_new(NULL);
  ctl_format_instances(out, none);
  ctl_format_types(out, none);
  g_assert_nonnull(strstr(out->str, "(no instances)"));
  g_assert_nonnull(strstr(out->str, "(no types loaded)"));
}

static void test_types(void)
{
  g_autoptr(GVariant) t = g_variant_ref_sink(g_variant_new_parsed(
      "[{'type': <'share'>, 'dll': <'/usr/lib/clusres/types/share.so'>, 'instances': <uint32 2>, "
      "'version': <uint32 256>}]"));
  g_autoptr(GString) out = g_string_new(NULL);
  ctl_format_types(out, t);
  g_assert_nonnull(strstr(out->str, "share"));
  g_assert_nonnull(strstr(out->str, "v1.00"));
  g_assert_nonnull(strstr(out->str, "2 instances"));
}

static void test_shares(void)
{
  g_autoptr(GVariant) inst = g_variant_ref_sink(g_variant_new_parsed(
      "[{'name': <'share-a1'>, 'type': <'share'>, 'state_name': <'Online'>, 'private': "
      "<{'GlobalState': <'Online'>, 'LocalState': <'Online'>, 'HomeNode': <'node1'>, "
      "'Pseudo': <'/a1'>, 'ExportId': <uint32 4242>}>}, "
      "{'name': <'set-b'>, 'type': <'shareset'>, 'state_name': <'Online'>, 'private': "
      "<{'GlobalState': <'Failover'>, 'HomeNode': <'node2'>, 'Members': <['b1\tFailover\t/b1\t17', "
      "'b2\tOffline\t/b2\t18\tdirectory /srv/nfs/b2 is missing']>}>}, "
      "{'name': <'app'>, 'type': <'genapp'>, 'state_name': <'Online'>}]"));
  g_autoptr(GString) out = g_string_new(NULL);
  ctl_format_shares(out, inst);
  g_test_message("%s", out->str);
  g_auto(GStrv) lines = g_strsplit(out->str, "\n", -1);
  g_assert_cmpuint(g_strv_length(lines), ==, 5); /* header, a1, b1, b2, "" */
  g_assert_true(g_str_has_prefix(g_strstrip(lines[1]), "a1 "));
  g_assert_nonnull(strstr(lines[1], "share-a1"));
  g_assert_nonnull(strstr(lines[1], "/a1"));
  g_assert_nonnull(strstr(lines[1], "4242"));
  g_assert_true(g_str_has_prefix(g_strstrip(lines[2]), "b1 "));
  g_assert_nonnull(strstr(lines[2], "set-b"));
  g_assert_nonnull(strstr(lines[2], "Failover"));
  g_assert_nonnull(strstr(lines[2], "node2"));
  g_assert_true(g_str_has_prefix(g_strstrip(lines[3]), "b2 "));
  g_assert_nonnull(strstr(lines[3], "Offline"));
  g_assert_true(g_str_has_suffix(lines[3], "directory /srv/nfs/b2 is missing"));
  g_assert_null(strstr(out->str, "app"));
}

int main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/ctl/instances", test_instances);
  g_test_add_func("/ctl/empty", test_empty);
  g_test_add_func("/ctl/types", test_types);
  g_test_add_func("/ctl/shares", test_shares);
  return g_test_run();
}
