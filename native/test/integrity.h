// The receive-path integrity run (integrity_test.cc): shared with the
// backends' own tests, which run it with their particular settings.
#pragma once

#include <cstdint>

#include "backend.h"

namespace iocpnet {
namespace test {

// 50 connections, self-checking streams both ways, random pauses on both
// sides; every byte must arrive once, in order, before kEnd.
void RunIntegrity(const char* label, const BackendOptions& options, uint64_t seed);

}  // namespace test
}  // namespace iocpnet
