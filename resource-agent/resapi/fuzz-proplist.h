/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef FUZZ_PROPLIST_H
#define FUZZ_PROPLIST_H

#include <stddef.h>
#include <stdint.h>

/** libFuzzer entry point: one property list from the wire. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* FUZZ_PROPLIST_H */
