// The receive-path integrity run (native/test/integrity.h) on io_uring's
// provided-buffer ring at its limits: rings of 2-8 buffers of 4 KiB
// (constant ENOBUFS and re-posted receives, rule 14), a tiny submission
// queue (Drain's budget leaves CQEs for later turns and GetSqe returns
// null), the classic PROVIDE_BUFFERS mode, and a ring that grows.
#include "test/harness.h"
#include "test/integrity.h"
#include "test/loop.h"

using namespace iocpnet;
using namespace iocpnet::test;

namespace {

BackendOptions Ring(uint32_t buffers, uint32_t entries, bool provide_buffers) {
  BackendOptions options = SmallOptions();
  options.read_buffer_size = 4096;
  options.uring.recv_buffer_count = buffers;
  options.uring.ring_entries = entries;
  options.uring.provide_buffers = provide_buffers;
  return options;
}

}  // namespace

BACKEND_TEST(uring, integrity_tiny_ring_4x4k_pause_resume) { RunIntegrity("4x4KiB", Ring(4, 1024, false), 0x1234567u); }
BACKEND_TEST(uring, integrity_tiny_ring_2x4k_pause_resume) { RunIntegrity("2x4KiB", Ring(2, 1024, false), 0x9abcdefu); }
BACKEND_TEST(uring, integrity_ring_8_buffers_pause_resume) { RunIntegrity("8x4KiB", Ring(8, 1024, false), 0x51ed27u); }
BACKEND_TEST(uring, integrity_small_drain_budget_pause_resume) { RunIntegrity("budget", Ring(8, 16, false), 0xfeedu); }
BACKEND_TEST(uring, integrity_provide_buffers_mode_pause_resume) {
  RunIntegrity("provide-buffers", Ring(4, 1024, true), 0xc0ffeeu);
}
BACKEND_TEST(uring, integrity_growing_ring_pause_resume) { RunIntegrity("grow", Ring(1024, 1024, false), 0x77u); }
BACKEND_TEST(uring, integrity_growing_ring_provide_buffers) { RunIntegrity("grow-pb", Ring(1024, 1024, true), 0x78u); }
